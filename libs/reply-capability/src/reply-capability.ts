/**
 * Signs and checks reply capabilities (see ReplyCapability in libs/contracts). Pure apart from node:crypto: the
 * clock is injected, so expiry is testable and a gateway and the pairing-service agree on one rule.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DEFAULT_REPLY_CAPABILITY_TTL_SECONDS, type ReplyCapability } from '@twokey/contracts';

/** Shorter keys would make a MAC guessable offline; the same floor as PAIRING_HMAC_SECRET. */
export const MIN_REPLY_CAPABILITY_SECRET_LENGTH = 32;

/** Where a reply may go: the connection and the exact conversation (and thread) a message was admitted in. */
export interface ReplyTarget {
  connection: string;
  conversationId: string;
  threadId?: string;
}

export type CapabilityCheck = { ok: true } | { ok: false; reason: string };

/**
 * One unambiguous encoding (a JSON array with a version tag), so no two targets share an input: "a|b" + "c" and
 * "a" + "b|c" differ, and an absent thread differs from an empty one.
 */
function macInput(target: ReplyTarget, expiresAt: string): string {
  return JSON.stringify(['twokey-reply-v1', target.connection, target.conversationId, target.threadId ?? null, expiresAt]);
}

function mac(secret: string, target: ReplyTarget, expiresAt: string): Buffer {
  return createHmac('sha256', secret).update(macInput(target, expiresAt)).digest();
}

export class ReplyCapabilities {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number = DEFAULT_REPLY_CAPABILITY_TTL_SECONDS,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (secret.length < MIN_REPLY_CAPABILITY_SECRET_LENGTH) {
      throw new Error(`the reply capability secret must be at least ${MIN_REPLY_CAPABILITY_SECRET_LENGTH} characters`);
    }
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new Error('the reply capability TTL must be a positive number of seconds');
  }

  /** A capability for `target`, valid for the TTL from now (or from `from`, e.g. the admission time). */
  sign(target: ReplyTarget, from: Date = this.now()): ReplyCapability {
    const expiresAt = new Date(from.getTime() + this.ttlSeconds * 1000).toISOString();
    return {
      conversationId: target.conversationId,
      ...(target.threadId !== undefined ? { threadId: target.threadId } : {}),
      expiresAt,
      mac: mac(this.secret, target, expiresAt).toString('base64url'),
    };
  }

  /**
   * Whether `capability` lets a command reach `target` (the command's own connection, conversation and thread). The
   * MAC is recomputed from the command's target, not the capability's fields, and compared in constant time: a
   * capability copied onto another conversation, thread or connection never verifies. The reason never quotes a MAC.
   */
  verify(capability: ReplyCapability | undefined, target: ReplyTarget): CapabilityCheck {
    if (!capability) return { ok: false, reason: 'no reply capability' };
    const expected = mac(this.secret, target, capability.expiresAt);
    const given = Buffer.from(capability.mac, 'base64url');
    // Check the MAC before anything else, so what is answered does not depend on which field was tampered with.
    const macOk = given.length === expected.length && timingSafeEqual(given, expected);
    if (!macOk) return { ok: false, reason: 'reply capability does not match this conversation (forged, altered or for another target)' };
    if (capability.conversationId !== target.conversationId || (capability.threadId ?? undefined) !== (target.threadId ?? undefined)) {
      return { ok: false, reason: 'reply capability is for another conversation or thread' };
    }
    const expires = Date.parse(capability.expiresAt);
    if (!Number.isFinite(expires) || expires <= this.now().getTime()) return { ok: false, reason: 'reply capability expired' };
    return { ok: true };
  }
}
