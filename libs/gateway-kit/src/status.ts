import type { NatsConnection, Subscription } from 'nats';
import { GatewayStatus, GatewayStatusRequest, parseContract } from '@twokey/contracts';
import { serveRpc } from '@twokey/messaging';
import type { JsonLogger } from '@twokey/service-kit';

/**
 * Serves `<prefix>.rpc.gateway.<connection>.status` from what the gateway already knows: the admin-api asks every
 * gateway on each connection list, so the answer must be immediate and never wait for (or bill) the platform.
 * The reply is checked against the contract before it leaves, so a gateway cannot put anything else in it.
 */
export function serveStatus(
  nc: NatsConnection,
  subject: string,
  queue: string,
  snapshot: () => GatewayStatus,
  logger: JsonLogger,
): Subscription {
  return serveRpc(
    nc,
    subject,
    queue,
    async (body) => {
      parseContract('GatewayStatusRequest', GatewayStatusRequest, body);
      return parseContract('GatewayStatus', GatewayStatus, snapshot());
    },
    (e) => logger.warn('status request failed', { error: e }),
  );
}
