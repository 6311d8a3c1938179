import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { ConnectionTestResult, GatewayStatus, Subjects } from '@twokey/contracts';
import { RpcRemoteError, RpcUnavailable, rpcRequest } from '@twokey/messaging';
import { gatewayViewOf, type GatewayView, type LastConnectionTest } from './connection-registry';

/** What the Reconnect action answers: the gateway's status after its first new attempt, or why there is none. */
export interface ReconnectResult {
  ok: boolean;
  gateway: GatewayView | null;
  error?: string;
}

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

  /**
   * Asks the gateway to restart its adapter afresh (`<prefix>.rpc.gateway.<connection>.reconnect`): the way out of
   * a halt (a rejected token, Discord 4014) once the cause is fixed, or a nudge. `ok` says the gateway receives again.
   */
  async reconnect(connection: string): Promise<ReconnectResult> {
    try {
      const status = await rpcRequest(
        this.nc,
        this.subjects.rpcGateway(connection, 'reconnect'),
        { correlationId: randomUUID() },
        GatewayStatus,
        this.timeoutMs,
      );
      const gateway = gatewayViewOf(status);
      return { ok: status.receiving ?? status.adapterStarted, gateway, ...(status.reason ? { error: status.reason } : {}) };
    } catch (e) {
      if (e instanceof RpcUnavailable) {
        return { ok: false, gateway: null, error: e.noResponders ? 'gateway not running' : `gateway did not answer within ${this.timeoutMs} ms` };
      }
      return { ok: false, gateway: null, error: e instanceof RpcRemoteError ? e.message : `invalid answer from the gateway: ${(e as Error).message}` };
    }
  }
}
