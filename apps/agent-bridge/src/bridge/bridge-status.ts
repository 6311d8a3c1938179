import type { AgentAuthState, AgentStatus, DeliveryReport } from '@twokey/contracts';

type ErrorKind = NonNullable<AgentStatus['lastError']>['kind'];

/** What the operator sees of the bridge (twokey.rpc.agent.status), kept up to date by the parts that know. */
export class BridgeStatus {
  auth: AgentAuthState = 'unknown';
  pendingPermissions = 0;
  staleSkipped = 0;
  deliveryFailures = 0;
  lastDeliveryFailure: AgentStatus['lastDeliveryFailure'] = null;
  lastError: AgentStatus['lastError'] = null;
  readonly since = new Date().toISOString();

  authOk(): void {
    this.auth = 'ok';
  }

  authRequired(message: string): void {
    this.auth = 'required';
    this.error('auth-required', message);
  }

  error(kind: ErrorKind, message: string): void {
    this.lastError = { kind, message: message.slice(0, 300), at: new Date().toISOString() };
  }

  deliveryFailed(r: DeliveryReport): void {
    this.deliveryFailures++;
    this.lastDeliveryFailure = { connection: r.connection, idempotencyKey: r.idempotencyKey, failure: r.failure, reason: r.reason, at: r.at };
  }
}
