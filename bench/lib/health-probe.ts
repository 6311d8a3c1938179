import { nowMs, summarize, type Summary } from './stats';

/** Calls `url` every `everyMs` (one at a time) and keeps each answer's latency; a failure counts as its time. */
export class HealthProbe {
  private readonly latencies: number[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly everyMs = 200,
    private readonly init: () => RequestInit = () => ({}),
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = nowMs();
      try {
        const res = await fetch(this.url, { ...this.init(), signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
      } catch {
        // a timeout or refusal: its latency is what a probe would have seen
      }
      const took = nowMs() - started;
      this.latencies.push(took);
      await new Promise((r) => setTimeout(r, Math.max(0, this.everyMs - took)));
    }
  }

  summary(): Summary {
    return summarize(this.latencies);
  }

  async stop(): Promise<Summary> {
    this.stopped = true;
    await this.loop;
    return this.summary();
  }
}
