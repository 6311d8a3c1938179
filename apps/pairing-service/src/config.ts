import { z } from 'zod';
import { DEFAULT_REPLY_CAPABILITY_TTL_SECONDS, DEFAULT_SUBJECT_PREFIX } from '@twokey/contracts';
import { ConfigError, env, loadConfig } from '@twokey/service-kit';

export const SERVICE_NAME = 'pairing-service';

/** Every variable the pairing-service reads; the keys are the variable names so a ConfigError names them. */
export const PairingServiceEnv = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  TWOKEY_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a single NATS subject token')
    .default(DEFAULT_SUBJECT_PREFIX),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  /** Serve /healthz, /readyz and /metrics on this port (Kubernetes: 9090) instead of HTTP_PORT, as every service does. */
  PROBE_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Key of the HMAC that replaces pairing codes in events; a short key would make codes guessable offline. */
  PAIRING_HMAC_SECRET: env.secret(32),
  /**
   * Key of the proof every admin command must carry (the admin-api holds it, the agent and the gateways do not): a
   * request without it, such as a pull delivery redirected onto the RPC subjects, is refused unread (L2).
   */
  RPC_AUTH_SECRET: env.secret(32),
  /**
   * Key of the reply capabilities added to each admitted message, shared with the gateways and never with the agent:
   * the agent may answer where a message was admitted and nowhere else.
   */
  REPLY_CAPABILITY_SECRET: env.secret(32),
  /** How long an admitted message may be answered (edits included). */
  REPLY_CAPABILITY_TTL_SECONDS: env.int(DEFAULT_REPLY_CAPABILITY_TTL_SECONDS).pipe(z.number().min(60).max(30 * 86_400)),
  /**
   * Connections (comma-separated ids, or *) whose users and spaces get a receipt where they posted their code once an
   * admin approves it. Off by default: the bot says nothing unless asked to.
   */
  SYSTEM_MESSAGES: z
    .string()
    .regex(/^(\*|[a-z0-9][a-z0-9_-]{0,62}(,[a-z0-9][a-z0-9_-]{0,62})*)?$/, 'must be * or comma-separated connection ids')
    .default(''),
  SYSTEM_MESSAGE_USER_APPROVED: z.string().min(1).max(1_000).default("You're approved: you can talk to the agent now."),
  SYSTEM_MESSAGE_SPACE_APPROVED: z.string().min(1).max(1_000).default('This chat is approved: the agent answers here when addressed.'),
  DENIAL_WINDOW_SECONDS: env.int(60).pipe(z.number().min(1).max(3_600)),
  /** Held denials of one key that force an early MessageDenied (the event lists their inbound sequences). */
  DENIAL_MAX_COALESCE: env.int(500).pipe(z.number().min(1).max(10_000)),
  /**
   * Denials held un-acked in all windows together before every window is flushed early. The default is about one
   * 60 s window at a 2-core service's drain rate; each held denial costs ~35 bytes here and is one pending ack on
   * the server.
   */
  DENIAL_MAX_HELD: env.int(1_000_000).pipe(z.number().min(100).max(10_000_000)),
  CONSUMER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a valid JetStream consumer name')
    .default(SERVICE_NAME),
  /** Defaults to 2 × DENIAL_WINDOW_SECONDS + 30: a held denial must never be redelivered while it is held. */
  ACK_WAIT_SECONDS: z.coerce.number().int().min(1).max(86_400).optional(),
  EXPIRY_TICK_MS: env.int(1_000).pipe(z.number().min(50).max(60_000)),
  ENSURE_STREAMS: env.bool(true),
  /** Keep a snapshot of the folded state in the object store bucket <PREFIX>_PAIRING_SNAPSHOTS and start from it. */
  SNAPSHOTS: env.bool(true),
  /** A snapshot is written once this many events were folded since the last one… */
  SNAPSHOT_EVERY_EVENTS: env.int(10_000).pipe(z.number().min(1).max(100_000_000)),
  /** …or once this many seconds passed with at least one event folded since the last one. */
  SNAPSHOT_EVERY_SECONDS: env.int(300).pipe(z.number().min(1).max(86_400)),
  LOG_LEVEL: env.logLevel(),
});

export interface PairingServiceConfig {
  prefix: string;
  nats: { url: string; user?: string; password?: string };
  http: { port: number; host: string };
  /** Where the probes and metrics are served when not on `http.port` (PROBE_PORT). */
  probePort?: number;
  hmacSecret: string;
  rpcAuthSecret: string;
  replyCapability: { secret: string; ttlSeconds: number };
  systemMessages: { connections: '*' | string[]; userApproved: string; spaceApproved: string };
  denialWindowMs: number;
  denialMaxCoalesce: number;
  denialMaxHeld: number;
  consumerName: string;
  ackWaitMs: number;
  expiryTickMs: number;
  ensureStreams: boolean;
  /** Absent (configs built by hand in tests): no snapshots, the whole log is folded at each start. */
  snapshots?: { enabled: boolean; everyEvents: number; everyMs: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Validates the environment once at start-up; throws a ConfigError naming every bad variable. */
export function loadPairingConfig(source: NodeJS.ProcessEnv = process.env): PairingServiceConfig {
  const e = loadConfig(SERVICE_NAME, PairingServiceEnv, source);
  const ackWaitSeconds = e.ACK_WAIT_SECONDS ?? 2 * e.DENIAL_WINDOW_SECONDS + 30;
  if (ackWaitSeconds <= e.DENIAL_WINDOW_SECONDS) {
    // Held denials stay un-acked for up to one window; a shorter ack wait would redeliver them while held.
    throw new ConfigError(SERVICE_NAME, [
      { variable: 'ACK_WAIT_SECONDS', reason: `must be greater than DENIAL_WINDOW_SECONDS (${e.DENIAL_WINDOW_SECONDS})` },
    ]);
  }
  return {
    prefix: e.TWOKEY_SUBJECT_PREFIX,
    nats: { url: e.NATS_URL, user: e.NATS_USER, password: e.NATS_PASSWORD },
    http: { port: e.HTTP_PORT, host: e.HTTP_HOST },
    ...(e.PROBE_PORT !== undefined ? { probePort: e.PROBE_PORT } : {}),
    hmacSecret: e.PAIRING_HMAC_SECRET,
    rpcAuthSecret: e.RPC_AUTH_SECRET,
    replyCapability: { secret: e.REPLY_CAPABILITY_SECRET, ttlSeconds: e.REPLY_CAPABILITY_TTL_SECONDS },
    systemMessages: {
      connections: e.SYSTEM_MESSAGES === '*' ? '*' : e.SYSTEM_MESSAGES.split(',').filter(Boolean),
      userApproved: e.SYSTEM_MESSAGE_USER_APPROVED,
      spaceApproved: e.SYSTEM_MESSAGE_SPACE_APPROVED,
    },
    denialWindowMs: e.DENIAL_WINDOW_SECONDS * 1000,
    denialMaxCoalesce: e.DENIAL_MAX_COALESCE,
    denialMaxHeld: e.DENIAL_MAX_HELD,
    consumerName: e.CONSUMER_NAME,
    ackWaitMs: ackWaitSeconds * 1000,
    expiryTickMs: e.EXPIRY_TICK_MS,
    ensureStreams: e.ENSURE_STREAMS,
    snapshots: { enabled: e.SNAPSHOTS, everyEvents: e.SNAPSHOT_EVERY_EVENTS, everyMs: e.SNAPSHOT_EVERY_SECONDS * 1000 },
    logLevel: e.LOG_LEVEL,
  };
}
