/**
 * 4. Replay: `twokey events replay --json` (the admin-api's CLI, as a child process) rebuilds every read model from
 * a log written straight into TWOKEY_EVENTS beforehand. Its memory is sampled from /proc while it runs. The
 * baseline reads the same log raw (a JetStream consumer, no decoding, no projection) in the same run.
 */
import path from 'node:path';
import { type Bench, type BenchContext, verdict } from './lib/bench';
import { EventLogWriter } from './lib/event-log';
import { type BenchNats, startBenchNats } from './lib/nats';
import { MemorySampler, ROOT, ServiceProcess } from './lib/processes';
import { profileArgs } from './lib/profile';
import { nowMs, perSecond } from './lib/stats';
import { writeSyntheticLog } from './lib/synthetic-log';
import type { Row } from './lib/table';

const CLI = path.join(ROOT, 'dist/apps/admin-api/src/cli/main.js');

interface ReplaySummary {
  events: number;
  ms: number;
  eventsPerSecond: number;
  counts: Record<string, number>;
}

/** Every message of the events stream, pulled in large batches and not decoded. */
async function rawRead(nats: BenchNats): Promise<{ messages: number; ms: number }> {
  const consumer = await nats.js.consumers.get(nats.s.streams.events);
  const info = await nats.jsm.streams.info(nats.s.streams.events);
  const total = info.state.messages;
  const t0 = nowMs();
  let messages = 0;
  const iter = await consumer.consume({ max_messages: 1_024 });
  for await (const m of iter) {
    void m;
    if (++messages >= total) break;
  }
  return { messages, ms: nowMs() - t0 };
}

export const replayBench: Bench = {
  id: '4',
  title: 'replay',
  async run(ctx: BenchContext) {
    const total = ctx.quick ? 100_000 : 1_000_000;
    const nats = await startBenchNats();
    try {
      ctx.recordStores(await nats.durability());
      ctx.log(`replay: writing a log of ${total.toLocaleString('en-US')} events`);
      const writer = new EventLogWriter(nats.nc, nats.s);
      const w0 = nowMs();
      await writeSyntheticLog(writer, total, (n) => n > 0 && ctx.log(`replay: ${n.toLocaleString('en-US')} events written`));
      const writeRate = perSecond(writer.written, nowMs() - w0);

      ctx.log('replay: twokey events replay (child process)');
      const cli = ServiceProcess.spawn({
        name: 'replay-cli',
        script: CLI,
        args: ['events', 'replay', '--json', '--nats-url', nats.url, '--prefix', nats.prefix],
        env: {},
        nodeArgs: profileArgs(ctx, 'replay-cli'),
        logToFile: true,
      });
      const memory = new MemorySampler(cli, 50);
      const exit = await cli.exited;
      memory.stop();
      if (exit.code !== 0) throw new Error(`twokey events replay exited ${exit.code ?? exit.signal}:\n${cli.output}`);
      const summary = JSON.parse(cli.output.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as ReplaySummary;
      if (summary.events !== writer.written) throw new Error(`replay saw ${summary.events} events, ${writer.written} were written`);

      ctx.log('replay: raw read of the same log (baseline)');
      const raw = await rawRead(nats);
      const rawRate = perSecond(raw.messages, raw.ms);
      const rows: Row[] = [
        {
          name: `4. replay ${total.toLocaleString('en-US')} events → every read model`,
          target: '≥ 150,000 events/s',
          measured: summary.eventsPerSecond,
          baseline: rawRate,
          ratio: summary.eventsPerSecond / rawRate,
          unit: 'events/s',
          verdict: verdict(summary.eventsPerSecond >= 150_000),
          note: `baseline = raw JetStream read, no decoding (one event per commit, as the service writes them); log written beforehand at ${Math.round(writeRate).toLocaleString('en-US')} events/s; read models: ${JSON.stringify(summary.counts)}`,
        },
        {
          name: '4. replay peak memory (RSS of the CLI process)',
          target: 'reported',
          measured: memory.maxRssMiB,
          unit: 'MiB',
          verdict: 'info',
          note: `sampled every 50 ms from /proc/<pid>/status over ${(summary.ms / 1000).toFixed(1)} s`,
        },
      ];
      return rows;
    } finally {
      await nats.close();
    }
  },
};
