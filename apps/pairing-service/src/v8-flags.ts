import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts, so it applies wherever the service runs (npm start, containers, benchmarks).
 *
 * V8 "pretenures" an allocation site (allocates its objects straight in the old generation) once most of its
 * objects have been seen to survive a young-generation GC. Draining a backlog trips that for zod's parse results
 * and nats.js's per-delivery objects: every decoded message was then allocated in the old generation and died
 * there. Flood of 300,000 messages (bench 5): 271 MB promoted to the old generation with it, 65 MB without,
 * peak RSS 241 → 171–191 MiB, the same CPU time (bench/README.md, "Pairing-service RSS in the flood"). Nothing the
 * service keeps is large enough for pretenuring to pay off. A GC tuning flag, read by the GC as it runs: setting it
 * here (NODE_OPTIONS does not accept it) is effective.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
