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
