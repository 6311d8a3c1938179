import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EventDecodeError, type JetStreamEventStore, type StoredCommit } from '@twokey/event-store';
import { connectionOfStream, type ReadModelCounts } from '@twokey/read-models';
import type { FromReplayWorker, ReplayWorkerData, ToReplayWorker } from './replay-protocol';

/** The compiled worker beside this file; absent when running from TypeScript sources (then replay uses one thread). */
const WORKER_SCRIPT = path.join(__dirname, 'replay-worker.js');

export const workerThreadsAvailable = (): boolean => existsSync(WORKER_SCRIPT);

/** Bytes sent to one worker and not yet folded, before the reader waits: bounds memory whatever the log. */
const MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;

export interface ParallelRebuildResult {
  counts: ReadModelCounts;
  events: number;
  ms: number;
}

export interface ParallelRebuildOptions {
  onProgress?: (position: number, events: number) => void;
}

/**
 * The worker threads of one replay: one per connection, up to `max`. A connection is given, at first sight, to a
 * worker that owns none yet, else to a new one while there are fewer than `max`, else to the one owning fewest.
 * One per connection even beyond the cores: with three connections on two cores, two workers leave one of them
 * two thirds of the work, three let the OS share the cores evenly (~10% faster, bench 4). `prestart` workers are
 * started ahead: loading their modules (~150 ms each, as the CLI's own) overlaps connecting to NATS and, as for
 * the CLI's own modules, is not part of the replay's time; later ones start when a connection needs them.
 */
export class ReplayWorkers {
  readonly workers: ReplayWorker[];
  readonly ready: Promise<void>;
  private readonly owned = new Map<ReplayWorker, number>();
  private readonly owners = new Map<string, ReplayWorker>();

  constructor(
    private readonly max: number,
    private readonly data: ReplayWorkerData,
    prestart = max,
  ) {
    this.workers = Array.from({ length: Math.max(1, Math.min(prestart, max)) }, () => new ReplayWorker(data));
    this.ready = Promise.all(this.workers.map((w) => w.ready)).then(() => undefined);
  }

  /** The worker that folds `connection`'s commits (always the same one, so they stay in log order). */
  workerFor(connection: string): ReplayWorker {
    let owner = this.owners.get(connection);
    if (owner !== undefined) return owner;
    owner = this.workers.find((w) => !this.owned.has(w));
    if (owner === undefined && this.workers.length < this.max) this.workers.push((owner = new ReplayWorker(this.data)));
    owner ??= this.workers.reduce((a, b) => ((this.owned.get(b) ?? 0) < (this.owned.get(a) ?? 0) ? b : a));
    this.owned.set(owner, (this.owned.get(owner) ?? 0) + 1);
    this.owners.set(connection, owner);
    return owner;
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Every read model from position 0 on worker threads: this thread reads commits from NATS and hands each
 * connection's commits, in log order, to the worker that owns that connection (see ReplayWorkers); the workers
 * decode and fold. Read models are per connection, so the result is the one `rebuild` computes
 * (replay.int.spec.ts compares them); with several connections the decoding, the most costly part, runs on several
 * cores, and even with one the reading and the decoding overlap.
 */
export async function rebuildOnWorkers(
  store: JetStreamEventStore,
  pool: ReplayWorkers,
  options: ParallelRebuildOptions = {},
): Promise<ParallelRebuildResult> {
  await pool.ready;
  const started = process.hrtime.bigint();
  const progress = () => {
    if (!options.onProgress) return;
    let position = 0;
    let events = 0;
    for (const w of pool.workers) {
      position = Math.max(position, w.position);
      events += w.events;
    }
    options.onProgress(position, events);
  };
  for await (const batch of store.readAllCommits(0)) {
    const parts = new Map<ReplayWorker, StoredCommit[]>();
    for (const commit of batch) {
      // Commits of streams outside any connection only advance the position: any one worker will do.
      const owner = pool.workerFor(connectionOfStream(commit.stream) ?? '');
      let part = parts.get(owner);
      if (part === undefined) parts.set(owner, (part = []));
      part.push(commit);
    }
    for (const [worker, commits] of parts) {
      await worker.roomFor(MAX_IN_FLIGHT_BYTES);
      worker.send(commits);
    }
    progress();
  }
  const results = await Promise.all(pool.workers.map((w) => w.finish()));
  progress();
  return { counts: mergeCounts(results), events: results.reduce((n, c) => n + c.events, 0), ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** The workers' connections are disjoint: counts add up; the position is the furthest one folded. */
function mergeCounts(parts: ReadModelCounts[]): ReadModelCounts {
  const total: ReadModelCounts = { position: 0, events: 0, connections: 0, users: 0, spaces: 0, activeTokens: 0, pendingObservations: 0, attentionGroups: 0, deniedMessages: 0 };
  for (const c of parts) {
    for (const key of Object.keys(total) as (keyof ReadModelCounts)[]) total[key] = key === 'position' ? Math.max(total[key], c[key]) : total[key] + c[key];
  }
  return total;
}

/** One worker thread and what this thread knows of it: bytes in flight, how far it folded, how it failed. */
export class ReplayWorker {
  position = 0;
  events = 0;
  private readonly worker: Worker;
  private inFlight = 0;
  private failure?: Error;
  private wake?: () => void;
  private resolveResult?: (counts: ReadModelCounts) => void;
  private rejectResult?: (e: Error) => void;
  private readonly result: Promise<ReadModelCounts>;
  private markReady?: () => void;
  readonly ready: Promise<void>;

  constructor(data: ReplayWorkerData) {
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    this.worker = new Worker(WORKER_SCRIPT, { workerData: data });
    this.result = new Promise<ReadModelCounts>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    // Awaited in finish(); until then a failure is reported through roomFor().
    this.result.catch(() => undefined);
    this.worker.on('message', (m: FromReplayWorker) => this.receive(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`a replay worker stopped (exit code ${code}) before it was done`)));
  }

  send(commits: StoredCommit[]): void {
    const offsets = [0];
    for (const c of commits) offsets.push(offsets[offsets.length - 1] + c.data.byteLength);
    const bytes = new Uint8Array(offsets[offsets.length - 1]);
    commits.forEach((c, i) => bytes.set(c.data, offsets[i]));
    this.inFlight += bytes.byteLength;
    const message: ToReplayWorker = { kind: 'commits', streams: commits.map((c) => c.stream), positions: commits.map((c) => c.position), offsets, buffer: bytes.buffer };
    this.worker.postMessage(message, [bytes.buffer]);
  }

  /** Waits until the worker has folded enough that `limit` bytes are not exceeded; throws its failure. */
  async roomFor(limit: number): Promise<void> {
    while (this.failure === undefined && this.inFlight > limit) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
  }

  finish(): Promise<ReadModelCounts> {
    if (this.failure) return Promise.reject(this.failure);
    this.worker.postMessage({ kind: 'end' } satisfies ToReplayWorker);
    return this.result;
  }

  async terminate(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private receive(m: FromReplayWorker): void {
    if (m.kind === 'ready') {
      this.markReady?.();
    } else if (m.kind === 'folded') {
      this.inFlight -= m.bytes;
      this.position = m.position;
      this.events = m.events;
      this.wakeUp();
    } else if (m.kind === 'result') {
      this.resolveResult?.(m.counts);
    } else {
      this.fail(m.position === undefined ? new Error(`replay worker: ${m.reason}`) : new EventDecodeError(m.position, m.reason));
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.rejectResult?.(this.failure);
    // A worker that failed to start is "ready" to report its failure.
    this.markReady?.();
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
