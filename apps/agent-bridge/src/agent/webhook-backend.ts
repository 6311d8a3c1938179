import { randomUUID } from 'node:crypto';
import type { AdmittedMessage, AgentWebhookTurn } from '@twokey/contracts';
import type { JsonLogger } from '@twokey/service-kit';
import type { AgentBackend, AgentInfo, OpenedSession, SessionPlacement, TurnResult, TurnSink } from './agent-backend';
import { AgentFailed, AgentUnavailable } from './agent-errors';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './webhook-signature';

export interface WebhookBackendOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  logger: JsonLogger;
}

/**
 * An agent behind an HTTP endpoint, in any language: each turn is one signed POST; the answer is the reply, JSON
 * `{ "text": … }` or NDJSON lines `{ "text": chunk }` streamed as they come. Sessions are ids the bridge makes up
 * and the agent may use to keep context.
 */
export class WebhookBackend implements AgentBackend {
  readonly mode = 'webhook' as const;
  private readonly inFlight = new Map<string, AbortController>();

  constructor(private readonly o: WebhookBackendOptions) {}

  info(): AgentInfo | null {
    return { name: 'webhook', title: new URL(this.o.url).host, version: null, loadSession: true };
  }

  runningProcesses(): number {
    return 0;
  }

  async openSession(_p: SessionPlacement, resume?: string): Promise<OpenedSession> {
    return resume ? { sessionId: resume, resumed: true } : { sessionId: randomUUID(), resumed: false };
  }

  isLive(): boolean {
    return true;
  }

  async prompt(p: SessionPlacement, sessionId: string, m: AdmittedMessage, text: string, sink: TurnSink): Promise<TurnResult> {
    const { replyCapability: _omitted, ...message } = m;
    const turn: AgentWebhookTurn = { schemaVersion: 1, sessionId, cwd: p.cwd, text, message };
    const body = JSON.stringify(turn);
    const ts = Math.floor(Date.now() / 1000);
    const abort = new AbortController();
    this.inFlight.set(sessionId, abort);
    const timer = setTimeout(() => abort.abort(new Error('timeout')), this.o.timeoutMs);
    try {
      let res: Response;
      try {
        res = await fetch(this.o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: webhookSignature(this.o.secret, ts, body), [TIMESTAMP_HEADER]: String(ts) },
          body,
          signal: abort.signal,
        });
      } catch (e) {
        if (abort.signal.aborted && abort.signal.reason instanceof Error && abort.signal.reason.message === 'cancelled') return { stopReason: 'cancelled' };
        throw new AgentUnavailable(`the agent webhook could not be reached: ${(e as Error).message}`);
      }
      if (!res.ok) throw new AgentFailed(`the agent webhook answered HTTP ${res.status}`);
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('ndjson')) return await this.stream(res, sink, abort);
      const json = (await res.json()) as { text?: unknown };
      if (typeof json.text === 'string') sink.text(json.text);
      return { stopReason: 'end_turn' };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(sessionId);
    }
  }

  private async stream(res: Response, sink: TurnSink, abort: AbortController): Promise<TurnResult> {
    const decoder = new TextDecoder();
    let buffered = '';
    const line = (l: string) => {
      if (!l.trim()) return;
      try {
        const v = JSON.parse(l) as { text?: unknown };
        if (typeof v.text === 'string') sink.text(v.text);
      } catch {
        this.o.logger.warn('the agent webhook sent a line that is not JSON; skipped');
      }
    };
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          line(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
      }
    } catch (e) {
      if (abort.signal.aborted) return { stopReason: 'cancelled' };
      throw new AgentFailed(`the agent webhook's answer broke off: ${(e as Error).message}`);
    }
    line(buffered);
    return { stopReason: 'end_turn' };
  }

  async cancel(_p: SessionPlacement, sessionId: string): Promise<void> {
    this.inFlight.get(sessionId)?.abort(new Error('cancelled'));
  }

  async closeSession(): Promise<void> {}

  async stop(): Promise<void> {
    for (const a of this.inFlight.values()) a.abort(new Error('cancelled'));
  }
}
