import { BotIdentity, ConnectionTestResult, Platform } from '@twokey/contracts';
import { ConnectionSummary, connectionSummary, connectionsSeen } from '@twokey/read-models';
import type { ConfiguredConnection } from '../config';
import { Problem } from '../http/problem';
import type { Projection } from '../projection/projection';

/** A connection test as the API answers it: `bot` is always there, null when the test failed. */
export type LastConnectionTest = Omit<ConnectionTestResult, 'bot'> & { bot: BotIdentity | null; at: string };

export interface ConnectionView {
  id: string;
  platform: Platform | null;
  /** Listed in CONNECTIONS. A connection only seen in the event log (removed since) is still shown, read-only data. */
  configured: boolean;
  /** The gateway answered the last connection test successfully. */
  connected: boolean;
  lastConnectionTest: LastConnectionTest | null;
  counts: ConnectionSummary['counts'];
  lastEventAt: string | null;
}

/** Known connections: configured ones plus any that appear in the event log. Unknown ids are 404. */
export class ConnectionRegistry {
  private readonly configured: Map<string, ConfiguredConnection>;
  private readonly tests = new Map<string, LastConnectionTest>();

  constructor(
    configured: readonly ConfiguredConnection[],
    private readonly projection: Projection,
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

  recordTest(id: string, result: LastConnectionTest): void {
    this.tests.set(id, result);
  }

  list(): ConnectionView[] {
    const ids = new Set([...this.configured.keys(), ...connectionsSeen(this.projection.models)]);
    return [...ids].map((id) => this.view(id));
  }

  view(id: string): ConnectionView {
    const summary = connectionSummary(this.projection.models, id);
    const test = this.tests.get(id) ?? null;
    return {
      id,
      platform: this.configured.get(id)?.platform ?? null,
      configured: this.configured.has(id),
      connected: test?.ok === true,
      lastConnectionTest: test,
      counts: summary.counts,
      lastEventAt: summary.lastEventAt ?? null,
    };
  }
}
