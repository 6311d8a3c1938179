/**
 * The LINE webhook endpoint: X-Line-Signature first (the SDK's validateSignature over the raw bytes), then JSON,
 * then each event. Answers:
 * - 401 missing or wrong signature (logged; nothing published, nothing dead-lettered: the sender is unknown);
 * - 400 signed but not JSON / not a webhook body (dead-lettered: LINE sent something we cannot read);
 * - 200 empty `events` (LINE's connectivity check) and every handled batch;
 * - 503 when the gateway cannot take the messages now (not started, buffer full), so LINE redelivers.
 * The signature header is required before the body is read, and the body is capped (L5). Replays (L1): LINE signs
 * only the body, so a captured request stays valid forever; each event's `timestamp` (ms, when the user acted) is
 * therefore checked: one more than 5 minutes off is not handed over but dead-lettered with its message id (a LINE
 * redelivery that late is kept there, not lost). Inside the window JetStream's duplicate window (longer) drops a
 * replay by its `Nats-Msg-Id`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateSignature } from '@line/bot-sdk';
import { parseJsonSafely, webhookFreshness, type WebhookRoute } from '@twokey/gateway-kit';
import { CallbackRequest } from './wire';

export interface WebhookLogger {
  warn(msg: string, fields?: unknown): void;
  error(msg: string, fields?: unknown): void;
}

export interface LineWebhookOptions {
  path: string;
  channelSecret: string;
  logger: WebhookLogger;
  /** Handles one signed batch; throws when the messages cannot be taken now (→ 503). */
  onEvents(events: unknown[], destination: string | undefined): Promise<void>;
  /** A signed body that is not a webhook, or a stale event (dead-lettered). */
  onInvalid(reason: string, details?: { platformMessageId?: string }): void;
  now?: () => Date;
}

/**
 * L5: LINE batches events into one request without a documented bound (each text at most 5,000 characters), so
 * LINE keeps the kit's 1 MiB ceiling; the signature header is still required before the body is read.
 */
export const LINE_MAX_WEBHOOK_BYTES = 1024 * 1024;

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The events whose `timestamp` is within 5 minutes of now; the others are dead-lettered as possible replays. */
function freshOnly(events: unknown[], nowMs: number, o: Pick<LineWebhookOptions, 'onInvalid' | 'logger'>): unknown[] {
  return events.filter((event) => {
    const e = event as { timestamp?: unknown; message?: { id?: unknown }; webhookEventId?: unknown };
    const freshness = webhookFreshness(typeof e.timestamp === 'number' ? e.timestamp : undefined, nowMs);
    if (freshness === 'fresh' || freshness === 'missing') return true; // missing: the normalizer refuses it with its reason
    const id = typeof e.message?.id === 'string' ? e.message.id : undefined;
    o.logger.warn('LINE event refused: its timestamp is more than 5 minutes off (replay?)', { freshness, webhookEventId: e.webhookEventId, messageId: id });
    o.onInvalid(`LINE event ${freshness}: timestamp more than 5 minutes off (possible replay), not published`, { platformMessageId: id });
    return false;
  });
}

export function lineWebhookRoute(o: LineWebhookOptions): WebhookRoute {
  return {
    method: 'POST',
    path: o.path,
    requiredHeader: 'X-Line-Signature',
    maxBodyBytes: LINE_MAX_WEBHOOK_BYTES,
    async handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer) {
      const signature = req.headers['x-line-signature'];
      if (typeof signature !== 'string' || signature === '') {
        o.logger.warn('LINE webhook without X-Line-Signature; refused', { bytes: rawBody.length });
        return answer(res, 401, { error: 'missing X-Line-Signature header' });
      }
      if (!validateSignature(rawBody, o.channelSecret, signature)) {
        o.logger.warn('LINE webhook with a wrong X-Line-Signature; refused (is LINE_CHANNEL_SECRET right?)', { bytes: rawBody.length });
        return answer(res, 401, { error: 'invalid X-Line-Signature' });
      }
      const body = parseJsonSafely(rawBody.toString('utf8'));
      if (!body.ok) {
        const reason = `LINE webhook body is not valid JSON (${body.reason})`;
        o.onInvalid(reason);
        return answer(res, 400, { error: reason });
      }
      const parsed = CallbackRequest.safeParse(body.value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const reason = `LINE webhook body is not a webhook request: ${issue?.path.join('.') || '(root)'} ${issue?.message}`;
        o.onInvalid(reason);
        return answer(res, 400, { error: reason });
      }
      if (parsed.data.events.length === 0) return answer(res, 200, {}); // connectivity check
      const events = freshOnly(parsed.data.events, (o.now ?? (() => new Date()))().getTime(), o);
      if (events.length === 0) return answer(res, 200, {});
      try {
        await o.onEvents(events, parsed.data.destination);
      } catch (e) {
        o.logger.error('LINE webhook events not accepted now; asking LINE to redeliver', { error: (e as Error).message });
        return answer(res, 503, { error: 'temporarily unavailable' });
      }
      return answer(res, 200, {});
    },
  };
}
