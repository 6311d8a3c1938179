import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Progress } from './progress';
import { runCli } from './run';

function capture(isTTY = false) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  let text = '';
  stream.on('data', (b: Buffer) => (text += b.toString('utf8')));
  return { stream, text: () => text };
}

describe('twokey CLI', () => {
  it('prints the help of every command without touching NATS', async () => {
    const out = capture();
    expect(await runCli(['events', '--help'], { stdout: out.stream, stderr: capture().stream, env: {} })).toBe(0);
    expect(out.text()).toMatch(/export[\s\S]*replay[\s\S]*verify/);
  });

  it('refuses unknown commands and bad flags with usage, exit 2', async () => {
    const err = capture();
    expect(await runCli(['events', 'export', '--from', 'ten'], { stdout: capture().stream, stderr: err.stream, env: {} })).toBe(2);
    expect(err.text()).toContain('--from must be a non-negative integer');
    expect(await runCli(['events', 'verify'], { stdout: capture().stream, stderr: err.stream, env: {} })).toBe(2);
    expect(err.text()).toContain('--api is required');
    expect(await runCli(['frobnicate'], { stdout: capture().stream, stderr: capture().stream, env: {} })).toBe(2);
  });
});

describe('twokey commands', () => {
  const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const out = capture();
    const err = capture();
    const code = await runCli(argv, { stdout: out.stream, stderr: err.stream, env });
    return { code, stdout: out.text(), stderr: err.text() };
  };

  it('prints its version and a help naming every command group and the exit codes', async () => {
    const version = await run(['--version']);
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8')) as { version: string };
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const group of ['status', 'pairing', 'users', 'spaces', 'activity', 'connections', 'agent', 'events']) expect(help.stdout).toMatch(new RegExp(`^  ${group}\\b`, 'm'));
    expect(help.stdout).toContain('Exit codes:');
    expect((await run(['pairing', 'issue', '--help'])).stdout).toMatch(/--url <url>[\s\S]*--json[\s\S]*--purpose <purpose>/);
  });

  it('says there is no local stack (exit 3) and asks for a token for --url (exit 2), before any request', async () => {
    const none = await run(['users', 'list'], { TWOKEY_HOME: '/nonexistent/twokey-home' });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('no local stack is running (/nonexistent/twokey-home/stack.json is missing): start it with `npm start`');
    const noToken = await run(['status', '--url', 'http://127.0.0.1:9']);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('set TWOKEY_ADMIN_TOKEN');
    expect((await run(['status', '--url', 'not a url'], { TWOKEY_ADMIN_TOKEN: 't' })).code).toBe(2);
  });

  it('refuses unknown options and bad values with exit 2', async () => {
    expect((await run(['users', 'list', '--frobnicate'])).code).toBe(2);
    expect((await run(['pairing', 'issue', '--purpose', 'everyone'])).code).toBe(2);
    expect((await run(['pairing', 'approve'])).code).toBe(2);
  });

  it('answers an unreachable admin-api with exit 3', async () => {
    const r = await run(['status', '--url', 'http://127.0.0.1:9'], { TWOKEY_ADMIN_TOKEN: 'twokey_x' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot reach the admin-api at http://127.0.0.1:9');
  });
});

describe('progress', () => {
  it('prints plain lines every 10% when stderr is not a terminal', () => {
    let now = 0;
    const err = capture(false);
    const p = new Progress(err.stream, 'replay', 1000, () => now);
    for (let pos = 1; pos <= 1000; pos++) {
      now += 1;
      p.update(pos, pos * 10);
    }
    p.finish();
    const lines = err.text().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.every((l) => /^replay: \d+% \(\d+ events, position \d+\/1000, \d+ events\/s(, ETA \d+s)?\)$/.test(l))).toBe(true);
    expect(err.text()).not.toContain('\r');
  });

  it('redraws one bar in place on a terminal', () => {
    let now = 0;
    const err = capture(true);
    const p = new Progress(err.stream, 'replay', 100, () => now);
    now = 200;
    p.update(50, 500);
    expect(err.text()).toMatch(/^\rreplay \[#+\.+\]  50% 500 events/);
    p.finish();
    expect(err.text()).toContain('\r\u001b[2K');
  });
});
