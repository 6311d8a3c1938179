import { createHash } from 'node:crypto';
import { AdminTokens } from './admin-tokens';
import { isPublic } from './auth.middleware';
import { CredentialLimiter } from './credential-limiter';
import { FailureLimiter } from './failure-limiter';
import type { AdminMetrics } from '../health/metrics';
import { MemoryRevocations } from './revocation-list';
import { Sessions } from './sessions';

const sha = (t: string) => createHash('sha256').update(t).digest();

describe('admin tokens', () => {
  const tokens = new AdminTokens([
    { adminId: 'ada', sha256: sha('token-a') },
    { adminId: 'grace', sha256: sha('token-g') },
  ]);

  it('maps a token to its admin through its hash, and refuses others', () => {
    expect(tokens.verify('token-a')?.adminId).toBe('ada');
    expect(tokens.verify('token-g')?.adminId).toBe('grace');
    expect(tokens.verify('token-x')).toBeUndefined();
    expect(tokens.verify('')).toBeUndefined();
  });
});

describe('failure limiter', () => {
  it('refuses an address after too many failures until the window ends, and keeps addresses apart', () => {
    let now = 0;
    const limiter = new FailureLimiter(3, 60_000, 100, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('a')).toBe(0);
      limiter.fail('a');
    }
    now = 15_000;
    expect(limiter.retryAfterSeconds('a')).toBe(45);
    expect(limiter.retryAfterSeconds('b')).toBe(0);
    now = 60_000;
    expect(limiter.retryAfterSeconds('a')).toBe(0);
  });

  it('forgets the oldest addresses beyond its bound', () => {
    const limiter = new FailureLimiter(1, 60_000, 2, () => 0);
    limiter.fail('a');
    limiter.fail('b');
    limiter.fail('c');
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    expect(limiter.retryAfterSeconds('c')).toBe(60);
  });
});

describe('credential buckets', () => {
  const buckets = new CredentialLimiter(new FailureLimiter(1), {} as AdminMetrics);

  it('M1: puts credentials in buckets by address and first characters, past the marker minted tokens share', () => {
    expect(buckets.bucketOf('a', 'twokey_AbCdxyz')).toBe(buckets.bucketOf('a', 'twokey_AbCdother'));
    expect(buckets.bucketOf('a', 'twokey_AbCdxyz')).not.toBe(buckets.bucketOf('a', 'twokey_ZbCdxyz'));
    expect(buckets.bucketOf('a', 'twokey_AbCdxyz')).not.toBe(buckets.bucketOf('b', 'twokey_AbCdxyz'));
    expect(buckets.bucketOf('a', 'v1.sEsS.rest')).not.toBe(buckets.bucketOf('a', 'v1.oThEr.rest'));
    // No token material in the key.
    expect(buckets.bucketOf('a', 'twokey_AbCdxyz')).not.toContain('AbCd');
  });
});

describe('sessions', () => {
  let now = 1_000_000;
  const ada = { adminId: 'ada', sha256: sha('token-a') };
  const tokens = new AdminTokens([ada, { adminId: 'grace', sha256: sha('token-g') }]);
  const sessions = new Sessions('x'.repeat(32), 3600, tokens, new MemoryRevocations(() => now), () => now);

  it('reads back a session it signed, with a CSRF token bound to it', () => {
    const { session, cookie } = sessions.create(ada);
    expect(sessions.read(cookie)).toEqual(session);
    expect(sessions.checkCsrf(session, sessions.csrfToken(session))).toBe(true);
    expect(sessions.checkCsrf(session, undefined)).toBe(false);
    const other = sessions.create(ada).session;
    expect(sessions.checkCsrf(session, sessions.csrfToken(other))).toBe(false);
  });

  it('refuses forged, tampered, foreign, expired and logged-out cookies', async () => {
    const { session, cookie } = sessions.create(ada);
    const parts = cookie.split('.');
    const asGrace = [...parts.slice(0, 2), Buffer.from('grace').toString('base64url'), ...parts.slice(3)].join('.');
    expect(sessions.read(asGrace)).toBeUndefined();
    expect(sessions.read(cookie.slice(0, -2) + 'xx')).toBeUndefined();
    expect(new Sessions('y'.repeat(32), 3600, tokens, new MemoryRevocations(), () => now).read(cookie)).toBeUndefined();
    expect(sessions.read('garbage')).toBeUndefined();
    await sessions.revoke(session);
    expect(sessions.read(cookie)).toBeUndefined();
    const later = sessions.create(ada).cookie;
    now += 3600_001;
    expect(sessions.read(later)).toBeUndefined();
  });

  it('M2: ends a session when the token it was created with is rotated out, even for the same admin id', () => {
    const { cookie } = sessions.create(ada);
    const rotated = new AdminTokens([{ adminId: 'ada', sha256: sha('token-a-new') }]);
    expect(new Sessions('x'.repeat(32), 3600, rotated, new MemoryRevocations(), () => now).read(cookie)).toBeUndefined();
    const both = new AdminTokens([{ adminId: 'ada', sha256: sha('token-a-new') }, ada]);
    expect(new Sessions('x'.repeat(32), 3600, both, new MemoryRevocations(), () => now).read(cookie)).toBeDefined();
  });
});

describe('public routes', () => {
  it.each([
    ['GET', '/healthz', true],
    ['GET', '/readyz', true],
    ['GET', '/metrics', true],
    ['GET', '/api/docs', false],
    ['GET', '/api/docs-json', false],
    ['GET', '/api/docs-yaml', false],
    ['GET', '/api/docs/swagger-ui-init.js', false],
    ['GET', '/console/', true],
    ['POST', '/api/v1/session', true],
    ['GET', '/api/v1/session', false],
    ['DELETE', '/api/v1/session', false],
    ['POST', '/metrics', false],
    ['GET', '/api/v1/connections', false],
    ['GET', '/api/v1/events', false],
  ])('%s %s public: %s', (method, path, expected) => {
    expect(isPublic(method, path)).toBe(expected);
  });
});
