import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MsgHdrs } from 'nats';

/** The header that proves who sent an RPC request (L2). */
export const RPC_PROOF_HEADER = 'Twokey-Rpc-Proof';

/** How far a proof's timestamp may be from the verifier's clock (clock skew between pods). */
export const RPC_PROOF_MAX_SKEW_MS = 5 * 60_000;

/**
 * Proves and checks the sender of RPC requests with an HMAC keyed by a secret only the legitimate caller and the
 * responder hold (RPC_AUTH_SECRET: the admin-api and the pairing-service).
 *
 * Why: NATS permissions govern the subjects a client publishes to, not the reply subject of a JetStream pull. A
 * client allowed to pull from a consumer (the agent) can set the pull's reply subject to `<prefix>.rpc.pairing.<verb>`
 * and the server itself delivers the next stored message there. Such a redirected delivery carries whatever headers
 * its original publisher set, never a proof bound to the RPC subject, so the responder refuses it before parsing.
 *
 * The proof is `v1.<unix ms>.<HMAC-SHA256 of "v1", the subject, the time and the body>`: bound to the subject (a
 * proof for one verb is worthless on another) and to the body.
 */
export class RpcProof {
  private readonly key: Buffer;

  constructor(secret: string, private readonly now: () => number = Date.now) {
    if (secret.length < 32) throw new Error('the RPC auth secret must be at least 32 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  private mac(subject: string, at: string, data: Uint8Array): Buffer {
    return createHmac('sha256', this.key).update(`v1\n${subject}\n${at}\n`).update(data).digest();
  }

  /** The header value proving this request. */
  sign(subject: string, data: Uint8Array): string {
    const at = String(this.now());
    return `v1.${at}.${this.mac(subject, at, data).toString('base64url')}`;
  }

  /** Whether `headers` prove a request on `subject` with `data`. Constant time in the MAC. */
  verify(subject: string, data: Uint8Array, headers: MsgHdrs | undefined): boolean {
    const value = headers?.get(RPC_PROOF_HEADER) ?? '';
    const parts = value.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1' || !/^\d{1,16}$/.test(parts[1])) return false;
    if (Math.abs(this.now() - Number(parts[1])) > RPC_PROOF_MAX_SKEW_MS) return false;
    const presented = Buffer.from(parts[2], 'base64url');
    const expected = this.mac(subject, parts[1], data);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }
}
