import type { Machine } from './machine';

export type Verdict = 'pass' | 'miss' | 'info' | 'crash';

/** One line of the final table. Numbers stay numbers (for the JSON report); `unit` formats them. */
export interface Row {
  name: string;
  target: string;
  measured: number | string;
  baseline?: number | string;
  /** measured / baseline, or the reverse for "lower is better" rows; undefined when there is no baseline. */
  ratio?: number;
  unit?: string;
  verdict: Verdict;
  /** What limits the figure, or why it missed. */
  note?: string;
}

export interface StoreDurability {
  stream: string;
  storage: string;
  replicas: number;
}

export interface Report {
  startedAt: string;
  mode: 'quick' | 'full';
  machine: Machine;
  durability: string;
  stores: StoreDurability[];
  rows: Row[];
  seconds: number;
  /** 1-minute load average when the run ended. */
  loadAtEnd: number;
}

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function formatValue(v: number | string | undefined, unit?: string): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return 'n/a';
  const n = Math.abs(v) >= 100 ? intFmt.format(v) : oneFmt.format(v);
  return unit ? `${n} ${unit}` : n;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderTable(rows: readonly Row[]): string {
  const header = ['benchmark', 'target', 'measured', 'baseline', 'ratio', 'result'];
  const cells = rows.map((r) => [
    r.name,
    r.target,
    formatValue(r.measured, r.unit),
    formatValue(r.baseline, r.unit),
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.verdict.toUpperCase(),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => '| ' + c.map((s, i) => pad(s, widths[i])).join(' | ') + ' |';
  const rule = '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|';
  return [line(header), rule, ...cells.map(line)].join('\n');
}

export function renderHeader(r: Pick<Report, 'machine' | 'durability' | 'stores' | 'mode' | 'startedAt' | 'loadAtEnd'>): string {
  const m = r.machine;
  const stores = r.stores.length
    ? r.stores.map((s) => `${s.stream.replace(/^[^_]+_/, '')} ${s.storage}/R${s.replicas}`).join(', ')
    : 'not inspected';
  return [
    `Twokey benchmarks — ${r.mode} run, ${r.startedAt}`,
    `machine: ${m.cores} cores (${m.cpuModel}), ${intFmt.format(m.totalMemoryMiB)} MiB RAM, ${m.os}, load average ${m.loadAtStart} at start, ${r.loadAtEnd} at end${Math.max(m.loadAtStart, r.loadAtEnd) > m.cores ? ` (above ${m.cores}: other work competed for the cores)` : ''}`,
    `runtime: Node ${m.node}, nats-server ${m.natsServer}`,
    `durability: ${r.durability}`,
    `stores (as created, checked on the server): ${stores}`,
  ].join('\n');
}

export function renderNotes(rows: readonly Row[]): string {
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
  return notes.length ? ['notes:', ...notes].join('\n') : '';
}
