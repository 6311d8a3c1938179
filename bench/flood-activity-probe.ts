/**
 * The flood's Activity query probe, on a thread of its own. In the bench's main thread it shared one event loop
 * with the flood publisher (2,000 publishes in flight), whose single tasks lasted up to 1.9 s while two cores were
 * saturated: the admin-api answered within 12 ms, yet the probe read the answer seconds later and timed the
 * publisher instead (bench/README.md). A worker has its own event loop and heap, like an admin's browser.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { HealthProbe } from './lib/health-probe';
import type { Summary } from './lib/stats';

interface ProbeSetup {
  url: string;
  everyMs: number;
  bearer: string;
}

/** `HealthProbe` with a bearer token, run in a worker thread; `stop()` returns its summary. */
export class ThreadedActivityProbe {
  private constructor(
    private readonly worker: Worker,
    private readonly result: Promise<Summary>,
  ) {}

  /**
   * Resolves once the worker has answered one untimed query and started timing: a fresh thread loads fetch (undici)
   * on first use, which took up to 0.7 s on saturated cores and is no part of the admin-api's latency.
   */
  static async start(url: string, everyMs: number, bearer: string): Promise<ThreadedActivityProbe> {
    const setup: ProbeSetup = { url, everyMs, bearer };
    const worker = new Worker(__filename, { workerData: setup });
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    const result = new Promise<Summary>((resolve, reject) => {
      worker.on('message', (m: 'ready' | Summary) => (m === 'ready' ? started() : resolve(m)));
      worker.once('error', reject);
      // After the summary this is a no-op: a settled promise ignores it.
      worker.once('exit', (code) => reject(new Error(`the Activity probe thread exited (code ${code}) before reporting`)));
    });
    // The bench may fail before stop(): the thread must not keep the process alive, nor its end go unhandled.
    worker.unref();
    result.catch(() => undefined);
    await Promise.race([ready, result]);
    return new ThreadedActivityProbe(worker, result);
  }

  stop(): Promise<Summary> {
    this.worker.postMessage('stop');
    return this.result;
  }
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  const { url, everyMs, bearer } = workerData as ProbeSetup;
  const init = (): RequestInit => ({ headers: { Authorization: `Bearer ${bearer}` } });
  void (async () => {
    const warmUp = await fetch(url, init());
    if (!warmUp.ok) throw new Error(`the Activity query answered ${warmUp.status}`);
    await warmUp.arrayBuffer();
    const probe = new HealthProbe(url, everyMs, init);
    port.once('message', () => {
      void probe.stop().then((summary) => {
        port.postMessage(summary);
        port.close();
      });
    });
    port.postMessage('ready');
  })();
}
