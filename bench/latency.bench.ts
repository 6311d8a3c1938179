/**
 * 2. Latency: inbound messages from allowlisted users offered at a fixed rate (open loop: the schedule does not wait
 * for answers), each timed from the moment it is published to the moment its AdmittedMessage is stored. The
 * baseline pipe gets the same schedule on its own nats-server in the same run.
 */
import { accessStream, type AdmittedMessage } from '@twokey/contracts';
import { AdmittedProbe } from './lib/admitted-probe';
import { type Bench, type BenchContext, verdict } from './lib/bench';
import { ADMIN, EventLogWriter } from './lib/event-log';
import { encode, MessageFactory } from './lib/messages';
import { type BenchNats, startBenchNats } from './lib/nats';
import { profileArgs } from './lib/profile';
import { pairingEnv, startBaselinePipe, startService } from './lib/services';
import { nowMs, sleep, summarize, type Summary } from './lib/stats';
import type { Row } from './lib/table';

const RATE = 1_000;
const USERS = 50;

/** Publishes RATE messages/s for `seconds`, catching up in small bursts when a timer fires late. */
async function offer(nats: BenchNats, seconds: number, onPublished: (id: string, atMs: number) => void): Promise<{ sent: number; failed: number }> {
  const factory = new MessageFactory();
  const subject = nats.s.inbound(factory.connection);
  const total = RATE * seconds;
  const started = nowMs();
  let sent = 0;
  let failed = 0;
  const pending: Promise<unknown>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - started) * RATE) / 1000) + 1);
    for (; sent < due; sent++) {
      const m = factory.message(sent, `u${sent % USERS}`, MessageFactory.text(sent));
      onPublished(m.platformMessageId, nowMs());
      pending.push(nats.js.publish(subject, encode(m), { msgID: factory.msgId(sent) }).catch(() => void failed++));
    }
    if (pending.length > 5_000) await Promise.all(pending.splice(0));
    await sleep(1);
  }
  await Promise.all(pending);
  return { sent, failed };
}

async function measure(nats: BenchNats, seconds: number): Promise<Summary> {
  const publishedAt = new Map<string, number>();
  const latencies: number[] = [];
  const probe = new AdmittedProbe(nats.nc, nats.s.admittedAll(), (data, at) => {
    const id = (JSON.parse(Buffer.from(data).toString('utf8')) as AdmittedMessage | { platformMessageId: string });
    const key = 'message' in id ? id.message.platformMessageId : id.platformMessageId;
    const t0 = publishedAt.get(key);
    if (t0 !== undefined) latencies.push(at - t0);
  });
  const { sent } = await offer(nats, seconds, (id, at) => publishedAt.set(id, at));
  await probe.waitFor(sent, 30_000);
  probe.stop();
  return summarize(latencies);
}

async function seedUsers(nats: BenchNats): Promise<void> {
  const writer = new EventLogWriter(nats.nc, nats.s);
  for (let u = 0; u < USERS; u++) {
    await writer.commit(accessStream('telegram'), [{ type: 'UserApproved', data: { user: { id: `u${u}`, displayName: `User u${u}` }, how: 'manual' } }], ADMIN);
  }
  await writer.flush();
}

async function twokey(ctx: BenchContext, seconds: number): Promise<Summary> {
  const nats = await startBenchNats();
  try {
    ctx.recordStores(await nats.durability());
    await seedUsers(nats);
    const service = await startService('pairing-service', await pairingEnv(nats), { nodeArgs: profileArgs(ctx, 'latency-pairing-service'), logName: 'latency-pairing-service' });
    try {
      await warmUp(nats);
      return await measure(nats, seconds);
    } finally {
      await service.process.stop();
    }
  } finally {
    await nats.close();
  }
}

/** A second of traffic first, so JIT compilation and connection set-up are not in the figures. */
async function warmUp(nats: BenchNats): Promise<void> {
  await measure(nats, 1);
}

async function baseline(seconds: number): Promise<Summary> {
  const nats = await startBenchNats();
  try {
    const pipe = await startBaselinePipe(nats);
    try {
      await warmUp(nats);
      return await measure(nats, seconds);
    } finally {
      await pipe.stop();
    }
  } finally {
    await nats.close();
  }
}

export const latencyBench: Bench = {
  id: '2',
  title: 'latency',
  async run(ctx) {
    const seconds = ctx.quick ? 5 : 30;
    ctx.log(`latency: baseline pipe, ${RATE} msg/s for ${seconds} s`);
    const base = await baseline(seconds);
    ctx.log(`latency: pairing-service, ${RATE} msg/s for ${seconds} s`);
    const ours = await twokey(ctx, seconds);
    const label = `${RATE.toLocaleString('en-US')} msg/s × ${seconds} s`;
    const rows: Row[] = [
      { name: `2. latency p50 (${label})`, target: 'info', measured: ours.p50, baseline: base.p50, ratio: ours.p50 / base.p50, unit: 'ms', verdict: 'info' },
      {
        name: `2. latency p99 (${label})`,
        target: '≤ 5 ms',
        measured: ours.p99,
        baseline: base.p99,
        ratio: ours.p99 / base.p99,
        unit: 'ms',
        verdict: verdict(ours.p99 <= 5),
        note: `inbound published → AdmittedMessage stored; ${ours.count} samples; ratio = Twokey / baseline (lower is better)`,
      },
      { name: `2. latency max (${label})`, target: 'info', measured: ours.max, baseline: base.max, ratio: ours.max / base.max, unit: 'ms', verdict: 'info' },
    ];
    return rows;
  },
};
