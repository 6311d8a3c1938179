/**
 * Services as real child processes (`node dist/apps/<app>/src/main.js`), the way they run in production, with
 * their output kept for diagnosis and their memory read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { nowMs, sleep } from './stats';

/** The repository root, from dist/bench/lib (compiled) or bench/lib (source). */
export const ROOT = (() => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'tools/scripts/build.mjs'))) return dir;
  }
  throw new Error(`cannot find the repository root above ${__dirname}`);
})();

export const REPORT_DIR = path.join(ROOT, 'reports/bench');

export const mainOf = (app: string) => path.join(ROOT, 'dist/apps', app, 'src/main.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Shown in errors and used for the log file name. */
  name: string;
  /** Script to run (absolute), default `mainOf(name)`. */
  script?: string;
  args?: string[];
  env: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Keep the whole output in reports/bench/<name>.log. */
  logToFile?: boolean;
  cwd?: string;
}

export class ServiceProcess {
  private tail = '';
  private file?: WriteStream;
  readonly exited: Promise<Exit>;
  readonly spawnedAt = nowMs();
  private exit?: Exit;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    logToFile: boolean,
  ) {
    if (logToFile) {
      mkdirSync(REPORT_DIR, { recursive: true });
      this.file = createWriteStream(path.join(REPORT_DIR, `${name}.log`));
    }
    const keep = (b: Buffer) => {
      this.tail = (this.tail + b.toString()).slice(-16_000);
      this.file?.write(b);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.file?.end();
        resolve(this.exit);
      }),
    );
  }

  static spawn(o: SpawnOptions): ServiceProcess {
    const script = o.script ?? mainOf(o.name);
    if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), script, ...(o.args ?? [])], {
      cwd: o.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(o.name, child, o.logToFile ?? false);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get output(): string {
    return this.tail;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Polls `url` until it answers 200; returns the ms since spawn. Fails at once if the process exits. */
  async waitForHttp(url: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`${this.name} exited (${this.exit.code ?? this.exit.signal}) before ${url} answered:\n${this.tail}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.status === 200) return nowMs() - this.spawnedAt;
      } catch {
        // not listening yet
      }
      await sleep(10);
    }
    throw new Error(`${this.name}: ${url} did not answer 200 within ${timeoutMs} ms:\n${this.tail}`);
  }

  /** Resolves once the output matches `pattern`; returns the ms since spawn. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.tail)) {
      if (this.exit) throw new Error(`${this.name} exited (${this.exit.code ?? this.exit.signal}) before printing ${pattern}:\n${this.tail}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.tail}`);
      await sleep(10);
    }
    return nowMs() - this.spawnedAt;
  }

  /** Resident memory now and at its peak (VmRSS / VmHWM), in MiB; undefined once the process is gone. */
  memory(): ProcessMemory | undefined {
    return processMemory(this.pid);
  }

  /** CPU time used so far (user + system), in ms, from /proc/<pid>/stat. */
  cpuMs(): number | undefined {
    try {
      const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      return undefined;
    }
  }

  async stop(timeoutMs = 15_000): Promise<Exit> {
    if (!this.exit) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exit!;
  }

  async kill(): Promise<Exit> {
    if (!this.exit) this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** Samples a process's memory every `everyMs` until stopped; keeps the peak and the series. */
export interface ProcessMemory {
  rssMiB: number;
  peakMiB: number;
}

/** Resident and peak memory of a running process, from /proc/<pid>/status. */
export function processMemory(pid: number | undefined): ProcessMemory | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rss = kb('VmRSS');
    // A process that is exiting (or a zombie) has no memory lines any more.
    return Number.isFinite(rss) ? { rssMiB: rss / 1024, peakMiB: kb('VmHWM') / 1024 } : undefined;
  } catch {
    return undefined;
  }
}

export class MemorySampler {
  readonly samples: { atMs: number; rssMiB: number }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly p: { memory(): ProcessMemory | undefined },
    everyMs = 100,
  ) {
    const started = nowMs();
    this.timer = setInterval(() => {
      const m = this.p.memory();
      if (m) this.samples.push({ atMs: nowMs() - started, rssMiB: m.rssMiB });
    }, everyMs);
    this.timer.unref();
  }

  get maxRssMiB(): number {
    return this.samples.reduce((max, s) => Math.max(max, s.rssMiB), 0);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
