import type { AttentionItem, ConnectionSnapshot, ReadModelSnapshot } from '@twokey/read-models';

const POSITION_HEADER = 'x-twokey-position';

export class ApiError extends Error {
  override readonly name = 'ApiError';
}

interface Fetched<T> {
  body: T;
  position: number;
}

async function getJson<T>(api: string, token: string, path: string): Promise<Fetched<T>> {
  const res = await fetch(new URL(path, api), { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  if (!res.ok) throw new ApiError(`GET ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const position = Number(res.headers.get(POSITION_HEADER));
  if (!Number.isInteger(position)) throw new ApiError(`GET ${path} did not say which position it reflects (${POSITION_HEADER})`);
  return { body: (await res.json()) as T, position };
}

const withoutSecondsLeft = <T extends object>(r: T) => {
  const { secondsLeft: _ignored, ...rest } = r as T & { secondsLeft?: number };
  return rest as T;
};

/**
 * Reads every read model through the live admin-api's GET endpoints. Each answer says which position it
 * reflects; a set of answers that disagree (the log moved meanwhile) is fetched again, so the result is one
 * consistent state at one position.
 */
export async function fetchLiveSnapshot(api: string, token: string, attempts = 10): Promise<ReadModelSnapshot> {
  for (let attempt = 1; ; attempt++) {
    const positions = new Set<number>();
    const track = <T>(f: Fetched<T>) => (positions.add(f.position), f.body);
    const enc = encodeURIComponent;
    const { items: conns } = track(await getJson<{ items: { id: string }[] }>(api, token, '/api/v1/connections'));
    const connections: Record<string, ConnectionSnapshot> = {};
    for (const { id } of conns) {
      const base = `/api/v1/connections/${enc(id)}`;
      const users = track(await getJson<{ items: ConnectionSnapshot['users'] }>(api, token, `${base}/users`)).items;
      const spaces = track(await getJson<{ items: ConnectionSnapshot['spaces'] }>(api, token, `${base}/spaces`)).items;
      const pairing = track(await getJson<{ tokens: ConnectionSnapshot['tokens']; observations: ConnectionSnapshot['observations'] }>(api, token, `${base}/pairing`));
      const attention: AttentionItem[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: AttentionItem[]; nextCursor: string | null } = track(
          await getJson(api, token, `/api/v1/activity?section=attention&connection=${enc(id)}&limit=200${cursor ? `&cursor=${enc(cursor)}` : ''}`),
        );
        attention.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      connections[id] = {
        users,
        spaces,
        tokens: pairing.tokens.map(withoutSecondsLeft),
        observations: pairing.observations.map(withoutSecondsLeft),
        attention,
      };
    }
    if (positions.size === 1) return { position: [...positions][0], connections };
    if (attempt >= attempts) throw new ApiError(`the live read models kept moving (positions ${[...positions].join(', ')}); retry when writes are quieter`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
