/** ACP's permission option kinds (session/request_permission). */
export type PermissionKind = 'allow_once' | 'allow_always' | 'reject_once' | 'reject_always';

export interface PermissionChoice {
  optionId: string;
  name: string;
  kind: PermissionKind;
}

/** The word a user may type for each kind; the number (1, 2, …) always works too. */
export const PERMISSION_WORDS: Record<PermissionKind, string> = {
  allow_once: 'allow',
  allow_always: 'always',
  reject_once: 'reject',
  reject_always: 'never',
};

const MAX_DETAIL = 600;

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** The chat message asking the turn's user to decide; plain text so every platform shows it the same. */
export function permissionPromptText(request: { title: string; detail?: string; options: readonly PermissionChoice[]; timeoutMinutes: number }): string {
  const lines = [`The agent asks for permission: ${clip(request.title, 300)}`];
  if (request.detail) lines.push(clip(request.detail, MAX_DETAIL));
  lines.push('');
  request.options.forEach((o, i) => lines.push(`${i + 1}. ${PERMISSION_WORDS[o.kind]}: ${clip(o.name, 200)}`));
  lines.push('', `Answer with the number or the word. No answer within ${request.timeoutMinutes} min rejects.`);
  return lines.join('\n');
}

/**
 * The option a chat answer picks: its number or its word (case and surrounding punctuation ignored). Anything
 * else is not an answer (and goes to the agent as a prompt once the turn is over).
 */
export function permissionAnswerOf(text: string, options: readonly PermissionChoice[]): PermissionChoice | undefined {
  const t = text.trim().toLowerCase().replace(/[.!]+$/, '');
  if (/^\d{1,2}$/.test(t)) return options[Number(t) - 1];
  return options.find((o) => PERMISSION_WORDS[o.kind] === t);
}

/** What a timeout (or a cancelled turn) selects: the first "reject once", else the first rejecting option. */
export function rejectingChoice(options: readonly PermissionChoice[]): PermissionChoice | undefined {
  return options.find((o) => o.kind === 'reject_once') ?? options.find((o) => o.kind === 'reject_always');
}
