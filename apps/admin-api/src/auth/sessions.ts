import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AdminTokenHash } from '../config';
import type { AdminTokens } from './admin-tokens';
import type { RevocationList } from './revocation-list';

export const SESSION_COOKIE = 'twokey_session';

export interface Session {
  id: string;
  adminId: string;
  expiresAt: number;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Stateless signed session cookies: `v2.<session id>.<admin id>.<expiry>.<token fingerprint>.<HMAC>`, so any
 * admin-api replica can check them. The token fingerprint is a keyed hash of the configured hash of the token the
 * admin logged in with: when that token is rotated out of ADMIN_TOKEN_HASHES, its sessions end with it (M2).
 * Logout adds the session id to the revocation list every replica shares. The CSRF token is an HMAC of the session
 * id: the console reads it from the login answer, an attacker's page cannot.
 */
export class Sessions {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly tokens: AdminTokens,
    private readonly revoked: RevocationList,
    private readonly now: () => number = Date.now,
  ) {}

  private mac(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}|${value}`).digest('base64url');
  }

  private fingerprint(token: AdminTokenHash): string {
    return this.mac('token', token.sha256.toString('hex')).slice(0, 22);
  }

  /** A new session for the admin of `token`, bound to that token. */
  create(token: AdminTokenHash): { session: Session; cookie: string } {
    const session = { id: randomBytes(18).toString('base64url'), adminId: token.adminId, expiresAt: this.now() + this.ttlSeconds * 1000 };
    const payload = `v2.${session.id}.${b64(token.adminId)}.${session.expiresAt}.${this.fingerprint(token)}`;
    return { session, cookie: `${payload}.${this.mac('session', payload)}` };
  }

  /** The session a cookie value stands for, or undefined when forged, expired, logged out or its token rotated. */
  read(cookie: string): Session | undefined {
    const parts = cookie.split('.');
    if (parts.length !== 6 || parts[0] !== 'v2') return undefined;
    const payload = parts.slice(0, 5).join('.');
    if (!equal(parts[5], this.mac('session', payload))) return undefined;
    const expiresAt = Number(parts[3]);
    if (!Number.isFinite(expiresAt) || expiresAt <= this.now() || this.revoked.has(parts[1])) return undefined;
    const adminId = unb64(parts[2]);
    if (!this.tokens.hashesOf(adminId).some((h) => equal(parts[4], this.fingerprint(h)))) return undefined;
    return { id: parts[1], adminId, expiresAt };
  }

  /** Logs the session out on every replica. */
  revoke(session: Session): Promise<void> {
    return this.revoked.add(session.id, session.expiresAt);
  }

  csrfToken(session: Session): string {
    return this.mac('csrf', session.id);
  }

  checkCsrf(session: Session, presented: string | undefined): boolean {
    return typeof presented === 'string' && equal(presented, this.csrfToken(session));
  }

  get ttl(): number {
    return this.ttlSeconds;
  }
}
