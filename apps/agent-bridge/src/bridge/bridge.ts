import type { AdmittedMessage, AgentStatus } from '@twokey/contracts';
import {
  Approver,
  Binding,
  ChatCommand,
  chatCommandOf,
  isAddressed,
  isStale,
  mayDecide,
  permissionAnswerOf,
  placementOf,
  SessionScope,
  sessionKeyOf,
  splitCommandLine,
} from '@twokey/agent-rules';
import type { JsonLogger } from '@twokey/service-kit';
import type { AgentBackend } from '../agent/agent-backend';
import type { BridgeMetrics } from '../metrics';
import type { BridgeStatus } from './bridge-status';
import type { Delivery } from './delivery';
import { Lane, Queued } from './lane';
import { NOTICES } from './notices';
import { Replier, ReplyTarget, replyTargetOf } from './replier';
import { messageToken, SessionStore } from './session-store';
import { TurnRunner } from './turn-runner';

export interface BridgeOptions {
  backend: AgentBackend;
  replier: Replier;
  store: SessionStore;
  runner: TurnRunner;
  status: BridgeStatus;
  metrics: BridgeMetrics;
  logger: JsonLogger;
  scope: SessionScope;
  workdir: string;
  defaultCommand: string[];
  bindings: Binding[];
  approvers: Approver[];
  maxAgeMs: number;
  sessionIdleMs: number;
  /** Keep-alive period of queued deliveries: well under the consumer's ack wait. */
  keepAliveMs: number;
  now?: () => number;
}

/**
 * Turns admitted messages into agent turns, one lane per session key: commands and permission answers are handled
 * at once, prompts queue behind the running turn of their lane. A message is acked once its turn is recorded as
 * started (or it was consumed), so the stream never runs it twice.
 */
export class Bridge {
  private readonly lanes = new Map<string, Lane>();
  private readonly idleTimer: NodeJS.Timeout;
  private stopped = false;
  /** Called when a prompt is handed to the agent, with its (last) message and the ms since the bridge received it. */
  onPromptSent?: (m: AdmittedMessage, overheadMs: number) => void;

  constructor(private readonly o: BridgeOptions) {
    this.idleTimer = setInterval(() => void this.closeIdle(), Math.min(60_000, o.sessionIdleMs)).unref();
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** Tells the users of turns a crashed bridge left running that they were interrupted (never run again). */
  async recoverInterrupted(): Promise<void> {
    for (const turn of await this.o.store.takeInterrupted()) {
      let told = false;
      for (const token of turn.tokens) {
        if ((await this.o.store.turnState(token)) !== 'started') continue;
        await this.o.store.setTurn(token, 'interrupted');
        this.o.metrics.interrupted.inc();
        if (!told) {
          told = true;
          await this.o.replier.send(turn.target as ReplyTarget, `agent.${token}.interrupted`, NOTICES.interrupted);
        }
      }
    }
  }

  /**
   * Takes one delivery. Messages of one session are handled in order; sessions do not wait for each other (the
   * consumer does not await this), so one slow KV round trip never delays another chat.
   */
  handle(m: AdmittedMessage, d: Delivery): Promise<void> {
    const receivedAt = performance.now();
    const key = sessionKeyOf(m, this.o.scope);
    const previous = this.intake.get(key.kvToken) ?? Promise.resolve();
    const next = previous.then(() => this.take(m, d, key, receivedAt));
    const settled = next.catch(() => undefined);
    this.intake.set(key.kvToken, settled);
    void settled.then(() => this.intake.get(key.kvToken) === settled && this.intake.delete(key.kvToken));
    return next;
  }

  private readonly intake = new Map<string, Promise<void>>();

  private async take(m: AdmittedMessage, d: Delivery, key: ReturnType<typeof sessionKeyOf>, receivedAt: number): Promise<void> {
    const token = messageToken(m.connection, m.message.platformMessageId);
    const prior = await this.o.store.turnState(token);
    if (prior) return this.seenBefore(m, d, token, prior);

    const lane = this.lane(m, key);
    const text = m.message.text;
    const command = chatCommandOf(text);
    const pending = lane.running?.permission;
    const answer = pending ? permissionAnswerOf(text, pending.options) : undefined;
    const who = { connection: m.connection, actorId: m.message.actor.id };
    if (!isAddressed(m.message, { answersPendingPrompt: answer !== undefined, isCommand: command !== undefined })) {
      this.o.metrics.ignored.inc({ reason: 'not-addressed' });
      return d.ack();
    }
    if (d.deliveryCount === 1 && isStale(m.admittedAt, this.now(), this.o.maxAgeMs)) return this.stale(m, d, token, lane);

    if (answer && pending) {
      await this.o.store.claimTurn(token, 'consumed');
      d.ack();
      if (mayDecide(who, pending.actorId, this.o.approvers)) pending.decide(answer.optionId);
      else {
        // Never reaches the agent, and nothing is said: the bystander's message is simply not an answer.
        this.o.metrics.ignored.inc({ reason: 'not-allowed' });
        this.o.logger.info('permission answer from someone else ignored', { connection: m.connection, actor: m.message.actor.id, session: key.label });
      }
      return;
    }
    if (command) {
      await this.o.store.claimTurn(token, 'consumed');
      d.ack();
      return this.command(command, lane, m, token);
    }
    if (!text.trim()) {
      this.o.metrics.ignored.inc({ reason: 'empty' });
      return d.ack();
    }
    lane.staleNotified = false;
    const queued: Queued = { m, d, token, receivedAt, keepAlive: setInterval(() => d.working(), this.o.keepAliveMs) };
    lane.queue.push(queued);
    this.gauges();
    void this.pump(lane);
  }

  private async seenBefore(m: AdmittedMessage, d: Delivery, token: string, prior: string): Promise<void> {
    if (prior === 'started') {
      // The bridge stopped mid-turn before it could ack: tell the user instead of running the prompt again.
      await this.o.store.setTurn(token, 'interrupted');
      this.o.metrics.interrupted.inc();
      await this.o.replier.send(replyTargetOf(m), `agent.${token}.interrupted`, NOTICES.interrupted);
    }
    d.ack();
  }

  private async stale(m: AdmittedMessage, d: Delivery, token: string, lane: Lane): Promise<void> {
    await this.o.store.claimTurn(token, 'stale');
    this.o.metrics.stale.inc();
    this.o.status.staleSkipped++;
    if (!lane.staleNotified) {
      lane.staleNotified = true;
      await this.o.replier.send(replyTargetOf(m), `agent.${token}.stale`, NOTICES.stale);
    }
    d.ack();
  }

  private lane(m: AdmittedMessage, key: ReturnType<typeof sessionKeyOf>): Lane {
    let lane = this.lanes.get(key.kvToken);
    if (!lane) {
      const placement = placementOf(this.o.bindings, { connection: m.connection, conversationId: m.message.conversation.id, spaceId: m.message.space?.id }, this.o.workdir);
      const command = placement.command ? splitCommandLine(placement.command) : this.o.defaultCommand;
      lane = new Lane(key, { cwd: placement.cwd, command });
      this.lanes.set(key.kvToken, lane);
    }
    return lane;
  }

  /** Starts the next turn of the lane: consecutive queued prompts of one actor become one prompt. */
  private async pump(lane: Lane): Promise<void> {
    if (lane.running || lane.queue.length === 0 || this.stopped) return;
    const actorId = lane.queue[0].m.message.actor.id;
    let n = 1;
    while (n < lane.queue.length && lane.queue[n].m.message.actor.id === actorId) n++;
    const batch = lane.queue.splice(0, n);
    lane.running = { actorId, tokens: batch.map((q) => q.token), cancelled: false };
    this.gauges();
    const claimed: Queued[] = [];
    try {
      for (const q of batch) {
        clearInterval(q.keepAlive);
        if (await this.o.store.claimTurn(q.token)) claimed.push(q);
        else q.d.ack();
      }
    } catch (e) {
      // The turn could not be recorded: it must not run. Redelivery retries (bounded by max_deliver).
      this.o.logger.error('could not record the turn as started; will retry', { error: (e as Error).message });
      for (const q of batch) if (!claimed.includes(q)) q.d.nak(1_000);
      for (const q of claimed) await this.o.store.setTurn(q.token, 'interrupted').catch(() => undefined);
      lane.running = undefined;
      this.gauges();
      return;
    }
    for (const q of claimed) q.d.ack();
    if (claimed.length === 0) {
      lane.running = undefined;
      return void this.pump(lane);
    }
    const tokens = claimed.map((q) => q.token);
    lane.running.tokens = tokens;
    const first = claimed[0];
    // Recorded while the session opens; awaited before the prompt goes out, so a crash after it is always told.
    const tracked = this.o.store.trackInflight(first.token, { tokens, target: replyTargetOf(claimed[claimed.length - 1].m) }).catch(() => undefined);
    try {
      await this.o.runner.run(lane, claimed.map((q) => q.m), `agent.${first.token}`, tracked, () => {
        const overhead = performance.now() - first.receivedAt;
        this.o.metrics.promptOverhead.observe(overhead / 1000);
        this.onPromptSent?.(claimed[claimed.length - 1].m, overhead);
      });
    } finally {
      for (const t of tokens) await this.o.store.setTurn(t, 'done').catch(() => undefined);
      await this.o.store.trackInflight(first.token, undefined).catch(() => undefined);
      lane.running = undefined;
      this.gauges();
      void this.pump(lane);
    }
  }

  private async command(command: ChatCommand, lane: Lane, m: AdmittedMessage, token: string): Promise<void> {
    const target = replyTargetOf(m);
    const key = `agent.${token}.reply`;
    const who = { connection: m.connection, actorId: m.message.actor.id };
    if (command === 'status') return this.o.replier.send(target, key, this.statusText(lane));
    if (command === 'cancel') {
      if (!lane.running) return this.o.replier.send(target, key, NOTICES.nothingToCancel);
      if (!mayDecide(who, lane.running.actorId, this.o.approvers)) return this.o.replier.send(target, key, NOTICES.notAllowedToCancel);
      await this.cancel(lane);
      return this.o.replier.send(target, key, NOTICES.cancelling);
    }
    // /new: end the running turn (when allowed), forget the session; the next prompt opens a fresh one.
    if (lane.running) {
      if (!mayDecide(who, lane.running.actorId, this.o.approvers)) return this.o.replier.send(target, key, NOTICES.notAllowedToCancel);
      await this.cancel(lane);
    }
    const old = lane.sessionId;
    lane.sessionId = undefined;
    lane.resumed = false;
    await this.o.store.forgetSession(lane.key.kvToken);
    if (old) await this.o.backend.closeSession(lane.placement, old).catch(() => undefined);
    return this.o.replier.send(target, key, NOTICES.newSession);
  }

  private async cancel(lane: Lane): Promise<void> {
    const running = lane.running;
    if (!running) return;
    running.cancelled = true;
    running.permission?.decide(undefined);
    if (lane.sessionId) await this.o.backend.cancel(lane.placement, lane.sessionId).catch(() => undefined);
  }

  private statusText(lane: Lane): string {
    const info = this.o.backend.info();
    const agent = info ? `${info.title ?? info.name}${info.version ? ` ${info.version}` : ''} (${info.name})` : this.o.backend.mode === 'webhook' ? 'webhook' : 'not started yet';
    return [
      `Agent: ${agent}`,
      `Session: ${lane.sessionId ?? 'none yet (the next message opens one)'}${lane.resumed ? ' (resumed)' : ''}`,
      `Working directory: ${lane.placement.cwd}`,
      `Mode: ${lane.mode ?? 'unknown'}`,
      `Turn: ${lane.running ? 'running' : 'idle'}; queued: ${lane.queue.length}`,
    ].join('\n');
  }

  private async closeIdle(): Promise<void> {
    const cutoff = Date.now() - this.o.sessionIdleMs;
    for (const [k, lane] of this.lanes) {
      if (lane.running || lane.queue.length || lane.lastActiveAt > cutoff) continue;
      this.lanes.delete(k);
      if (lane.sessionId) await this.o.backend.closeSession(lane.placement, lane.sessionId).catch(() => undefined);
    }
    this.gauges();
  }

  private gauges(): void {
    const s = this.snapshot();
    this.o.metrics.sessions.set(s.sessions);
    this.o.metrics.runningTurns.set(s.runningTurns);
    this.o.metrics.queueDepth.set(s.queueDepth);
  }

  snapshot(): Pick<AgentStatus, 'sessions' | 'runningTurns' | 'queueDepth'> {
    let runningTurns = 0;
    let queueDepth = 0;
    let sessions = 0;
    for (const lane of this.lanes.values()) {
      if (lane.running) runningTurns++;
      if (lane.sessionId) sessions++;
      queueDepth += lane.queue.length;
    }
    return { sessions, runningTurns, queueDepth };
  }

  /** Stops taking turns; queued deliveries are left to redelivery (they never started). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.idleTimer);
    for (const lane of this.lanes.values()) {
      for (const q of lane.queue) {
        clearInterval(q.keepAlive);
        q.d.nak();
      }
      lane.queue = [];
      await this.cancel(lane);
    }
  }
}
