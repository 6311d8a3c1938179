const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, min: 60_000, h: 3_600_000 };

/** `600`, `600s`, `10m`, `1h`, `250ms` → milliseconds; a bare number is seconds. Undefined when unreadable. */
export function parseDurationMs(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? 's').toLowerCase()]);
}

/** A message older than the limit when the bridge first sees it is not run (the bridge was down meanwhile). */
export function isStale(admittedAt: string, nowMs: number, maxAgeMs: number): boolean {
  const at = Date.parse(admittedAt);
  return Number.isFinite(at) && nowMs - at > maxAgeMs;
}
