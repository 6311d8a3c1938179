/**
 * What a gateway does with one outbound command once its reply capability was checked: render and split to the
 * profile, send the chunks in order within the conversation's write budget, edit what an earlier send created,
 * show typing. Every path ends in an outcome for the DeliveryReport; only transient trouble throws (the consumer
 * naks and the command comes back).
 */
import type { ChatAction, DeliveryFailure, EditMessage, SendMessageV2 } from '@twokey/contracts';
import { plainChunk, renderReply, splitRendered } from '@twokey/reply-rendering';
import type { JsonLogger } from '@twokey/service-kit';
import { FormattingRejected, MessageTooLong, PermanentSendError, RateLimited } from './errors';
import type { OutboundTarget, PlatformAdapter } from './platform-adapter';
import { type SentRecord, type SentStore, textHash } from './sent-store';
import { TypingRefresher } from './typing-refresher';
import { realClock, WriteBudgets, type Clock } from './write-budget';

export type DeliveryOutcome =
  | { status: 'delivered'; platformMessageIds: string[] }
  | { status: 'failed'; failure: DeliveryFailure; reason: string; platformMessageIds: string[] };

/** 429s in a row for one write before the command is handed back for a later redelivery. */
const MAX_RATE_LIMITED_RETRIES = 5;
/** What a message no longer needed after an edit shortened the answer shows. */
const SURPLUS = '…';
const SURPLUS_HASH = textHash(SURPLUS);


export interface ReplyDeliveryOptions {
  adapter: PlatformAdapter;
  store: SentStore;
  logger: JsonLogger;
  clock?: Clock;
}

type FailedOutcome = Extract<DeliveryOutcome, { status: 'failed' }>;

const failed = (failure: DeliveryFailure, reason: string, platformMessageIds: string[] = []): FailedOutcome => ({
  status: 'failed',
  failure,
  reason,
  platformMessageIds,
});

export class ReplyDelivery {
  readonly budgets: WriteBudgets;
  private readonly clock: Clock;
  private readonly typingRefresh: TypingRefresher;

  constructor(private readonly o: ReplyDeliveryOptions) {
    this.clock = o.clock ?? realClock;
    this.budgets = new WriteBudgets(o.adapter.profile.writeBudget, this.clock);
    this.typingRefresh = new TypingRefresher((t) => o.adapter.typing?.(t), this.clock, o.logger);
  }

  private get profile() {
    return this.o.adapter.profile;
  }

  async send(cmd: SendMessageV2): Promise<DeliveryOutcome> {
    const target = { conversationId: cmd.conversationId, threadId: cmd.threadId };
    const previous = await this.o.store.get(cmd.idempotencyKey);
    if (previous && (previous.conversationId !== target.conversationId || previous.threadId !== target.threadId)) {
      return failed('invalid-command', 'this idempotency key was already used for a message in another conversation');
    }
    if (previous?.complete) return { status: 'delivered', platformMessageIds: previous.ids };
    const { chunks, formatted } = renderReply(cmd.text, cmd.format, this.profile);
    if (chunks.length > this.profile.maxChunks) {
      return failed('platform-rejected', `the answer needs ${chunks.length} messages; this platform takes at most ${this.profile.maxChunks} per reply`);
    }
    this.typingRefresh.stop(target);
    const record: SentRecord = previous ?? { ...target, ids: [], hashes: [], chunksSent: 0, complete: false };
    const per = this.o.adapter.sendBatch ? Math.max(1, this.o.adapter.chunksPerRequest ?? 1) : 1;
    // A redelivery after a crash mid-way continues after the chunks already sent.
    for (let i = record.chunksSent; i < chunks.length; i += per) {
      const group = chunks.slice(i, i + per);
      const replyTo = i === 0 ? cmd.replyToMessageId : undefined;
      const ids =
        per > 1
          ? await this.sendGroup(target, group, formatted, cmd.idempotencyKey, i, replyTo)
          : await this.sendChunk(target, group[0], formatted, `${cmd.idempotencyKey}:${i}`, replyTo);
      if (!Array.isArray(ids)) return { ...ids, platformMessageIds: [...record.ids] };
      record.ids.push(...ids);
      record.hashes.push(...ids.map((_, k) => textHash(group[Math.min(k, group.length - 1)])));
      record.chunksSent = i + group.length;
      record.complete = record.chunksSent === chunks.length;
      await this.o.store.put(cmd.idempotencyKey, record);
    }
    return { status: 'delivered', platformMessageIds: record.ids };
  }

  /** Several chunks in one request (one write of the budget, never dropped). */
  private async sendGroup(
    target: OutboundTarget,
    group: string[],
    formatted: boolean,
    idempotencyKey: string,
    first: number,
    replyToMessageId?: string,
  ): Promise<string[] | FailedOutcome> {
    await this.budgets.take(target.conversationId, false);
    let ids: string[] = [];
    const done = await this.withRetries(
      target,
      async (f) => {
        ids = await this.o.adapter.sendBatch!(
          group.map((text, k) => ({
            ...target,
            text: f ? text : plainChunk(this.profile.dialect, text),
            formatted: f,
            chunkKey: `${idempotencyKey}:${first + k}`,
            ...(k === 0 && replyToMessageId ? { replyToMessageId } : {}),
          })),
        );
      },
      formatted,
    );
    return done === true ? ids : done;
  }

  async edit(cmd: EditMessage): Promise<DeliveryOutcome> {
    const adapter = this.o.adapter;
    if (!this.profile.edits || !adapter.edit) return failed('unsupported', 'this platform cannot edit messages: send a new one');
    const record = await this.o.store.get(cmd.targetIdempotencyKey);
    if (!record || record.conversationId !== cmd.conversationId || record.threadId !== cmd.threadId) {
      return failed('unknown-target', 'no message sent under that idempotency key in this conversation');
    }
    const target = { conversationId: cmd.conversationId, threadId: cmd.threadId };
    const { chunks, formatted } = renderReply(cmd.text, cmd.format, this.profile);
    if (chunks.length > this.profile.maxChunks) {
      return failed('platform-rejected', `the answer needs ${chunks.length} messages; this platform takes at most ${this.profile.maxChunks} per reply`);
    }
    if (cmd.final) this.typingRefresh.stop(target);
    const droppable = !cmd.final;
    for (let i = 0; i < chunks.length; i++) {
      const hash = textHash(chunks[i]);
      if (i < record.ids.length) {
        if (record.hashes[i] === hash) continue; // unchanged: no write spent
        const limit = this.editLimit(record, i, cmd.final);
        if (limit) return limit;
        if (!(await this.budgets.take(cmd.conversationId, droppable))) return failed('over-budget', 'intermediate edit dropped to stay within the write budget', record.ids);
        const done = await this.withRetries(target, (f) => adapter.edit!({ ...target, messageId: record.ids[i], text: f ? chunks[i] : plainChunk(this.profile.dialect, chunks[i]), formatted: f }), formatted);
        if (done !== true) return { ...done, platformMessageIds: record.ids };
        record.hashes[i] = hash;
        this.countEdit(record, i);
      } else {
        if (droppable && this.budgets.waitMs(cmd.conversationId) > 0) return failed('over-budget', 'intermediate edit dropped to stay within the write budget', record.ids);
        const ids = await this.sendChunk(target, chunks[i], formatted, `${cmd.idempotencyKey}:${i}`);
        if (!Array.isArray(ids)) return { ...ids, platformMessageIds: record.ids };
        record.ids.push(...ids);
        record.hashes.push(...ids.map(() => hash));
      }
      await this.o.store.put(cmd.targetIdempotencyKey, record);
    }
    // The answer got shorter than the messages it had: the ones no longer needed are blanked, not left stale.
    for (let i = chunks.length; i < record.ids.length; i++) {
      if (record.hashes[i] === SURPLUS_HASH) continue;
      const limit = this.editLimit(record, i, cmd.final);
      if (limit) return limit;
      if (!(await this.budgets.take(cmd.conversationId, droppable))) return failed('over-budget', 'intermediate edit dropped to stay within the write budget', record.ids);
      const done = await this.withRetries(target, () => adapter.edit!({ ...target, messageId: record.ids[i], text: SURPLUS, formatted: false }), false);
      if (done !== true) return { ...done, platformMessageIds: record.ids };
      record.hashes[i] = SURPLUS_HASH;
      this.countEdit(record, i);
      await this.o.store.put(cmd.targetIdempotencyKey, record);
    }
    return { status: 'delivered', platformMessageIds: record.ids };
  }

  async typing(cmd: ChatAction): Promise<DeliveryOutcome> {
    const target = { conversationId: cmd.conversationId, threadId: cmd.threadId };
    if (cmd.state === 'stop') {
      this.typingRefresh.stop(target);
      return { status: 'delivered', platformMessageIds: [] };
    }
    if (this.profile.typing === 'none' || !this.o.adapter.typing) return failed('unsupported', 'this platform shows no typing indicator');
    if ((await this.o.adapter.typing(target)) === false) return failed('unsupported', 'this platform shows no typing indicator in this conversation');
    if (this.profile.typing === 'refreshed') this.typingRefresh.start(target);
    return { status: 'delivered', platformMessageIds: [] };
  }

  /**
   * Where a platform limits the edits of one message (Feishu: 20), the last is kept for the final text: an
   * intermediate edit that would use it is dropped as over budget.
   */
  private editLimit(record: SentRecord, i: number, final: boolean): FailedOutcome | undefined {
    const max = this.profile.maxEditsPerMessage;
    if (max === undefined) return undefined;
    const used = record.editCounts?.[i] ?? 0;
    if (!final && used >= max - 1) return failed('over-budget', 'intermediate edit dropped: the last edit this platform allows is kept for the final text', record.ids);
    if (final && used >= max) return failed('platform-rejected', 'the message was already edited as often as this platform allows', record.ids);
    return undefined;
  }

  private countEdit(record: SentRecord, i: number): void {
    if (this.profile.maxEditsPerMessage === undefined) return;
    record.editCounts ??= [];
    record.editCounts[i] = (record.editCounts[i] ?? 0) + 1;
  }

  /** Stops every typing refresh (gateway stop). */
  close(): void {
    this.typingRefresh.close();
  }

  /**
   * One chunk, within the budget (never dropped), with the fallbacks: markup refused → the same chunk as plain
   * text; counted too long → split in halves. Returns the ids created or a permanent failure.
   */
  private async sendChunk(
    target: OutboundTarget,
    text: string,
    formatted: boolean,
    chunkKey: string,
    replyToMessageId?: string,
  ): Promise<string[] | FailedOutcome> {
    const adapter = this.o.adapter;
    await this.budgets.take(target.conversationId, false);
    let id = '';
    const done = await this.withRetries(
      target,
      async (f) => {
        id = await adapter.send({ ...target, text: f ? text : plainChunk(this.profile.dialect, text), formatted: f, chunkKey, replyToMessageId });
      },
      formatted,
    );
    if (done === true) return [id];
    if (done.failure !== 'platform-rejected' || !done.tooLong) return done;
    const dialect = formatted ? this.profile.dialect : 'plain';
    const halves = splitRendered(dialect, [text], { maxLength: Math.max(64, Math.floor(text.length / 2)), lengthUnit: this.profile.lengthUnit });
    if (halves.length < 2) return done;
    const ids: string[] = [];
    for (let i = 0; i < halves.length; i++) {
      const part = await this.sendChunk(target, halves[i], formatted, `${chunkKey}.${i}`, i === 0 ? replyToMessageId : undefined);
      if (!Array.isArray(part)) return part;
      ids.push(...part);
    }
    return ids;
  }

  /**
   * Runs one write: a 429 waits exactly the platform's retry_after (and closes the conversation's budget as long),
   * refused markup retries as plain text. Transient errors throw (the consumer naks).
   */
  private async withRetries(
    target: OutboundTarget,
    write: (formatted: boolean) => Promise<void>,
    formatted: boolean,
  ): Promise<true | (FailedOutcome & { tooLong?: boolean })> {
    let f = formatted;
    for (let limited = 0; ; ) {
      try {
        await write(f);
        this.budgets.settle(target.conversationId);
        return true;
      } catch (e) {
        if (e instanceof RateLimited) {
          if (++limited > MAX_RATE_LIMITED_RETRIES) throw e;
          this.budgets.pause(target.conversationId, e.retryAfterMs);
          this.o.logger.info('platform rate limit; waiting its retry_after', { conversationId: target.conversationId, retryAfterMs: e.retryAfterMs });
          await this.clock.sleep(e.retryAfterMs);
          continue;
        }
        if (e instanceof FormattingRejected && f) {
          this.o.logger.warn('platform refused the formatting; sending as plain text', { conversationId: target.conversationId, error: e.message });
          f = false;
          continue;
        }
        if (e instanceof MessageTooLong) return { ...failed('platform-rejected', e.message), tooLong: true };
        if (e instanceof PermanentSendError || e instanceof FormattingRejected) return failed('platform-rejected', e.message);
        throw e;
      }
    }
  }
}
