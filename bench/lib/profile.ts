import path from 'node:path';
import type { BenchContext } from './bench';
import { REPORT_DIR } from './processes';

export const PROFILE_DIR = path.join(REPORT_DIR, 'profiles');

/** `node --cpu-prof` flags when profiling is on; the profile is written when the process exits. */
export function profileArgs(ctx: BenchContext, name: string): string[] {
  return ctx.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
}
