// Console sessions across replicas, token rotation and logout (M2), and the Secure cookie (L7), on real NATS.
import { JsonLogger } from '@twokey/service-kit';
import { AdminApi, createAdminApi } from '../src/admin-api';
import { loadAdminApiConfig } from '../src/config';
import { ADMIN_ID, ADMIN_TOKEN, RPC_AUTH_SECRET, SESSION_SECRET, sha256hex, Stack, startStack } from './stack';

const ROTATED_TOKEN = 'rotated-admin-token-0123456789abcdef';

describe('admin-api sessions', () => {
  let s: Stack;
  const replicas: AdminApi[] = [];

  /** Another admin-api on the same NATS, with its own configuration. */
  async function replica(env: Record<string, string> = {}): Promise<AdminApi> {
    const api = await createAdminApi(
      loadAdminApiConfig({
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        NATS_URL: s.nats.url,
        TWOKEY_SUBJECT_PREFIX: s.nats.prefix,
        ADMIN_TOKEN_HASHES: `${ADMIN_ID}:${sha256hex(ADMIN_TOKEN)}`,
        SESSION_SECRET,
        RPC_AUTH_SECRET,
        ...env,
      }),
      { log: new JsonLogger('admin-api-replica', 'error', { write: () => undefined }) },
    );
    replicas.push(api);
    return api;
  }

  async function login(api: { url: string }, headers: Record<string, string> = {}, token = ADMIN_TOKEN) {
    const res = await fetch(`${api.url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ token }) });
    expect(res.status).toBe(200);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const setCookie = res.headers.get('set-cookie')!;
    return { setCookie, cookie: setCookie.split(';')[0], csrfToken };
  }

  const get = (api: { url: string }, cookie: string, path = '/api/v1/connections') => fetch(`${api.url}${path}`, { headers: { Cookie: cookie } }).then((r) => r.status);

  beforeAll(async () => {
    s = await startStack({}, { pairingService: false });
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await s?.close();
  });

  it('M2: a session ends when its admin token is rotated out, although the admin id and SESSION_SECRET stay', async () => {
    const { cookie } = await login(s.api);
    expect(await get(s.api, cookie)).toBe(200);
    const before = await replica();
    expect(await get(before, cookie)).toBe(200);
    // The same admin with a new token (npm start -- --new-admin-token, or an edited ADMIN_TOKEN_HASHES).
    const after = await replica({ ADMIN_TOKEN_HASHES: `${ADMIN_ID}:${sha256hex(ROTATED_TOKEN)}` });
    expect(await get(after, cookie)).toBe(401);
    expect(await fetch(`${after.url}/console/`, { headers: { Cookie: cookie }, redirect: 'manual' }).then((r) => r.status)).toBe(302);
    const fresh = await login(after, {}, ROTATED_TOKEN);
    expect(await get(after, fresh.cookie)).toBe(200);
  });

  it('M2: logging out on one replica ends the session on every replica, also one started later', async () => {
    const other = await replica();
    const { cookie, csrfToken } = await login(s.api);
    expect(await get(other, cookie)).toBe(200);
    const out = await fetch(`${s.api.url}/api/v1/session`, { method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken } });
    expect(out.status).toBe(204);
    expect(await get(s.api, cookie)).toBe(401);
    // The other replica learns it from the shared KV bucket (a watch, so no fixed delay to wait for).
    const deadline = Date.now() + 5_000;
    while ((await get(other, cookie)) !== 401) {
      if (Date.now() > deadline) throw new Error('the other replica still accepts the logged-out session');
      await new Promise((r) => setTimeout(r, 50));
    }
    // A replica that starts after the logout loads the revocations before it serves.
    const later = await replica();
    expect(await get(later, cookie)).toBe(401);
  });

  it('L7: the session cookie is Secure when PUBLIC_URL is https, even without TRUST_PROXY', async () => {
    const plain = await login(s.api, { 'X-Forwarded-Proto': 'https' });
    // Without TRUST_PROXY the forwarded header is not believed and nothing says the console is on HTTPS.
    expect(plain.setCookie).not.toMatch(/;\s*Secure/i);
    const behindTls = await replica({ PUBLIC_URL: 'https://twokey.example.com' });
    const secure = await login(behindTls);
    expect(secure.setCookie).toMatch(/;\s*Secure/i);
    expect(secure.setCookie).toMatch(/HttpOnly/i);
    const trusting = await replica({ TRUST_PROXY: 'true' });
    expect((await login(trusting, { 'X-Forwarded-Proto': 'https' })).setCookie).toMatch(/;\s*Secure/i);
  });
});
