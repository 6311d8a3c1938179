import { Inject, Injectable } from '@nestjs/common';
import { accessStream, activityStream, type DomainEvent, type Initiator, type StoredEvent } from '@twokey/contracts';
import { WrongExpectedVersion, type EventStore, type StreamRevision } from '@twokey/event-store';
import { decide, streamKindOf, type Command, type Decision, type DomainDeps } from '@twokey/pairing-domain';
import { PairingMetrics } from '../infra/metrics';
import { DOMAIN_DEPS, EVENT_STORE } from '../tokens';
import { AccessRegistry, type ConnectionEntry } from './access-registry';

/** Envelope fields of the events a command causes. */
export interface CommandContext {
  correlationId: string;
  causationId: string;
  actor: Initiator;
  /** Base of the de-duplication id of activity commits (append-only, no concurrency check), e.g. the inbound message id. */
  dedupeKey?: string;
  /**
   * True for a decision that must not be made on a state behind the store (e.g. a code judged invalid: another
   * replica may have issued its token a moment ago). The executor then waits until this replica's feed has reached
   * the store's head and decides once more before appending.
   */
  needsFreshState?: (decision: Decision) => boolean;
}

export type Execution =
  | { kind: 'skipped' }
  | { kind: 'decided'; decision: Decision; command: Command; position?: number; committed: StoredEvent[] };

/** Attempts of one command against WrongExpectedVersion before giving up (another writer keeps winning). */
export const MAX_CONCURRENCY_ATTEMPTS = 10;
/** Upper bound of the random pause before attempt n is n × this: replicas that collided do not collide in step again. */
const RETRY_JITTER_MS = 5;
/** How long a decision waits for the feed to reach the store's head; after that it is made on what is known. */
export const FRESH_STATE_TIMEOUT_MS = 1_000;

/**
 * Runs one command of one connection: decide on the current state, append the events, fold them in.
 *
 * Access events (tokens, observations, allowlists) go to `access-<c>` with optimistic concurrency; on
 * WrongExpectedVersion the stream is re-read, the state re-evolved and the command decided again. Activity events
 * (denials, throttles) go to `activity-<c>` append-only with a de-duplication id.
 *
 * Decisions that produce events are serialized per connection (the next decision waits until they are appended and
 * folded in); decisions without events, such as admissions, run concurrently and never wait on I/O here.
 */
@Injectable()
export class CommandExecutor {
  private readonly busy = new Map<string, Promise<void>>();
  private headCheck?: Promise<void>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DOMAIN_DEPS) private readonly deps: DomainDeps,
    private readonly registry: AccessRegistry,
    private readonly metrics: PairingMetrics,
  ) {}

  /**
   * `build` runs on the settled state right before deciding; it returns the command, or undefined to skip (for
   * example an inbound message that turns out to be decided already).
   */
  async execute(
    connection: string,
    build: (entry: ConnectionEntry) => Command | undefined,
    ctx: CommandContext,
  ): Promise<Execution> {
    let fresh = false;
    for (let attempt = 1; ; attempt++) {
      // Inline rather than `await this.settled()`: from the last check of `busy` to `hold` below must be one
      // synchronous stretch. Through an extra async call, every waiter woken by the same release passed the check
      // before the first one held, and they all decided on the same state (10,000 code guesses then got 12,000
      // PairingThrottled events and 5× the allowed attempts: abuse-brute-force.int.spec.ts).
      for (let pending = this.busy.get(connection); pending; pending = this.busy.get(connection)) await pending;
      const entry = this.registry.entry(connection);
      const command = build(entry);
      if (!command) return { kind: 'skipped' };
      const decision = decide(command, entry.state, this.deps);
      if (!decision.ok || decision.events.length === 0) return { kind: 'decided', decision, command, committed: [] };
      if (!fresh && ctx.needsFreshState?.(decision)) {
        fresh = true;
        await this.seeEverything();
        attempt--;
        continue;
      }

      const expected = entry.access;
      const release = this.hold(connection);
      try {
        const { position, committed } = await this.commit(connection, decision.events, expected, { ...ctx, occurredAt: command.now });
        return { kind: 'decided', decision, command, position, committed };
      } catch (e) {
        if (!(e instanceof WrongExpectedVersion) || attempt >= MAX_CONCURRENCY_ATTEMPTS) throw e;
        await this.catchUp(connection);
      } finally {
        release();
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * RETRY_JITTER_MS * attempt));
    }
  }

  /**
   * The synchronous fast path: when nothing of `connection` is being appended and the decision needs no event (an
   * admission, a coalesced denial, a skip), returns it at once; otherwise undefined, and the caller uses `execute`.
   * Deciding without an await lets a whole pulled batch reach its publishes in one tick (one socket write).
   */
  decideIfIdle(connection: string, build: (entry: ConnectionEntry) => Command | undefined): Execution | undefined {
    if (this.busy.has(connection)) return undefined;
    const entry = this.registry.entry(connection);
    const command = build(entry);
    if (!command) return { kind: 'skipped' };
    const decision = decide(command, entry.state, this.deps);
    if (decision.ok && decision.events.length > 0) return undefined;
    return { kind: 'decided', decision, command, committed: [] };
  }

  /** Waits until the feed has delivered every commit the store held when asked; concurrent callers share one check. */
  private seeEverything(): Promise<void> {
    this.headCheck ??= (async () => {
      try {
        await this.registry.reached(await this.store.headPosition(), FRESH_STATE_TIMEOUT_MS);
      } finally {
        this.headCheck = undefined;
      }
    })();
    return this.headCheck;
  }

  private hold(connection: string): () => void {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.busy.set(connection, done);
    return () => {
      this.busy.delete(connection);
      release();
    };
  }

  private async commit(
    connection: string,
    events: DomainEvent[],
    expected: StreamRevision,
    ctx: CommandContext & { occurredAt: Date },
  ): Promise<{ position: number; committed: StoredEvent[] }> {
    const access = events.filter((e) => streamKindOf(e.type) === 'access');
    const activity = events.filter((e) => streamKindOf(e.type) === 'activity');
    const base = { correlationId: ctx.correlationId, causationId: ctx.causationId, actor: ctx.actor, occurredAt: ctx.occurredAt };
    const committed: StoredEvent[] = [];
    let position = 0;
    if (access.length > 0) {
      const timer = this.metrics.appendSeconds.startTimer({ stream_kind: 'access' });
      const result = await this.store.append(accessStream(connection), access, { ...base, expectedVersion: expected });
      timer();
      this.registry.applyCommit(result.events);
      committed.push(...result.events);
      position = result.position;
    }
    if (activity.length > 0) {
      const dedupeId = ctx.dedupeKey && `${ctx.dedupeKey}:${activity.map((e) => e.type).join('+')}`;
      const timer = this.metrics.appendSeconds.startTimer({ stream_kind: 'activity' });
      const result = await this.store.append(activityStream(connection), activity, {
        ...base,
        expectedVersion: 'any',
        ...(dedupeId ? { dedupeId } : {}),
      });
      timer();
      this.registry.applyCommit(result.events);
      committed.push(...result.events);
      position = result.position;
    }
    return { position, committed };
  }

  /** Another writer won: fold in what it appended to `access-<c>` (commit by commit) before deciding again. */
  private async catchUp(connection: string): Promise<void> {
    const { events } = await this.store.readStream(accessStream(connection));
    const known = this.registry.entry(connection).access.version;
    const commits = new Map<number, StoredEvent[]>();
    for (const event of events) {
      if (event.streamVersion <= known) continue;
      const commit = commits.get(event.position) ?? [];
      commit.push(event);
      commits.set(event.position, commit);
    }
    for (const commit of [...commits.values()].sort((a, b) => a[0].position - b[0].position)) this.registry.applyCommit(commit);
  }
}
