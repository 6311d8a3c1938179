// The `twokey` CLI as an operator runs it: against the local stack of `npm start` with no flags (it reads
// TWOKEY_HOME: the admin-api's port, NATS, the CLI's own token), and against a deployment with --url and the admin
// token from the environment. A user pairs through the CLI only (observed via a fake Mattermost); every action is
// in the audit log with the CLI's admin as actor; export and verify read the same log.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@twokey/test-support';
import { FakeMattermost, type MattermostChannel } from '@twokey/test-support/fakes/mattermost';
import { assertBuilt, repoRoot } from './support/dist';
import { LocalStack } from './support/local-stack';

const TOKEN = 'mm-cli-test-token-0123456789abcdef';
const bot = { id: 'botclitest0000000000000000', username: 'twokey', is_bot: true };
const alice = { id: 'alicecli000000000000000000', username: 'alice', first_name: 'Alice' };
const bob = { id: 'bobcli00000000000000000000', username: 'bob', first_name: 'Bob' };
const mallory = { id: 'mallorycli0000000000000000', username: 'mallory', first_name: 'Mallory' };
const dm = (u: { id: string; username: string }): MattermostChannel => ({ id: `dm${u.id}`.slice(0, 26), type: 'D', team_id: '', name: `${u.id}__${bot.id}`, display_name: `@${u.username}` });

let fake: FakeMattermost;
let home: string;
let env: NodeJS.ProcessEnv;
let stack: LocalStack | undefined;
let adminToken: string;
let adminUrl: string;

const run = promisify(execFile);
/** `npx twokey …` in a child process; never throws, returns the exit code and both outputs. */
async function twokey(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  try {
    const r = await run(process.execPath, [path.join(repoRoot, 'tools/bin/twokey.js'), ...args], { cwd: repoRoot, env: { ...env, ...extraEnv }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
/** Polls `read` (each call a CLI run) until it returns a value. */
async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}
const json = <T>(r: { stdout: string }) => JSON.parse(r.stdout) as T;

beforeAll(async () => {
  assertBuilt('dist/apps/pairing-service/src/main.js', 'dist/apps/admin-api/src/main.js', 'dist/apps/gateway-mattermost/src/main.js', 'dist/apps/admin-api/src/cli/main.js');
  fake = await FakeMattermost.start({ token: TOKEN, bot, users: [alice, bob, mallory], channels: [dm(alice), dm(bob), dm(mallory)] });
  home = mkdtempSync(path.join(tmpdir(), 'twokey-cli-home-'));
  // A short denial window: a stranger's message reaches Attention within a second.
  env = { ...process.env, TWOKEY_HOME: home, MATTERMOST_URL: fake.url, MATTERMOST_TOKEN: TOKEN, NO_COLOR: '1', DENIAL_WINDOW_SECONDS: '1' };
  for (const k of ['TWOKEY_NATS_PORT', 'ADMIN_HTTP_PORT', 'PAIRING_HTTP_PORT', 'MATTERMOST_HTTP_PORT']) env[k] = String(await freePort());
  for (const k of ['NATS_URL', 'NATS_USER', 'NATS_PASSWORD', 'TWOKEY_SUBJECT_PREFIX', 'TWOKEY_ADMIN_TOKEN', 'TWOKEY_URL']) delete env[k];
  stack = new LocalStack(env);
  adminUrl = (await stack.waitFor(/console: (http\S+)\/console\//))[1];
  adminToken = (await stack.waitFor(/admin token \(shown once[^)]*\): (twokey_\S+)/))[1];
  await stack.waitFor(/gateway-mattermost ready/);
});

afterAll(async () => {
  if (stack?.running) {
    stack.interrupt();
    await stack.exited;
  }
  await fake?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Issue → the user sends the code (fake platform) → the observation shows in `pairing list` → approve. */
async function pairThroughCli(user: { id: string; username: string }, extra: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const issued = await twokey(['pairing', 'issue', '--json', ...extra], extraEnv);
  expect(issued).toMatchObject({ code: 0 });
  const { code, connection } = json<{ code: string; connection: string }>(issued);
  expect(connection).toBe('mattermost');
  fake.userPosts({ userId: user.id, channelId: dm(user).id, message: code });
  const observationId = await until(async () => {
    const r = await twokey(['pairing', 'list', '--json', ...extra], extraEnv);
    const { items } = json<{ items: { observations: { observationId: string; actor: { id: string } }[] }[] }>(r);
    return items.flatMap((v) => v.observations).find((o) => o.actor.id === user.id)?.observationId;
  }, `the observation of ${user.username}'s code`);
  const approved = await twokey(['pairing', 'approve', observationId, ...extra], extraEnv);
  expect(approved.code).toBe(0);
  expect(approved.stdout).toContain(`approved ${observationId}`);
}

describe('twokey against the local stack, no flags', () => {
  it('shows the status of the stack npm start recorded', async () => {
    const r = await twokey(['status', '--json']);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ adminApi: adminUrl, admin: 'local-cli', connections: [expect.objectContaining({ id: 'mattermost', configured: true })] });
    expect(statSync(path.join(home, 'cli-token.json')).mode & 0o777).toBe(0o600);
  });

  it('pairs a user (issue, observe, approve) and lists them, audited as local-cli', async () => {
    await pairThroughCli(alice, []);
    const users = await twokey(['users', 'list', '--json']);
    expect(json<{ items: { id: string; approvedBy: string }[] }>(users).items).toEqual([expect.objectContaining({ id: alice.id, approvedBy: 'local-cli' })]);
    const human = await twokey(['users', 'list']);
    expect(human.stdout).toMatch(new RegExp(`mattermost\\s+${alice.id}\\s+`));
    expect(fake.userFacingCalls()).toEqual([]);
  });

  it('exports the log with progress on stderr, and verify finds the read models equal', async () => {
    const out = path.join(home, 'export.ndjson');
    const exported = await twokey(['events', 'export', '--out', out]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/export: 100% \(\d+ events, position \d+\/\d+, \d+ events\/s\)/);
    const events = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; actor: { type: string; id: string } });
    expect(events.filter((e) => e.type === 'PairingTokenIssued').map((e) => e.actor)).toEqual([{ type: 'admin', id: 'local-cli' }]);
    const verified = await twokey(['events', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^read models match at position \d+: .* 1 users/);
  });

  it('activity --follow prints a stranger\'s denial as it reaches Attention (one JSON object a line)', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'tools/bin/twokey.js'), 'activity', '--follow', '--json', '--interval', '0.2'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let partial = '';
    child.stdout.on('data', (b: Buffer) => {
      const parts = (partial + b.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
    try {
      fake.userPosts({ userId: mallory.id, channelId: dm(mallory).id, message: 'let me in' });
      const seen = await until(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return lines.map((l) => JSON.parse(l) as { actorId: string; reason: string; count: number }).find((a) => a.actorId === mallory.id);
      }, 'the denial in activity --follow');
      expect(seen).toMatchObject({ actorId: mallory.id, count: 1 });
      expect(fake.userFacingCalls()).toEqual([]); // denied silently
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('shows the agent bridge status the admin-api answers: not running on a stack without an agent', async () => {
    // npm start leaves the bridge idle when neither AGENT_COMMAND nor AGENT_WEBHOOK_URL is set.
    const r = await twokey(['agent', 'status']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ running: false, status: null });
  });
});

describe('/metrics of every service of the stack', () => {
  const scrape = async (portVar: string) => (await fetch(`http://127.0.0.1:${env[portVar]}/metrics`)).text();
  const defaults = (text: string) => [...text.matchAll(/^# TYPE ((?:process|nodejs)_\w+)/gm)].map((m) => m[1]).sort();

  it('shows the same default metric names, twokey_build_info and the lag gauges, read within the NATS permissions', async () => {
    const [admin, pairing, gateway] = await Promise.all(['ADMIN_HTTP_PORT', 'PAIRING_HTTP_PORT', 'MATTERMOST_HTTP_PORT'].map(scrape));
    expect(defaults(admin).length).toBeGreaterThan(10);
    expect(defaults(pairing)).toEqual(defaults(admin));
    expect(defaults(gateway)).toEqual(defaults(admin));
    for (const [service, text] of [['admin-api', admin], ['pairing-service', pairing], ['gateway-mattermost', gateway]]) {
      expect(text).toMatch(new RegExp(`^twokey_build_info\\{service="${service}",`, 'm'));
      expect(text).not.toMatch(/^twokey_jetstream_info_errors_total\{.*\} [1-9]/m);
    }
    expect(pairing).toMatch(/^twokey_consumer_pending\{stream="TWOKEY_INBOUND",consumer="pairing-service"\} \d+$/m);
    expect(pairing).toMatch(/^twokey_consumer_ack_pending\{stream="TWOKEY_INBOUND",consumer="pairing-service"\} \d+$/m);
    expect(pairing).toMatch(/^twokey_stream_bytes\{stream="TWOKEY_EVENTS"\} \d+$/m);
    expect(admin).toMatch(/^twokey_stream_messages\{stream="TWOKEY_EVENTS"\} \d+$/m);
    expect(gateway).toMatch(/^twokey_consumer_pending\{stream="TWOKEY_OUTBOUND",consumer="gateway-mattermost",.*\} \d+$/m);
    const violations = readFileSync(path.join(home, 'nats-server.log'), 'utf8').split('\n').filter((l) => /Violation/.test(l));
    expect(violations).toEqual([]);
  });
});

describe('twokey against --url with the token from the environment', () => {
  it('refuses without a token (no terminal to ask on): exit 2, and a wrong token: exit 4', async () => {
    const none = await twokey(['users', 'list', '--url', adminUrl]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('TWOKEY_ADMIN_TOKEN');
    const wrong = await twokey(['users', 'list', '--url', adminUrl], { TWOKEY_ADMIN_TOKEN: `twokey_${'A'.repeat(43)}` });
    expect(wrong.code).toBe(4);
  });

  it('pairs a second user as the admin, adds and removes a user by id, and the audit log names the admin', async () => {
    const asAdmin = { TWOKEY_ADMIN_TOKEN: adminToken };
    await pairThroughCli(bob, ['--url', adminUrl], asAdmin);
    expect((await twokey(['users', 'add', 'carol0000000000000000000000', '--name', 'Carol', '--url', adminUrl], asAdmin)).code).toBe(0);
    expect((await twokey(['users', 'remove', 'carol0000000000000000000000', '--url', adminUrl], asAdmin)).code).toBe(0);
    const users = json<{ items: { id: string; approvedBy: string }[] }>(await twokey(['users', 'list', '--json', '--url', adminUrl], asAdmin));
    expect(users.items.map((u) => [u.id, u.approvedBy]).sort()).toEqual([[alice.id, 'local-cli'], [bob.id, 'admin']].sort());
    const exported = await twokey(['events', 'export']);
    const actors = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; actor: { id: string } }).filter((e) => e.type === 'UserRemoved' || e.type === 'PairingTokenIssued').map((e) => `${e.type}:${e.actor.id}`);
    expect(actors).toEqual(['PairingTokenIssued:local-cli', 'PairingTokenIssued:admin', 'UserRemoved:admin']);
    const verified = await twokey(['events', 'verify', '--json', '--url', adminUrl], asAdmin);
    expect(verified.code).toBe(0);
    expect(json(verified)).toMatchObject({ match: true, differences: [], counts: expect.objectContaining({ users: 2 }) });
  });

  it('a wrong id is exit 5, a wrong option exit 2', async () => {
    const asAdmin = { TWOKEY_ADMIN_TOKEN: adminToken };
    expect((await twokey(['pairing', 'approve', 'no-such-observation', '--url', adminUrl], asAdmin)).code).toBe(5);
    expect((await twokey(['users', 'list', '--frobnicate'], asAdmin)).code).toBe(2);
  });
});
