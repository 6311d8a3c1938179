import { ChildProcess, spawn } from 'node:child_process';
import { repoRoot } from './dist';

/**
 * `npm start` run as a person runs it in a terminal: its own process group, so `interrupt()` is a real Ctrl-C
 * (SIGINT to npm and to start.mjs at once, as the terminal sends it).
 */
export class LocalStack {
  readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: NodeJS.ProcessEnv) {
    this.proc = spawn('npm', ['start'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let partial = '';
    const onData = (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    };
    this.proc.stdout!.on('data', onData);
    this.proc.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => this.waiters.splice(0).forEach((w) => w()));
  }

  get output(): string {
    return this.lines.join('\n');
  }

  /** The first match of `pattern` in the output, waiting for it; fails early if npm start exits. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines) {
        const m = line.match(pattern);
        if (m) return m;
      }
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(`npm start exited before printing ${pattern}:\n${this.tail()}`);
      }
      if (Date.now() > deadline) throw new Error(`npm start did not print ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 250);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  /** Ctrl-C in the terminal. */
  interrupt(): void {
    try {
      process.kill(-this.proc.pid!, 'SIGINT');
    } catch {
      // already gone
    }
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }
}
