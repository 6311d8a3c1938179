/**
 * Denial coalescer (rule 7), pure. One coalescer state per connection. A key is (actor, conversation without
 * thread, reason). The first denial of a key with no open window is emitted at once (count 1) and opens a
 * window; later denials in the window are held and counted; when the window ends (`flushDue`) the held ones go out
 * as one MessageDenied and a new window opens. A key that reaches `maxCount` held denials is flushed early, and the
 * service may flush every key early (`flushHeld`) when it holds too many messages. So each window yields at most one
 * MessageDenied per key, plus one per early flush, and a flood costs a bounded number of events.
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

/**
 * One open window. Mutated in place (a coalescer state is used linearly, see `withWindow`): under a flood of
 * distinct strangers every window outlives a young-generation GC, so a copy per denial was promoted garbage.
 */
interface CoalesceWindow {
  endsAtMs: number;
  readonly windowMs: number;
  readonly reason: Denial['reason'];
  /** Shown in the event: those of the newest denial of the key, kept as they were while equal. */
  actor: Denial['actor'];
  conversation: Denial['conversation'];
  space?: Denial['space'];
  held: number;
  firstHeldAtMs: number;
  lastHeldAtMs: number;
  sequences: number[];
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
    const sequences = pending ? pending.sequences : [];
    if (seq !== undefined) sequences.push(seq);
    const emit = toEvent(denial, (pending?.held ?? 0) + 1, pending?.firstHeldAtMs ?? atMs, atMs, sequences);
    if (open) reopen(open, denial, atMs);
    else withWindow(state, key, emptyWindow(denial, atMs, options.windowMs));
    return { state, emit, held: false };
  }
  show(open, denial);
  open.firstHeldAtMs = open.held === 0 ? atMs : Math.min(open.firstHeldAtMs, atMs);
  open.lastHeldAtMs = Math.max(open.lastHeldAtMs, atMs);
  open.held++;
  if (seq !== undefined) open.sequences.push(seq);
  if (open.held >= options.maxCount) {
    const emit = heldEvent(open);
    reopen(open, denial, atMs);
    return { state, emit, held: false };
  }
  return { state, held: true };
}

/**
 * Emits one MessageDenied per key whose window has ended with held denials and opens a new window for it starting
 * at `now`; keys whose window ended with nothing held are forgotten (their next denial is emitted at once).
 */
export function flushDue(state: CoalescerState, now: Date): FlushResult {
  const nowMs = now.getTime();
  const windows = state.windows as Map<string, CoalesceWindow>;
  const emits: MessageDeniedData[] = [];
  for (const [key, w] of windows) {
    if (w.endsAtMs > nowMs) continue;
    if (w.held > 0) {
      emits.push(heldEvent(w));
      reopenAt(w, nowMs);
    } else windows.delete(key);
  }
  return { state, emits };
}

/**
 * Emits everything held and keeps every window open, empty, until its usual end: the service's relief when too many
 * messages are held un-acked. A key's next denial is then held again, not emitted at once, so a flush costs at most
 * one event per key.
 */
export function flushHeld(state: CoalescerState): FlushResult {
  const emits: MessageDeniedData[] = [];
  for (const w of state.windows.values()) {
    if (w.held === 0) continue;
    emits.push(heldEvent(w));
    w.held = 0;
    w.sequences = [];
  }
  return { state, emits };
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

function emptyWindow(d: Denial, startMs: number, windowMs: number): CoalesceWindow {
  return {
    endsAtMs: startMs + windowMs,
    windowMs,
    reason: d.reason,
    actor: d.actor,
    conversation: d.conversation,
    space: d.space,
    held: 0,
    firstHeldAtMs: startMs,
    lastHeldAtMs: startMs,
    sequences: [],
  };
}

/** A new, empty window for the key of `w`, starting at `startMs` (its sequences went out in an event). */
function reopenAt(w: CoalesceWindow, startMs: number): void {
  w.endsAtMs = startMs + w.windowMs;
  w.held = 0;
  w.firstHeldAtMs = startMs;
  w.lastHeldAtMs = startMs;
  w.sequences = [];
}

function reopen(w: CoalesceWindow, d: Denial, startMs: number): void {
  show(w, d);
  reopenAt(w, startMs);
}

/**
 * The event shows the newest denial's actor, conversation and space. Objects equal to those shown are not swapped
 * in: the shown ones are old already, while the new ones (parts of a decoded message) would otherwise outlive a
 * young-generation GC and be promoted, only to die at the next denial of the key.
 */
function show(w: CoalesceWindow, d: Denial): void {
  if (!sameFields(w.actor, d.actor)) w.actor = d.actor;
  if (!sameFields(w.conversation, d.conversation)) w.conversation = d.conversation;
  if (!sameFields(w.space, d.space)) w.space = d.space;
}

/** Equal fields, compared with ===; the shown objects are flat records of strings (for-in: no key arrays per call). */
function sameFields(a: object | undefined, b: object | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let n = 0;
  for (const k in ra) {
    if (ra[k] !== rb[k]) return false;
    n++;
  }
  for (const k in rb) if (--n < 0 || !(k in ra)) return false;
  return n === 0;
}

/**
 * Updates the map in place. A coalescer state is used linearly (each result replaces the state it came from, as
 * the service and the tests do), and copying the map per denial cost O(open keys): with 10,000 strangers that was
 * most of the pairing-service's CPU in a flood (bench 5, bench/README.md). Windows are updated in place too.
 */
function withWindow(state: CoalescerState, key: string, window: CoalesceWindow): CoalescerState {
  (state.windows as Map<string, CoalesceWindow>).set(key, window);
  return state;
}

function heldEvent(w: CoalesceWindow): MessageDeniedData {
  return toEvent(w, w.held, w.firstHeldAtMs, w.lastHeldAtMs, w.sequences);
}

/** `sequences` is handed over: the event owns it (the window that held them starts a new array). */
function toEvent(
  d: Pick<Denial, 'reason' | 'actor' | 'conversation' | 'space'>,
  count: number,
  firstMs: number,
  lastMs: number,
  sequences: number[],
): MessageDeniedData {
  return {
    reason: d.reason,
    actor: d.actor,
    conversation: d.conversation,
    ...(d.space ? { space: d.space } : {}),
    count,
    firstSeenAt: new Date(firstMs).toISOString(),
    lastSeenAt: new Date(lastMs).toISOString(),
    ...(sequences.length > 0 ? { inboundSequences: sequences } : {}),
  };
}

function assertOptions(o: CoalescerOptions): void {
  if (!(o.windowMs > 0) || !Number.isFinite(o.windowMs)) throw new RangeError('coalescer windowMs must be a positive number');
  if (!Number.isInteger(o.maxCount) || o.maxCount < 1 || o.maxCount > MAX_SEQUENCES) {
    throw new RangeError(`coalescer maxCount must be an integer between 1 and ${MAX_SEQUENCES}`);
  }
}
