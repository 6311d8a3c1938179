import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

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
 * Stateless signed session cookies: `v1.<session id>.<admin id>.<expiry>.<HMAC>`, so any admin-api replica can
 * check them. Logout revokes the session id in memory until it would have expired anyway. The CSRF token is an
 * HMAC of the session id: the console reads it from the login answer, an attacker's page cannot.
 */
export class Sessions {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  private mac(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}|${value}`).digest('base64url');
  }

  create(adminId: string): { session: Session; cookie: string } {
    const session = { id: randomBytes(18).toString('base64url'), adminId, expiresAt: this.now() + this.ttlSeconds * 1000 };
    const payload = `v1.${session.id}.${b64(adminId)}.${session.expiresAt}`;
    return { session, cookie: `${payload}.${this.mac('session', payload)}` };
  }

  /** The session a cookie value stands for, or undefined when forged, expired or logged out. */
  read(cookie: string): Session | undefined {
    const parts = cookie.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') return undefined;
    const payload = parts.slice(0, 4).join('.');
    if (!equal(parts[4], this.mac('session', payload))) return undefined;
    const expiresAt = Number(parts[3]);
    if (!Number.isFinite(expiresAt) || expiresAt <= this.now() || this.revoked.has(parts[1])) return undefined;
    return { id: parts[1], adminId: unb64(parts[2]), expiresAt };
  }

  revoke(session: Session): void {
    const now = this.now();
    for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
    this.revoked.set(session.id, session.expiresAt);
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
