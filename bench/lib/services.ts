import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '@twokey/test-support';
import { PAIRING_SERVICE_NODE_ARGS } from '../../apps/pairing-service/src/runtime-options';
import type { BenchNats } from './nats';
import { mainOf, ROOT, ServiceProcess, type SpawnOptions } from './processes';

export const ADMIN_TOKEN = `bench-admin-${randomBytes(12).toString('hex')}`;
const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface RunningService {
  process: ServiceProcess;
  port: number;
  url: string;
  /** ms from spawn to /readyz 200. */
  readyMs: number;
}

export interface ServiceStart {
  env?: Record<string, string>;
  nodeArgs?: string[];
  logName?: string;
  readyTimeoutMs?: number;
}

/** One deployment's RPC auth secret, shared by the bench's admin-api and pairing-service. */
const BENCH_RPC_AUTH_SECRET = randomBytes(32).toString('hex');

export async function pairingEnv(nats: BenchNats, overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    NATS_URL: nats.url,
    TWOKEY_SUBJECT_PREFIX: nats.prefix,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    PAIRING_HMAC_SECRET: randomBytes(32).toString('hex'),
    RPC_AUTH_SECRET: BENCH_RPC_AUTH_SECRET,
    REPLY_CAPABILITY_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

export async function adminEnv(nats: BenchNats, overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    NATS_URL: nats.url,
    TWOKEY_SUBJECT_PREFIX: nats.prefix,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    ADMIN_TOKEN_HASHES: `bench-admin:${sha256hex(ADMIN_TOKEN)}`,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    RPC_AUTH_SECRET: BENCH_RPC_AUTH_SECRET,
    CONNECTIONS: 'telegram',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

/**
 * Spawns `node dist/apps/<app>/src/main.js` and waits for /readyz. The pairing-service gets the node options of its
 * deployment, so its memory and GC figures are those it has in production.
 */
export async function startService(app: string, env: Record<string, string>, o: ServiceStart = {}): Promise<RunningService> {
  const nodeArgs = [...(app === 'pairing-service' ? PAIRING_SERVICE_NODE_ARGS : []), ...(o.nodeArgs ?? [])];
  const spawnOptions: SpawnOptions = { name: o.logName ?? app, script: mainOf(app), env: { ...env, ...o.env }, nodeArgs, logToFile: true };
  const p = ServiceProcess.spawn(spawnOptions);
  const port = Number(spawnOptions.env.HTTP_PORT);
  const url = `http://127.0.0.1:${port}`;
  try {
    const readyMs = await p.waitForHttp(`${url}/readyz`, o.readyTimeoutMs ?? 30_000);
    return { process: p, port, url, readyMs };
  } catch (e) {
    await p.kill();
    throw e;
  }
}

/** The pairing-service's own measure of its rehydration: the `ms` of its "state rehydrated" log line. */
export function rehydrationMs(output: string): number | undefined {
  const line = output.split('\n').find((l) => l.includes('state rehydrated'));
  if (!line) return undefined;
  try {
    return (JSON.parse(line) as { ms?: number }).ms;
  } catch {
    return undefined;
  }
}

export const BASELINE_PIPE = path.join(ROOT, 'dist/bench/baseline-pipe.js');

export async function startBaselinePipe(nats: BenchNats, consumer = 'baseline'): Promise<ServiceProcess> {
  const p = ServiceProcess.spawn({
    name: 'baseline-pipe',
    script: BASELINE_PIPE,
    env: { NATS_URL: nats.url, TWOKEY_SUBJECT_PREFIX: nats.prefix, CONSUMER_NAME: consumer },
    logToFile: true,
  });
  await p.waitForOutput(/READY/, 15_000);
  return p;
}

/** fetch with the admin bearer token. */
export async function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', ...init.headers } });
}
