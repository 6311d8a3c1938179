/**
 * The last connection test lives where every admin-api replica sees it: a test run through one replica shows in
 * the connection list of another, and of a replica started afterwards (KV bucket <PREFIX>_ADMIN_CONNECTION_TESTS).
 */
import { startNats, type NatsHarness } from '@twokey/test-support';
import { createAdminApi, type AdminApi } from '../src/admin-api';
import { loadAdminApiConfig } from '../src/config';
import { ADMIN_ID, ADMIN_TOKEN, eventually, memoryLogger, RPC_AUTH_SECRET, SESSION_SECRET, sha256hex } from './stack';

interface Item {
  id: string;
  lastConnectionTest: { ok: boolean; error?: string; at: string } | null;
}

describe('connection tests shared between admin-api replicas', () => {
  let nats: NatsHarness;
  const apis: AdminApi[] = [];

  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    for (const api of apis) await api.close();
    await nats?.dispose();
  });

  async function replica(): Promise<AdminApi> {
    const api = await createAdminApi(
      loadAdminApiConfig({
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        NATS_URL: nats.url,
        TWOKEY_SUBJECT_PREFIX: nats.prefix,
        ADMIN_TOKEN_HASHES: `${ADMIN_ID}:${sha256hex(ADMIN_TOKEN)}`,
        SESSION_SECRET,
        RPC_AUTH_SECRET,
        CONNECTIONS: 'telegram',
        CONNECTION_TEST_TIMEOUT_MS: '500',
      }),
      { log: memoryLogger('admin-api').log },
    );
    apis.push(api);
    return api;
  }

  const call = (api: AdminApi, method: string, path: string) => fetch(api.url + path, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  const telegram = async (api: AdminApi) => ((await (await call(api, 'GET', '/api/v1/connections')).json()) as { items: Item[] }).items.find((c) => c.id === 'telegram');

  it('a test run through one replica is listed by the others, including one started later', async () => {
    const a = await replica();
    const b = await replica();
    expect((await telegram(b))?.lastConnectionTest).toBeNull();

    // No gateway runs: the test answers ok:false "gateway not running" (the test itself worked).
    const res = await call(a, 'POST', '/api/v1/connections/telegram/connection-test');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: false, error: 'gateway not running' });

    const seen = await eventually(async () => (await telegram(b))?.lastConnectionTest ?? undefined, 5_000, 'replica b lists the test');
    expect(seen).toMatchObject({ ok: false, error: 'gateway not running', at: expect.any(String) });
    const c = await replica();
    expect((await telegram(c))?.lastConnectionTest).toEqual(seen);
  });
});
