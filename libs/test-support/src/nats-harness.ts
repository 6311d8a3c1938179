import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export interface NatsHarness {
  /** nats://127.0.0.1:port */
  url: string;
  /** A subject prefix unique to this harness, so suites can share one server without seeing each other. */
  prefix: string;
  /** True when this harness spawned the server (and so can kill and restart it). */
  owned: boolean;
  storeDir?: string;
  /** The server's process id while an owned server runs (for its memory in benchmarks). */
  readonly pid?: number;
  /** The last few KB the owned server wrote to its log ('' for a server the harness does not own). */
  output(): string;
  /** Stop the server gracefully (SIGTERM), keeping the store. */
  stop(): Promise<void>;
  /** SIGKILL the server, keeping the store. */
  kill(): Promise<void>;
  /** Start it again on the same port with the same store. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stop the server and delete its store. */
  dispose(): Promise<void>;
}

export interface NatsHarnessOptions {
  /** Always spawn a private server, even when NATS_URL is set (needed to kill or restart it). */
  spawn?: boolean;
  /** Extra nats-server configuration (e.g. accounts and users for permission tests). */
  config?: string;
  /** Extra environment for nats-server (the configuration may reference `$VARIABLES`, e.g. passwords). */
  env?: Record<string, string>;
}

const INSTALL_HINT =
  'nats-server is needed for the integration tests. Install it: Debian/Ubuntu `sudo apt-get install nats-server`, ' +
  'macOS `brew install nats-server`, or set NATS_URL to a JetStream-enabled server.';

export function findNatsServer(): string | undefined {
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/local/bin/nats-server',
    '/opt/homebrew/bin/nats-server',
  ];
  return candidates.find((p) => p && existsSync(p));
}

const uniquePrefix = () => `t${randomBytes(5).toString('hex')}`;

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = tcpConnect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

class SpawnedNats implements NatsHarness {
  readonly owned = true;
  readonly prefix = uniquePrefix();
  private child?: ChildProcess;
  private log = '';
  readonly url: string;

  constructor(
    private readonly bin: string,
    private readonly port: number,
    readonly storeDir: string,
    private readonly configFile?: string,
    private readonly env: Record<string, string> = {},
  ) {
    this.url = `nats://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  output(): string {
    return this.log;
  }

  async start(): Promise<void> {
    const args = ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir];
    if (this.configFile) args.unshift('-c', this.configFile);
    const child = spawn(this.bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } });
    this.child = child;
    const keep = (b: Buffer) => (this.log = (this.log + b.toString()).slice(-8000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`nats-server exited (${code}) at start:\n${this.log}`))),
    );
    await Promise.race([waitForPort(this.port, 10_000), exited]);
    child.removeAllListeners('exit');
    // JetStream may still be recovering its store after the port opens; the /healthz-free way is to wait a beat
    // for the "Server is ready" line.
    const deadline = Date.now() + 10_000;
    while (!this.log.includes('Server is ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(sig);
    });
    this.child = undefined;
  }

  stop = () => this.signal('SIGTERM');
  kill = () => this.signal('SIGKILL');

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
    if (this.configFile) rmSync(this.configFile, { force: true });
  }
}

class ExternalNats implements NatsHarness {
  readonly owned = false;
  readonly prefix = uniquePrefix();
  constructor(readonly url: string, private readonly onDispose: () => Promise<void> = async () => undefined) {}
  output(): string {
    return '';
  }
  private refuse(): never {
    throw new Error('this NATS server is not owned by the test (NATS_URL or a container); use startNats({ spawn: true })');
  }
  stop = async () => this.refuse();
  kill = async () => this.refuse();
  start = async () => this.refuse();
  restart = async () => this.refuse();
  dispose = () => this.onDispose();
}

function dockerReachable(): boolean {
  const r = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

/**
 * Gives a test suite its own NATS JetStream: NATS_URL if set (unless `spawn`), else a private `nats-server -js`
 * on a free port with a temp store, else a testcontainers NATS when a Docker engine is reachable, else an error
 * saying how to install nats-server.
 */
export async function startNats(options: NatsHarnessOptions = {}): Promise<NatsHarness> {
  if (!options.spawn && !options.config && process.env.NATS_URL) return new ExternalNats(process.env.NATS_URL);
  const bin = findNatsServer();
  if (bin) {
    const storeDir = mkdtempSync(path.join(tmpdir(), 'twokey-nats-'));
    let configFile: string | undefined;
    if (options.config) {
      configFile = path.join(storeDir, '..', `${path.basename(storeDir)}.conf`);
      writeFileSync(configFile, options.config);
    }
    const harness = new SpawnedNats(bin, await freePort(), storeDir, configFile, options.env);
    await harness.start();
    return harness;
  }
  if (!options.spawn && !options.config && dockerReachable()) {
    // Loaded lazily: testcontainers is only needed on machines with Docker and without nats-server.
    const { GenericContainer } = await import('testcontainers');
    const container = await new GenericContainer('nats:2.10-alpine').withCommand(['-js']).withExposedPorts(4222).start();
    return new ExternalNats(`nats://${container.getHost()}:${container.getMappedPort(4222)}`, async () => {
      await container.stop();
    });
  }
  throw new Error(INSTALL_HINT);
}
