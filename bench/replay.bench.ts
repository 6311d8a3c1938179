/**
 * 4. Replay: `twokey events replay --json` (the admin-api's CLI, as a child process) rebuilds every read model from
 * a log written straight into TWOKEY_EVENTS beforehand. Its memory is sampled from /proc while it runs. The
 * baseline reads the same log raw (a JetStream consumer, no decoding, no projection) in the same run.
 *
 * Two logs of the same events: denials committed as the pairing-service commits them in a flood (up to 500 per
 * commit: the target row, with the CLI's default worker threads, and again in one thread), and every event in a
 * commit of its own (the worst case for a reader: info).
 */
import path from 'node:path';
import { type Bench, type BenchContext, verdict } from './lib/bench';
import { EventLogWriter } from './lib/event-log';
import { type BenchNats, startBenchNats } from './lib/nats';
import { MemorySampler, ROOT, ServiceProcess } from './lib/processes';
import { snapshotStarts, type SnapshotStarts } from './lib/snapshot-starts';
import { profileArgs } from './lib/profile';
import { nowMs, perSecond } from './lib/stats';
import { SERVICE_DENIALS_PER_COMMIT, writeSyntheticLog } from './lib/synthetic-log';
import type { Row } from './lib/table';

const CLI = path.join(ROOT, 'dist/apps/admin-api/src/cli/main.js');

interface ReplaySummary {
  events: number;
  ms: number;
  eventsPerSecond: number;
  counts: Record<string, number>;
}

interface CliRun {
  summary: ReplaySummary;
  maxRssMiB: number;
}

interface ReplayPass {
  /** One per entry of `workers`, in order. */
  runs: CliRun[];
  /** The pairing-service's rehydration from the same log (when asked for). */
  rehydration?: { ms: number; maxRssMiB: number };
  /** Both services started without and then with a snapshot of this log (when asked for). */
  starts?: { pairing: SnapshotStarts; admin: SnapshotStarts };
  commits: number;
  writeRate: number;
  /** Events per second of a raw read of the same log (messages read, no decoding). */
  rawRate: number;
}

const RAW_PULL_BYTES = 4 * 1024 * 1024;

/**
 * Every message of the events stream, pulled in large batches and not decoded. Pulls of large messages are bounded
 * in bytes: 1,024 group commits of ~300 KB in one pull overran what nats-server buffers for a client and the read hung.
 */
async function rawRead(nats: BenchNats): Promise<{ messages: number; ms: number }> {
  const consumer = await nats.js.consumers.get(nats.s.streams.events);
  const info = await nats.jsm.streams.info(nats.s.streams.events);
  const total = info.state.messages;
  const t0 = nowMs();
  let messages = 0;
  // nats.js takes one bound or the other; a bytes bound alone made small messages read 2-3× slower.
  const bound = (info.state.bytes / Math.max(1, total)) * 1_024 <= RAW_PULL_BYTES ? { max_messages: 1_024 } : { max_bytes: RAW_PULL_BYTES };
  const iter = await consumer.consume(bound);
  for await (const m of iter) {
    void m;
    if (++messages >= total) break;
  }
  return { messages, ms: nowMs() - t0 };
}

/** Writes the log, then runs `twokey events replay` once per `workers` entry (undefined = the CLI's default). */
async function replayPass(
  ctx: BenchContext,
  total: number,
  denialsPerCommit: number,
  name: string,
  workers: (number | undefined)[],
  rehydrate = false,
): Promise<ReplayPass> {
  const nats = await startBenchNats();
  try {
    ctx.recordStores(await nats.durability());
    ctx.log(`replay (${name}): writing a log of ${total.toLocaleString('en-US')} events, up to ${denialsPerCommit} denials per commit`);
    const writer = new EventLogWriter(nats.nc, nats.s);
    const w0 = nowMs();
    await writeSyntheticLog(writer, total, {
      denialsPerCommit,
      onProgress: (n) => n > 0 && ctx.log(`replay (${name}): ${n.toLocaleString('en-US')} events written`),
    });
    const writeRate = perSecond(writer.written, nowMs() - w0);

    const runs: CliRun[] = [];
    for (const w of workers) {
      const label = `${name}${w === undefined ? '' : `-workers-${w}`}`;
      ctx.log(`replay (${name}): twokey events replay${w === undefined ? '' : ` --workers ${w}`} (child process)`);
      const cli = ServiceProcess.spawn({
        name: `replay-cli-${label}`,
        script: CLI,
        args: ['events', 'replay', '--json', ...(w === undefined ? [] : ['--workers', String(w)]), '--nats-url', nats.url, '--prefix', nats.prefix],
        env: {},
        nodeArgs: profileArgs(ctx, `replay-cli-${label}`),
        logToFile: true,
      });
      const memory = new MemorySampler(cli, 50);
      const exit = await cli.exited;
      memory.stop();
      if (exit.code !== 0) throw new Error(`twokey events replay exited ${exit.code ?? exit.signal}:\n${cli.output}`);
      const summary = JSON.parse(cli.output.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as ReplaySummary;
      if (summary.events !== writer.written) throw new Error(`replay saw ${summary.events} events, ${writer.written} were written`);
      runs.push({ summary, maxRssMiB: memory.maxRssMiB });
    }

    let rehydration: ReplayPass['rehydration'];
    let starts: ReplayPass['starts'];
    if (rehydrate) {
      // Each service folds the whole log at a start without a snapshot (the pairing-service reads denials too: it
      // keeps the inbound sequences they count), then writes a snapshot and starts again from it.
      const pairing = await snapshotStarts(ctx, nats, 'pairing-service', `replay-${name}`);
      rehydration = { ms: pairing.without.rebuildMs, maxRssMiB: pairing.without.peakRssMiB };
      const admin = await snapshotStarts(ctx, nats, 'admin-api', `replay-${name}`);
      starts = { pairing, admin };
    }

    ctx.log(`replay (${name}): raw read of the same log (baseline)`);
    const raw = await rawRead(nats);
    if (raw.messages !== writer.commits) throw new Error(`the raw read saw ${raw.messages} messages, ${writer.commits} commits were written`);
    return { runs, rehydration, starts, commits: writer.commits, writeRate, rawRate: perSecond(writer.written, raw.ms) };
  } finally {
    await nats.close();
  }
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** Start-up with a snapshot beside the same start without one: measured = with, baseline = without. */
function startRows(total: number, starts: ReplayPass['starts']): Row[] {
  if (!starts) return [];
  const row = (app: string, what: string, s: SnapshotStarts): Row => ({
    name: `4. ${app} start-up on the ${n(total)}-event log, from a snapshot (no-snapshot figure as baseline)`,
    target: '≤ 1 s',
    measured: s.with.rebuildMs,
    baseline: s.without.rebuildMs,
    ratio: s.with.rebuildMs / s.without.rebuildMs,
    unit: 'ms',
    verdict: verdict(s.with.rebuildMs <= 1_000),
    note: `${what}: ${n(s.with.rebuildMs)} ms from its snapshot at position ${s.with.snapshot} (${n(s.snapshotBytes / 1024)} KiB, written in ${n(s.snapshotWriteMs)} ms, of which ${n(s.snapshotCutMs)} ms in one go) vs ${n(s.without.rebuildMs)} ms folding all ${n(total)} events; spawn → /readyz ${n(s.with.readyMs)} ms vs ${n(s.without.readyMs)} ms; peak RSS ${n(s.with.peakRssMiB)} vs ${n(s.without.peakRssMiB)} MiB`,
  });
  return [
    row('pairing-service', 'its "state rehydrated" line (snapshot loaded and checked, tail folded)', starts.pairing),
    row('admin-api', 'its "projection caught up" line (snapshot loaded and checked, tail projected)', starts.admin),
  ];
}

export const replayBench: Bench = {
  id: '4',
  title: 'replay',
  async run(ctx: BenchContext) {
    const total = ctx.quick ? 100_000 : 1_000_000;
    const flood = await replayPass(ctx, total, SERVICE_DENIALS_PER_COMMIT, 'flood-log', [undefined, 0], true);
    const worst = await replayPass(ctx, total, 1, 'one-per-commit', [undefined]);
    const [floodDefault, floodOneThread] = flood.runs;
    const [worstDefault] = worst.runs;
    const rate = (r: CliRun) => r.summary.eventsPerSecond;
    const rows: Row[] = [
      {
        name: `4. replay ${n(total)} events → every read model (denials group-committed as the service writes a flood)`,
        target: '≥ 150,000 events/s',
        measured: rate(floodDefault),
        baseline: flood.rawRate,
        ratio: rate(floodDefault) / flood.rawRate,
        unit: 'events/s',
        verdict: verdict(rate(floodDefault) >= 150_000),
        note: `the CLI's default: a worker thread per connection (3 in this log; at most 4); ${n(flood.commits)} commits (${(floodDefault.summary.events / flood.commits).toFixed(1)} events each); baseline = raw JetStream read of the same log, no decoding; log written at ${n(flood.writeRate)} events/s; read models: ${JSON.stringify(floodDefault.summary.counts)}`,
      },
      {
        name: `4. replay ${n(total)} events, same log, in one thread (--workers 0)`,
        target: 'info',
        measured: rate(floodOneThread),
        baseline: flood.rawRate,
        ratio: rate(floodOneThread) / flood.rawRate,
        unit: 'events/s',
        verdict: 'info',
        note: 'what a log of a single connection gets (its commits are folded in order by one thread)',
      },
      {
        name: `4. replay ${n(total)} events, worst case: one event per commit`,
        target: 'info',
        measured: rate(worstDefault),
        baseline: worst.rawRate,
        ratio: rate(worstDefault) / worst.rawRate,
        unit: 'events/s',
        verdict: 'info',
        note: `${n(worst.commits)} commits, default workers; the per-message costs (nats.js, JSON.parse of the envelope) are paid once per event`,
      },
      {
        name: `4. pairing-service rehydration from the same log (${n(total)} events)`,
        target: 'info',
        measured: flood.rehydration ? perSecond(total, flood.rehydration.ms) : NaN,
        baseline: flood.rawRate,
        ratio: flood.rehydration ? perSecond(total, flood.rehydration.ms) / flood.rawRate : NaN,
        unit: 'events/s',
        verdict: 'info',
        note: flood.rehydration
          ? `its "state rehydrated" log line: ${n(flood.rehydration.ms)} ms, peak RSS ${n(flood.rehydration.maxRssMiB)} MiB; it reads every event at each start, so a log grown by floods lengthens its start (see docs/performance.md)`
          : 'not measured',
      },
      ...startRows(total, flood.starts),
      {
        name: '4. replay peak memory (RSS of the CLI process)',
        target: 'reported',
        measured: Math.max(...[...flood.runs, ...worst.runs].map((r) => r.maxRssMiB)),
        unit: 'MiB',
        verdict: 'info',
        note: `sampled every 50 ms from /proc/<pid>/status: ${n(floodDefault.maxRssMiB)} MiB (flood log, workers, ${(floodDefault.summary.ms / 1000).toFixed(1)} s), ${n(floodOneThread.maxRssMiB)} MiB (one thread, ${(floodOneThread.summary.ms / 1000).toFixed(1)} s), ${n(worstDefault.maxRssMiB)} MiB (one per commit, ${(worstDefault.summary.ms / 1000).toFixed(1)} s)`,
      },
    ];
    return rows;
  },
};
