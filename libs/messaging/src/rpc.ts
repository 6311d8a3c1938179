import { ErrorCode, headers as natsHeaders, Msg, NatsConnection, NatsError, Subscription } from 'nats';
import type { z } from 'zod';
import { ContractViolation, decodeContract } from '@twokey/contracts';
import { RPC_PROOF_HEADER, type RpcProof } from './rpc-proof';

/** The responder answered with an error (kept in the Nats-Service-Error headers, as nats.js services do). */
export class RpcRemoteError extends Error {
  override readonly name = 'RpcRemoteError';
  constructor(readonly subject: string, readonly code: string, message: string) {
    super(message);
  }
}

/** Nobody answered in time, or no responder is subscribed. */
export class RpcUnavailable extends Error {
  override readonly name = 'RpcUnavailable';
  /** No responder is subscribed (the service is not running), as opposed to one that did not answer in time. */
  readonly noResponders: boolean;
  constructor(readonly subject: string, options?: { cause?: unknown }) {
    super(`no answer on ${subject}`, options);
    this.noResponders = (options?.cause as NatsError | undefined)?.code === ErrorCode.NoResponders;
  }
}

const enc = (v: unknown) => Buffer.from(JSON.stringify(v));

/**
 * Request/reply with JSON bodies; the reply is validated against `replySchema`. With `proof`, the request carries
 * the header that proves its sender (a responder that verifies refuses requests without it).
 */
export async function rpcRequest<S extends z.ZodTypeAny>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  replySchema: S,
  timeoutMs = 5_000,
  proof?: RpcProof,
): Promise<z.infer<S>> {
  let msg: Msg;
  try {
    const data = enc(body);
    const headers = proof ? natsHeaders() : undefined;
    headers?.set(RPC_PROOF_HEADER, proof!.sign(subject, data));
    msg = await nc.request(subject, data, { timeout: timeoutMs, headers });
  } catch (e) {
    throw new RpcUnavailable(subject, { cause: e });
  }
  const err = msg.headers?.get('Nats-Service-Error');
  if (err) throw new RpcRemoteError(subject, msg.headers?.get('Nats-Service-Error-Code') ?? '500', err);
  return decodeContract(`reply from ${subject}`, replySchema, msg.data);
}

export interface RpcHandlerContext {
  subject: string;
}

/** A request refused because it does not prove its sender (never parsed, never handled). */
export class RpcUnauthenticated extends Error {
  override readonly name = 'RpcUnauthenticated';
  constructor(readonly subject: string, readonly reply: string | undefined) {
    super(`request on ${subject} without a valid ${RPC_PROOF_HEADER} refused`);
  }
}

/** Reply subjects of JetStream's own deliveries (acks, API): a redirected pull delivery replies there. */
const isJetStreamReply = (reply: string | undefined) => reply === undefined || reply === '' || reply.startsWith('$JS.');

/**
 * Serves `subject` (wildcards allowed) with a queue group. The handler's return value is the JSON reply; a
 * ContractViolation in the request becomes a 400 service error, anything else thrown a 500.
 *
 * Refused before it is parsed (RpcUnauthenticated to `onError`): always, a message whose reply subject is a
 * JetStream one or missing, which no requester sends but a pull delivery redirected onto `subject` carries (L2);
 * with `proof`, a request that does not prove its sender (answered 401 so a misconfigured caller learns why).
 */
export function serveRpc(
  nc: NatsConnection,
  subject: string,
  queue: string,
  handler: (body: unknown, ctx: RpcHandlerContext) => Promise<unknown>,
  onError: (e: unknown, subject: string) => void = () => undefined,
  proof?: RpcProof,
): Subscription {
  return nc.subscribe(subject, {
    queue,
    callback: (err, msg) => {
      if (err) return onError(err, subject);
      const redirected = isJetStreamReply(msg.reply);
      if (redirected || (proof && !proof.verify(msg.subject, msg.data, msg.headers))) {
        onError(new RpcUnauthenticated(msg.subject, msg.reply), msg.subject);
        if (!redirected) {
          const h = natsHeaders();
          h.set('Nats-Service-Error', 'the request does not prove its sender');
          h.set('Nats-Service-Error-Code', '401');
          msg.respond(new Uint8Array(), { headers: h });
        }
        return;
      }
      void (async () => {
        try {
          let body: unknown;
          try {
            body = msg.data.length ? JSON.parse(Buffer.from(msg.data).toString('utf8')) : {};
          } catch {
            throw new ContractViolation(`request on ${msg.subject}`, '', 'is not valid JSON', []);
          }
          const reply = await handler(body, { subject: msg.subject });
          msg.respond(enc(reply));
        } catch (e) {
          onError(e, msg.subject);
          const h = natsHeaders();
          h.set('Nats-Service-Error', e instanceof Error ? e.message : String(e));
          h.set('Nats-Service-Error-Code', e instanceof ContractViolation ? '400' : '500');
          msg.respond(new Uint8Array(), { headers: h });
        }
      })();
    },
  });
}
