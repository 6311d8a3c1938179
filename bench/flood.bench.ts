/**
 * 5. Flood: messages from 10,000 strangers in 100 group conversations, published as fast as the server takes them
 * (a backlog, the worst case), drained by the pairing-service (child process, default settings). Meanwhile: the
 * pairing-service's RSS is sampled from /proc, the Activity → Attention query of the admin-api (child process) is
 * timed every 100 ms from a worker thread, and the admin pairs a new user through the admin-api. The run stops when
 * the flood is drained or at the time cap, whichever comes first.
 */
import { JetStreamEventStore } from '@twokey/event-store';
import { type Bench, type BenchContext, verdict } from './lib/bench';
import { ThreadedActivityProbe } from './flood-activity-probe';
import { encode, MessageFactory } from './lib/messages';
import { publishMany, startBenchNats } from './lib/nats';
import { pairThroughAdminApi, type PairingResult } from './lib/pairing-flow';
import { MemorySampler, processMemory } from './lib/processes';
import { profileArgs } from './lib/profile';
import { ADMIN_TOKEN, adminEnv, pairingEnv, startService } from './lib/services';
import { nowMs, sleep } from './lib/stats';
import type { Row } from './lib/table';

const STRANGERS = 10_000;
const CONVERSATIONS = 100;
/** The pairing-service's default DENIAL_WINDOW_SECONDS; the quick run's flood lasts a few seconds, so 10 s. */
const WINDOW_MS = { full: 60_000, quick: 10_000 };
const MIN_OBSERVE_MS = 10_000;
/** After the drain, how long the last windows may take to flush (a window, plus the flush timer and commits). */
const FLUSH_GRACE_MS = 15_000;
/** Chat text that is not code-shaped (a code-shaped guess is bench-tested by the brute-force test). */
const TEXT = 'hello, is anyone there? can this bot help me with my homework please';

export const floodBench: Bench = {
  id: '5',
  title: 'flood',
  async run(ctx: BenchContext) {
    const total = ctx.quick ? 50_000 : 1_000_000;
    const capMs = ctx.quick ? 40_000 : 600_000;
    const windowMs = ctx.quick ? WINDOW_MS.quick : WINDOW_MS.full;
    const nats = await startBenchNats();
    try {
      ctx.recordStores(await nats.durability());
      const pairing = await startService('pairing-service', await pairingEnv(nats, { DENIAL_WINDOW_SECONDS: String(windowMs / 1000) }), { nodeArgs: profileArgs(ctx, 'flood-pairing-service'), logName: 'flood-pairing-service' });
      const admin = await startService('admin-api', await adminEnv(nats), { nodeArgs: profileArgs(ctx, 'flood-admin-api'), logName: 'flood-admin-api' });
      try {
        const memory = new MemorySampler(pairing.process, 200);
        const serverMemory = new MemorySampler({ memory: () => processMemory(nats.harness.pid) }, 200);
        // Off this thread: the publisher below would otherwise delay the probe's own reading of each answer.
        const activity = await ThreadedActivityProbe.start(`${admin.url}/api/v1/activity?connection=telegram&section=attention`, 100, ADMIN_TOKEN);
        const factory = new MessageFactory();
        const subject = nats.s.inbound(factory.connection);
        const eventsBefore = (await nats.jsm.streams.info(nats.s.streams.events)).state.last_seq;
        ctx.log(`flood: publishing ${total.toLocaleString('en-US')} messages from ${STRANGERS} strangers in ${CONVERSATIONS} conversations (cap ${capMs / 1000} s)`);
        const t0 = nowMs();
        let published = 0;
        const flood = publishMany(nats.js, total, (i) => {
          published = i + 1;
          const a = (i * 7919) % STRANGERS;
          const c = a % CONVERSATIONS;
          return { subject, data: encode(factory.message(i, `x${a}`, TEXT, { id: `-100${c}`, spaceId: `-100${c}` })), msgID: factory.msgId(i) };
        });
        let pairingResult: PairingResult | undefined;
        const pairingRun = (async () => {
          while (published < total * 0.1) await sleep(50);
          ctx.log('flood: the admin pairs a new user through the admin-api');
          pairingResult = await pairThroughAdminApi(nats, admin.url, Math.max(1_000, capMs - (nowMs() - t0)));
          ctx.log(`flood: pairing ${pairingResult.ok ? 'completed' : `did not complete (${pairingResult.stage})`} after ${(pairingResult.ms / 1000).toFixed(1)} s`);
        })();
        let delivered = 0;
        let drained = false;
        let drainedAt = 0;
        // Drained = every message delivered and decided. Coalesced denials stay un-acked until their window's
        // MessageDenied is appended, so outstanding acks do not mean undecided messages.
        while (nowMs() - t0 < capMs) {
          await sleep(250);
          const info = await nats.jsm.consumers.info(nats.s.streams.inbound, 'pairing-service');
          delivered = info.delivered.stream_seq;
          drained = published >= total && info.num_pending === 0 && pairingResult !== undefined;
          if (drained && !drainedAt) drainedAt = nowMs();
          // Keep the Activity probe going long enough for a meaningful p99 (and the admin-api's projection to catch up).
          if (drained && nowMs() - t0 >= MIN_OBSERVE_MS) break;
        }
        const elapsed = (drainedAt || nowMs()) - t0;
        await flood.catch(() => undefined);
        await pairingRun;
        const activityLatency = await activity.stop();
        // Denials held in open windows are counted when their window ends: wait for that (every message acked),
        // so the events below are all the flood costs, and the memory figures include the flush.
        ctx.log('flood: waiting for the last windows to flush');
        const flushDeadline = nowMs() + windowMs + FLUSH_GRACE_MS;
        let unacked = 0;
        while (nowMs() < flushDeadline) {
          unacked = (await nats.jsm.consumers.info(nats.s.streams.inbound, 'pairing-service')).num_ack_pending;
          if (unacked === 0) break;
          await sleep(250);
        }
        memory.stop();
        serverMemory.stop();
        const store = new JetStreamEventStore({ nc: nats.nc, subjects: nats.s });
        let events = 0;
        const commits = new Set<number>();
        // MessageDenied only: the admin's pairing meanwhile writes a few events of its own.
        for await (const e of store.readAll(eventsBefore)) {
          if (e.type !== 'MessageDenied') continue;
          events++;
          commits.add(e.position);
        }
        // Flood messages decided: everything delivered except the pairing's own two messages.
        const denials = Math.max(1, delivered - 2);
        const perThousand = (events / denials) * 1000;
        const bound = STRANGERS * (1 + Math.ceil(elapsed / windowMs));
        const rate = (delivered * 1000) / elapsed;
        const scope = `${delivered.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} messages decided in ${(elapsed / 1000).toFixed(0)} s${drained ? '' : ' (time cap)'}`;
        const rows: Row[] = [
          {
            name: `5. flood drain (${total.toLocaleString('en-US')} msgs, 10k strangers)`,
            target: 'info',
            measured: rate,
            unit: 'msg/s',
            verdict: 'info',
            note: scope,
          },
          {
            name: '5. flood: events written per 1,000 denials',
            target: 'bounded by the coalescing window',
            measured: perThousand,
            unit: 'events',
            verdict: verdict(events <= bound && unacked === 0),
            note: `${events.toLocaleString('en-US')} MessageDenied in ${commits.size.toLocaleString('en-US')} commits for ${denials.toLocaleString('en-US')} denials; bound for ${STRANGERS.toLocaleString('en-US')} (actor, conversation) keys and a ${windowMs / 1000} s window over ${(elapsed / 1000).toFixed(0)} s: ${bound.toLocaleString('en-US')} (the first denial of a key, then one event per key per window)${unacked ? `; ${unacked.toLocaleString('en-US')} messages still un-acked ${((windowMs + FLUSH_GRACE_MS) / 1000).toFixed(0)} s after the drain, not counted` : ''}`,
          },
          { name: '5. flood: pairing-service peak RSS', target: '≤ 200 MB', measured: memory.maxRssMiB, unit: 'MiB', verdict: verdict(memory.maxRssMiB <= 200), note: `${memory.samples.length} samples of /proc/<pid>/status VmRSS, from the start to the last window's flush` },
          {
            name: '5. flood: nats-server peak RSS',
            target: 'info',
            measured: serverMemory.maxRssMiB,
            unit: 'MiB',
            verdict: 'info',
            note: 'the held denials are pending acks on the server too (the consumer allows DENIAL_MAX_HELD + 10%)',
          },
          {
            name: '5. flood: admin Activity query p99',
            target: '≤ 50 ms',
            measured: activityLatency.p99,
            unit: 'ms',
            verdict: verdict(activityLatency.p99 <= 50),
            note: `GET /api/v1/activity?section=attention every 100 ms: ${activityLatency.count} queries, p50 ${activityLatency.p50.toFixed(1)} ms, max ${activityLatency.max.toFixed(0)} ms`,
          },
          {
            name: '5. flood: the admin pairs a user meanwhile',
            target: 'completes',
            measured: pairingResult?.ok ? `yes, ${((pairingResult.ms ?? 0) / 1000).toFixed(1)} s` : `no (${pairingResult?.stage ?? 'not started'})`,
            verdict: verdict(pairingResult?.ok === true),
            note: 'code issued by the admin-api, DM on the inbound stream behind the flood, approval, then a message admitted',
          },
        ];
        return rows;
      } finally {
        await admin.process.stop();
        await pairing.process.stop(30_000);
      }
    } finally {
      await nats.close();
    }
  },
};
