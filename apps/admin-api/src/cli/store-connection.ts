import type { NatsConnection } from 'nats';
import { DEFAULT_SUBJECT_PREFIX, subjects } from '@twokey/contracts';
import { JetStreamEventStore } from '@twokey/event-store';
import { connectNats } from '@twokey/messaging';
import type { CliIo } from './io';

/** Options every events command shares: where the log is (flags win over the environment). */
export const STORE_OPTIONS = {
  'nats-url': { type: 'string' },
  prefix: { type: 'string' },
} as const;

export const STORE_HELP = `  --nats-url URL     NATS server(s), comma-separated (env NATS_URL, default nats://127.0.0.1:4222;
                     credentials from NATS_USER / NATS_PASSWORD)
  --prefix P         subject prefix of the deployment (env TWOKEY_SUBJECT_PREFIX, default ${DEFAULT_SUBJECT_PREFIX})`;

export interface OpenStore {
  store: JetStreamEventStore;
  nc: NatsConnection;
  close(): Promise<void>;
}

/** Reads the event store directly over NATS: the audit tools do not depend on a running admin-api. */
export async function openStore(values: { 'nats-url'?: string; prefix?: string }, io: CliIo): Promise<OpenStore> {
  const url = values['nats-url'] ?? io.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const nc = await connectNats(
    { url, user: io.env.NATS_USER, password: io.env.NATS_PASSWORD, name: 'twokey-cli' },
    { maxReconnectAttempts: 5 },
  ).catch((e: Error) => {
    throw new Error(`cannot reach NATS at ${url} (${e.message}); set --nats-url or NATS_URL`);
  });
  const store = new JetStreamEventStore({ nc, subjects: subjects(values.prefix ?? io.env.TWOKEY_SUBJECT_PREFIX ?? DEFAULT_SUBJECT_PREFIX) });
  return { store, nc, close: () => nc.drain().catch(() => nc.close()) };
}
