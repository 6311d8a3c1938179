import { createHash } from 'node:crypto';
import { NatsConnection } from 'nats';
import { InboundMessage, inboundMessageId, subjects as subjectsOf, Subjects } from '@twokey/contracts';
import { JetStreamEventStore } from '@twokey/event-store';
import { connectNats } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
// The real pairing-service runs in process (its factory is the app's own public entry for tests).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createPairingService, PairingService } from '../../pairing-service/src/pairing-service';
import { AdminApi, createAdminApi } from '../src/admin-api';
import { loadAdminApiConfig } from '../src/config';

export const ADMIN_ID = 'ada-admin';
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const SESSION_SECRET = 'test-session-secret-0123456789abcdef';
export const HMAC_SECRET = 'test-pairing-hmac-secret-0123456789abcdef';
export const RPC_AUTH_SECRET = 'test-rpc-auth-secret-0123456789abcdefgh';
export const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Log lines kept in memory, so a test can assert that no secret was ever written. */
export function memoryLogger(service: string): { log: JsonLogger; lines: string[] } {
  const lines: string[] = [];
  return { log: new JsonLogger(service, 'debug', { write: (l) => void lines.push(l) }), lines };
}

export interface Stack {
  nats: NatsHarness;
  subjects: Subjects;
  nc: NatsConnection;
  store: JetStreamEventStore;
  pairing: PairingService;
  api: AdminApi;
  logs: string[];
  /** Publishes an InboundMessage exactly as a gateway does (subject + Nats-Msg-Id). */
  inbound(m: Omit<InboundMessage, 'schemaVersion' | 'platform' | 'connection' | 'sentAt' | 'receivedAt' | 'platformMessageId'> & { connection?: string }): Promise<void>;
  /** fetch against the admin-api with the bearer token (unless `auth: false`). */
  call(method: string, path: string, init?: { body?: unknown; auth?: boolean; headers?: Record<string, string> }): Promise<Response>;
  json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; res: Response }>;
  close(): Promise<void>;
}

/**
 * The real back end in process: nats-server with JetStream, the pairing-service and the admin-api on free ports.
 * Denials are coalesced over a short window so Attention fills quickly.
 */
export async function startStack(env: Record<string, string> = {}, options: { pairingService?: boolean } = {}): Promise<Stack> {
  const nats = await startNats();
  const subjects = subjectsOf(nats.prefix);
  const logs: string[] = [];
  const sink = { write: (l: string) => void logs.push(l) };
  const pairing = createPairingService(
    {
      prefix: nats.prefix,
      nats: { url: nats.url },
      http: { port: 0, host: '127.0.0.1' },
      hmacSecret: HMAC_SECRET,
      rpcAuthSecret: RPC_AUTH_SECRET,
      replyCapability: { secret: 'admin-api-test-reply-capability-secret-0123', ttlSeconds: 3600 },
      systemMessages: { connections: [], userApproved: 'approved', spaceApproved: 'approved' },
      denialWindowMs: 300,
      denialMaxCoalesce: 500,
      denialMaxHeld: 1_000_000,
      consumerName: 'pairing-service',
      ackWaitMs: 30_000,
      expiryTickMs: 200,
      ensureStreams: true,
      logLevel: 'debug',
    },
    { logger: new JsonLogger('pairing-service', 'debug', sink), onFatal: (e) => logs.push(`FATAL ${e.message}`) },
  );
  if (options.pairingService !== false) await pairing.start();
  const api = await createAdminApi(
    loadAdminApiConfig({
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      NATS_URL: nats.url,
      TWOKEY_SUBJECT_PREFIX: nats.prefix,
      ADMIN_TOKEN_HASHES: `${ADMIN_ID}:${sha256hex(ADMIN_TOKEN)},grace:${sha256hex('another-token-of-grace-0123456789')}`,
      SESSION_SECRET,
      RPC_AUTH_SECRET,
      RPC_TIMEOUT_MS: '2000',
      ...env,
    }),
    { log: new JsonLogger('admin-api', 'debug', sink), onFatal: (e) => logs.push(`FATAL ${e.message}`) },
  );
  const nc = await connectNats({ url: nats.url, name: 'admin-api-test' });
  const store = new JetStreamEventStore({ nc, subjects });
  let seq = 0;
  const call: Stack['call'] = (method, path, init = {}) =>
    fetch(api.url + path, {
      method,
      headers: {
        ...(init.auth === false ? {} : { Authorization: `Bearer ${ADMIN_TOKEN}` }),
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });
  return {
    nats,
    subjects,
    nc,
    store,
    pairing,
    api,
    logs,
    async inbound(m) {
      const connection = m.connection ?? 'telegram';
      const now = new Date().toISOString();
      const message: InboundMessage = {
        schemaVersion: 1,
        connection,
        platform: 'telegram',
        platformMessageId: `m${++seq}-${Date.now()}`,
        sentAt: now,
        receivedAt: now,
        actor: m.actor,
        conversation: m.conversation,
        ...(m.space ? { space: m.space } : {}),
        text: m.text,
      };
      await nc.jetstream().publish(subjects.inbound(connection), Buffer.from(JSON.stringify(message)), { msgID: inboundMessageId(message) });
    },
    call,
    async json(method, path, body) {
      const res = await call(method, path, { body });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
    },
    async close() {
      await api.close();
      await pairing.stop();
      await nc.close();
      await nats.dispose();
    },
  };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 8000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
