import type { NatsConnection, Subscription } from 'nats';
import { ConnectionTestRequest, ConnectionTestResult, GATEWAY_CONNECTION_TEST_TIMEOUT_MS, parseContract } from '@twokey/contracts';
import { serveRpc } from '@twokey/messaging';
import { redactSecrets, type JsonLogger } from '@twokey/service-kit';
import type { PlatformAdapter } from './platform-adapter';

/**
 * Runs the adapter's credential check and measures it. Never throws: a failure is `{ ok: false, bot: null, error }`
 * so the admin sees why (bad token, network, a platform slower than the limit) instead of a timeout. The limit is
 * shorter than the admin-api's wait (see GATEWAY_CONNECTION_TEST_TIMEOUT_MS), so this answer arrives first.
 */
export async function runConnectionTest(adapter: PlatformAdapter, timeoutMs = GATEWAY_CONNECTION_TEST_TIMEOUT_MS): Promise<ConnectionTestResult> {
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from ${adapter.platform} within ${timeoutMs} ms`)), timeoutMs);
    });
    const result = await Promise.race([adapter.connectionTest(), timeout]);
    return parseContract('ConnectionTestResult', ConnectionTestResult, { ...result, bot: result.bot ?? null, latencyMs: elapsed() });
  } catch (e) {
    // Redacted again here: this answer goes to the REST API and the console, whatever an adapter let through.
    return { ok: false, bot: null, latencyMs: elapsed(), error: redactSecrets(e instanceof Error ? e.message : String(e)) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serves `<prefix>.rpc.gateway.<connection>.connection-test`. Credentials that check out are not enough: while the
 * gateway is not receiving (`notReceiving` gives the reason), the test fails with that reason (issue 20 P1), since
 * "ok" would tell the admin messages arrive when none do.
 */
export function serveConnectionTest(
  nc: NatsConnection,
  subject: string,
  queue: string,
  adapter: PlatformAdapter,
  logger: JsonLogger,
  notReceiving: () => string | undefined = () => undefined,
): Subscription {
  return serveRpc(
    nc,
    subject,
    queue,
    async (body) => {
      parseContract('ConnectionTestRequest', ConnectionTestRequest, body);
      const result = withReceiving(await runConnectionTest(adapter), adapter.platform, notReceiving());
      logger.info('connection test', { ok: result.ok, latencyMs: result.latencyMs, error: result.error });
      return result;
    },
    (e) => logger.warn('connection-test request failed', { error: e }),
  );
}

export function withReceiving(result: ConnectionTestResult, platform: string, notReceiving: string | undefined): ConnectionTestResult {
  if (!result.ok || notReceiving === undefined) return result;
  return { ...result, ok: false, error: `the credentials work, but the gateway is not receiving from ${platform}: ${notReceiving}` };
}
