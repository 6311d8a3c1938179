/**
 * The LINE webhook endpoint: X-Line-Signature first (the SDK's validateSignature over the raw bytes), then JSON,
 * then each event. Answers:
 * - 401 missing or wrong signature (logged; nothing published, nothing dead-lettered: the sender is unknown);
 * - 400 signed but not JSON / not a webhook body (dead-lettered: LINE sent something we cannot read);
 * - 200 empty `events` (LINE's connectivity check) and every handled batch;
 * - 503 when the gateway cannot take the messages now (not started, buffer full), so LINE redelivers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateSignature } from '@line/bot-sdk';
import { parseJsonSafely, type WebhookRoute } from '@twokey/gateway-kit';
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
  /** A signed body that is not a webhook (dead-lettered). */
  onInvalid(reason: string): void;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function lineWebhookRoute(o: LineWebhookOptions): WebhookRoute {
  return {
    method: 'POST',
    path: o.path,
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
      try {
        await o.onEvents(parsed.data.events, parsed.data.destination);
      } catch (e) {
        o.logger.error('LINE webhook events not accepted now; asking LINE to redeliver', { error: (e as Error).message });
        return answer(res, 503, { error: 'temporarily unavailable' });
      }
      return answer(res, 200, {});
    },
  };
}
