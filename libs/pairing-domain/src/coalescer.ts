/**
 * Denial coalescer (rule 7), pure. One coalescer state per connection. A key is (actor, conversation without
 * thread, reason). The first denial of a key with no open window is emitted at once (count 1) and opens a
 * window; later denials in the window are held and counted; when the window ends (`flushDue`) the held ones go out
 * as one MessageDenied and a new window opens. A key that reaches `maxCount` held denials is flushed early. So each
 * window yields at most one MessageDenied per key and a flood costs a bounded number of events.
 *
 * Held denials carry their TWOKEY_INBOUND sequence so the service can ack those messages only after the event that
 * counts them has been appended (`heldSequences`), and so a redelivered message is not counted twice.
 */
import type { EventDataOf } from '@twokey/contracts';
import type { Denial } from './api';

export type MessageDeniedData = EventDataOf<'MessageDenied'>;

export interface CoalescerOptions {
  /** Length of a window in ms (default 60 s). */
  windowMs: number;
  /** Held denials that force an early flush; at most 10 000 (the MessageDenied schema bound on sequences). */
  maxCount: number;
}

export const DEFAULT_COALESCER_OPTIONS: CoalescerOptions = { windowMs: 60_000, maxCount: 1_000 };
const MAX_SEQUENCES = 10_000;

interface CoalesceWindow {
  readonly endsAtMs: number;
  readonly windowMs: number;
  /** The newest denial of the key: actor, conversation and space shown in the event come from it. */
  readonly latest: Denial;
  readonly held: number;
  readonly firstHeldAtMs: number;
  readonly lastHeldAtMs: number;
  readonly sequences: readonly number[];
}

export interface CoalescerState {
  readonly windows: ReadonlyMap<string, CoalesceWindow>;
}

export interface CoalesceResult {
  readonly state: CoalescerState;
  /** A MessageDenied to append now (the service acks `emit.inboundSequences` after the append). */
  readonly emit?: MessageDeniedData;
  /** True when the denial was held for a later flush: do not ack its message yet. */
  readonly held: boolean;
}

export interface FlushResult {
  readonly state: CoalescerState;
  readonly emits: MessageDeniedData[];
}

export function emptyCoalescer(): CoalescerState {
  return { windows: new Map() };
}

/** Thread ids are left out on purpose: a flood spread over threads of one conversation is still one flood. */
export function denialKey(denial: Pick<Denial, 'actor' | 'conversation' | 'reason'>): string {
  return JSON.stringify([denial.actor.id, denial.conversation.id, denial.reason]);
}

export function coalesce(
  state: CoalescerState,
  denial: Denial,
  options: CoalescerOptions = DEFAULT_COALESCER_OPTIONS,
): CoalesceResult {
  assertOptions(options);
  const key = denialKey(denial);
  const atMs = denial.at.getTime();
  const open = state.windows.get(key);
  const seq = denial.inboundSequence;

  if (open && seq !== undefined && open.sequences.includes(seq)) {
    // A redelivery of a message already held: it is counted once, and acked with the others.
    return { state, held: true };
  }
  if (!open || atMs >= open.endsAtMs) {
    // No window, or one that ended without a flush: everything pending goes out now, and a new window opens.
    const pending = open && open.held > 0 ? open : undefined;
    const emit = toEvent(
      denial,
      (pending?.held ?? 0) + 1,
      pending?.firstHeldAtMs ?? atMs,
      atMs,
      [...(pending?.sequences ?? []), ...(seq !== undefined ? [seq] : [])],
    );
    return { state: withWindow(state, key, emptyWindow(denial, atMs, options.windowMs)), emit, held: false };
  }
  const held = open.held + 1;
  const sequences = seq !== undefined ? [...open.sequences, seq] : open.sequences;
  const firstHeldAtMs = open.held === 0 ? atMs : Math.min(open.firstHeldAtMs, atMs);
  const lastHeldAtMs = Math.max(open.lastHeldAtMs, atMs);
  if (held >= options.maxCount) {
    const emit = toEvent(denial, held, firstHeldAtMs, lastHeldAtMs, sequences);
    return { state: withWindow(state, key, emptyWindow(denial, atMs, options.windowMs)), emit, held: false };
  }
  const next: CoalesceWindow = { ...open, latest: denial, held, firstHeldAtMs, lastHeldAtMs, sequences };
  return { state: withWindow(state, key, next), held: true };
}

/**
 * Emits one MessageDenied per key whose window has ended with held denials and opens a new window for it starting
 * at `now`; keys whose window ended with nothing held are forgotten (their next denial is emitted at once).
 */
export function flushDue(state: CoalescerState, now: Date): FlushResult {
  const nowMs = now.getTime();
  const windows = new Map<string, CoalesceWindow>();
  const emits: MessageDeniedData[] = [];
  for (const [key, w] of state.windows) {
    if (w.endsAtMs > nowMs) windows.set(key, w);
    else if (w.held > 0) {
      emits.push(heldEvent(w));
      windows.set(key, emptyWindow(w.latest, nowMs, w.windowMs));
    }
  }
  return { state: { windows }, emits };
}

/** Emits everything held, whatever the windows (shutdown), and returns an empty coalescer. */
export function flushAll(state: CoalescerState): FlushResult {
  const emits = [...state.windows.values()].filter((w) => w.held > 0).map(heldEvent);
  return { state: emptyCoalescer(), emits };
}

/** Sequences of the inbound messages held and not yet counted in an emitted event. */
export function heldSequences(state: CoalescerState): number[] {
  return [...state.windows.values()].flatMap((w) => w.sequences);
}

/** When `flushDue` next has something to do, for the service's timer. */
export function nextFlushAt(state: CoalescerState): Date | undefined {
  let next: number | undefined;
  for (const w of state.windows.values()) {
    if (w.held > 0 && (next === undefined || w.endsAtMs < next)) next = w.endsAtMs;
  }
  return next === undefined ? undefined : new Date(next);
}

function emptyWindow(latest: Denial, startMs: number, windowMs: number): CoalesceWindow {
  return { endsAtMs: startMs + windowMs, windowMs, latest, held: 0, firstHeldAtMs: startMs, lastHeldAtMs: startMs, sequences: [] };
}

/**
 * Updates the map in place. A coalescer state is used linearly (each result replaces the state it came from, as
 * the service and the tests do), and copying the map per denial cost O(open keys): with 10,000 strangers that was
 * most of the pairing-service's CPU in a flood (bench 5, bench/README.md).
 */
function withWindow(state: CoalescerState, key: string, window: CoalesceWindow): CoalescerState {
  (state.windows as Map<string, CoalesceWindow>).set(key, window);
  return state;
}

function heldEvent(w: CoalesceWindow): MessageDeniedData {
  return toEvent(w.latest, w.held, w.firstHeldAtMs, w.lastHeldAtMs, w.sequences);
}

function toEvent(d: Denial, count: number, firstMs: number, lastMs: number, sequences: readonly number[]): MessageDeniedData {
  return {
    reason: d.reason,
    actor: d.actor,
    conversation: d.conversation,
    ...(d.space ? { space: d.space } : {}),
    count,
    firstSeenAt: new Date(firstMs).toISOString(),
    lastSeenAt: new Date(lastMs).toISOString(),
    ...(sequences.length > 0 ? { inboundSequences: [...sequences] } : {}),
  };
}

function assertOptions(o: CoalescerOptions): void {
  if (!(o.windowMs > 0) || !Number.isFinite(o.windowMs)) throw new RangeError('coalescer windowMs must be a positive number');
  if (!Number.isInteger(o.maxCount) || o.maxCount < 1 || o.maxCount > MAX_SEQUENCES) {
    throw new RangeError(`coalescer maxCount must be an integer between 1 and ${MAX_SEQUENCES}`);
  }
}
