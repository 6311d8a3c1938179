import type { KV, KvEntry, NatsConnection, QueuedIterator } from 'nats';
import type { BotIdentity, ConnectionTestResult, Subjects } from '@twokey/contracts';
import { openConnectionTests } from '@twokey/messaging';
import type { JsonLogger } from '@twokey/service-kit';

/** A connection test as the API answers it: `bot` is always there, null when the test failed. */
export type LastConnectionTest = Omit<ConnectionTestResult, 'bot'> & { bot: BotIdentity | null; at: string };

/** Where the last connection test of each connection is kept. */
export interface ConnectionTests {
  get(connection: string): LastConnectionTest | undefined;
  record(connection: string, result: LastConnectionTest): void;
  stop?(): void;
}

/** One replica's memory (unit tests; an admin-api without the bucket). */
export class MemoryConnectionTests implements ConnectionTests {
  private readonly last = new Map<string, LastConnectionTest>();

  get(connection: string): LastConnectionTest | undefined {
    return this.last.get(connection);
  }

  record(connection: string, result: LastConnectionTest): void {
    const known = this.last.get(connection);
    // Replicas' results arrive in any order: the latest test wins.
    if (!known || known.at <= result.at) this.last.set(connection, result);
  }
}

/**
 * The last connection tests every admin-api replica sees: a test is recorded here at once and written to the KV
 * bucket <PREFIX>_ADMIN_CONNECTION_TESTS; each replica watches the bucket into memory, so listing connections stays
 * a map lookup. A failed write is logged (the test itself was answered): that replica alone then shows it.
 */
export class KvConnectionTests implements ConnectionTests {
  private readonly local = new MemoryConnectionTests();
  private watcher?: QueuedIterator<KvEntry>;

  constructor(
    private readonly kv: KV,
    private readonly log: JsonLogger,
  ) {}

  /** Returns once the bucket's current content is loaded. */
  async start(): Promise<void> {
    let loaded!: () => void;
    const initial = new Promise<void>((resolve) => (loaded = resolve));
    this.watcher = await this.kv.watch({ initializedFn: () => loaded() });
    void (async () => {
      for await (const e of this.watcher!) {
        if (e.operation !== 'PUT') continue;
        try {
          this.local.record(e.key, JSON.parse(e.string()) as LastConnectionTest);
        } catch {
          this.log.warn('unreadable connection test result in the bucket; ignored', { connection: e.key });
        }
      }
    })().catch((err: Error) => this.log.error('connection test watch ended', { error: err.message }));
    await initial;
  }

  get(connection: string): LastConnectionTest | undefined {
    return this.local.get(connection);
  }

  record(connection: string, result: LastConnectionTest): void {
    this.local.record(connection, result);
    this.kv.put(connection, JSON.stringify(result)).catch((err: Error) => {
      this.log.warn('connection test result not shared with the other replicas', { connection, error: err.message });
    });
  }

  stop(): void {
    this.watcher?.stop();
  }
}

/**
 * The shared tests, or this replica's memory when the bucket cannot be opened (a deployment not provisioned since
 * the bucket was added): the connection tests still work, each replica then shows only its own.
 */
export async function sharedConnectionTests(nc: NatsConnection, s: Subjects, o: { ENSURE_STREAMS: boolean }, log: JsonLogger): Promise<ConnectionTests> {
  try {
    const tests = new KvConnectionTests(await openConnectionTests(nc.jetstream(), s, { create: o.ENSURE_STREAMS }), log);
    await tests.start();
    return tests;
  } catch (e) {
    log.warn('connection test bucket unavailable: each replica shows only the tests it ran', { error: (e as Error).message });
    return new MemoryConnectionTests();
  }
}
