/**
 * The Feishu / Lark HTTP event callback (event subscription v2), mounted as a WebhookRoute. The SDK's
 * EventDispatcher decrypts and dispatches; around it we do what the SDK leaves to the app:
 *
 * 1. JSON body (else 400).
 * 2. With an Encrypt Key: X-Lark-Signature over the body (see signature.ts) — wrong → 401. Only a
 *    `url_verification` may come unsigned (the console's request-URL check), and it must decrypt with the key.
 *    A signed request whose X-Lark-Request-Timestamp is more than 5 minutes off, or whose nonce was already seen
 *    within the window, is a replay → 401 (M5). Without an Encrypt Key (only with FEISHU_ALLOW_UNSIGNED=true)
 *    nothing proves who sent a callback: the Verification Token is the only check, and it travels in the body.
 * 3. Encrypted body → decrypted with the SDK's AESCipher; undecryptable, or encrypted while no key is configured →
 *    400 with the reason.
 * 4. `url_verification` → the challenge is answered (the SDK's generateChallenge, i.e. autoChallenge) once its token
 *    matches the Verification Token.
 * 5. The Verification Token in `header.token` (v2) / `token` (v1) must match — the SDK does not check it for
 *    events — else 401.
 * 6. An event id (`header.event_id`, v1 `uuid`) handled within the replay window is acknowledged and not handed
 *    over again (M5); the platform's own retries of an event we answered 503 are handled normally.
 * 7. dispatcher.invoke → our handler; a handler failure (gateway cannot take the message now) → 503 so the
 *    platform pushes the event again.
 *
 * Refusals are logged; a signed body we cannot read is also dead-lettered (`onInvalid`). Nothing unauthenticated is
 * dead-lettered (the sender is unknown).
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { parseJsonSafely, ReplayWindow, webhookFreshness, type WebhookRoute } from '@twokey/gateway-kit';
import { verifyLarkSignature } from './signature';

export interface CallbackLogger {
  warn(msg: string, fields?: unknown): void;
  error(msg: string, fields?: unknown): void;
}

export interface FeishuCallbackOptions {
  path: string;
  dispatcher: lark.EventDispatcher;
  verificationToken: string;
  encryptKey?: string;
  logger: CallbackLogger;
  onInvalid(reason: string): void;
  now?: () => Date;
}

/**
 * L5: the largest callback Feishu sends. A text message is at most 150 KB of content, JSON-escaped inside the event
 * and base64-encoded once encrypted (×4/3): 512 KiB holds it with room. An unsigned request can only be the
 * `url_verification` challenge, a few hundred bytes.
 */
export const FEISHU_MAX_BODY_BYTES = 512 * 1024;
export const FEISHU_UNSIGNED_MAX_BODY_BYTES = 4 * 1024;

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function feishuCallbackRoute(o: FeishuCallbackOptions): WebhookRoute {
  const now = o.now ?? (() => new Date());
  const nonces = new ReplayWindow();
  const eventIds = new ReplayWindow();
  return {
    method: 'POST',
    path: o.path,
    maxBodyBytes: (req) => (o.encryptKey && !header(req, 'x-lark-signature') ? FEISHU_UNSIGNED_MAX_BODY_BYTES : FEISHU_MAX_BODY_BYTES),
    async handle(req, res, rawBody) {
      const refuse = (status: number, reason: string, signed: boolean) => {
        o.logger.warn(`Feishu callback refused: ${reason}`, { status, bytes: rawBody.length });
        if (signed && status === 400) o.onInvalid(`Feishu callback: ${reason}`);
        answer(res, status, { error: reason });
      };

      const parsedBody = parseJsonSafely(rawBody.toString('utf8'));
      if (!parsedBody.ok) {
        const signed = !!o.encryptKey && verifyLarkSignature(signedParts(req, rawBody), o.encryptKey);
        return refuse(400, `body is not valid JSON (${parsedBody.reason})`, signed);
      }
      const body = parsedBody.value;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return refuse(400, 'body is not a JSON object', false);

      const hasSignature = !!header(req, 'x-lark-signature');
      let signed = false;
      if (o.encryptKey && hasSignature) {
        signed = verifyLarkSignature({ ...signedParts(req, rawBody), parsed: body }, o.encryptKey);
        if (!signed) return refuse(401, 'invalid X-Lark-Signature (is FEISHU_ENCRYPT_KEY right?)', false);
        const nowMs = now().getTime();
        const freshness = webhookFreshness(Number(header(req, 'x-lark-request-timestamp')) * 1000, nowMs);
        if (freshness !== 'fresh') return refuse(401, `X-Lark-Request-Timestamp is ${freshness} (more than 5 minutes off): replay refused`, false);
        if (!nonces.firstSeen(header(req, 'x-lark-request-nonce') ?? '', nowMs)) return refuse(401, 'X-Lark-Request-Nonce already seen: replay refused', false);
      }

      let plain: Record<string, unknown> = body as Record<string, unknown>;
      const encrypted = (body as { encrypt?: unknown }).encrypt;
      if (encrypted !== undefined) {
        if (!o.encryptKey) return refuse(400, 'the callback is encrypted but FEISHU_ENCRYPT_KEY is not set', false);
        try {
          plain = JSON.parse(new lark.AESCipher(o.encryptKey).decrypt(encrypted));
        } catch {
          return refuse(400, 'cannot decrypt the callback (is FEISHU_ENCRYPT_KEY right?)', signed);
        }
        if (!plain || typeof plain !== 'object') return refuse(400, 'the decrypted callback is not a JSON object', signed);
      }

      // The SDK reads headers from the prototype of the data it is given, as its own adapters build it.
      const data = Object.assign(Object.create({ headers: req.headers }), body);

      if (plain.type === 'url_verification') {
        if (!sameToken(plain.token, o.verificationToken)) return refuse(401, 'url_verification token does not match FEISHU_VERIFICATION_TOKEN', false);
        const { challenge } = lark.generateChallenge(data, { encryptKey: o.encryptKey ?? '' });
        return answer(res, 200, challenge);
      }
      if (o.encryptKey && !signed) return refuse(401, 'missing X-Lark-Signature', false);

      const token = (plain.header as { token?: unknown } | undefined)?.token ?? plain.token;
      if (!sameToken(token, o.verificationToken)) return refuse(401, 'verification token does not match FEISHU_VERIFICATION_TOKEN', false);

      const eventId = eventIdOf(plain);
      if (eventId && eventIds.has(eventId, now().getTime())) {
        o.logger.warn('Feishu event delivered again within the replay window; acknowledged, not handed over twice', { eventId });
        return answer(res, 200, {});
      }
      try {
        await o.dispatcher.invoke(data, { needCheck: false });
      } catch (e) {
        o.logger.error('Feishu event not accepted now; the platform will push it again', { error: (e as Error).message });
        return answer(res, 503, { error: 'temporarily unavailable' });
      }
      if (eventId) eventIds.remember(eventId, now().getTime());
      answer(res, 200, {});
    },
  };
}

/** v2 `header.event_id`, v1 `uuid`. */
function eventIdOf(plain: Record<string, unknown>): string | undefined {
  const id = (plain.header as { event_id?: unknown } | undefined)?.event_id ?? plain.uuid;
  return typeof id === 'string' && id ? id : undefined;
}

function signedParts(req: IncomingMessage, rawBody: Buffer) {
  return {
    timestamp: header(req, 'x-lark-request-timestamp'),
    nonce: header(req, 'x-lark-request-nonce'),
    signature: header(req, 'x-lark-signature'),
    rawBody,
  };
}
