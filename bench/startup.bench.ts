/**
 * 6. Start-up: each service as a child process, from spawn to its first `/readyz` 200 (NATS connected, state
 * rehydrated, consumers running; for a gateway, its platform fake reached). Then the pairing-service again on a
 * store holding 100,000 allowlisted users (one UserApproved commit each, as the admin-api writes them), timed to
 * `/readyz` and by its own "state rehydrated" log line. The baseline is a bare `node -e` that connects to NATS and
 * answers HTTP: what any Node service pays before doing its own work.
 */
import path from 'node:path';
import { accessStream } from '@twokey/contracts';
import { type Bench, type BenchContext, verdict } from './lib/bench';
import { ADMIN, EventLogWriter } from './lib/event-log';
import { GATEWAYS } from './lib/gateways';
import { type BenchNats, startBenchNats } from './lib/nats';
import { ROOT, ServiceProcess } from './lib/processes';
import { profileArgs } from './lib/profile';
import { adminEnv, pairingEnv, rehydrationMs, startService } from './lib/services';
import { snapshotStarts } from './lib/snapshot-starts';
import { freePort } from '@twokey/test-support';
import type { Row } from './lib/table';

const TARGET_MS = 2_000;

const BARE_SERVICE = path.join(ROOT, 'dist/bench/bare-service.js');

async function bareStart(nats: BenchNats): Promise<number> {
  const port = await freePort();
  const p = ServiceProcess.spawn({ name: 'bare-service', script: BARE_SERVICE, env: { NATS_URL: nats.url, HTTP_PORT: String(port) } });
  try {
    return await p.waitForHttp(`http://127.0.0.1:${port}/`, 20_000);
  } finally {
    await p.kill();
  }
}

async function gatewayRows(nats: BenchNats, ctx: BenchContext, bare: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const g of GATEWAYS) {
    const name = `6. gateway-${g.platform} ready`;
    let fake: Awaited<ReturnType<typeof g.start>> | undefined;
    try {
      fake = await g.start();
      const env = { NATS_URL: nats.url, TWOKEY_SUBJECT_PREFIX: nats.prefix, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(await freePort()), LOG_LEVEL: 'info', REPLY_CAPABILITY_SECRET: 'bench-reply-capability-secret-0123456789ab', ...fake.env };
      const started = await startService(`gateway-${g.platform}`, env, { logName: `startup-gateway-${g.platform}`, readyTimeoutMs: 20_000 });
      await started.process.stop();
      rows.push({ name, target: '≤ 2 s', measured: started.readyMs, baseline: bare, ratio: started.readyMs / bare, unit: 'ms', verdict: verdict(started.readyMs <= TARGET_MS) });
    } catch (e) {
      ctx.log(`startup: gateway-${g.platform} did not become ready: ${(e as Error).message.split('\n')[0]}`);
      rows.push({ name, target: '≤ 2 s', measured: 'not ready', verdict: 'crash', note: (e as Error).message.split('\n')[0] });
    } finally {
      await fake?.stop().catch(() => undefined);
    }
  }
  return rows;
}

export const startupBench: Bench = {
  id: '6',
  title: 'start-up',
  async run(ctx: BenchContext) {
    const users = 100_000;
    const rows: Row[] = [];
    const nats = await startBenchNats();
    try {
      ctx.recordStores(await nats.durability());
      const bare = await bareStart(nats);
      ctx.log('startup: pairing-service and admin-api on an empty store');
      const pairing = await startService('pairing-service', await pairingEnv(nats), { logName: 'startup-pairing-service' });
      await pairing.process.stop();
      rows.push({ name: '6. pairing-service ready (empty store)', target: '≤ 2 s', measured: pairing.readyMs, baseline: bare, ratio: pairing.readyMs / bare, unit: 'ms', verdict: verdict(pairing.readyMs <= TARGET_MS), note: 'baseline: bare node + nats client + HTTP listener; ratio: lower is better' });
      const admin = await startService('admin-api', await adminEnv(nats), { logName: 'startup-admin-api' });
      await admin.process.stop();
      rows.push({ name: '6. admin-api ready (empty store)', target: '≤ 2 s', measured: admin.readyMs, baseline: bare, ratio: admin.readyMs / bare, unit: 'ms', verdict: verdict(admin.readyMs <= TARGET_MS) });
      ctx.log('startup: gateways against their platform fakes');
      rows.push(...(await gatewayRows(nats, ctx, bare)));

      ctx.log(`startup: writing ${users.toLocaleString('en-US')} allowlisted users`);
      const writer = new EventLogWriter(nats.nc, nats.s);
      for (let u = 0; u < users; u++) {
        await writer.commit(accessStream('telegram'), [{ type: 'UserApproved', data: { user: { id: `u${u}`, displayName: `User ${u}`, username: `user${u}` }, how: 'manual' } }], ADMIN);
      }
      await writer.flush();
      ctx.log('startup: pairing-service rehydrating them');
      // No snapshot here (this row is the fold of the whole log); the snapshot rows below write and use one.
      const loaded = await startService('pairing-service', await pairingEnv(nats, { SNAPSHOTS: 'false' }), { logName: 'startup-pairing-service-100k', nodeArgs: profileArgs(ctx, 'startup-pairing-service-100k'), readyTimeoutMs: 300_000 });
      await loaded.process.stop();
      const rehydrated = rehydrationMs(loaded.process.output) ?? loaded.readyMs;
      rows.push({
        name: `6. pairing-service rehydration, ${users.toLocaleString('en-US')} users`,
        target: '≤ 2 s',
        measured: rehydrated,
        unit: 'ms',
        verdict: verdict(rehydrated <= TARGET_MS),
        note: `ready (spawn → /readyz) after ${Math.round(loaded.readyMs)} ms; rehydration = its "state rehydrated" log line (read every event from position 0 and fold it)`,
      });
      const snap = await snapshotStarts(ctx, nats, 'pairing-service', 'startup-100k');
      rows.push({
        name: `6. pairing-service start-up from a snapshot, ${users.toLocaleString('en-US')} users (no-snapshot figure as baseline)`,
        target: '≤ 1 s',
        measured: snap.with.rebuildMs,
        baseline: snap.without.rebuildMs,
        ratio: snap.with.rebuildMs / snap.without.rebuildMs,
        unit: 'ms',
        verdict: verdict(snap.with.rebuildMs <= 1_000),
        note: `its "state rehydrated" line; snapshot ${Math.round(snap.snapshotBytes / 1024).toLocaleString('en-US')} KiB, written in ${Math.round(snap.snapshotWriteMs)} ms, of which ${Math.round(snap.snapshotCutMs)} ms in one go (the cut); spawn → /readyz ${Math.round(snap.with.readyMs)} vs ${Math.round(snap.without.readyMs)} ms`,
      });
      // Without a snapshot the admin-api projects the whole log before it is ready.
      ctx.log('startup: admin-api projecting them');
      const projected = await startService('admin-api', await adminEnv(nats, { SNAPSHOTS: 'false' }), { logName: 'startup-admin-api-100k', readyTimeoutMs: 300_000 });
      await projected.process.stop();
      rows.push({
        name: `6. admin-api ready, ${users.toLocaleString('en-US')} users in the log`,
        target: 'info',
        measured: projected.readyMs,
        baseline: bare,
        ratio: projected.readyMs / bare,
        unit: 'ms',
        verdict: 'info',
        note: 'spawn → /readyz, which waits until every read model has caught up with the log (projected from position 0 at each start)',
      });
      return rows;
    } finally {
      await nats.close();
    }
  },
};
