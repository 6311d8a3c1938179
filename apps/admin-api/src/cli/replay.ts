import { parseArgs } from 'node:util';
import { DEFAULT_READ_MODEL_OPTIONS, ReadModelCounts, readModelCounts } from '@twokey/read-models';
import type { CliIo } from './io';
import { UsageError } from './io';
import { Progress } from './progress';
import { rebuild } from './rebuild';
import { STORE_HELP, STORE_OPTIONS, openStore } from './store-connection';

export const REPLAY_HELP = `usage: twokey events replay [--json] [--max-attention-groups N] [--nats-url URL] [--prefix P]

Rebuilds every read model (allowlists, pairing rows, Activity → Attention) from position 0, with a progress bar
on stderr, then prints how long it took and what it rebuilt.

  --json                     print the summary as JSON
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
    options: { ...STORE_OPTIONS, json: { type: 'boolean' }, 'max-attention-groups': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    io.stdout.write(REPLAY_HELP);
    return 0;
  }
  const maxAttentionGroups = maxAttentionGroupsOf(values['max-attention-groups'], io);
  const { store, close } = await openStore(values, io);
  try {
    const head = await store.headPosition();
    const progress = new Progress(io.stderr, 'replay', head);
    const result = await rebuild(store, { maxAttentionGroups, onProgress: (p, n) => progress.update(p, n) });
    progress.finish();
    const summary: ReplaySummary = {
      events: result.events,
      ms: Math.round(result.ms),
      eventsPerSecond: Math.round(result.events / Math.max(0.001, result.ms / 1000)),
      counts: readModelCounts(result.models),
    };
    io.stdout.write(values.json ? JSON.stringify(summary) + '\n' : formatSummary(summary));
    return 0;
  } finally {
    await close();
  }
}
