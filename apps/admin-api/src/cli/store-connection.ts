import type { NatsConnection } from 'nats';
import { DEFAULT_SUBJECT_PREFIX, subjects } from '@twokey/contracts';
import { JetStreamEventStore } from '@twokey/event-store';
import { connectNats } from '@twokey/messaging';
import { CliError, EXIT } from './exit-codes';
import type { CliIo } from './io';
import { findLocalStack } from './local-stack';

/** Options every events command shares: where the log is (flags win over the environment). */
export const STORE_OPTIONS = {
  'nats-url': { type: 'string' },
  prefix: { type: 'string' },
} as const;

export const STORE_HELP = `  --nats-url URL     NATS server(s), comma-separated (env NATS_URL; credentials from NATS_USER / NATS_PASSWORD).
                     Default: the local stack's (npm start records its port and the admin-api's NATS user
                     in TWOKEY_HOME), else nats://127.0.0.1:4222
  --prefix P         subject prefix of the deployment (env TWOKEY_SUBJECT_PREFIX, default ${DEFAULT_SUBJECT_PREFIX})`;

export interface OpenStore {
  store: JetStreamEventStore;
  nc: NatsConnection;
  close(): Promise<void>;
}

/** Reads the event store directly over NATS: the audit tools do not depend on a running admin-api. */
export async function openStore(values: { 'nats-url'?: string; prefix?: string }, io: CliIo): Promise<OpenStore> {
  const explicit = values['nats-url'] ?? io.env.NATS_URL;
  const local = explicit ? undefined : findLocalStack(io.env);
  const stack = typeof local === 'object' ? local : undefined;
  const url = explicit ?? stack?.record.nats.url ?? 'nats://127.0.0.1:4222';
  const user = io.env.NATS_USER ?? (explicit ? undefined : stack?.record.nats.user);
  const password = io.env.NATS_PASSWORD ?? (explicit ? undefined : stack?.natsPassword);
  const prefix = values.prefix ?? io.env.TWOKEY_SUBJECT_PREFIX ?? stack?.record.prefix ?? DEFAULT_SUBJECT_PREFIX;
  const nc = await connectNats(
    { url, user, password, name: 'twokey-cli' },
    { maxReconnectAttempts: 5 },
  ).catch((e: Error) => {
    const hint = explicit || stack ? '' : typeof local === 'string' ? ` (${local})` : '';
    throw new CliError(EXIT.unreachable, `cannot reach NATS at ${url} (${e.message}); set --nats-url or NATS_URL${hint}`);
  });
  const store = new JetStreamEventStore({ nc, subjects: subjects(prefix) });
  return { store, nc, close: () => nc.drain().catch(() => nc.close()) };
}
