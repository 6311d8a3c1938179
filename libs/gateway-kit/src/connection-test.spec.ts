import { ConnectionTestResult, GATEWAY_CONNECTION_TEST_TIMEOUT_MS } from '@twokey/contracts';
import { runConnectionTest } from './connection-test';
import type { PlatformAdapter } from './platform-adapter';
import { TEST_PROFILE } from '@twokey/test-support/gateway-harness';

const adapter = (connectionTest: () => Promise<ConnectionTestResult>): PlatformAdapter => ({
  platform: 'telegram',
  start: async () => undefined,
  stop: async () => undefined,
  profile: TEST_PROFILE,
  send: async () => 'unused',
  connectionTest,
});

describe('runConnectionTest', () => {
  afterEach(() => jest.useRealTimers());

  it('H1: redacts a credential an adapter let into its error', async () => {
    const token = '7000000001:AAleaked-token-in-a-url_0123456789';
    const r = await runConnectionTest(adapter(async () => Promise.reject(new Error(`request to http://api/bot${token}/getMe failed`))));
    expect(r).toMatchObject({ ok: false, error: 'request to http://api/bot[redacted]/getMe failed' });
  });

  it('answers with the bot and the measured latency', async () => {
    const r = await runConnectionTest(adapter(async () => ({ ok: true, bot: { id: '42', name: '@bot' }, latencyMs: 0 })));
    expect(r).toEqual({ ok: true, bot: { id: '42', name: '@bot' }, latencyMs: expect.any(Number) });
  });

  it('turns an adapter failure, thrown or returned, into ok:false with bot null', async () => {
    expect(await runConnectionTest(adapter(async () => Promise.reject(new Error('401 Unauthorized'))))).toEqual({
      ok: false, bot: null, latencyMs: expect.any(Number), error: '401 Unauthorized',
    });
    expect(await runConnectionTest(adapter(async () => ({ ok: false, latencyMs: 3, error: 'refused' })))).toEqual({
      ok: false, bot: null, latencyMs: expect.any(Number), error: 'refused',
    });
  });

  it('gives a slow platform up after its own limit, which is what the admin then sees', async () => {
    jest.useFakeTimers();
    const pending = runConnectionTest(adapter(() => new Promise(() => undefined)));
    await jest.advanceTimersByTimeAsync(GATEWAY_CONNECTION_TEST_TIMEOUT_MS - 1);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await pending).toEqual({
      ok: false, bot: null, latencyMs: GATEWAY_CONNECTION_TEST_TIMEOUT_MS, error: `no answer from telegram within ${GATEWAY_CONNECTION_TEST_TIMEOUT_MS} ms`,
    });
  });
});
