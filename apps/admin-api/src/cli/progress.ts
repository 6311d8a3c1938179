import type { CliIo } from './io';

/**
 * Progress on stderr: a redrawn bar on a terminal, plain periodic lines otherwise (CI logs, pipes), so stdout
 * stays clean for the summary.
 */
export class Progress {
  private lastDraw = 0;
  private lastLinePercent = -1;
  private lastLine = 0;
  private readonly started = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly out: CliIo['stderr'],
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tty = out.isTTY === true;
  }

  /** `done` of `total` (positions), `events` so far. Cheap to call per event: it draws at most every 100 ms. */
  update(done: number, events: number): void {
    const t = this.now();
    if (t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const percent = Math.floor(fraction * 100);
    const rate = Math.round(events / Math.max(0.001, (t - this.started) / 1000));
    if (this.tty) {
      const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - 60));
      const filled = Math.round(fraction * width);
      this.out.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ` +
        `${events} events, ${rate}/s   `);
    } else if (percent >= this.lastLinePercent + 10 || t - this.lastLine >= 5_000) {
      this.lastLine = t;
      this.lastLinePercent = percent - (percent % 10);
      this.out.write(`${this.label}: ${percent}% (${events} events, position ${done}/${this.total}, ${rate} events/s)\n`);
    }
  }

  finish(): void {
    if (this.tty) this.out.write('\r\u001b[2K');
  }
}
