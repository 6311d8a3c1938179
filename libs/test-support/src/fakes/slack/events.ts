/**
 * Slack Events API payloads in the documented shape (see fixtures/message.*.event_callback.json) and a client that
 * delivers them to a gateway's HTTP endpoint signed as Slack signs them:
 * `X-Slack-Signature: v0=hex(HMAC-SHA256(signingSecret, "v0:<timestamp>:<raw body>"))`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { postRaw } from '../http-recorder';

export interface MessageEventOptions {
  user: string;
  channel: string;
  channelType?: 'im' | 'mpim' | 'channel' | 'group';
  text: string;
  ts: string;
  teamId: string;
  threadTs?: string;
  enterpriseId?: string;
  eventId?: string;
  /** Extra fields of the inner event (subtype, bot_id, message …). */
  extra?: Record<string, unknown>;
  /** Extra envelope fields (Slack Connect: `is_ext_shared_channel`, `context_team_id`). */
  envelope?: Record<string, unknown>;
}

export function messageEventCallback(o: MessageEventOptions): Record<string, unknown> {
  return {
    token: 'one-long-verification-token',
    team_id: o.teamId,
    ...(o.enterpriseId ? { enterprise_id: o.enterpriseId } : {}),
    api_app_id: 'A0FAKE0001',
    event: {
      type: 'message',
      channel: o.channel,
      user: o.user,
      text: o.text,
      ts: o.ts,
      event_ts: o.ts,
      ...(o.channelType ? { channel_type: o.channelType } : {}),
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
      ...o.extra,
    },
    type: 'event_callback',
    authorizations: [{ enterprise_id: o.enterpriseId ?? null, team_id: o.teamId, user_id: 'U0BOT00001', is_bot: true, is_enterprise_install: false }],
    event_id: o.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Number(o.ts)),
    ...o.envelope,
  };
}

export function slackSignature(signingSecret: string, timestamp: number | string, rawBody: string): string {
  return 'v0=' + createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
}

export interface SignedRequestOptions {
  signingSecret: string;
  /** Unix seconds; default now. Older than 5 minutes is stale. */
  timestamp?: number;
  /** Override the signature (e.g. to send a wrong one). */
  signature?: string;
  retryNum?: number;
  retryReason?: string;
}

/** POSTs an Events API body to `url` the way Slack does; `body` may be a raw string (sent byte-exact). */
export function signedEventRequest(url: string, body: unknown, o: SignedRequestOptions) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': o.signature ?? slackSignature(o.signingSecret, timestamp, raw),
  };
  if (o.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(o.retryNum);
    headers['x-slack-retry-reason'] = o.retryReason ?? 'http_timeout';
  }
  return postRaw(url, raw, headers);
}
