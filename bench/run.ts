/**
 * `npm run bench` entry (after tools/scripts/bench.mjs has built dist/): runs the benchmarks in order, prints one
 * table with each target, the measured value, the same-run baseline and the ratio, and writes
 * reports/bench/results.json. A missed target is a result, not a failure: the exit code is non-zero only when a
 * benchmark crashed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Bench, type BenchContext, crashRow } from './lib/bench';
import { describeMachine, DURABILITY } from './lib/machine';
import { REPORT_DIR } from './lib/processes';
import { type Report, renderHeader, renderNotes, renderTable, type Row, type StoreDurability } from './lib/table';
import { eventStoreBench } from './event-store.bench';
import { floodBench } from './flood.bench';
import { latencyBench } from './latency.bench';
import { pipelineBench } from './pipeline.bench';
import { replayBench } from './replay.bench';
import { repliesBench } from './replies.bench';
import { startupBench } from './startup.bench';
import { agentBench } from './agent.bench';

const BENCHES: Bench[] = [pipelineBench, latencyBench, eventStoreBench, replayBench, floodBench, startupBench, repliesBench, agentBench];

export const HELP = `usage: npm run bench -- [--quick] [--only 1,3] [--profile]

Builds dist/, then runs the benchmarks (each starts its own nats-server and runs the services as child processes)
and prints one table: target, measured value, same-run baseline, ratio, pass/miss.

  --quick     smaller loads, under 2 minutes in all
  --only L    run only the listed benchmarks (${BENCHES.map((b) => `${b.id} ${b.title}`).join(', ')})
  --profile   run the services under node --cpu-prof (profiles in reports/bench/profiles)
  --help      this text

Exit code: 0 when every benchmark ran (a missed target is reported, not failed), 1 when one crashed.
Results: reports/bench/results.json; service logs: reports/bench/*.log.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, only: { type: 'string' }, profile: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const only = values.only?.split(',').map((s) => s.trim());
  const selected = BENCHES.filter((b) => !only || only.includes(b.id));
  const started = Date.now();
  let stores: StoreDurability[] = [];
  const ctx: BenchContext = {
    quick: values.quick ?? false,
    profile: values.profile ?? false,
    log: (m) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}\n`),
    recordStores: (s) => {
      if (!stores.length) stores = s;
    },
  };
  const machine = describeMachine();
  const rows: Row[] = [];
  for (const bench of selected) {
    try {
      rows.push(...(await bench.run(ctx)));
    } catch (e) {
      ctx.log(`bench ${bench.id} crashed: ${(e as Error).stack ?? String(e)}`);
      rows.push(crashRow(bench, e));
    }
  }
  const report: Report = {
    startedAt: new Date(started).toISOString(),
    mode: ctx.quick ? 'quick' : 'full',
    machine,
    durability: DURABILITY,
    stores,
    rows,
    seconds: Math.round((Date.now() - started) / 1000),
    loadAtEnd: Math.round(os.loadavg()[0] * 100) / 100,
  };
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(path.join(REPORT_DIR, `results-${report.mode}.json`), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(['', renderHeader(report), '', renderTable(rows), '', renderNotes(rows), `\n(${report.seconds} s)`, ''].join('\n'));
  return rows.some((r) => r.verdict === 'crash') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
