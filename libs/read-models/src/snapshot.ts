import type { ReadModels } from './model';
import { AttentionItem, PairingRow, attentionPage, connectionsSeen, listSpaces, listUsers, pairingRow } from './queries';
import type { ActiveToken, AuthorizedSpace, AuthorizedUser, PendingObservation } from './model';

/**
 * Every read model of every connection as plain data: what `twokey events verify` compares between a rebuild
 * from the log and the live admin-api (whose GET endpoints return the same views).
 */
export interface ConnectionSnapshot {
  users: AuthorizedUser[];
  spaces: AuthorizedSpace[];
  tokens: ActiveToken[];
  observations: PendingObservation[];
  attention: AttentionItem[];
}

export interface ReadModelSnapshot {
  position: number;
  connections: Record<string, ConnectionSnapshot>;
}

export function connectionSnapshot(m: ReadModels, connection: string): ConnectionSnapshot {
  const row: PairingRow = pairingRow(m, connection);
  return {
    users: listUsers(m, connection),
    spaces: listSpaces(m, connection),
    tokens: row.tokens,
    observations: row.observations,
    attention: attentionPage(m, { connection, limit: Number.MAX_SAFE_INTEGER }).items,
  };
}

export function readModelSnapshot(m: ReadModels, connections: Iterable<string> = connectionsSeen(m)): ReadModelSnapshot {
  const out: ReadModelSnapshot = { position: m.position, connections: {} };
  for (const c of connections) out.connections[c] = connectionSnapshot(m, c);
  return out;
}

export interface SnapshotDifference {
  connection: string;
  model: keyof ConnectionSnapshot;
  id: string;
  /** Present in `expected` only, in `actual` only, or in both with different content. */
  kind: 'missing' | 'unexpected' | 'changed';
  expected?: unknown;
  actual?: unknown;
}

const KEYS: Record<keyof ConnectionSnapshot, string> = {
  users: 'id',
  spaces: 'id',
  tokens: 'tokenId',
  observations: 'observationId',
  attention: 'id',
};

const EMPTY: ConnectionSnapshot = { users: [], spaces: [], tokens: [], observations: [], attention: [] };

/** JSON with sorted keys, so property order never counts as a difference. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/** Every record that differs between two snapshots, keyed by record id (a connection absent on one side is empty). */
export function diffSnapshots(expected: ReadModelSnapshot, actual: ReadModelSnapshot): SnapshotDifference[] {
  const diffs: SnapshotDifference[] = [];
  const connections = [...new Set([...Object.keys(expected.connections), ...Object.keys(actual.connections)])].sort();
  for (const connection of connections) {
    const e = expected.connections[connection] ?? EMPTY;
    const a = actual.connections[connection] ?? EMPTY;
    for (const model of Object.keys(KEYS) as (keyof ConnectionSnapshot)[]) {
      const key = KEYS[model];
      const index = (list: readonly object[]) => new Map(list.map((r) => [String((r as Record<string, unknown>)[key]), r]));
      const ei = index(e[model]);
      const ai = index(a[model]);
      for (const [id, rec] of ei) {
        const other = ai.get(id);
        if (other === undefined) diffs.push({ connection, model, id, kind: 'missing', expected: rec });
        else if (canonical(rec) !== canonical(other)) diffs.push({ connection, model, id, kind: 'changed', expected: rec, actual: other });
      }
      for (const [id, rec] of ai) if (!ei.has(id)) diffs.push({ connection, model, id, kind: 'unexpected', actual: rec });
    }
  }
  return diffs;
}
