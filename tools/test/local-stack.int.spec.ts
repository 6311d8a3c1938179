// The README's local run, for real: `npm start` on free ports with a temporary TWOKEY_HOME starts nats-server, the
// pairing-service, the admin-api and gateway-mattermost (against a fake Mattermost). A user pairs through the admin
// API, Ctrl-C stops everything, and a second `npm start` finds the allowlist intact.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@twokey/test-support';
import { FakeMattermost, type MattermostChannel } from '@twokey/test-support/fakes/mattermost';
import { portProblem } from '../scripts/local-stack/nats-local';
import { assertBuilt } from './support/dist';
import { LocalStack } from './support/local-stack';

const TOKEN = 'mm-local-stack-token-0123456789';
const bot = { id: 'botlocalstack0000000000000', username: 'twokey', is_bot: true };
const alice = { id: 'alicelocalstack00000000000', username: 'alice', first_name: 'Alice' };
const aliceDm: MattermostChannel = { id: 'dmalicelocalstack000000000', type: 'D', team_id: '', name: `${alice.id}__${bot.id}`, display_name: '@alice' };

let fake: FakeMattermost;
let home: string;
let env: NodeJS.ProcessEnv;
let ports: Record<string, number>;
let stack: LocalStack | undefined;

async function api(method: string, url: string, token: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Permission violations nats-server logged: none may come from what the services do (with ENSURE_STREAMS=false the
 * gateways only bind to what the provisioner created).
 */
function permissionViolations(): string[] {
  return readFileSync(path.join(home, 'nats-server.log'), 'utf8')
    .split('\n')
    .filter((l) => /Violation/.test(l));
}

/** Ctrl-C; start.mjs stops the services, then nats-server, within its time limits (npm itself re-raises SIGINT). */
async function stop(s: LocalStack) {
  s.interrupt();
  const { code, signal } = await s.exited;
  expect(code === 0 || signal === 'SIGINT').toBe(true);
  expect(s.output).toMatch(/twokey +\| stopped$/m);
  expect(s.output).not.toMatch(/did not stop within|forced stop|exited unexpectedly/);
}

beforeAll(async () => {
  assertBuilt('dist/apps/pairing-service/src/main.js', 'dist/apps/admin-api/src/main.js', 'dist/apps/gateway-mattermost/src/main.js');
  fake = await FakeMattermost.start({ token: TOKEN, bot, users: [alice], channels: [aliceDm] });
  home = mkdtempSync(path.join(tmpdir(), 'twokey-home-'));
  ports = {
    TWOKEY_NATS_PORT: await freePort(),
    ADMIN_HTTP_PORT: await freePort(),
    PAIRING_HTTP_PORT: await freePort(),
    MATTERMOST_HTTP_PORT: await freePort(),
  };
  env = { ...process.env, TWOKEY_HOME: home, MATTERMOST_URL: fake.url, MATTERMOST_TOKEN: TOKEN, NO_COLOR: '1' };
  for (const [k, v] of Object.entries(ports)) env[k] = String(v);
  // The stack must start its own NATS even where the test run itself uses an external one.
  for (const k of ['NATS_URL', 'NATS_USER', 'NATS_PASSWORD', 'TWOKEY_SUBJECT_PREFIX']) delete env[k];
});

afterAll(async () => {
  if (stack?.running) {
    stack.interrupt();
    await stack.exited;
  }
  await fake?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('npm start', () => {
  let adminToken: string;
  let consoleUrl: string;

  it('starts NATS, the services and the configured gateway, and prints the console URL and the admin token once', async () => {
    stack = new LocalStack(env);
    consoleUrl = (await stack.waitFor(/console: (http\S+)/))[1];
    adminToken = (await stack.waitFor(/admin token \(shown once[^)]*\): (twokey_\S+)/))[1];
    await stack.waitFor(/gateway-mattermost ready/);
    expect(consoleUrl).toBe(`http://127.0.0.1:${ports.ADMIN_HTTP_PORT}/console/`);
    expect(stack.output).toMatch(/gateway-telegram idle: set TELEGRAM_BOT_TOKEN to enable/);
    expect(stack.output).toMatch(/agent-bridge idle: set AGENT_COMMAND \(e.g. codex-acp\) or AGENT_WEBHOOK_URL to talk to your agent/);
    expect(stack.output).toMatch(/gateway-slack idle: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET \(or SLACK_APP_TOKEN with SLACK_MODE=socket\) to enable/);
    for (const port of [ports.ADMIN_HTTP_PORT, ports.PAIRING_HTTP_PORT, ports.MATTERMOST_HTTP_PORT]) {
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    }
    // Only the hash is stored, in a file only the owner can read.
    const secretsFile = path.join(home, 'secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretsFile, 'utf8')).not.toContain(adminToken);
    expect((await fetch(`http://127.0.0.1:${ports.ADMIN_HTTP_PORT}/api/v1/connections`)).status).toBe(401);
  });

  it('shows the running gateway as connected without a connection test', async () => {
    // The status request crosses the least-privilege users: admin-api publishes, gateway-mattermost answers.
    const { body } = await api('GET', `http://127.0.0.1:${ports.ADMIN_HTTP_PORT}/api/v1/connections`, adminToken);
    expect(body.items).toEqual([expect.objectContaining({ id: 'mattermost', connected: true, gateway: expect.objectContaining({ adapterStarted: true }), lastConnectionTest: null })]);
    expect(permissionViolations()).toEqual([]);
  });

  it('pairs a Mattermost user through the admin API', async () => {
    const base = `http://127.0.0.1:${ports.ADMIN_HTTP_PORT}/api/v1/connections/mattermost`;
    const issued = await api('POST', `${base}/pairing-tokens`, adminToken, { purpose: 'user' });
    expect(issued.status).toBe(201);
    fake.userPosts({ userId: alice.id, channelId: aliceDm.id, message: `/pair ${issued.body.code}` });
    const observationId = await until(async () => {
      const { body } = await api('GET', `${base}/pairing`, adminToken);
      return body.observations.find((o: { actor: { id: string } }) => o.actor.id === alice.id)?.observationId as string | undefined;
    }, 'the observation of the code');
    expect((await api('POST', `${base}/observations/${observationId}/approve`, adminToken)).status).toBe(200);
    const users = await api('GET', `${base}/users`, adminToken);
    expect(users.body.items.map((u: { id: string }) => u.id)).toEqual([alice.id]);
    // Pairing is silent on the platform side.
    expect(fake.userFacingCalls()).toEqual([]);
    expect(permissionViolations()).toEqual([]);
  });

  it('refuses a second npm start on the same TWOKEY_HOME (two servers must not share a store)', async () => {
    const second = new LocalStack(env);
    expect((await second.exited).code).not.toBe(0);
    expect(second.output).toMatch(/another npm start \(pid \d+\) is running with TWOKEY_HOME/);
    expect(stack!.running).toBe(true);
  });

  it('stops everything on Ctrl-C, releasing every port', async () => {
    await stop(stack!);
    for (const port of Object.values(ports)) expect(await portProblem(port)).toBeUndefined();
  });

  it('starts again with the same data: the allowlist is intact and no new token is printed', async () => {
    stack = new LocalStack(env);
    await stack.waitFor(/console: http/);
    expect(stack.output).not.toMatch(/admin token \(shown once/);
    const users = await api('GET', `http://127.0.0.1:${ports.ADMIN_HTTP_PORT}/api/v1/connections/mattermost/users`, adminToken);
    expect(users.status).toBe(200);
    expect(users.body.items.map((u: { id: string }) => u.id)).toEqual([alice.id]);
    await stop(stack);
    expect(permissionViolations()).toEqual([]);
  });
});

describe('npm start refuses clearly', () => {
  it('says how to install nats-server when it is missing', async () => {
    const s = new LocalStack({ ...env, TWOKEY_HOME: path.join(home, 'no-nats'), NATS_SERVER_BIN: path.join(home, 'no-such-binary') });
    const { code } = await s.exited;
    expect(code).not.toBe(0);
    expect(s.output).toContain('nats-server was not found');
    expect(s.output).toContain('sudo apt-get install nats-server');
    expect(s.output).toContain('brew install nats-server');
  });

  it('says which port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const s = new LocalStack({ ...env, TWOKEY_HOME: path.join(home, 'port-taken'), TWOKEY_NATS_PORT: String(port) });
      const { code } = await s.exited;
      expect(code).not.toBe(0);
      expect(s.output).toContain(`TWOKEY_NATS_PORT ${port} is already in use. Is another nats-server running?`);
    } finally {
      blocker.close();
    }
  });
});
