import { AckPolicy, NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { subjects } from '@twokey/contracts';
import { NatsHarness, startNats } from '@twokey/test-support';
import { connectNats } from './connect';
import { registerJetStreamMetrics } from './jetstream-metrics';
import { ensureStreams } from './streams';

describe('JetStream lag and size gauges over real NATS', () => {
  let nats: NatsHarness;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await startNats();
    nc = await connectNats({ url: nats.url, name: 'jetstream-metrics-test' });
  });
  afterAll(async () => {
    await nc.close();
    await nats.dispose();
  });

  const value = (text: string, metric: string) => {
    const m = new RegExp(`^${metric.replace(/[{}"=,]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };

  it('reports a durable consumer\'s pending and ack-pending, and the stream\'s messages and bytes, on each scrape', async () => {
    const s = subjects(nats.prefix);
    const jsm = await nc.jetstreamManager();
    await ensureStreams(jsm, s);
    const stream = s.streams.inbound;
    await jsm.consumers.add(stream, { durable_name: 'lagging', ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000 });
    const registry = new Registry();
    registerJetStreamMetrics(registry, () => jsm, { streams: [stream, 'NO_SUCH_STREAM'], consumers: [{ stream, consumer: 'lagging' }] });

    const js = nc.jetstream();
    for (let i = 0; i < 5; i++) await js.publish(s.inbound('telegram'), JSON.stringify({ i }), { msgID: `m${i}` });
    let text = await registry.metrics();
    expect(value(text, `twokey_consumer_pending{stream="${stream}",consumer="lagging"}`)).toBe(5);
    expect(value(text, `twokey_consumer_ack_pending{stream="${stream}",consumer="lagging"}`)).toBe(0);
    expect(value(text, `twokey_stream_messages{stream="${stream}"}`)).toBe(5);
    expect(value(text, `twokey_stream_bytes{stream="${stream}"}`)).toBeGreaterThan(0);
    // A stream it may not (or cannot) see is left out and counted, not reported as 0.
    expect(text).not.toContain('NO_SUCH_STREAM');
    expect(value(text, 'twokey_jetstream_info_errors_total{kind="stream"}')).toBe(1);

    const consumer = await js.consumers.get(stream, 'lagging');
    const batch = await consumer.fetch({ max_messages: 2, expires: 2_000 });
    for await (const m of batch) void m; // delivered, not acked
    text = await registry.metrics();
    expect(value(text, `twokey_consumer_pending{stream="${stream}",consumer="lagging"}`)).toBe(3);
    expect(value(text, `twokey_consumer_ack_pending{stream="${stream}",consumer="lagging"}`)).toBe(2);
  });
});
