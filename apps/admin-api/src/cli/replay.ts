import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_READ_MODEL_OPTIONS, ReadModelCounts, readModelCounts } from '@twokey/read-models';
import type { CliIo } from './io';
import { UsageError } from './io';
import { Progress } from './progress';
import { rebuildOnWorkers, ReplayWorkers, workerThreadsAvailable } from './parallel-rebuild';
import { rebuild } from './rebuild';
import { STORE_HELP, STORE_OPTIONS, openStore } from './store-connection';

const DEFAULT_WORKERS = 4;

export const REPLAY_HELP = `usage: twokey events replay [--json] [--workers N] [--max-attention-groups N] [--nats-url URL] [--prefix P]

Rebuilds every read model (allowlists, pairing rows, Activity → Attention) from position 0, with a progress bar
on stderr, then prints how long it took and what it rebuilt.

  --json                     print the summary as JSON
  --workers N                decode and fold on worker threads, one per connection, at most N (default ${DEFAULT_WORKERS});
                             0 = all in this thread
  --max-attention-groups N   Attention retention per connection (env ATTENTION_MAX_GROUPS, default ${DEFAULT_READ_MODEL_OPTIONS.maxAttentionGroups});
                             use the admin-api's value to rebuild the same state
${STORE_HELP}
`;

export interface ReplaySummary {
  events: number;
  ms: number;
  eventsPerSecond: number;
  counts: ReadModelCounts;
}

export function maxAttentionGroupsOf(flag: string | undefined, io: CliIo): number {
  const raw = flag ?? io.env.ATTENTION_MAX_GROUPS;
  if (raw === undefined) return DEFAULT_READ_MODEL_OPTIONS.maxAttentionGroups;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--max-attention-groups must be a positive integer');
  return n;
}

function workersOf(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_WORKERS;
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError('--workers must be an integer from 0 to 64');
  return n;
}

const LABELS: [keyof ReadModelCounts, string][] = [
  ['connections', 'connections'],
  ['users', 'authorized users'],
  ['spaces', 'allowlisted spaces'],
  ['activeTokens', 'active pairing tokens'],
  ['pendingObservations', 'observations awaiting approval'],
  ['attentionGroups', 'attention (denial groups)'],
  ['deniedMessages', 'denied messages counted'],
];

export function formatSummary(s: ReplaySummary): string {
  const lines = [
    `replayed ${s.events} events up to position ${s.counts.position} in ${(s.ms / 1000).toFixed(2)} s (${s.eventsPerSecond} events/s)`,
    'read models:',
    ...LABELS.map(([k, label]) => `  ${label.padEnd(32)} ${s.counts[k]}`),
  ];
  return lines.join('\n') + '\n';
}

export async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...STORE_OPTIONS,
      json: { type: 'boolean' },
      workers: { type: 'string' },
      'max-attention-groups': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    io.stdout.write(REPLAY_HELP);
    return 0;
  }
  const maxAttentionGroups = maxAttentionGroupsOf(values['max-attention-groups'], io);
  const workers = workersOf(values.workers);
  // Started before connecting, so their start-up overlaps it (see ReplayWorkers).
  const pool = workers > 0 && workerThreadsAvailable() ? new ReplayWorkers(workers, { maxAttentionGroups }, availableParallelism()) : undefined;
  const { store, close } = await openStore(values, io).catch(async (e: unknown) => {
    await pool?.terminate();
    throw e;
  });
  try {
    const head = await store.headPosition();
    const progress = new Progress(io.stderr, 'replay', head);
    const onProgress = (p: number, n: number) => progress.update(p, n);
    const result =
      pool
        ? await rebuildOnWorkers(store, pool, { onProgress })
        : await rebuild(store, { maxAttentionGroups, onProgress }).then((r) => ({ ...r, counts: readModelCounts(r.models) }));
    progress.finish();
    const summary: ReplaySummary = {
      events: result.events,
      ms: Math.round(result.ms),
      eventsPerSecond: Math.round(result.events / Math.max(0.001, result.ms / 1000)),
      counts: result.counts,
    };
    io.stdout.write(values.json ? JSON.stringify(summary) + '\n' : formatSummary(summary));
    return 0;
  } finally {
    await pool?.terminate();
    await close();
  }
}
