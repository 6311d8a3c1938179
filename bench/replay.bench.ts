/**
 * 4. Replay: `twokey events replay --json` (the admin-api's CLI, as a child process) rebuilds every read model from
 * a log written straight into TWOKEY_EVENTS beforehand. Its memory is sampled from /proc while it runs. The
 * baseline reads the same log raw (a JetStream consumer, no decoding, no projection) in the same run.
 *
 * Two logs of the same events: denials committed as the pairing-service commits them in a flood (up to 500 per
 * commit: the target row), and every event in a commit of its own (the worst case for a reader: info).
 */
import path from 'node:path';
import { type Bench, type BenchContext, verdict } from './lib/bench';
import { EventLogWriter } from './lib/event-log';
import { type BenchNats, startBenchNats } from './lib/nats';
import { MemorySampler, ROOT, ServiceProcess } from './lib/processes';
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

interface ReplayPass {
  summary: ReplaySummary;
  commits: number;
  writeRate: number;
  /** Events per second of a raw read of the same log (messages read, no decoding). */
  rawRate: number;
  maxRssMiB: number;
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

async function replayPass(ctx: BenchContext, total: number, denialsPerCommit: number, name: string): Promise<ReplayPass> {
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

    ctx.log(`replay (${name}): twokey events replay (child process)`);
    const cli = ServiceProcess.spawn({
      name: `replay-cli-${name}`,
      script: CLI,
      args: ['events', 'replay', '--json', '--nats-url', nats.url, '--prefix', nats.prefix],
      env: {},
      nodeArgs: profileArgs(ctx, `replay-cli-${name}`),
      logToFile: true,
    });
    const memory = new MemorySampler(cli, 50);
    const exit = await cli.exited;
    memory.stop();
    if (exit.code !== 0) throw new Error(`twokey events replay exited ${exit.code ?? exit.signal}:\n${cli.output}`);
    const summary = JSON.parse(cli.output.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as ReplaySummary;
    if (summary.events !== writer.written) throw new Error(`replay saw ${summary.events} events, ${writer.written} were written`);

    ctx.log(`replay (${name}): raw read of the same log (baseline)`);
    const raw = await rawRead(nats);
    if (raw.messages !== writer.commits) throw new Error(`the raw read saw ${raw.messages} messages, ${writer.commits} commits were written`);
    return { summary, commits: writer.commits, writeRate, rawRate: perSecond(writer.written, raw.ms), maxRssMiB: memory.maxRssMiB };
  } finally {
    await nats.close();
  }
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

export const replayBench: Bench = {
  id: '4',
  title: 'replay',
  async run(ctx: BenchContext) {
    const total = ctx.quick ? 100_000 : 1_000_000;
    const flood = await replayPass(ctx, total, SERVICE_DENIALS_PER_COMMIT, 'flood-log');
    const worst = await replayPass(ctx, total, 1, 'one-per-commit');
    const rows: Row[] = [
      {
        name: `4. replay ${n(total)} events → every read model (denials group-committed as the service writes a flood)`,
        target: '≥ 150,000 events/s',
        measured: flood.summary.eventsPerSecond,
        baseline: flood.rawRate,
        ratio: flood.summary.eventsPerSecond / flood.rawRate,
        unit: 'events/s',
        verdict: verdict(flood.summary.eventsPerSecond >= 150_000),
        note: `${n(flood.commits)} commits (${(flood.summary.events / flood.commits).toFixed(1)} events each); baseline = raw JetStream read of the same log, no decoding; log written at ${n(flood.writeRate)} events/s; read models: ${JSON.stringify(flood.summary.counts)}`,
      },
      {
        name: `4. replay ${n(total)} events, worst case: one event per commit`,
        target: 'info',
        measured: worst.summary.eventsPerSecond,
        baseline: worst.rawRate,
        ratio: worst.summary.eventsPerSecond / worst.rawRate,
        unit: 'events/s',
        verdict: 'info',
        note: `${n(worst.commits)} commits; the per-message costs (nats.js, JSON.parse of the envelope) are paid once per event`,
      },
      {
        name: '4. replay peak memory (RSS of the CLI process)',
        target: 'reported',
        measured: Math.max(flood.maxRssMiB, worst.maxRssMiB),
        unit: 'MiB',
        verdict: 'info',
        note: `sampled every 50 ms from /proc/<pid>/status: ${n(flood.maxRssMiB)} MiB (flood log, ${(flood.summary.ms / 1000).toFixed(1)} s), ${n(worst.maxRssMiB)} MiB (one per commit, ${(worst.summary.ms / 1000).toFixed(1)} s)`,
      },
    ];
    return rows;
  },
};
