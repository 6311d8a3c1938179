import type { NatsConnection } from 'nats';
import { AgentStatus, Subjects } from '@twokey/contracts';
import { RpcUnavailable, rpcRequest } from '@twokey/messaging';
import type { JsonLogger } from '@twokey/service-kit';

/** The bridge answers from memory; a slower answer means it is not really there. */
export const AGENT_STATUS_TIMEOUT_MS = 1_000;

/** Asks the agent bridge `<prefix>.rpc.agent.status`; null when no bridge answers (not running). */
export class AgentStatusProbe {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly log: JsonLogger,
    private readonly timeoutMs = AGENT_STATUS_TIMEOUT_MS,
  ) {}

  async status(): Promise<AgentStatus | null> {
    try {
      return await rpcRequest(this.nc, this.subjects.rpcAgent('status'), {}, AgentStatus, this.timeoutMs);
    } catch (e) {
      if (e instanceof RpcUnavailable) this.log.debug(e.noResponders ? 'agent bridge not running' : 'agent bridge did not answer its status in time');
      else this.log.warn('unusable status answer from the agent bridge', { error: (e as Error).message });
      return null;
    }
  }
}
