import type { EventStore } from './event-store';
import type { UpcastingOptions } from './upcasting';
import { appendContract } from './contract/append.contract';
import { readContract } from './contract/read.contract';
import { subscribeContract } from './contract/subscribe.contract';

/** One fresh, empty store per test, plus the hooks the contract needs to reach around the port. */
export interface EventStoreFixture {
  store: EventStore;
  /**
   * Another store over the same storage (its own connection where the adapter has one): a second process for the
   * concurrency tests, or the same data read by newer code (`upcasters` / `schemaVersions`).
   */
  openStore(options?: UpcastingOptions): Promise<EventStore>;
  /** Stores `bytes` as the next commit of `stream`, bypassing the store: how a corrupt or foreign commit looks. */
  appendRaw(stream: string, bytes: Uint8Array): Promise<void>;
  /**
   * Stops and starts the server, keeping its data. Required by the reconnect test: a fixture over a server it does
   * not own fails that test rather than skipping it silently.
   */
  restartServer?: () => Promise<void>;
  dispose(): Promise<void>;
}

export type EventStoreFactory = () => Promise<EventStoreFixture>;

/** Accessors for the current test's fixture, shared by the contract's parts. */
export interface ContractContext {
  readonly fx: EventStoreFixture;
  readonly store: EventStore;
}

/** The behaviour every EventStore adapter must show against a real server (§4). */
export function describeEventStoreContract(name: string, factory: EventStoreFactory): void {
  describe(`EventStore contract: ${name}`, () => {
    let current: EventStoreFixture | undefined;
    const ctx: ContractContext = {
      get fx() {
        if (!current) throw new Error('no fixture: the factory failed');
        return current;
      },
      get store() {
        return ctx.fx.store;
      },
    };

    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      await current?.dispose();
      current = undefined;
    });

    describe('append and readStream', () => appendContract(ctx));
    describe('readAll and decoding', () => readContract(ctx));
    describe('subscribe', () => subscribeContract(ctx));
  });
}
