import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { GatewaySpaceTitle, Subjects } from '@twokey/contracts';
import { RpcUnavailable, rpcRequest } from '@twokey/messaging';
import type { JsonLogger } from '@twokey/service-kit';

/** A page waits at most this long for a title: without an answer by then it is served with the bare id. */
export const SPACE_TITLE_TIMEOUT_MS = 1_000;
/** Titles change rarely; the gateway caches its platform's answer for longer still. */
export const SPACE_TITLE_CACHE_MS = 10 * 60_000;
/** No title (no answer, no responder, the platform would not say): asked again after this, not on every reload. */
export const SPACE_TITLE_MISS_CACHE_MS = 30_000;
const MAX_ENTRIES = 5_000;

export interface SpaceTitlesOptions {
  timeoutMs?: number;
  cacheMs?: number;
  missCacheMs?: number;
  now?: () => number;
}

interface Entry {
  answer: Promise<string | undefined>;
  /** Infinity while the request is out: callers in the meantime share it. */
  expiresAt: number;
}

/**
 * Titles of spaces whose messages carried none (LINE groups, Feishu chats, Mattermost teams), asked of the
 * connection's gateway (`<prefix>.rpc.gateway.<connection>.space-title`) only when an admin looks: the gateway
 * never looks a title up before the pairing-service's decision, so a denied stranger costs no platform call.
 * Cached per connection and space, misses too; never throws, and a slow gateway costs a page at most the timeout.
 */
export class SpaceTitles {
  private readonly entries = new Map<string, Entry>();
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly missCacheMs: number;
  private readonly now: () => number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly log: JsonLogger,
    options: SpaceTitlesOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? SPACE_TITLE_TIMEOUT_MS;
    this.cacheMs = options.cacheMs ?? SPACE_TITLE_CACHE_MS;
    this.missCacheMs = options.missCacheMs ?? SPACE_TITLE_MISS_CACHE_MS;
    this.now = options.now ?? Date.now;
  }

  title(connection: string, spaceId: string): Promise<string | undefined> {
    const key = `${connection}\u0000${spaceId}`;
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.answer;
    this.entries.delete(key);
    const entry: Entry = { answer: this.ask(connection, spaceId), expiresAt: Infinity };
    this.entries.set(key, entry);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    void entry.answer.then((title) => {
      entry.expiresAt = this.now() + (title === undefined ? this.missCacheMs : this.cacheMs);
    });
    return entry.answer;
  }

  /** Titles of several spaces of one connection, asked in parallel; only the ones found are in the map. */
  async titles(connection: string, spaceIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(spaceIds)];
    const answers = await Promise.all(ids.map((id) => this.title(connection, id)));
    const found = new Map<string, string>();
    ids.forEach((id, i) => answers[i] !== undefined && found.set(id, answers[i] as string));
    return found;
  }

  private async ask(connection: string, spaceId: string): Promise<string | undefined> {
    try {
      const answer = await rpcRequest(this.nc, this.subjects.rpcGateway(connection, 'space-title'), { correlationId: randomUUID(), spaceId }, GatewaySpaceTitle, this.timeoutMs);
      return answer.spaceId === spaceId ? (answer.title ?? undefined) : undefined;
    } catch (e) {
      if (e instanceof RpcUnavailable) {
        this.log.debug(e.noResponders ? 'gateway not running: space shown without its title' : 'gateway did not say the space title in time', { connection, timeoutMs: this.timeoutMs });
      } else {
        this.log.warn('unusable space title answer from the gateway', { connection, error: (e as Error).message });
      }
      return undefined;
    }
  }
}
