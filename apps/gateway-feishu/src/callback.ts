/**
 * The Feishu / Lark HTTP event callback (event subscription v2), mounted as a WebhookRoute. The SDK's
 * EventDispatcher decrypts and dispatches; around it we do what the SDK leaves to the app:
 *
 * 1. JSON body (else 400).
 * 2. With an Encrypt Key: X-Lark-Signature over the body (see signature.ts) — wrong → 401. Only a
 *    `url_verification` may come unsigned (the console's request-URL check), and it must decrypt with the key.
 * 3. Encrypted body → decrypted with the SDK's AESCipher; undecryptable, or encrypted while no key is configured →
 *    400 with the reason.
 * 4. `url_verification` → the challenge is answered (the SDK's generateChallenge, i.e. autoChallenge) once its token
 *    matches the Verification Token.
 * 5. The Verification Token in `header.token` (v2) / `token` (v1) must match — the SDK does not check it for
 *    events — else 401.
 * 6. dispatcher.invoke → our handler; a handler failure (gateway cannot take the message now) → 503 so the
 *    platform pushes the event again.
 *
 * Refusals are logged; a signed body we cannot read is also dead-lettered (`onInvalid`). Nothing unauthenticated is
 * dead-lettered (the sender is unknown).
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { parseJsonSafely, type WebhookRoute } from '@twokey/gateway-kit';
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
}

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
  return {
    method: 'POST',
    path: o.path,
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

      try {
        await o.dispatcher.invoke(data, { needCheck: false });
      } catch (e) {
        o.logger.error('Feishu event not accepted now; the platform will push it again', { error: (e as Error).message });
        return answer(res, 503, { error: 'temporarily unavailable' });
      }
      answer(res, 200, {});
    },
  };
}

function signedParts(req: IncomingMessage, rawBody: Buffer) {
  return {
    timestamp: header(req, 'x-lark-request-timestamp'),
    nonce: header(req, 'x-lark-request-nonce'),
    signature: header(req, 'x-lark-signature'),
    rawBody,
  };
}
