import type { DomainEvent, Initiator, StoredEvent } from '@twokey/contracts';
import type { AppendOptions, EventStore, ExpectedRevision } from '../event-store';
import { WrongExpectedVersion } from '../errors';

/** Helpers for the contract suite; nothing here knows an adapter. */

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const ADMIN: Initiator = { type: 'admin', id: 'admin-1', name: 'Ada' };

export const userRemoved = (userId: string): DomainEvent => ({ type: 'UserRemoved', data: { userId } });
export const tokenRevoked = (tokenId: string): DomainEvent => ({ type: 'TokenRevoked', data: { tokenId } });

export function appendOptions(expected: ExpectedRevision, extra: Partial<AppendOptions> = {}): AppendOptions {
  return { expectedVersion: expected, correlationId: 'corr-1', causationId: 'cause-1', actor: ADMIN, ...extra };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Retries `fn` until it succeeds (e.g. while a client reconnects), rethrowing the last error at the deadline. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(100);
    }
  }
}

/** Appends with the re-read-and-retry loop a command handler uses. */
export async function appendWithRetry(store: EventStore, stream: string, events: DomainEvent[]): Promise<void> {
  for (;;) {
    const { revision } = await store.readStream(stream);
    try {
      await store.append(stream, events, appendOptions(revision));
      return;
    } catch (e) {
      if (!(e instanceof WrongExpectedVersion)) throw e;
    }
  }
}

/** `commits` appends spread round-robin over `streams`, each commit of 1 or 2 events; returns what was stored. */
export async function writeCommits(store: EventStore, commits: number, streams: string[], tag = 'w'): Promise<StoredEvent[]> {
  const written: StoredEvent[] = [];
  const revisions = new Map<string, { version: number; position: number }>();
  for (let i = 0; i < commits; i++) {
    const stream = streams[i % streams.length];
    const events = i % 4 === 0 ? [userRemoved(`${tag}${i}`), tokenRevoked(`${tag}${i}`)] : [userRemoved(`${tag}${i}`)];
    const expected = revisions.get(stream) ?? (await store.readStream(stream)).revision;
    const r = await store.append(stream, events, appendOptions(expected));
    revisions.set(stream, r.revision);
    written.push(...r.events);
  }
  return written;
}

/** The stream versions of `events` restricted to `stream`, for density checks. */
export const versionsOf = (events: StoredEvent[], stream: string) =>
  events.filter((e) => e.stream === stream).map((e) => e.streamVersion);

export const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);
