import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { readModelCounts } from '@twokey/read-models';
import { runCli } from '../src/cli/run';
import { ADMIN_TOKEN, eventually, Stack, startStack } from './stack';
import { writeSyntheticLog } from './synthetic-log';

const EVENTS = 100_000;
const ROOT = path.resolve(__dirname, '../../..');

/** Runs the CLI in process, capturing stdout/stderr. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const capture = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (b: Buffer) => (text += b.toString('utf8')));
    return { stream, text: () => text };
  };
  const out = capture();
  const err = capture();
  const code = await runCli(args, { stdout: out.stream, stderr: err.stream, env });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('twokey events: export, replay, verify on a log of 100k events', () => {
  let s: Stack;
  let storeArgs: string[];
  let tmp: string;

  beforeAll(async () => {
    s = await startStack({ ATTENTION_MAX_GROUPS: '5000' }, { pairingService: false });
    storeArgs = ['--nats-url', s.nats.url, '--prefix', s.nats.prefix];
    tmp = mkdtempSync(path.join(tmpdir(), 'twokey-cli-'));
    const started = Date.now();
    await writeSyntheticLog(s.store, EVENTS);
    process.stdout.write(`wrote ${EVENTS} events in ${Date.now() - started} ms\n`);
    const head = await s.store.headPosition();
    await eventually(async () => (s.api.projection.position() >= head && s.api.projection.isCaughtUp() ? true : undefined), 20_000, 'the live projection');
  });
  afterAll(async () => {
    await s?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('replays every event from position 0, with progress on stderr and a timed summary', async () => {
    const r = await cli(['events', 'replay', ...storeArgs], { ATTENTION_MAX_GROUPS: '5000' });
    expect(r.code).toBe(0);
    process.stdout.write(r.stdout);
    expect(r.stdout).toMatch(new RegExp(`^replayed ${EVENTS} events up to position \\d+ in \\d+\\.\\d+ s \\(\\d+ events/s\\)`));
    expect(r.stderr).toMatch(/^replay: \d+% \(/m); // not a TTY: plain progress lines
    // The same totals as the live projection of the running admin-api.
    const live = readModelCounts(s.api.projection.models);
    const count = (label: string) => Number(new RegExp(`^  ${label}\\s+(\\d+)$`, 'm').exec(r.stdout)?.[1]);
    expect(live.events).toBe(EVENTS);
    expect(count('connections')).toBe(live.connections);
    expect(count('authorized users')).toBe(live.users);
    expect(count('allowlisted spaces')).toBe(live.spaces);
    expect(count('observations awaiting approval')).toBe(live.pendingObservations);
    expect(count('attention \\(denial groups\\)')).toBe(3 * 5000);
    expect(count('denied messages counted')).toBe(live.deniedMessages);
  });

  it('verifies that the rebuilt read models equal the live admin-api', async () => {
    const ok = await cli(['events', 'verify', ...storeArgs, '--api', s.api.url], { TWOKEY_ADMIN_TOKEN: ADMIN_TOKEN, ATTENTION_MAX_GROUPS: '5000' });
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/^read models match at position \d+: 100000 events, 6 connections/);
  });

  it('exports the log as NDJSON from a position, to a file', async () => {
    const file = path.join(tmp, 'log.ndjson');
    const head = await s.store.headPosition();
    const r = await cli(['events', 'export', ...storeArgs, '--from', String(head - 2), '--out', file]);
    expect(r.code).toBe(0);
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0].position).toBe(head - 2);
    expect(new Set(events.map((e) => e.position))).toEqual(new Set([head - 2, head - 1, head]));
    expect(events[0]).toEqual(expect.objectContaining({ eventId: expect.any(String), type: expect.any(String), stream: expect.any(String), actor: expect.any(Object), data: expect.any(Object) }));
    expect(r.stderr).toContain(`exported ${events.length} events to ${file}`);
  });

  it('explains usage and refuses wrong invocations', async () => {
    for (const command of ['export', 'replay', 'verify']) {
      const r = await cli(['events', command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: twokey events ${command}`);
    }
    expect((await cli(['events', 'verify', ...storeArgs])).code).toBe(2);
    expect((await cli(['events', 'replay', '--bogus'])).code).toBe(2);
    expect((await cli(['events', 'nope'])).code).toBe(2);
  });

  it('runs as `npx twokey` through the bin declared in package.json', () => {
    const bin = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin.twokey;
    const r = spawnSync(process.execPath, [path.join(ROOT, bin), 'events', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: twokey events <command>');
  });
});
