import type { BenchContext } from './bench';
import type { BenchNats } from './nats';
import { adminEnv, pairingEnv, rehydrationMs, startService } from './services';

/** One start of a service: its own measure of rebuilding its state, spawn → /readyz, and where it started from. */
export interface StartFigures {
  /** The service's own log line: "state rehydrated" (pairing-service), "projection caught up" (admin-api). */
  rebuildMs: number;
  readyMs: number;
  /** Position of the snapshot it started from (null: the whole log was folded). */
  snapshot: number | null;
  /** Events it folded at start (pairing-service: read from the store; admin-api: all the models reflect). */
  events: number;
  /** VmHWM of the process once it was ready (and, the first time, had written its snapshot). */
  peakRssMiB: number;
}

export interface SnapshotStarts {
  without: StartFigures;
  with: StartFigures;
  /** Size of the snapshot the first start wrote, bytes, and how long writing it took. */
  snapshotBytes: number;
  snapshotWriteMs: number;
  /** The synchronous part of the write (copying the fold's maps): the longest the service's event loop waited. */
  snapshotCutMs: number;
}

const LINE: Record<'pairing-service' | 'admin-api', RegExp> = {
  'pairing-service': /state rehydrated/,
  'admin-api': /projection caught up/,
};

function lineOf(output: string, pattern: RegExp): Record<string, unknown> {
  const line = output.split('\n').find((l) => pattern.test(l));
  return line ? (JSON.parse(line) as Record<string, unknown>) : {};
}

/**
 * Starts `app` on the bench's log twice: first with no snapshot (it folds the whole log, then writes its first
 * snapshot at the cadence's first tick: SNAPSHOT_EVERY_EVENTS is far below the log), then again, starting from that
 * snapshot with nothing after it to fold.
 */
export async function snapshotStarts(ctx: BenchContext, nats: BenchNats, app: 'pairing-service' | 'admin-api', label: string): Promise<SnapshotStarts> {
  const env = async () => (app === 'pairing-service' ? pairingEnv(nats) : adminEnv(nats));
  const figures = (output: string, readyMs: number, peakRssMiB: number): StartFigures => {
    const line = lineOf(output, LINE[app]);
    const rebuildMs = app === 'pairing-service' ? rehydrationMs(output) : (line.ms as number | undefined);
    return { rebuildMs: rebuildMs ?? readyMs, readyMs, snapshot: (line.snapshot as number | null | undefined) ?? null, events: Number(line.events ?? NaN), peakRssMiB };
  };
  ctx.log(`${label}: ${app} without a snapshot (folds the whole log, then writes one)`);
  const first = await startService(app, await env(), { logName: `${label}-${app}-no-snapshot`, readyTimeoutMs: 600_000 });
  let written: Record<string, unknown>;
  let firstPeak = NaN;
  try {
    await first.process.waitForOutput(/snapshot written/, 120_000);
    written = lineOf(first.process.output, /snapshot written/);
    firstPeak = first.process.memory()?.peakMiB ?? NaN;
  } finally {
    await first.process.stop();
  }
  const without = figures(first.process.output, first.readyMs, firstPeak);
  ctx.log(`${label}: ${app} from its snapshot`);
  const second = await startService(app, await env(), { logName: `${label}-${app}-snapshot`, readyTimeoutMs: 600_000 });
  const secondPeak = second.process.memory()?.peakMiB ?? NaN;
  await second.process.stop();
  const withSnapshot = figures(second.process.output, second.readyMs, secondPeak);
  if (withSnapshot.snapshot === null) throw new Error(`${app} did not start from its snapshot:\n${second.process.output.slice(-2_000)}`);
  return { without, with: withSnapshot, snapshotBytes: Number(written.bytes), snapshotWriteMs: Number(written.ms), snapshotCutMs: Number(written.cutMs) };
}
