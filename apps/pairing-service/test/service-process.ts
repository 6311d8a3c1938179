/** The pairing-service as a real child process (`node dist/apps/pairing-service/src/main.js`), for kill tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
export const MAIN_JS = path.join(ROOT, 'dist/apps/pairing-service/src/main.js');

/** Compiles apps and libs to dist/ (the same build `npm test` runs first). */
export function buildDist(): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tools/scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServiceProcess {
  private output = '';
  readonly exited: Promise<Exit>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (b: Buffer) => (this.output = (this.output + b.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Spawns the service with exactly `env` (plus PATH); does not wait for readiness. */
  static spawn(env: Record<string, string>): ServiceProcess {
    const child = spawn(process.execPath, [MAIN_JS], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ServiceProcess(child, Number(env.HTTP_PORT));
  }

  /** Spawns it and resolves once /readyz answers 200. */
  static async start(env: Record<string, string>, timeoutMs = 20_000): Promise<ServiceProcess> {
    const p = ServiceProcess.spawn(env);
    await p.ready(timeoutMs);
    return p;
  }

  get log(): string {
    return this.output;
  }

  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited: Exit | undefined;
    void this.exited.then((e) => (exited = e));
    while (Date.now() < deadline) {
      if (exited) throw new Error(`pairing-service exited (${exited.code ?? exited.signal}) before it was ready:\n${this.output}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/readyz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`pairing-service not ready within ${timeoutMs} ms:\n${this.output}`);
  }

  /** Freezes the process (SIGSTOP) for `ms`, as a long GC pause or a starved CPU would, then lets it go on. */
  async stall(ms: number): Promise<void> {
    this.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, ms));
    this.child.kill('SIGCONT');
  }

  async signal(sig: NodeJS.Signals): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(sig);
    return this.exited;
  }
}
