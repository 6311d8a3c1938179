import type { CliIo } from './io';

/**
 * Progress on stderr: a redrawn bar on a terminal, plain periodic lines otherwise (CI logs, pipes), so stdout
 * stays clean for the summary.
 */
export class Progress {
  private lastDraw = 0;
  private lastLinePercent = -1;
  private lastLine = 0;
  private lastDone = -1;
  private lastEvents = 0;
  private printedDone = -1;
  private readonly started: number;
  private readonly tty: boolean;

  constructor(
    private readonly out: CliIo['stderr'],
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tty = out.isTTY === true;
    this.started = now();
  }

  /** `done` of `total` (positions), `events` so far. Cheap to call per event: it draws at most every 100 ms. */
  update(done: number, events: number): void {
    this.lastDone = done;
    this.lastEvents = events;
    const t = this.now();
    if (t - this.lastDraw < 100) return;
    this.draw(t, done, events, false);
  }

  private draw(t: number, done: number, events: number, final: boolean): void {
    this.lastDraw = t;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const percent = Math.floor(fraction * 100);
    const elapsed = Math.max(0.001, (t - this.started) / 1000);
    const rate = Math.round(events / elapsed);
    const eta = fraction > 0 && fraction < 1 ? `, ETA ${formatSeconds((elapsed * (1 - fraction)) / fraction)}` : '';
    if (this.tty) {
      const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - 60));
      const filled = Math.round(fraction * width);
      this.out.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ` +
        `${events} events, ${rate}/s${eta}   `);
    } else if (final || percent >= this.lastLinePercent + 10 || t - this.lastLine >= 5_000) {
      this.lastLine = t;
      this.lastLinePercent = percent - (percent % 10);
      this.printedDone = done;
      this.out.write(`${this.label}: ${percent}% (${events} events, position ${done}/${this.total}, ${rate} events/s${eta})\n`);
    }
  }

  /** Clears the bar on a terminal; elsewhere prints the last state unless it was just printed (logs end at 100%). */
  finish(): void {
    if (this.tty) this.out.write('\r\u001b[2K');
    else if (this.lastDone >= 0 && this.printedDone !== this.lastDone) this.draw(this.now(), this.lastDone, this.lastEvents, true);
  }
}

/** 75 → "1m15s", 3 → "3s". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
