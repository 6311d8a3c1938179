import type { AdmittedMessage } from '@twokey/contracts';
import { permissionPromptText, rejectingChoice, ReplyComposer, ToolUpdateMode } from '@twokey/agent-rules';
import type { JsonLogger } from '@twokey/service-kit';
import type { AgentBackend, PermissionRequest, TurnSink } from '../agent/agent-backend';
import { AgentAuthRequired, AgentCrashed, AgentUnavailable } from '../agent/agent-errors';
import type { BridgeMetrics } from '../metrics';
import type { BridgeStatus } from './bridge-status';
import type { GatewayProfiles, ReplyProfile } from './gateway-profiles';
import type { Lane } from './lane';
import { Replier, ReplyTarget, replyTargetOf } from './replier';
import type { SessionStore } from './session-store';
import { NOTICES } from './notices';

export interface TurnRunnerOptions {
  backend: AgentBackend;
  replier: Replier;
  profiles: GatewayProfiles;
  store: SessionStore;
  status: BridgeStatus;
  metrics: BridgeMetrics;
  logger: JsonLogger;
  toolUpdates: ToolUpdateMode;
  editIntervalMs: number;
  permissionTimeoutMs: number;
}

/** Measurement points of a turn (benchmarks): the first chunk the agent sent, by the turn's key base. */
export interface TurnObserver {
  firstChunk(keyBase: string): void;
}

const STOP_NOTES: Record<string, string> = {
  cancelled: '(cancelled)',
  max_tokens: '(stopped: the agent reached its output limit)',
  max_turn_requests: '(stopped: the agent reached its request limit for one turn)',
  refusal: '(the agent refused to continue)',
};

/**
 * The answer of one turn as chat sees it: one message that grows by edits within the gateway's budget (when its
 * profile says it can edit), or the whole answer once at the end. Edits are serialized so they arrive in order.
 */
class GrowingAnswer {
  private sent = false;
  private edits = 0;
  private lastText = '';
  private lastAt = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private overLength = false;

  constructor(
    private readonly replier: Replier,
    private readonly target: ReplyTarget,
    private readonly key: string,
    private readonly profile: ReplyProfile,
    private readonly intervalMs: number,
    private render: () => string,
  ) {}

  changed(): void {
    if (!this.profile.edits || this.timer || this.overLength) return;
    const wait = Math.max(0, this.intervalMs - (Date.now() - this.lastAt));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.chain = this.chain.then(() => this.flush(false)).catch(() => undefined);
    }, wait);
  }

  private async flush(final: boolean): Promise<void> {
    const text = this.render();
    if (!text || (!final && text === this.lastText)) return;
    if (!final && this.profile.maxLength !== undefined && text.length > this.profile.maxLength) {
      // Past one platform message the gateway would split on every edit: wait for the final text instead.
      this.overLength = true;
      return;
    }
    this.lastAt = Date.now();
    this.lastText = text;
    if (!this.sent) {
      this.sent = true;
      await this.replier.send(this.target, this.key, text, { format: 'markdown', final });
    } else {
      await this.replier.edit(this.target, `${this.key}.e${++this.edits}`, this.key, text, { format: 'markdown', final });
    }
  }

  async finish(text: string): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    this.render = () => text;
    await this.flush(true);
  }
}

export class TurnRunner {
  observer?: TurnObserver;

  constructor(private readonly o: TurnRunnerOptions) {}

  /** Opens (or resumes) the lane's agent session; says so when a stored one could not be resumed. */
  private async ensureSession(lane: Lane, target: ReplyTarget, keyBase: string): Promise<string> {
    if (lane.sessionId && this.o.backend.isLive(lane.placement, lane.sessionId)) return lane.sessionId;
    const stored = lane.sessionId ?? (await this.o.store.session(lane.key.kvToken))?.sessionId;
    const opened = await this.o.backend.openSession(lane.placement, stored);
    this.o.status.authOk();
    lane.sessionId = opened.sessionId;
    lane.mode = opened.mode;
    lane.resumed = opened.resumed;
    if (stored && !opened.resumed) await this.o.replier.send(target, `${keyBase}.fresh`, NOTICES.freshSession);
    await this.o.store.saveSession(lane.key.kvToken, { sessionId: opened.sessionId, cwd: lane.placement.cwd, updatedAt: new Date().toISOString() });
    return opened.sessionId;
  }

  /** Runs one turn; `recorded` resolves once the turn is in the in-flight index (the prompt waits for it). */
  async run(lane: Lane, batch: AdmittedMessage[], keyBase: string, recorded: Promise<void>, onPromptSent: () => void): Promise<void> {
    const last = batch[batch.length - 1];
    const target = replyTargetOf(last);
    const running = lane.running!;
    const profile = await this.o.profiles.of(last.connection);
    if (profile.typing) await this.o.replier.typing(target, `${keyBase}.typing`, 'start');
    const composer = new ReplyComposer(this.o.toolUpdates);
    const answer = new GrowingAnswer(this.o.replier, target, `${keyBase}.answer`, profile, Math.max(this.o.editIntervalMs, profile.minEditIntervalMs ?? 0), () =>
      composer.render(),
    );
    let permissions = 0;
    let chunks = 0;
    const sink: TurnSink = {
      text: (chunk) => {
        if (chunks++ === 0) this.observer?.firstChunk(keyBase);
        composer.addText(chunk);
        answer.changed();
      },
      tool: (id, title, status) => {
        composer.toolCall(id, title, status);
        answer.changed();
      },
      permission: (request) => this.askPermission(lane, target, `${keyBase}.perm${++permissions}`, request),
    };
    let outcome = 'ok';
    try {
      const sessionId = await this.ensureSession(lane, target, keyBase);
      if (running.cancelled) throw new TurnCancelled();
      const text = batch.map((m) => m.message.text).join('\n\n');
      await recorded;
      onPromptSent();
      const result = await this.o.backend.prompt(lane.placement, sessionId, last, text, sink);
      if (result.stopReason === 'cancelled') outcome = 'cancelled';
      const note = STOP_NOTES[result.stopReason];
      const body = composer.render();
      const final = [body || (note ? '' : NOTICES.emptyAnswer), note ?? ''].filter(Boolean).join('\n\n');
      await answer.finish(final);
    } catch (e) {
      outcome = await this.fail(e, target, keyBase, answer, composer);
    } finally {
      if (profile.typing) await this.o.replier.typing(target, `${keyBase}.typing-stop`, 'stop').catch(() => undefined);
      this.o.metrics.turns.inc({ outcome });
      lane.lastActiveAt = Date.now();
    }
  }

  private async fail(e: unknown, target: ReplyTarget, keyBase: string, answer: GrowingAnswer, composer: ReplyComposer): Promise<string> {
    if (e instanceof TurnCancelled) {
      await this.o.replier.send(target, `${keyBase}.error`, NOTICES.cancelledBeforeStart);
      return 'cancelled';
    }
    const partial = composer.render();
    if (partial) await answer.finish(`${partial}\n\n${NOTICES.cutShort}`).catch(() => undefined);
    if (e instanceof AgentAuthRequired) {
      this.o.status.authRequired(e.message);
      await this.o.replier.send(target, `${keyBase}.error`, NOTICES.authRequired);
      return 'auth-required';
    }
    if (e instanceof AgentCrashed) {
      this.o.status.error('crashed', e.message);
      await this.o.replier.send(target, `${keyBase}.error`, NOTICES.crashed);
      return 'crashed';
    }
    const kind = e instanceof AgentUnavailable ? 'start-failed' : 'internal';
    this.o.status.error(kind, (e as Error).message);
    this.o.logger.error('agent turn failed', { error: (e as Error).message });
    await this.o.replier.send(target, `${keyBase}.error`, e instanceof AgentUnavailable ? NOTICES.unavailable : NOTICES.failed);
    return 'failed';
  }

  /** Posts the prompt in the conversation and waits for the turn's user; no answer in time rejects. */
  private askPermission(lane: Lane, target: ReplyTarget, key: string, request: PermissionRequest): Promise<string | undefined> {
    const running = lane.running;
    if (!running || running.cancelled) return Promise.resolve(undefined);
    return new Promise<string | undefined>((resolve) => {
      let done = false;
      const decide = (optionId: string | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (running.permission?.decide === decide) running.permission = undefined;
        this.o.status.pendingPermissions--;
        resolve(optionId);
      };
      const timer = setTimeout(() => {
        const reject = rejectingChoice(request.options);
        void this.o.replier.send(target, `${key}.timeout`, NOTICES.permissionTimedOut).catch(() => undefined);
        decide(reject?.optionId);
      }, this.o.permissionTimeoutMs);
      running.permission = { options: request.options, actorId: running.actorId, decide };
      this.o.status.pendingPermissions++;
      const text = permissionPromptText({ ...request, timeoutMinutes: Math.max(1, Math.round(this.o.permissionTimeoutMs / 60_000)) });
      this.o.replier.send(target, key, text).catch((e) => {
        // Nobody can answer a prompt that was never shown: reject rather than wait for the timeout.
        this.o.logger.error('permission prompt not published; rejecting', { error: (e as Error).message });
        decide(rejectingChoice(request.options)?.optionId);
      });
    });
  }
}

/** /cancel or /new arrived before the prompt was sent. */
class TurnCancelled extends Error {
  override readonly name = 'TurnCancelled';
}
