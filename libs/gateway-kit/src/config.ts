import { z } from 'zod';
import { ConnectionId, DEFAULT_SUBJECT_PREFIX, Platform } from '@twokey/contracts';
import { env, loadConfig } from '@twokey/service-kit';

/** Variables every gateway reads; a platform adds its own (token, mode, base URL …) with `platformSchema`. */
export const GatewayEnv = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  TWOKEY_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a single NATS subject token')
    .default(DEFAULT_SUBJECT_PREFIX),
  /** Defaults to the platform's name: one bot per platform never has to name its connection. */
  TWOKEY_CONNECTION_ID: ConnectionId.optional(),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Serve /healthz, /readyz and /metrics on this port only (the kubelet's and the scraper's), not on HTTP_PORT, which
   * platforms reach with webhooks. Unset: on HTTP_PORT (local runs, tests).
   */
  PROBE_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** A request (headers and body) must arrive within this, else the connection is closed (slow-loris senders). */
  HTTP_REQUEST_TIMEOUT_MS: env.int(15_000).pipe(z.number().min(100)),
  /** The request headers must arrive within this (≤ HTTP_REQUEST_TIMEOUT_MS). */
  HTTP_HEADERS_TIMEOUT_MS: env.int(5_000).pipe(z.number().min(100)),
  /** Open connections to the gateway's HTTP server at most (webhooks, probes, metrics); more are refused. */
  HTTP_MAX_CONNECTIONS: env.int(256).pipe(z.number().min(1)),
  /** Inbound messages kept in memory while NATS is unreachable; beyond it intake is refused. */
  GATEWAY_BUFFER_MAX: z.coerce.number().int().min(1).default(10_000),
  GATEWAY_PUBLISH_TIMEOUT_MS: env.int(5_000).pipe(z.number().min(100)),
  /**
   * Create or update the four streams at start. Off where the NATS user may not manage streams (the least-privilege
   * user `gateway-<connection>`): the provisioner creates the streams and the outbound consumer, the gateway only
   * binds to them.
   */
  ENSURE_STREAMS: env.bool(true),
  /** Replicas of the streams this gateway creates or updates (3 on a NATS cluster), so it never downgrades them. */
  STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * Key of the reply capabilities (shared with the pairing-service, never with the agent): a gateway sends only
   * what carries a capability signed with it for the exact conversation.
   */
  REPLY_CAPABILITY_SECRET: env.secret(32),
  LOG_LEVEL: env.logLevel(),
});

export interface GatewayConfig {
  platform: Platform;
  connection: string;
  prefix: string;
  nats: { url: string; user?: string; password?: string };
  http: { port: number; host: string; requestTimeoutMs?: number; headersTimeoutMs?: number; maxConnections?: number };
  /** Where the probes and metrics are served when not on `http.port` (PROBE_PORT). */
  probePort?: number;
  bufferMax: number;
  publishTimeoutMs: number;
  /** `ensure`: create/update the streams and the outbound consumer; otherwise bind to what the provisioner made. */
  streams: { ensure: boolean; replicas: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Checks the capability on every outbound command (the TTL matters only to whoever signs). */
  replyCapability: { secret: string };
}

function toGatewayConfig(platform: Platform, e: z.infer<typeof GatewayEnv>): GatewayConfig {
  return {
    platform,
    connection: e.TWOKEY_CONNECTION_ID ?? platform,
    prefix: e.TWOKEY_SUBJECT_PREFIX,
    nats: { url: e.NATS_URL, user: e.NATS_USER, password: e.NATS_PASSWORD },
    http: {
      port: e.HTTP_PORT,
      host: e.HTTP_HOST,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: Math.min(e.HTTP_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
    ...(e.PROBE_PORT !== undefined ? { probePort: e.PROBE_PORT } : {}),
    bufferMax: e.GATEWAY_BUFFER_MAX,
    publishTimeoutMs: e.GATEWAY_PUBLISH_TIMEOUT_MS,
    streams: { ensure: e.ENSURE_STREAMS, replicas: e.STREAM_REPLICAS },
    logLevel: e.LOG_LEVEL,
    replyCapability: { secret: e.REPLY_CAPABILITY_SECRET },
  };
}

/**
 * Validates the common and the platform's variables in one pass, so a single ConfigError names every missing or
 * wrong variable at once.
 */
export function loadGatewayConfig<S extends z.ZodObject<z.ZodRawShape>>(
  platform: Platform,
  platformSchema: S,
  source: NodeJS.ProcessEnv = process.env,
): { gateway: GatewayConfig; settings: z.infer<S> } {
  const service = `gateway-${platform}`;
  const values = loadConfig(service, GatewayEnv.extend(platformSchema.shape), source) as z.infer<typeof GatewayEnv>;
  // Again on its own: `extend` keeps the fields but not the platform schema's cross-field refinements
  // (e.g. "TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_MODE=webhook").
  const settings = loadConfig(service, platformSchema, source) as z.infer<S>;
  return { gateway: toGatewayConfig(platform, values), settings };
}

/** A GatewayConfig for tests and embedding, without reading the environment. */
export function gatewayConfig(platform: Platform, overrides: Partial<GatewayConfig> & Pick<GatewayConfig, 'replyCapability'>): GatewayConfig {
  return { ...toGatewayConfig(platform, GatewayEnv.parse({ REPLY_CAPABILITY_SECRET: overrides.replyCapability.secret })), ...overrides };
}
