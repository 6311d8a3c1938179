import { parseArgs } from 'node:util';
import { diffSnapshots, readModelCounts, readModelSnapshot, SnapshotDifference } from '@twokey/read-models';
import { CliIo, UsageError } from './io';
import { fetchLiveSnapshot } from './live-snapshot';
import { findLocalStack } from './local-stack';
import { Progress } from './progress';
import { rebuild } from './rebuild';
import { maxAttentionGroupsOf } from './replay';
import { STORE_HELP, STORE_OPTIONS, openStore } from './store-connection';

export const VERIFY_HELP = `usage: twokey events verify [--api URL] [--json] [--max-attention-groups N] [--nats-url URL] [--prefix P]

Rebuilds every read model from the log up to the position the live admin-api reflects, reads the same models
through its GET endpoints, and compares them record by record. Exits 0 when they are equal, 1 (printing every
difference) when they are not.

  --api URL                  base URL of the admin-api (also --url); default: the local stack's. The admin token
                             comes from TWOKEY_ADMIN_TOKEN (or the local stack's CLI token; --token T still works
                             but lands in shell history)
  --json                     print { match, position, events, counts, differences } as JSON
  --max-attention-groups N   the admin-api's ATTENTION_MAX_GROUPS (env ATTENTION_MAX_GROUPS)
${STORE_HELP}
`;

const MAX_PRINTED = 50;

export function formatDifference(d: SnapshotDifference): string {
  const where = `${d.connection} ${d.model} ${d.id}`;
  if (d.kind === 'missing') return `- ${where}: in the rebuilt models, not in the live ones: ${JSON.stringify(d.expected)}`;
  if (d.kind === 'unexpected') return `+ ${where}: in the live models, not in the rebuilt ones: ${JSON.stringify(d.actual)}`;
  return `~ ${where}: rebuilt ${JSON.stringify(d.expected)}\n    live    ${JSON.stringify(d.actual)}`;
}

export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...STORE_OPTIONS, api: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' }, 'max-attention-groups': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    io.stdout.write(VERIFY_HELP);
    return 0;
  }
  const api = values.api ?? values.url;
  const local = api ? undefined : findLocalStack(io.env);
  if (typeof local === 'string') throw new UsageError(`--api is required: ${local}`);
  const token = values.token ?? io.env.TWOKEY_ADMIN_TOKEN ?? local?.token;
  if (!token) throw new UsageError('an admin token is required: set TWOKEY_ADMIN_TOKEN');
  const maxAttentionGroups = maxAttentionGroupsOf(values['max-attention-groups'], io);

  const live = await fetchLiveSnapshot(api ?? local!.record.adminUrl, token);
  const { store, close } = await openStore(values, io);
  try {
    const progress = new Progress(io.stderr, 'verify', live.position);
    const rebuilt = await rebuild(store, { maxAttentionGroups, upTo: live.position, onProgress: (p, n) => progress.update(p, n) });
    progress.finish();
    if (rebuilt.models.position !== live.position) {
      io.stdout.write(`the log ends at position ${rebuilt.models.position} but the admin-api reflects ${live.position}: wrong --prefix or NATS?\n`);
      return 1;
    }
    const connections = new Set([...Object.keys(live.connections), ...rebuilt.models.connections.keys()]);
    const diffs = diffSnapshots(readModelSnapshot(rebuilt.models, connections), live);
    const counts = readModelCounts(rebuilt.models);
    if (values.json) {
      io.stdout.write(JSON.stringify({ match: diffs.length === 0, position: live.position, events: rebuilt.events, counts, differences: diffs }) + '\n');
      return diffs.length === 0 ? 0 : 1;
    }
    if (diffs.length === 0) {
      io.stdout.write(
        `read models match at position ${live.position}: ${rebuilt.events} events, ${connections.size} connections, ` +
          `${counts.users} users, ${counts.spaces} spaces, ${counts.activeTokens} active tokens, ` +
          `${counts.pendingObservations} pending observations, ${counts.attentionGroups} attention groups ` +
          `(rebuilt in ${Math.round(rebuilt.ms)} ms)\n`,
      );
      return 0;
    }
    io.stdout.write(`read models DIFFER at position ${live.position}: ${diffs.length} difference(s)\n`);
    for (const d of diffs.slice(0, MAX_PRINTED)) io.stdout.write(formatDifference(d) + '\n');
    if (diffs.length > MAX_PRINTED) io.stdout.write(`… and ${diffs.length - MAX_PRINTED} more\n`);
    return 1;
  } finally {
    await close();
  }
}
