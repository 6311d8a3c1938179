/**
 * Node options of the pairing-service process wherever it runs: the Kubernetes Deployment (NODE_OPTIONS, checked by
 * runtime-options.spec.ts), `npm start` and the benchmarks pass exactly these.
 *
 * The heap limit is for the GC's pacing, not a cap the service is expected to reach: V8 lets the old generation grow
 * to about 4× the live heap between full GCs when the limit is large (the default is a share of the machine's
 * memory), and to about 1.3× with a limit of 256 MB. The service holds ~40–60 MB live (a flood of 10,000 strangers,
 * or 100,000 allowlisted users), so draining a flood kept RSS near 300 MiB with the default and under 200 MiB with
 * this limit, at the same drain rate (bench 5, bench/README.md). 256 MB leaves room for ~4× that state; the
 * Deployment's 512 MiB memory limit leaves room for the rest of the process above it.
 */
export const PAIRING_SERVICE_NODE_ARGS: readonly string[] = ['--max-old-space-size=256'];
