// `npm test` on a machine without Chromium: the browser tier is skipped and counted, a line says why and how to
// install it, and the run ends with the totals line (tools/scripts/test.mjs). Run on the e2e tier only, without
// rebuilding dist/ (other tests may be using it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './support/dist';

function runTests(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'tools/scripts/test.mjs'), ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (output += b.toString('utf8')));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm test without a browser', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'twokey-test-runner-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('skips only the browser tier, says why and how to install it, and ends with N passed, N failed, N skipped', async () => {
    const report = path.join(dir, 'results.json');
    const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: path.join(dir, 'no-chromium') };
    delete env.CI;
    delete env.TWOKEY_SKIP_BROWSER_TESTS;
    const { code, output } = await runTests(['--tiers', 'e2e', '--no-build', '--report', report], env);
    expect(code).toBe(0);
    const lines = output.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^0 passed, 0 failed, [1-9]\d* skipped$/);
    expect(output).toContain(`npm test: browser tier skipped: Chromium is not at ${path.join(dir, 'no-chromium')}; install it with tools/scripts/setup-browser.sh`);
    const results = JSON.parse(readFileSync(report, 'utf8')) as { numPendingTests: number; numFailedTests: number; numRuntimeErrorTestSuites: number };
    expect(results).toMatchObject({ numFailedTests: 0, numRuntimeErrorTestSuites: 0 });
    expect(lines[lines.length - 1]).toBe(`0 passed, 0 failed, ${results.numPendingTests} skipped`);
  });

  it('refuses an unknown tier with exit 2 and its usage', async () => {
    const { code, output } = await runTests(['--tiers', 'browser', '--no-build'], process.env);
    expect(code).toBe(2);
    expect(output).toContain('--tiers takes a comma-separated subset of unit,int,e2e');
  });
});
