import type { StreamRevision } from './event-store';

/** Another writer appended to the stream first: re-read, re-decide, retry. */
export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';
  constructor(
    readonly stream: string,
    readonly expected: StreamRevision,
    readonly actualPosition?: number,
  ) {
    super(`stream ${stream}: expected last position ${expected.position} (version ${expected.version})` +
      (actualPosition !== undefined ? `, found ${actualPosition}` : ''));
  }
}

/** A stored event that cannot be read or upcast. Services fail closed on it: they never start from empty. */
export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
  constructor(
    readonly position: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`event store: the commit at position ${position} cannot be read: ${reason}`, options);
  }
}
