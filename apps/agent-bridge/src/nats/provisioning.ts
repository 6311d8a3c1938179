import { AckPolicy, DeliverPolicy, JetStreamManager, nanos } from 'nats';
import type { Subjects } from '@twokey/contracts';
import { agentBucketName, TURN_RECORD_TTL_MS } from '../bridge/session-store';
import { deliveredConsumerName } from './delivery-reports';

/** The ack wait of the `agent` consumer; queued deliveries are kept alive at a third of it. */
export const AGENT_ACK_WAIT_MS = 60_000;
/** Deliveries of one admitted message before it is dead-lettered (only failures to record a turn redeliver). */
export const AGENT_MAX_DELIVER = 5;

/** The consumers and the KV bucket the bridge uses, as the provisioner creates them (deploy/nats/provision.js). */
export async function ensureBridgeResources(jsm: JetStreamManager, s: Subjects, consumerName: string): Promise<void> {
  const pull = { ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: nanos(AGENT_ACK_WAIT_MS), max_deliver: AGENT_MAX_DELIVER };
  const wanted = [
    { stream: s.streams.admitted, config: { ...pull, durable_name: consumerName } },
    { stream: s.streams.delivered, config: { ...pull, durable_name: deliveredConsumerName(consumerName), deliver_policy: DeliverPolicy.New } },
  ];
  for (const { stream, config } of wanted) {
    try {
      await jsm.consumers.info(stream, config.durable_name);
    } catch {
      await jsm.consumers.add(stream, config);
    }
  }
  const bucket = agentBucketName(s.prefix);
  await jsm.jetstream().views.kv(bucket, { history: 1, ttl: TURN_RECORD_TTL_MS });
}
