import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { GatewayStatus, Subjects } from '@twokey/contracts';
import { RpcUnavailable, rpcRequest } from '@twokey/messaging';
import type { JsonLogger } from '@twokey/service-kit';

/**
 * A gateway answers its status from memory, so anything slower than this means it is not really there (a stopped
 * gateway is quicker still: NATS answers "no responders" at once). Short, because a connection list waits for it.
 */
export const GATEWAY_STATUS_TIMEOUT_MS = 750;
/** How long an answer is reused: the console reloads the list on every live change and on a timer. */
export const GATEWAY_STATUS_CACHE_MS = 3_000;

export interface GatewayStatusOptions {
  timeoutMs?: number;
  cacheMs?: number;
  now?: () => number;
}

interface Entry {
  answer: Promise<GatewayStatus | null>;
  /** Infinity while the request is out: callers in the meantime share it. */
  expiresAt: number;
}

/**
 * Asks a connection's gateway `<prefix>.rpc.gateway.<connection>.status` and caches the answer per connection.
 * null means no usable answer (not running, too slow, or an answer that breaks the contract); it never throws.
 */
export class GatewayStatusProbe {
  private readonly entries = new Map<string, Entry>();
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly log: JsonLogger,
    options: GatewayStatusOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? GATEWAY_STATUS_TIMEOUT_MS;
    this.cacheMs = options.cacheMs ?? GATEWAY_STATUS_CACHE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Every connection's status, asked in parallel (cached ones are not asked again). */
  async statusOf(connections: readonly string[]): Promise<Map<string, GatewayStatus | null>> {
    const answers = await Promise.all(connections.map((c) => this.status(c)));
    return new Map(connections.map((c, i) => [c, answers[i]]));
  }

  status(connection: string): Promise<GatewayStatus | null> {
    const cached = this.entries.get(connection);
    if (cached && cached.expiresAt > this.now()) return cached.answer;
    const entry: Entry = { answer: this.ask(connection), expiresAt: Infinity };
    this.entries.set(connection, entry);
    void entry.answer.then(() => {
      entry.expiresAt = this.now() + this.cacheMs;
    });
    return entry.answer;
  }

  /** Forget the cached answer, e.g. after a connection test, when the admin expects the status of this moment. */
  forget(connection: string): void {
    this.entries.delete(connection);
  }

  private async ask(connection: string): Promise<GatewayStatus | null> {
    try {
      const status = await rpcRequest(
        this.nc,
        this.subjects.rpcGateway(connection, 'status'),
        { correlationId: randomUUID() },
        GatewayStatus,
        this.timeoutMs,
      );
      if (status.connection === connection) return status;
      this.log.warn('a gateway answered the status of another connection', { connection, answered: status.connection });
      return null;
    } catch (e) {
      if (e instanceof RpcUnavailable) {
        this.log.debug(e.noResponders ? 'gateway not running' : 'gateway did not answer its status in time', { connection, timeoutMs: this.timeoutMs });
      } else {
        // An older or newer gateway, or a stranger on its subject: show it as not connected and say why in the log.
        this.log.warn('unusable status answer from the gateway', { connection, error: (e as Error).message });
      }
      return null;
    }
  }
}
