import { setTimeout as sleep } from 'node:timers/promises';
import type { components } from '../api/openapi';
import { CliError, EXIT } from '../exit-codes';
import type { CliIo } from '../io';
import { CommonOptions, context, table } from './context';

type Item = components['schemas']['AttentionItemView'];
const row = (a: Item) => [a.lastSeen, a.connection, a.reason, String(a.count), `${a.displayName} (${a.actorId})`, `${a.conversationKind} ${a.conversationId}`];
const HEADER = ['LAST SEEN', 'CONNECTION', 'REASON', 'COUNT', 'WHO', 'WHERE'];

/**
 * `twokey activity`: Activity → Attention (denial groups), newest first. `--follow` then polls and prints every
 * group that is new or grew (one JSON object a line with --json), until interrupted or `signal` aborts.
 */
export async function activityCommand(options: CommonOptions & { follow?: boolean; limit?: string; interval?: string }, io: CliIo, signal?: AbortSignal): Promise<number> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new CliError(EXIT.usage, '--limit must be an integer from 1 to 200');
  const intervalMs = options.interval === undefined ? 2000 : Number(options.interval) * 1000;
  if (!(intervalMs >= 100)) throw new CliError(EXIT.usage, '--interval must be at least 0.1 (seconds)');
  const ctx = await context(options, io);
  const page = async () => (await ctx.api.request('get', '/api/v1/activity', { query: { connection: options.connection, limit } })).body;
  const first = await page();
  if (!options.follow) {
    ctx.output(first, () => (first.items.length ? table([HEADER, ...first.items.map(row)]) : ['nothing needs attention']));
    return 0;
  }
  const seen = new Map<string, string>();
  const emit = (items: Item[]) => {
    for (const a of [...items].reverse()) {
      const version = `${a.count}@${a.lastSeen}`;
      if (seen.get(a.id) === version) continue;
      seen.set(a.id, version);
      ctx.print(options.json ? JSON.stringify(a) : row(a).join('  '));
    }
  };
  if (!options.json) ctx.print(HEADER.join('  '));
  emit(first.items);
  while (!signal?.aborted) {
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
    if (signal?.aborted) break;
    emit((await page()).items);
  }
  return 0;
}
