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

/** Routes that must answer without credentials: probes, metrics and the console's pages (not the OpenAPI document). */
const PUBLIC = [/^\/(healthz|readyz|metrics)$/, /^\/$/, /^\/login$/, /^\/console(\/|$)/];

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
    expect(guarded.length).toBeGreaterThanOrEqual(21);
    // The OpenAPI document in every form is guarded too (§6: all routes but health need the token).
    expect(guarded.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['GET /api/docs', 'GET /api/docs-json', 'GET /api/docs-yaml', 'GET /api/docs/swagger-ui-init.js']));
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

  it('answers 401 to no token then a wrong token on every API route from one address, and still lets the admin in', async () => {
    // Requests from the test's own address (127.0.0.1), as a client probing every route would send them.
    const api = routesOf(s).filter((r) => r.path.startsWith('/api/v1/') && !(r.method === 'POST' && r.path === '/api/v1/session'));
    expect(api.length).toBeGreaterThanOrEqual(15);
    for (const { method, path } of api) {
      for (const headers of [{}, { Authorization: 'Bearer wrong-token' }] as Record<string, string>[]) {
        const res = await s.call(method, concrete(path), { auth: false, headers, body: method === 'GET' ? undefined : {} });
        expect({ method, path, headers, status: res.status }).toEqual({ method, path, headers, status: 401 });
      }
    }
    expect((await s.call('GET', '/api/v1/connections')).status).toBe(200);
  });

  it('never counts a request without credentials as a failed attempt', async () => {
    const from = (headers: Record<string, string>) => s.call('GET', '/api/v1/connections', { auth: false, headers: { 'X-Forwarded-For': '10.0.0.70', ...headers } });
    for (let i = 0; i < 40; i++) expect((await from({})).status).toBe(401);
    // Another scheme can never match, so it is no guess either.
    for (let i = 0; i < 40; i++) expect((await from({ Authorization: 'Basic YWRtaW46YWRtaW4=' })).status).toBe(401);
    expect((await from({ Authorization: 'Bearer first-wrong-guess' })).status).toBe(401);
  });

  it('answers wrong credentials 429 with Retry-After once an address guessed too often in a bucket, and a stranger cannot lock the admin out', async () => {
    const ip = '10.0.0.66';
    const from = (headers: Record<string, string>) => s.call('GET', '/api/v1/connections', { auth: false, headers: { 'X-Forwarded-For': ip, ...headers } });
    const login = (token: string) => s.call('POST', '/api/v1/session', { auth: false, body: { token }, headers: { 'X-Forwarded-For': ip } });
    // The default is 30 wrong credentials per minute per address and credential prefix ("gues" here).
    for (let i = 0; i < 30; i++) expect((await from({ Authorization: `Bearer guess-${i}` })).status).toBe(401);
    const limited = await from({ Authorization: 'Bearer guess-31' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await json(limited)).type).toBe('https://twokey.dev/problems/rate-limited');
    // Every kind of wrong credential in that bucket is limited: a wrong login with the same prefix.
    const wrongLogin = await login('guess-login');
    expect(wrongLogin.status).toBe(429);
    expect(Number(wrongLogin.headers.get('retry-after'))).toBeGreaterThan(0);
    // No credentials at all is still the plain 401.
    expect((await from({})).status).toBe(401);
    // The limiter must not be a lever to lock the admin out from a shared address (NAT, proxy): the stranger's
    // guesses filled their own prefix's bucket, not the admin token's.
    expect((await from({ Authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    const rightLogin = await login(ADMIN_TOKEN);
    expect(rightLogin.status).toBe(200);
    const cookie = rightLogin.headers.get('set-cookie')!.split(';')[0];
    expect((await from({ Cookie: cookie })).status).toBe(200);
    // Other addresses were never affected.
    expect((await s.call('GET', '/api/v1/connections', { auth: false, headers: { 'X-Forwarded-For': '10.0.0.67', Authorization: 'Bearer guess-1' } })).status).toBe(401);
    const metrics = await (await s.call('GET', '/metrics', { auth: false })).text();
    expect(metrics).toMatch(/^twokey_admin_auth_failures_total\{via="bearer"\} \d+$/m);
  });

  it('M1: while a bucket is limited, a wrong and the right credential both get 429 (the limiter is no oracle)', async () => {
    const ip = '10.0.0.68';
    const bearer = (token: string) => s.call('GET', '/api/v1/connections', { auth: false, headers: { 'X-Forwarded-For': ip, Authorization: `Bearer ${token}` } });
    const login = (token: string) => s.call('POST', '/api/v1/session', { auth: false, body: { token }, headers: { 'X-Forwarded-For': ip } });
    // Guesses that share the admin token's first characters ("test") fill the bucket the right token is in.
    for (let i = 0; i < 30; i++) expect((await bearer(`test-guess-${i}`)).status).toBe(401);
    const wrong = await bearer('test-guess-final');
    const right = await bearer(ADMIN_TOKEN);
    expect({ wrong: wrong.status, right: right.status }).toEqual({ wrong: 429, right: 429 });
    expect([(await json(wrong)).type, (await json(right)).type]).toEqual(['https://twokey.dev/problems/rate-limited', 'https://twokey.dev/problems/rate-limited']);
    expect({ wrong: (await login('test-guess-login')).status, right: (await login(ADMIN_TOKEN)).status }).toEqual({ wrong: 429, right: 429 });
    // The bucket is per address: the admin from elsewhere is in.
    expect((await s.call('GET', '/api/v1/connections', { auth: false, headers: { 'X-Forwarded-For': '10.0.0.69', Authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
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
    ], { expectedVersion: 'any', correlationId: 'test', causationId: 'test', actor: { type: 'system', id: 'test' } });
    // The pairing-service follows the store live; until it has read the append it does not know the observation.
    const res = await eventually(async () => {
      const r = await s.json<{ type: string }>('POST', '/api/v1/connections/telegram/observations/old-observation/approve');
      return r.status === 404 ? undefined : r;
    }, 8000, 'the pairing-service to know the observation');
    expect(res.status).toBe(409);
    expect(res.body.type).toMatch(/^https:\/\/twokey\.dev\/problems\/(expired|conflict)$/);
  });

  it('serves the OpenAPI document derived from the contracts, to authenticated callers only', async () => {
    for (const path of ['/api/docs', '/api/docs-json', '/api/docs-yaml']) {
      const res = await s.call('GET', path, { auth: false, headers: { Accept: 'application/json' } });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
    const res = await s.call('GET', '/api/docs-json');
    expect(res.status).toBe(200);
    type Schema = { properties: Record<string, { enum?: string[]; type?: string; nullable?: boolean }>; required?: string[] };
    type Operation = { requestBody: { content: Record<string, { schema: Schema }> }; responses: Record<string, { content: Record<string, { schema: Schema }> }> };
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, Record<string, string>>; schemas: Record<string, Schema> };
      security: Record<string, string[]>[];
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/connections/{connection}/pairing-tokens', '/api/v1/activity', '/api/v1/events/live']));
    // Shared schemas are components, referred to by $ref.
    const deref = (schema: Schema | { $ref: string }): Schema => ('$ref' in schema ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema);
    const issue = doc.paths['/api/v1/connections/{connection}/pairing-tokens'].post;
    expect(deref(issue.requestBody.content['application/json'].schema).properties.purpose.enum).toEqual(['user', 'space']);
    const issued = deref(issue.responses['201'].content['application/json'].schema);
    expect(issued.properties.position).toMatchObject({ type: 'integer' });
    expect(issued.required).toEqual(expect.arrayContaining(['tokenId', 'code', 'expiresAt', 'position']));
    const tested = deref(doc.paths['/api/v1/connections/{connection}/connection-test'].post.responses['200'].content['application/json'].schema);
    expect(tested.properties.bot).toMatchObject({ nullable: true });
    // Admin tokens are opaque, not JWTs; a bearer token or the console's cookie authenticates.
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.bearer.bearerFormat).not.toBe('JWT');
    expect(doc.components.securitySchemes.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'twokey_session' });
    expect(doc.security).toEqual([{ bearer: [] }, { cookie: [] }]);

    // /api/docs: the JSON document for clients that prefer it, Swagger UI for browsers.
    const asJson = await s.call('GET', '/api/docs', { headers: { Accept: 'application/json' } });
    expect(asJson.status).toBe(200);
    expect(asJson.headers.get('content-type')).toContain('application/json');
    expect(await asJson.json()).toEqual(doc);
    const asHtml = await s.call('GET', '/api/docs', { headers: { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(asHtml.status).toBe(200);
    expect(asHtml.headers.get('content-type')).toContain('text/html');
    expect(await asHtml.text()).toContain('swagger-ui');
    const yaml = await s.call('GET', '/api/docs-yaml');
    expect(yaml.status).toBe(200);
    expect(await yaml.text()).toContain('/api/v1/connections/{connection}/pairing-tokens');

    // The console's session cookie reads it too (a GET needs no CSRF token).
    const login = await s.call('POST', '/api/v1/session', { auth: false, body: { token: ADMIN_TOKEN } });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect((await s.call('GET', '/api/docs-json', { auth: false, headers: { Cookie: cookie } })).status).toBe(200);
    expect((await s.call('GET', '/api/docs/swagger-ui-init.js', { auth: false, headers: { Cookie: cookie } })).status).toBe(200);
  });

  it('answers 503 when the pairing-service does not answer', async () => {
    await s.pairing.stop();
    const res = await s.json<{ type: string }>('POST', '/api/v1/connections/telegram/users', { id: 'while-down' });
    expect(res.status).toBe(503);
    expect(res.body.type).toBe('https://twokey.dev/problems/unavailable');
  });
});
