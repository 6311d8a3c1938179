import { connect, ConnectionOptions, NatsConnection } from 'nats';

export interface NatsSettings {
  url: string;
  /** Per-service credentials (§7 least privilege); optional locally. */
  user?: string;
  password?: string;
  token?: string;
  /** Shown in `nats server report connections`. */
  name: string;
  /** Defaults to natsInboxPrefix(user) when a user is given, else nats.js's `_INBOX`. */
  inboxPrefix?: string;
}

/**
 * The private inbox prefix of a NATS user. The per-service permissions (deploy/nats/permissions.json) let each user
 * subscribe only to its own `_INBOX_<user>.>`, so no service can read the replies sent to another (a pairing code
 * travels in a reply to the admin-api).
 */
export const natsInboxPrefix = (user: string) => `_INBOX_${user}`;

/**
 * Connects with endless reconnects: a NATS restart must not kill a service. `noAsyncTraces` stops nats.js from
 * capturing two stack traces per request (every JetStream publish is one): measured at ~14% of the
 * pairing-service's CPU under load (bench/README.md), for stacks that only decorate timeout errors.
 */
export function connectNats(settings: NatsSettings, extra: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  return connect({
    servers: settings.url.split(','),
    name: settings.name,
    user: settings.user,
    pass: settings.password,
    token: settings.token,
    inboxPrefix: settings.inboxPrefix ?? (settings.user ? natsInboxPrefix(settings.user) : undefined),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
    noAsyncTraces: true,
    ...extra,
  });
}
