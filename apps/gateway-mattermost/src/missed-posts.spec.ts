import { MissedPosts, OVERLAP_MS, SERVER_LIMIT } from './missed-posts';
import type { Channel, PostList } from './wire';

const dm: Channel = { id: 'dm', type: 'D', team_id: '', name: 'a__b', display_name: '' };
const town: Channel = { id: 'town', type: 'O', team_id: 'team', name: 'town-square', display_name: 'Town Square' };

const post = (id: string, channel: Channel, createAt: number, extra: Record<string, unknown> = {}) => ({
  id,
  user_id: 'alice',
  channel_id: channel.id,
  root_id: '',
  message: `post ${id}`,
  create_at: createAt,
  update_at: createAt,
  delete_at: 0,
  type: '',
  props: {},
  ...extra,
});

/** A PostList as the server answers it: newest first. */
function list(...posts: ReturnType<typeof post>[]): PostList {
  const sorted = [...posts].sort((a, b) => b.create_at - a.create_at);
  return { order: sorted.map((p) => p.id), posts: Object.fromEntries(sorted.map((p) => [p.id, p])) };
}

describe('MissedPosts', () => {
  it('has nothing to ask for before the start', () => {
    expect(new MissedPosts().since).toBeUndefined();
  });

  it('asks from the newest post seen, less the overlap, and starts at the server clock', () => {
    const m = new MissedPosts();
    m.startAt(1_000_000);
    expect(m.since).toBe(1_000_000 - OVERLAP_MS);
    m.saw('p1', 2_000_000);
    m.saw('p0', 1_500_000);
    expect(m.since).toBe(2_000_000 - OVERLAP_MS);
    m.startAt(5_000_000);
    expect(m.since).toBe(2_000_000 - OVERLAP_MS);
  });

  it('selects the unseen, undeleted posts created after since, oldest first across channels', () => {
    const m = new MissedPosts();
    m.startAt(100_000);
    m.saw('seen', 100_000);
    const since = m.since!;
    const { missed, truncated } = m.select(since, [
      {
        channel: dm,
        list: list(
          post('seen', dm, 100_000),
          post('late', dm, 140_000),
          post('edited-old', dm, since - 1, { update_at: 150_000, edit_at: 150_000 }),
          post('deleted', dm, 120_000, { delete_at: 130_000, message: '' }),
        ),
      },
      { channel: town, list: list(post('early', town, 110_000), post('same-ms-b', town, 130_000), post('same-ms-a', town, 130_000)) },
    ]);
    expect(missed.map((x) => x.post.id)).toEqual(['early', 'same-ms-a', 'same-ms-b', 'late']);
    expect(missed.find((x) => x.post.id === 'early')?.channel).toBe(town);
    expect(truncated).toEqual([]);
  });

  it('keeps the since it was asked with, even if newer posts were seen meanwhile', () => {
    const m = new MissedPosts();
    m.startAt(100_000);
    const since = m.since!;
    m.saw('live', 500_000);
    const { missed } = m.select(since, [{ channel: dm, list: list(post('gap', dm, 200_000), post('live', dm, 500_000)) }]);
    expect(missed.map((x) => x.post.id)).toEqual(['gap']);
  });

  it('skips what it cannot read, and names channels whose answer hit the server limit', () => {
    const m = new MissedPosts();
    m.startAt(0);
    const many = Array.from({ length: SERVER_LIMIT }, (_, i) => post(`p${i}`, town, 1 + i));
    const broken: PostList = { order: ['nope', 'bad'], posts: { bad: { id: 'bad' } } };
    const { missed, truncated } = m.select(m.since!, [
      { channel: town, list: list(...many) },
      { channel: dm, list: broken },
    ]);
    expect(missed).toHaveLength(SERVER_LIMIT);
    expect(truncated).toEqual(['town']);
  });

  it('forgets seen ids once they are older than the overlap before the newest', () => {
    const m = new MissedPosts();
    m.saw('old', 1_000);
    for (let i = 0; i < 2_000; i++) m.saw(`n${i}`, 1_000 + OVERLAP_MS + 10 + i);
    // 'old' is no longer remembered, but it is also before `since`, so it is not selected again.
    const { missed } = m.select(m.since!, [{ channel: dm, list: list(post('old', dm, 1_000), post('n1999', dm, 1_000 + OVERLAP_MS + 10 + 1_999)) }]);
    expect(missed).toEqual([]);
  });
});
