import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminTokenHash } from '../config';

export const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Admin tokens are configured as SHA-256 hashes. A presented token is hashed and compared with EVERY configured
 * hash in constant time, without an early exit, so a wrong token and a right one take the same code path.
 */
export class AdminTokens {
  constructor(private readonly hashes: readonly AdminTokenHash[]) {}

  /** The configured entry (admin id and hash) the token matches, or undefined. */
  verify(token: string): AdminTokenHash | undefined {
    const presented = sha256(token);
    let match: AdminTokenHash | undefined;
    for (const h of this.hashes) {
      const equal = timingSafeEqual(presented, h.sha256);
      // Both branches assign: no data-dependent skip of later comparisons.
      match = equal ? h : match;
    }
    return match;
  }

  /** The hashes configured for an admin now: a session is valid only while the token it came from is one of them. */
  hashesOf(adminId: string): readonly AdminTokenHash[] {
    return this.hashes.filter((h) => h.adminId === adminId);
  }
}
