import { createHash } from 'node:crypto';
import type { KV } from 'nats';

/** The KV bucket of the bridge, derived from the subject prefix like the stream names (KV stream `KV_<bucket>`). */
export const agentBucketName = (prefix: string) => `${prefix.toUpperCase().replace(/-/g, '_')}_AGENT_SESSIONS`;

/** How long turn records are kept: as long as the admitted stream keeps the message they guard. */
export const TURN_RECORD_TTL_MS = 7 * 24 * 3_600_000;

/**
 * What happened to one admitted message. `started` is written (create, so only once) before the message is acked
 * and the prompt sent: a redelivery that finds it knows the turn was interrupted and must not run it again.
 */
export type TurnState = 'started' | 'done' | 'interrupted' | 'stale' | 'consumed';

export interface StoredSession {
  sessionId: string;
  cwd: string;
  updatedAt: string;
}

/** A platform message as a short, KV-safe token (ids may be 256 characters of anything). */
export const messageToken = (connection: string, platformMessageId: string) =>
  createHash('sha256').update(`${connection}\0${platformMessageId}`).digest('base64url').slice(0, 32);

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

/** A turn that was running when the bridge last stopped, so its user can be told after a crash. */
export interface InflightTurn {
  tokens: string[];
  target: { connection: string; conversationId: string; threadId?: string; replyCapability?: unknown };
}

/**
 * The bridge's durable memory in one JetStream KV bucket: `turn.<message>`, `session.<session key>` and
 * `inflight` (the turns running now; one bridge replica owns the bucket, so one key is enough and no listing, which
 * would need a consumer, is ever done).
 */
export class SessionStore {
  private inflight = new Map<string, InflightTurn>();
  private inflightWrite: Promise<unknown> = Promise.resolve();

  constructor(private readonly kv: KV) {}

  /** The turns a previous run left running (it crashed), removed from the index as they are returned. */
  async takeInterrupted(): Promise<InflightTurn[]> {
    const e = await this.kv.get('inflight');
    const left = e && e.operation === 'PUT' ? e.json<InflightTurn[]>() : [];
    await this.kv.put('inflight', enc([]));
    return left;
  }

  /**
   * Adds (or removes) a running turn to the index. Writes are serialized and coalesced: at most one waits behind the
   * running one, and it writes the index as it is when it runs, so 100 turns starting at once cost two writes.
   */
  trackInflight(id: string, turn: InflightTurn | undefined): Promise<void> {
    if (turn) this.inflight.set(id, turn);
    else this.inflight.delete(id);
    if (this.queuedWrite) return this.queuedWrite;
    const write = this.inflightWrite.then(async () => {
      this.queuedWrite = undefined;
      await this.kv.put('inflight', enc([...this.inflight.values()]));
    });
    this.queuedWrite = write;
    this.inflightWrite = write.catch(() => undefined);
    return write;
  }

  private queuedWrite?: Promise<void>;

  /** Records the turn as started; false when a record already exists (the message was seen before). */
  async claimTurn(token: string, state: TurnState = 'started'): Promise<boolean> {
    try {
      await this.kv.create(`turn.${token}`, enc({ state, at: new Date().toISOString() }));
      return true;
    } catch (e) {
      if (/wrong last sequence|key exists/i.test((e as Error).message)) return false;
      throw e;
    }
  }

  async turnState(token: string): Promise<TurnState | undefined> {
    const e = await this.kv.get(`turn.${token}`);
    if (!e || e.operation !== 'PUT') return undefined;
    return (e.json<{ state: TurnState }>()).state;
  }

  async setTurn(token: string, state: TurnState): Promise<void> {
    await this.kv.put(`turn.${token}`, enc({ state, at: new Date().toISOString() }));
  }

  async session(kvToken: string): Promise<StoredSession | undefined> {
    const e = await this.kv.get(`session.${kvToken}`);
    return e && e.operation === 'PUT' ? e.json<StoredSession>() : undefined;
  }

  async saveSession(kvToken: string, s: StoredSession): Promise<void> {
    await this.kv.put(`session.${kvToken}`, enc(s));
  }

  async forgetSession(kvToken: string): Promise<void> {
    await this.kv.delete(`session.${kvToken}`);
  }
}
