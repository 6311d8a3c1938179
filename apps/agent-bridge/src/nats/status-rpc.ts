import type { NatsConnection, Subscription } from 'nats';
import { AgentStatus, AgentStatusRequest, parseContract, type Subjects } from '@twokey/contracts';
import { serveRpc } from '@twokey/messaging';
import type { JsonLogger } from '@twokey/service-kit';

/** Answers `<prefix>.rpc.agent.status` from memory (admin-api's GET /api/v1/agent asks it). */
export function serveAgentStatus(nc: NatsConnection, s: Subjects, snapshot: () => AgentStatus, logger: JsonLogger): Subscription {
  return serveRpc(
    nc,
    s.rpcAgent('status'),
    'agent-bridge',
    async (body) => {
      parseContract('AgentStatusRequest', AgentStatusRequest, body);
      return AgentStatus.parse(snapshot());
    },
    (e, subject) => logger.warn('agent status request failed', { subject, error: (e as Error).message }),
  );
}
