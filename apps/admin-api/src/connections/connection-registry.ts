import { GatewayStatus, Platform } from '@twokey/contracts';
import { ConnectionSummary, connectionSummary, connectionsSeen } from '@twokey/read-models';
import type { ConfiguredConnection } from '../config';
import { Problem } from '../http/problem';
import type { Projection } from '../projection/projection';
import type { GatewayStatusProbe } from './gateway-status';
import { MemoryConnectionTests, type ConnectionTests, type LastConnectionTest } from './shared-connection-tests';

export type { LastConnectionTest } from './shared-connection-tests';

/** What the connection's gateway said about itself just now; null when no gateway answered. */
export type GatewayView = Pick<GatewayStatus, 'adapterStarted' | 'since' | 'receiving' | 'reason' | 'halted'> & { lastInboundAt: string | null };

export function gatewayViewOf(status: GatewayStatus): GatewayView {
  return {
    adapterStarted: status.adapterStarted,
    since: status.since,
    lastInboundAt: status.lastInboundAt ?? null,
    ...(status.receiving !== undefined ? { receiving: status.receiving } : {}),
    ...(status.reason !== undefined ? { reason: status.reason } : {}),
    ...(status.halted !== undefined ? { halted: status.halted } : {}),
  };
}

export interface ConnectionView {
  id: string;
  platform: Platform | null;
  /** Listed in CONNECTIONS. A connection only seen in the event log (removed since) is still shown, read-only data. */
  configured: boolean;
  /** The connection's gateway answers right now and its adapter is started (talking to the platform). */
  connected: boolean;
  gateway: GatewayView | null;
  /** The last connection test of this connection, run through any replica (shared in a KV bucket), if any. */
  lastConnectionTest: LastConnectionTest | null;
  counts: ConnectionSummary['counts'];
  lastEventAt: string | null;
}

/** Known connections: configured ones plus any that appear in the event log. Unknown ids are 404. */
export class ConnectionRegistry {
  private readonly configured: Map<string, ConfiguredConnection>;
  constructor(
    configured: readonly ConfiguredConnection[],
    private readonly projection: Projection,
    private readonly gateways: GatewayStatusProbe,
    private readonly tests: ConnectionTests = new MemoryConnectionTests(),
  ) {
    this.configured = new Map(configured.map((c) => [c.id, c]));
  }

  /** Throws a 404 problem unless the connection is known. */
  require(id: string): string {
    if (this.configured.has(id) || this.projection.models.connections.has(id)) return id;
    throw Problem.notFound(`no connection "${id}"`);
  }

  /** Commands need a configured connection: nobody serves a connection that was removed from the deployment. */
  requireConfigured(id: string): ConfiguredConnection {
    const c = this.configured.get(id);
    if (!c) throw Problem.notFound(`no configured connection "${id}"`);
    return c;
  }

  /** Also makes the next list ask the gateway again: a test is when the admin wants the state of this moment. */
  recordTest(id: string, result: LastConnectionTest): void {
    this.tests.record(id, result);
    this.gateways.forget(id);
  }

  /** After a Reconnect: the next list asks the gateway again. */
  forgetStatus(id: string): void {
    this.gateways.forget(id);
  }

  /**
   * Asks the configured connections' gateways first (in parallel, cached briefly), then reads the projection in the
   * same turn, so the counts match the position the caller stamps right after. Nobody serves an unconfigured one.
   */
  async list(): Promise<ConnectionView[]> {
    const statuses = await this.gateways.statusOf([...this.configured.keys()]);
    const ids = new Set([...this.configured.keys(), ...connectionsSeen(this.projection.models)]);
    return [...ids].map((id) => this.view(id, statuses.get(id) ?? null));
  }

  private view(id: string, status: GatewayStatus | null): ConnectionView {
    const summary = connectionSummary(this.projection.models, id);
    const test = this.tests.get(id) ?? null;
    return {
      id,
      platform: this.configured.get(id)?.platform ?? null,
      configured: this.configured.has(id),
      connected: status?.adapterStarted === true,
      gateway: status && gatewayViewOf(status),
      lastConnectionTest: test,
      counts: summary.counts,
      lastEventAt: summary.lastEventAt ?? null,
    };
  }
}
