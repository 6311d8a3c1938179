import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { ConnectionTestResult, Subjects } from '@twokey/contracts';
import { RpcRemoteError, RpcUnavailable, rpcRequest } from '@twokey/messaging';
import type { LastConnectionTest } from './connection-registry';

/**
 * Asks the connection's gateway to check its platform credentials (`<prefix>.rpc.gateway.<connection>.
 * connection-test`). An unreachable gateway is a normal answer (200, ok:false) — the test itself worked; it
 * only tells the admin the gateway is not running. `timeoutMs` must exceed the gateway's own platform limit
 * (GATEWAY_CONNECTION_TEST_TIMEOUT_MS): a slow platform should be reported by the gateway with its real error.
 * Every answer has `bot`: the identity, or null when the test failed (§6's reply shape).
 */
export class ConnectionTester {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly timeoutMs: number,
  ) {}

  async test(connection: string): Promise<LastConnectionTest> {
    const started = Date.now();
    const at = () => new Date().toISOString();
    try {
      const result = await rpcRequest(
        this.nc,
        this.subjects.rpcGateway(connection, 'connection-test'),
        { correlationId: randomUUID() },
        ConnectionTestResult,
        this.timeoutMs,
      );
      return { ...result, bot: result.bot ?? null, at: at() };
    } catch (e) {
      const latencyMs = Date.now() - started;
      if (e instanceof RpcUnavailable) {
        const error = e.noResponders ? 'gateway not running' : `gateway did not answer within ${this.timeoutMs} ms`;
        return { ok: false, bot: null, latencyMs, error, at: at() };
      }
      const error = e instanceof RpcRemoteError ? e.message : `invalid answer from the gateway: ${(e as Error).message}`;
      return { ok: false, bot: null, latencyMs, error, at: at() };
    }
  }
}
