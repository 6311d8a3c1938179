import { createHash } from 'node:crypto';
import type { KV } from 'nats';

/** What a gateway remembers of one SendMessage: the platform messages it became, so an edit can find them. */
export interface SentRecord {
  conversationId: string;
  threadId?: string;
  /** Platform message ids in chunk order (a chunk the platform counted too long may have become two). */
  ids: string[];
  /** How many of the send's chunks went out (a redelivery continues after them). */
  chunksSent: number;
  /** A short hash of each message's current text, so an edit rewrites only the messages that changed. */
  hashes: string[];
  /** Edits made to each message so far (where the platform limits them). */
  editCounts?: number[];
  /** All chunks of the send went out (a redelivery after a crash mid-way continues where it stopped). */
  complete: boolean;
}

export interface SentStore {
  get(idempotencyKey: string): Promise<SentRecord | undefined>;
  put(idempotencyKey: string, record: SentRecord): Promise<void>;
}

export const textHash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

/** KV keys allow only [-/_=.a-zA-Z0-9]: an idempotency key (any 1-200 characters) is hashed into one. */
const kvKey = (idempotencyKey: string) => createHash('sha256').update(idempotencyKey).digest('base64url').replace(/-/g, '_');

/** The store in the connection's JetStream KV bucket: survives a gateway restart and is shared by replicas. */
export class KvSentStore implements SentStore {
  constructor(private readonly kv: () => Promise<KV>) {}

  async get(idempotencyKey: string): Promise<SentRecord | undefined> {
    const entry = await (await this.kv()).get(kvKey(idempotencyKey));
    if (!entry || entry.operation !== 'PUT' || !entry.value.length) return undefined;
    return JSON.parse(Buffer.from(entry.value).toString('utf8')) as SentRecord;
  }

  async put(idempotencyKey: string, record: SentRecord): Promise<void> {
    await (await this.kv()).put(kvKey(idempotencyKey), JSON.stringify(record));
  }
}
