import type { Express } from 'express';
import { accessStream } from '@twokey/contracts';
import { ADMIN_TOKEN, eventually, Stack, startStack } from './stack';

type Json = Record<string, unknown> & { type?: string };
const json = async (res: Response): Promise<Json> => (await res.json()) as Json;

interface RouteLayer { route?: { path: string; methods: Record<string, boolean> } }

/** Every route the running app serves, read from the express router (not a hand-written list). */
function routesOf(s: Stack): { method: string; path: string }[] {
  const app = s.api.app.getHttpAdapter().getInstance() as Express & { router: { stack: RouteLayer[] } };
  const out: { method: string; path: string }[] = [];
  for (const layer of app.router.stack) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: layer.route.path });
  }
  return out;
}

/** Routes that must answer without credentials: probes, metrics, the OpenAPI document, and the console's pages. */
const PUBLIC = [/^\/(healthz|readyz|metrics)$/, /^\/api\/docs/, /^\/$/, /^\/login$/, /^\/console(\/|$)/];

const concrete = (path: string) => path.replace(/:([A-Za-z]+)/g, (_m, name: string) => (name === 'connection' ? 'telegram' : 'x1')).replace(/\*\w+/g, 'x1');

describe('admin-api: authentication, CSRF, validation and conflicts', () => {
  let s: Stack;

  beforeAll(async () => {
    s = await startStack({ TRUST_PROXY: 'true' });
    await eventually(async () => ((await s.call('GET', '/readyz', { auth: false })).status === 200 ? true : undefined), 10_000, 'readiness');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers 401 problem+json on every non-public route without credentials or with a wrong token', async () => {
    const routes = routesOf(s);
    const api = routes.filter((r) => r.path.startsWith('/api/v1/'));
    // Sanity: the enumeration sees the §6 routes.
    expect(api.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining([
      'GET /api/v1/connections',
      'POST /api/v1/connections/:connection/connection-test',
      'POST /api/v1/connections/:connection/pairing-tokens',
      'GET /api/v1/connections/:connection/pairing',
      'POST /api/v1/connections/:connection/observations/:observationId/approve',
      'POST /api/v1/connections/:connection/observations/:observationId/reject',
      'GET /api/v1/connections/:connection/users',
      'POST /api/v1/connections/:connection/users',
      'DELETE /api/v1/connections/:connection/users/:actorId',
      'GET /api/v1/connections/:connection/spaces',
      'POST /api/v1/connections/:connection/spaces',
      'DELETE /api/v1/connections/:connection/spaces/:spaceId',
      'GET /api/v1/activity',
      'GET /api/v1/events',
      'GET /api/v1/events/live',
    ]));
    const guarded = routes.filter((r) => !PUBLIC.some((p) => p.test(r.path)));
    expect(guarded.length).toBeGreaterThanOrEqual(18);
    for (const [i, { method, path }] of guarded.entries()) {
      const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token' }, { Authorization: 'Basic YWRtaW46YWRtaW4=' }, { Cookie: 'twokey_session=v1.forged.x.9999999999999.sig' }];
      for (const headers of attempts) {
        // One client address per route: the failed attempts must not trip the rate limit (tested below).
        const res = await s.call(method, concrete(path), { auth: false, headers: { 'X-Forwarded-For': `10.1.${i}.1`, ...headers }, body: method === 'GET' ? undefined : {} });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
        expect((await json(res)).type).toBe('https://twokey.dev/problems/unauthorized');
      }
    }
    for (const p of ['/healthz', '/readyz', '/metrics']) expect((await s.call('GET', p, { auth: false })).status).toBe(200);
  });

  it('rate-limits failed attempts per client address with Retry-After, without locking out others', async () => {
    const from = (ip: string, token: string) => s.call('GET', '/api/v1/connections', { auth: false, headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': ip } });
    for (let i = 0; i < 10; i++) expect((await from('10.0.0.66', `guess-${i}`)).status).toBe(401);
    const limited = await from('10.0.0.66', 'guess-11');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await json(limited)).type).toBe('https://twokey.dev/problems/rate-limited');
    // Even the right token waits: an attacker cannot learn that a guess would have been right.
    expect((await from('10.0.0.66', ADMIN_TOKEN)).status).toBe(429);
    expect((await from('10.0.0.67', ADMIN_TOKEN)).status).toBe(200);
  });

  it('logs in with a session cookie that needs the CSRF header for changes', async () => {
    const bad = await s.call('POST', '/api/v1/session', { auth: false, body: { token: 'nope' }, headers: { 'X-Forwarded-For': '10.0.1.1' } });
    expect(bad.status).toBe(401);
    const login = await s.call('POST', '/api/v1/session', { auth: false, body: { token: ADMIN_TOKEN }, headers: { 'X-Forwarded-Proto': 'https' } });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^twokey_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Secure/i);
    const { admin, csrfToken } = (await login.json()) as { admin: { id: string }; csrfToken: string };
    expect(admin.id).toBe('ada-admin');
    const cookie = setCookie.split(';')[0];
    const withCookie = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
      s.call(method, path, { auth: false, headers: { Cookie: cookie, ...headers }, body });

    expect((await withCookie('GET', '/api/v1/connections/telegram/users')).status).toBe(200);
    const current = await json(await withCookie('GET', '/api/v1/session'));
    expect(current).toMatchObject({ admin: { id: 'ada-admin' }, via: 'session', csrfToken });

    const noCsrf = await withCookie('POST', '/api/v1/connections/telegram/users', {}, { id: 'csrf-victim' });
    expect(noCsrf.status).toBe(403);
    expect((await json(noCsrf)).type).toBe('https://twokey.dev/problems/csrf');
    expect((await withCookie('POST', '/api/v1/connections/telegram/users', { 'X-CSRF-Token': 'forged' }, { id: 'csrf-victim' })).status).toBe(403);
    const ok = await withCookie('POST', '/api/v1/connections/telegram/users', { 'X-CSRF-Token': csrfToken }, { id: 'csrf-ok' });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { user: { approvedBy: string } }).user.approvedBy).toBe('ada-admin');

    // Bearer requests need no CSRF token.
    expect((await s.json('DELETE', '/api/v1/connections/telegram/users/csrf-ok')).status).toBe(200);

    expect((await withCookie('DELETE', '/api/v1/session', { 'X-CSRF-Token': csrfToken })).status).toBe(204);
    expect((await withCookie('GET', '/api/v1/connections')).status).toBe(401);
  });

  it.each([
    ['POST', '/api/v1/connections/telegram/pairing-tokens', { purpose: 'admin' }, 'purpose'],
    ['POST', '/api/v1/connections/telegram/pairing-tokens', { purpose: 'user', ttlSeconds: 5 }, 'ttlSeconds'],
    ['POST', '/api/v1/connections/telegram/pairing-tokens', {}, 'purpose'],
    ['POST', '/api/v1/connections/telegram/users', { displayName: 'no id' }, 'id'],
    ['POST', '/api/v1/connections/telegram/users', { id: '' }, 'id'],
    ['POST', '/api/v1/connections/telegram/spaces', { id: 'T1', kind: 'planet' }, 'kind'],
    ['POST', '/api/v1/connections/telegram/users', '{"id": ', 'body'],
    ['GET', '/api/v1/activity?section=attention&limit=0', undefined, 'limit'],
    ['GET', '/api/v1/activity?section=everything', undefined, 'section'],
    ['GET', '/api/v1/activity?cursor=garbage', undefined, 'cursor'],
    ['GET', '/api/v1/events?fromPosition=-3', undefined, 'fromPosition'],
  ])('%s %s with %j → 400 naming "%s"', async (method, path, body, field) => {
    const res = await s.call(method, path, { body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { detail: string };
    expect(problem).toMatchObject({ type: 'https://twokey.dev/problems/validation', status: 400, field, instance: path.split('?')[0] });
    expect(problem.detail).toContain(field);
  });

  it('answers 404 for unknown connections, observations and routes', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/connections/nope/users'],
      ['POST', '/api/v1/connections/nope/pairing-tokens'],
      ['GET', '/api/v1/activity?connection=nope'],
      ['POST', '/api/v1/connections/telegram/observations/does-not-exist/approve'],
      ['GET', '/api/v1/no-such-route'],
    ]) {
      const res = await s.call(method, path, { body: method === 'POST' ? { purpose: 'user' } : undefined });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect((await json(res)).type).toBe('https://twokey.dev/problems/not-found');
    }
  });

  it('answers 409 when approving an observation that has expired', async () => {
    // An observation made 31 minutes ago (written as the pairing-service would have), now past its expiry.
    const past = (ms: number) => new Date(Date.now() - ms).toISOString();
    await s.store.append(accessStream('telegram'), [
      { type: 'PairingTokenIssued', data: { tokenId: 'old-token', purpose: 'user', codeHmac: 'c'.repeat(64), expiresAt: past(26 * 60_000) } },
      {
        type: 'TokenObserved',
        data: {
          tokenId: 'old-token', observationId: 'old-observation', purpose: 'user', actor: { id: '31', displayName: 'Late Larry' },
          conversation: { id: '31', kind: 'dm' }, platformMessageId: 'old-1', expiresAt: past(60_000),
        },
      },
    ], { expected: 'any', correlationId: 'test', causationId: 'test', actor: { type: 'system', id: 'test' } });
    // The pairing-service follows the store live; until it has read the append it does not know the observation.
    const res = await eventually(async () => {
      const r = await s.json<{ type: string }>('POST', '/api/v1/connections/telegram/observations/old-observation/approve');
      return r.status === 404 ? undefined : r;
    }, 8000, 'the pairing-service to know the observation');
    expect(res.status).toBe(409);
    expect(res.body.type).toMatch(/^https:\/\/twokey\.dev\/problems\/(expired|conflict)$/);
  });

  it('serves the OpenAPI document derived from the contracts', async () => {
    const res = await s.call('GET', '/api/docs-json', { auth: false });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { properties: Record<string, { enum: string[] }> } }> } }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/connections/{connection}/pairing-tokens', '/api/v1/activity', '/api/v1/events/live']));
    const body = doc.paths['/api/v1/connections/{connection}/pairing-tokens'].post.requestBody.content['application/json'].schema;
    expect(body.properties.purpose.enum).toEqual(['user', 'space']);
  });

  it('answers 503 when the pairing-service does not answer', async () => {
    await s.pairing.stop();
    const res = await s.json<{ type: string }>('POST', '/api/v1/connections/telegram/users', { id: 'while-down' });
    expect(res.status).toBe(503);
    expect(res.body.type).toBe('https://twokey.dev/problems/unavailable');
  });
});
