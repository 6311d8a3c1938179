import { z } from 'zod';
import { ConnectionId, DEFAULT_SUBJECT_PREFIX, PLATFORMS, Platform } from '@twokey/contracts';
import { MAX_SESSION_TTL_SECONDS } from '@twokey/messaging';
import { env, loadConfig } from '@twokey/service-kit';

export interface AdminTokenHash {
  adminId: string;
  /** SHA-256 of the token, 32 bytes. */
  sha256: Buffer;
}

export interface ConfiguredConnection {
  id: string;
  platform: Platform;
}

const ADMIN_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** `<adminId>:<sha256 hex>,…` — only hashes are configured, never tokens. */
const AdminTokenHashes = z.string().transform((raw, ctx): AdminTokenHash[] => {
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'needs at least one "<adminId>:<sha256 hex of the token>"' });
    return z.NEVER;
  }
  const out: AdminTokenHash[] = [];
  for (const [i, entry] of entries.entries()) {
    const sep = entry.lastIndexOf(':');
    const adminId = entry.slice(0, sep);
    const hex = entry.slice(sep + 1).toLowerCase();
    if (sep < 1 || !ADMIN_ID.test(adminId) || !/^[0-9a-f]{64}$/.test(hex)) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "<adminId>:<64 hex chars>" (sha256 of the token)` });
      return z.NEVER;
    }
    out.push({ adminId, sha256: Buffer.from(hex, 'hex') });
  }
  return out;
});

/** `id:platform,…`; a bare platform name means a connection named after it. */
const Connections = z
  .string()
  .default(PLATFORMS.join(','))
  .transform((raw, ctx): ConfiguredConnection[] => {
    const seen = new Set<string>();
    const out: ConfiguredConnection[] = [];
    for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [id, platform = id] = entry.split(':');
      if (!ConnectionId.safeParse(id).success || !Platform.safeParse(platform).success || seen.has(id)) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" must be "<connection id>:<${PLATFORMS.join('|')}>" and unique` });
        return z.NEVER;
      }
      seen.add(id);
      out.push({ id, platform: platform as Platform });
    }
    return out;
  });

/** Express "trust proxy": false, true, a hop count, or a list of trusted addresses/subnets. */
const TrustProxy = z
  .string()
  .default('false')
  .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v));

export const AdminApiConfigSchema = z.object({
  HTTP_PORT: env.int(3000).pipe(z.number().min(0).max(65535)),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /**
   * Serve /healthz, /readyz and /metrics on this port only (the kubelet's and the scraper's), not on HTTP_PORT, which
   * the ingress exposes. Unset: on HTTP_PORT (local runs, tests).
   */
  PROBE_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  TWOKEY_SUBJECT_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a single NATS subject token').default(DEFAULT_SUBJECT_PREFIX),
  ADMIN_TOKEN_HASHES: AdminTokenHashes,
  /**
   * Signs session cookies and derives CSRF tokens. Optional: without it a random per-process secret is used, so
   * console sessions end at restart and are not shared between replicas (set it in production).
   */
  SESSION_SECRET: env.secret(32).optional(),
  /**
   * Key of the proof on every pairing command, shared with the pairing-service only (never the agent or a gateway):
   * the pairing-service refuses commands without it (L2).
   */
  RPC_AUTH_SECRET: env.secret(32),
  SESSION_TTL_SECONDS: env.int(12 * 3600).pipe(z.number().min(60).max(MAX_SESSION_TTL_SECONDS)),
  TRUST_PROXY: TrustProxy,
  /**
   * Where admins reach the console (e.g. https://twokey.example.com). An https URL makes the session cookie
   * `Secure` even when TLS ends at a proxy that TRUST_PROXY does not trust (L7).
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  CONNECTIONS: Connections,
  /** Create or update the JetStream streams at start (off where NATS permissions do not allow it). */
  ENSURE_STREAMS: env.bool(true),
  READ_YOUR_WRITES_TIMEOUT_MS: env.int(3000).pipe(z.number().min(0)),
  RPC_TIMEOUT_MS: env.int(5000).pipe(z.number().min(100)),
  /**
   * How long a connection test waits for the gateway. Longer than the gateway's own limit for the platform call
   * (GATEWAY_CONNECTION_TEST_TIMEOUT_MS), so a slow platform is reported with its real error, not as a silent gateway.
   */
  CONNECTION_TEST_TIMEOUT_MS: env.int(10_000).pipe(z.number().min(100)),
  /**
   * Wrong credentials (bearer, session cookie, login) per minute per client address and credential prefix before
   * every credential of that prefix gets 429, unchecked. Requests without credentials do not count.
   */
  AUTH_FAILURES_PER_MINUTE: env.int(30).pipe(z.number().min(1)),
  /** Keep a snapshot of the read models in the object store bucket <PREFIX>_ADMIN_SNAPSHOTS and start from it. */
  SNAPSHOTS: env.bool(true),
  /** A snapshot is written once this many events were projected since the last one… */
  SNAPSHOT_EVERY_EVENTS: env.int(10_000).pipe(z.number().min(1).max(100_000_000)),
  /** …or once this many seconds passed with at least one event projected since the last one. */
  SNAPSHOT_EVERY_SECONDS: env.int(300).pipe(z.number().min(1).max(86_400)),
  /** Activity → Attention retention per connection (also the replay CLI's default). */
  ATTENTION_MAX_GROUPS: env.int(10_000).pipe(z.number().min(1)),
  LOG_LEVEL: env.logLevel(),
});

export type AdminApiConfig = z.infer<typeof AdminApiConfigSchema>;

export function loadAdminApiConfig(source: NodeJS.ProcessEnv = process.env): AdminApiConfig {
  return loadConfig('admin-api', AdminApiConfigSchema, source);
}
