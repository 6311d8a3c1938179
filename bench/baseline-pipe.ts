/**
 * The baseline of the decision pipeline: the same JetStream I/O as the pairing-service and no logic. A durable
 * pull consumer on TWOKEY_INBOUND (same batch and ack settings), each message republished as-is to
 * TWOKEY_ADMITTED with the same Nats-Msg-Id, then acked. Run as a child process, like the service.
 *
 * env: NATS_URL, TWOKEY_SUBJECT_PREFIX, CONSUMER_NAME (default baseline)
 */
import { AckPolicy, DeliverPolicy, type JsMsg } from 'nats';
import { subjects as subjectsOf } from '@twokey/contracts';
import { connectNats } from '@twokey/messaging';

const PULL_BATCH = 1_024;
const MAX_ACK_PENDING = 20_000;

async function main(): Promise<void> {
  const s = subjectsOf(process.env.TWOKEY_SUBJECT_PREFIX);
  const name = process.env.CONSUMER_NAME ?? 'baseline';
  // The services' own connection settings, so the baseline differs from them only by the missing logic.
  const nc = await connectNats({ url: process.env.NATS_URL ?? '', name: 'baseline-pipe' });
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(s.streams.inbound, {
    durable_name: name,
    filter_subject: s.inboundAll(),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: MAX_ACK_PENDING,
  });
  const js = nc.jetstream();
  const consumer = await js.consumers.get(s.streams.inbound, name);
  const inboundPrefix = s.inboundAll().slice(0, -1);
  const forward = async (m: JsMsg) => {
    const connection = m.subject.slice(inboundPrefix.length);
    await js.publish(s.admitted(connection), m.data, { msgID: m.headers?.get('Nats-Msg-Id') || undefined });
    m.ack();
  };
  await consumer.consume({
    max_messages: PULL_BATCH,
    callback: (m) => {
      forward(m).catch((e) => {
        process.stderr.write(`forward failed: ${(e as Error).message}\n`);
        m.nak(1_000);
      });
    },
  });
  process.stdout.write('READY\n');
  const stop = () => void nc.drain().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`baseline-pipe failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
