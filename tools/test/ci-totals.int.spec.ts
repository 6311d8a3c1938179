// .ci/run ends with tools/scripts/ci-totals.mjs: one line per runtime, then the sum `N passed, N failed` as the last
// line (CI parses it). A failure, a crashed suite, a missing report or an empty run in either runtime fails it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './support/dist';

const report = (passed: number, failed: number, pending = 0, broken = 0) => ({
  numPassedTests: passed, numFailedTests: failed, numPendingTests: pending, numTodoTests: 0, numRuntimeErrorTestSuites: broken, numTotalTests: passed + failed + pending,
});

describe('.ci/run totals', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'twokey-ci-totals-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const totals = (runs: Record<string, object | undefined>) => {
    const args = Object.entries(runs).map(([name, r]) => {
      const file = path.join(dir, `${name}.json`);
      if (r) writeFileSync(file, JSON.stringify(r));
      else rmSync(file, { force: true });
      return `${name}=${file}`;
    });
    const out = spawnSync(process.execPath, [path.join(repoRoot, 'tools/scripts/ci-totals.mjs'), ...args], { encoding: 'utf8' });
    const lines = out.stdout.trim().split('\n');
    return { code: out.status, lines, last: lines[lines.length - 1] };
  };

  it('sums both runtimes into the last line', () => {
    const r = totals({ node20: report(800, 0, 29), node24: report(700, 0) });
    expect(r).toMatchObject({ code: 0, last: '1500 passed, 0 failed' });
    expect(r.lines).toEqual(['node20: 800 passed, 0 failed, 29 skipped', 'node24: 700 passed, 0 failed, 0 skipped', '29 skipped', '1500 passed, 0 failed']);
  });

  it('fails when either runtime failed, crashed a suite, wrote nothing or ran nothing', () => {
    expect(totals({ node20: report(800, 0), node24: report(699, 1) })).toMatchObject({ code: 1, last: '1499 passed, 1 failed' });
    expect(totals({ node20: report(800, 0), node24: report(700, 0, 0, 2) })).toMatchObject({ code: 1, last: '1500 passed, 2 failed' });
    expect(totals({ node20: report(800, 0), node24: undefined })).toMatchObject({ code: 1, last: '800 passed, 1 failed' });
    expect(totals({ node20: report(0, 0), node24: report(700, 0) })).toMatchObject({ code: 1, last: '700 passed, 1 failed' });
  });
});
