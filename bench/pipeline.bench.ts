/**
 * 1. Decision pipeline throughput: a backlog of inbound messages (90% from allowlisted users, 10% from strangers)
 * is published first; then the pairing-service (child process) starts and drains it. Throughput = inbound messages
 * decided per second, from the first AdmittedMessage stored to the last. The baseline pipe drains the same backlog
 * with the same JetStream I/O and no logic, on a fresh nats-server, in the same run.
 */
import { accessStream } from '@twokey/contracts';
import { AdmittedProbe } from './lib/admitted-probe';
import { type Bench, type BenchContext, verdict } from './lib/bench';
import { ADMIN, EventLogWriter } from './lib/event-log';
import { encode, MessageFactory } from './lib/messages';
import { type BenchNats, publishMany, startBenchNats } from './lib/nats';
import { pairingEnv, startBaselinePipe, startService } from './lib/services';
import type { Row } from './lib/table';
import { profileArgs } from './lib/profile';
import { HealthProbe } from './lib/health-probe';
import type { Summary } from './lib/stats';

const ALLOWED_USERS = 100;
/** Few strangers, each sending many: the coalescer folds them (the many-strangers case is bench 5). */
const STRANGERS = 20;

interface Drained {
  rate: number;
  /** /healthz latency while draining (the liveness probe of an orchestrator sees this). */
  health?: Summary;
  cpuMsPerMessage?: number;
}

function backlog(n: number, factory: MessageFactory) {
  return (i: number) => {
    const denied = i % 10 === 9;
    const actor = denied ? `s${i % STRANGERS}` : `u${i % ALLOWED_USERS}`;
    return { subject: '', data: encode(factory.message(i, actor, MessageFactory.text(i))), msgID: factory.msgId(i) };
  };
}

async function preload(nats: BenchNats, n: number): Promise<void> {
  const factory = new MessageFactory();
  const make = backlog(n, factory);
  const subject = nats.s.inbound(factory.connection);
  await publishMany(nats.js, n, (i) => ({ ...make(i), subject }));
}

async function seedAllowlist(nats: BenchNats): Promise<void> {
  const writer = new EventLogWriter(nats.nc, nats.s);
  for (let u = 0; u < ALLOWED_USERS; u++) {
    await writer.commit(accessStream('telegram'), [{ type: 'UserApproved', data: { user: { id: `u${u}`, displayName: `User u${u}` }, how: 'manual' } }], ADMIN);
  }
  await writer.flush();
}

async function twokey(ctx: BenchContext, n: number): Promise<Drained> {
  const nats = await startBenchNats();
  try {
    ctx.recordStores(await nats.durability());
    await seedAllowlist(nats);
    await preload(nats, n);
    const probe = new AdmittedProbe(nats.nc, nats.s.admittedAll());
    const service = await startService('pairing-service', await pairingEnv(nats), { nodeArgs: profileArgs(ctx, 'pipeline-pairing-service'), logName: 'pipeline-pairing-service' });
    try {
      const health = new HealthProbe(`${service.url}/healthz`);
      await probe.waitFor(1, 60_000);
      const cpuBefore = service.process.cpuMs();
      await probe.waitFor(expectedAdmitted(n), 120_000);
      const cpuAfter = service.process.cpuMs();
      probe.stop();
      await health.stop();
      return {
        health: health.summary(),
        rate: probe.rate() * (n / expectedAdmitted(n)),
        cpuMsPerMessage: cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / n : undefined,
      };
    } finally {
      await service.process.stop();
    }
  } finally {
    await nats.close();
  }
}

function expectedAdmitted(n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (i % 10 !== 9) count++;
  return count;
}

async function baseline(n: number): Promise<Drained> {
  const nats = await startBenchNats();
  try {
    await preload(nats, n);
    const probe = new AdmittedProbe(nats.nc, nats.s.admittedAll());
    const pipe = await startBaselinePipe(nats);
    try {
      await probe.waitFor(1, 60_000);
      const cpuBefore = pipe.cpuMs();
      await probe.waitFor(n, 120_000);
      const cpuAfter = pipe.cpuMs();
      probe.stop();
      return { rate: probe.rate(), cpuMsPerMessage: cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / n : undefined };
    } finally {
      await pipe.stop();
    }
  } finally {
    await nats.close();
  }
}

export const pipelineBench: Bench = {
  id: '1',
  title: 'decision pipeline',
  async run(ctx) {
    const n = ctx.quick ? 30_000 : 200_000;
    ctx.log(`pipeline: baseline pipe draining ${n} messages`);
    const base = await baseline(n);
    ctx.log(`pipeline: pairing-service draining ${n} messages (90% admitted / 10% denied)`);
    const ours = await twokey(ctx, n);
    const ratio = ours.rate / base.rate;
    const cpu = (d: Drained) => (d.cpuMsPerMessage === undefined ? 'n/a' : `${(d.cpuMsPerMessage * 1000).toFixed(0)} µs`);
    const rows: Row[] = [
      {
        name: `1. pipeline throughput (${n.toLocaleString('en-US')} msgs, 90/10)`,
        target: '≥ 10,000 msg/s and ≥ 0.7× baseline',
        measured: ours.rate,
        baseline: base.rate,
        ratio,
        unit: 'msg/s',
        verdict: verdict(ours.rate >= 10_000 && ratio >= 0.7),
        note: `service CPU per message ${cpu(ours)} vs baseline pipe ${cpu(base)}; the 2 cores are shared with nats-server and the probe`,
      },
    ];
    if (ours.health) {
      rows.push({
        name: '1. /healthz latency while draining (p99)',
        target: 'info (k8s liveness probe: 3 s timeout, 3 failures)',
        measured: ours.health.p99,
        unit: 'ms',
        verdict: 'info',
        note: `p50 ${ours.health.p50.toFixed(1)} ms, max ${ours.health.max.toFixed(0)} ms over ${ours.health.count} probes, 5 per second`,
      });
    }
    return rows;
  },
};
