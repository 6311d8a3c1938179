/** How tool calls show in the reply: not at all, one line per call (its latest state), or every update. */
export const TOOL_UPDATE_MODES = ['off', 'summary', 'all'] as const;
export type ToolUpdateMode = (typeof TOOL_UPDATE_MODES)[number];

type ToolStatus = 'pending' | 'in_progress' | 'completed' | 'failed';

const MARK: Record<ToolStatus, string> = { pending: '…', in_progress: '…', completed: '✓', failed: '✗' };

type Segment = { kind: 'text'; text: string } | { kind: 'tool'; id: string; title: string; status: ToolStatus };

const clipTitle = (t: string) => {
  const line = t.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line || 'tool';
};

/**
 * The text of one turn's reply as it grows: the agent's message chunks in order, with tool calls as short progress
 * lines between them. Pure state, so the same rendering serves the growing (edited) message and the whole one.
 */
export class ReplyComposer {
  private readonly segments: Segment[] = [];

  constructor(private readonly toolUpdates: ToolUpdateMode) {}

  addText(chunk: string): void {
    const last = this.segments[this.segments.length - 1];
    if (last?.kind === 'text') last.text += chunk;
    else if (chunk) this.segments.push({ kind: 'text', text: chunk });
  }

  toolCall(id: string, title: string | undefined, status: ToolStatus | undefined): void {
    if (this.toolUpdates === 'off') return;
    const existing = this.segments.find((s): s is Extract<Segment, { kind: 'tool' }> => s.kind === 'tool' && s.id === id);
    if (existing && this.toolUpdates === 'summary') {
      if (title) existing.title = clipTitle(title);
      if (status) existing.status = status;
      return;
    }
    if (existing && !status && !title) return;
    this.segments.push({ kind: 'tool', id, title: clipTitle(title ?? existing?.title ?? 'tool'), status: status ?? 'pending' });
  }

  /** The agent wrote something a user would read (tool lines alone are not an answer). */
  get hasText(): boolean {
    return this.segments.some((s) => s.kind === 'text' && s.text.trim() !== '');
  }

  render(): string {
    let out = '';
    let previous: Segment['kind'] | undefined;
    for (const s of this.segments) {
      const piece = s.kind === 'text' ? s.text.trim() : `${MARK[s.status]} ${s.title}`;
      if (!piece) continue;
      // Consecutive tool lines stay together, one per line; text is a paragraph of its own.
      if (previous) out += previous === 'tool' && s.kind === 'tool' ? '\n' : '\n\n';
      out += piece;
      previous = s.kind;
    }
    return out;
  }
}
