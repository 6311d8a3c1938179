import { connect, ConnectionOptions, NatsConnection } from 'nats';

export interface NatsSettings {
  url: string;
  /** Per-service credentials (§7 least privilege); optional locally. */
  user?: string;
  password?: string;
  token?: string;
  /** Shown in `nats server report connections`. */
  name: string;
}

/** Connects with endless reconnects: a NATS restart must not kill a service. */
export function connectNats(settings: NatsSettings, extra: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  return connect({
    servers: settings.url.split(','),
    name: settings.name,
    user: settings.user,
    pass: settings.password,
    token: settings.token,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
    ...extra,
  });
}
