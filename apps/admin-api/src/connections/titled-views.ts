import type { Conversation, Space } from '@twokey/contracts';
import type { SpaceTitles } from './space-titles';

/** Spaces (of an allowlist or an observation) with the titles their events lack, asked of the gateway; copies, never the read model's objects. */
export async function withSpaceTitles<T extends { id: string; title?: string }>(titles: SpaceTitles, connection: string, spaces: readonly T[]): Promise<T[]> {
  const found = await titles.titles(connection, spaces.filter((s) => s.title === undefined).map((s) => s.id));
  return spaces.map((s) => (s.title === undefined && found.has(s.id) ? { ...s, title: found.get(s.id) } : s));
}

/** Observations whose space has no title get it (and so does their conversation when it is the space itself, a LINE or Feishu group). */
export async function observationsWithTitles<T extends { space?: Space; conversation: Conversation }>(titles: SpaceTitles, connection: string, observations: readonly T[]): Promise<T[]> {
  const untitled = observations.flatMap((o) => (o.space && o.space.title === undefined ? [o.space.id] : []));
  const found = await titles.titles(connection, untitled);
  return observations.map((o) => {
    const title = o.space && o.space.title === undefined ? found.get(o.space.id) : undefined;
    if (!o.space || title === undefined) return o;
    const conversation = o.conversation.id === o.space.id && o.conversation.title === undefined ? { ...o.conversation, title } : o.conversation;
    return { ...o, space: { ...o.space, title }, conversation };
  });
}

/** Attention groups (of any connection) with the space titles their denials lacked. */
export async function attentionWithTitles<T extends { connection: string; spaceId?: string; spaceTitle?: string }>(titles: SpaceTitles, items: readonly T[]): Promise<T[]> {
  const answers = await Promise.all(items.map((i) => (i.spaceId !== undefined && i.spaceTitle === undefined ? titles.title(i.connection, i.spaceId) : undefined)));
  return items.map((i, n) => (answers[n] !== undefined ? { ...i, spaceTitle: answers[n] } : i));
}
