import type { NatsConnection, Subscription } from 'nats';
import { ConnectionTestRequest, ConnectionTestResult, parseContract } from '@twokey/contracts';
import { serveRpc } from '@twokey/messaging';
import type { JsonLogger } from '@twokey/service-kit';
import type { PlatformAdapter } from './platform-adapter';

const TEST_TIMEOUT_MS = 10_000;

/**
 * Runs the adapter's credential check and measures it. Never throws: a failure is `{ ok: false, error }` so the
 * admin sees why (bad token, network) instead of a timeout.
 */
export async function runConnectionTest(adapter: PlatformAdapter): Promise<ConnectionTestResult> {
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from ${adapter.platform} within ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
    });
    const result = await Promise.race([adapter.connectionTest(), timeout]);
    return parseContract('ConnectionTestResult', ConnectionTestResult, { ...result, latencyMs: elapsed() });
  } catch (e) {
    return { ok: false, latencyMs: elapsed(), error: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** Serves `<prefix>.rpc.gateway.<connection>.connection-test`. */
export function serveConnectionTest(
  nc: NatsConnection,
  subject: string,
  queue: string,
  adapter: PlatformAdapter,
  logger: JsonLogger,
): Subscription {
  return serveRpc(
    nc,
    subject,
    queue,
    async (body) => {
      parseContract('ConnectionTestRequest', ConnectionTestRequest, body);
      const result = await runConnectionTest(adapter);
      logger.info('connection test', { ok: result.ok, latencyMs: result.latencyMs, error: result.error });
      return result;
    },
    (e) => logger.warn('connection-test request failed', { error: e }),
  );
}
