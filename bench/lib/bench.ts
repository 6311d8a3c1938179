import type { Row, StoreDurability } from './table';

export interface BenchContext {
  quick: boolean;
  /** Run the services under `node --cpu-prof` (profiles in reports/bench/profiles). */
  profile: boolean;
  log(message: string): void;
  /** The first bench that creates the streams records how the server stores them (for the header). */
  recordStores(stores: StoreDurability[]): void;
}

export interface Bench {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

/** A row for a bench that crashed: the run goes on, and the process exits non-zero at the end. */
export function crashRow(bench: Bench, error: unknown): Row {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return { name: `${bench.id}. ${bench.title}`, target: '—', measured: 'crashed', verdict: 'crash', note: message };
}

export const verdict = (ok: boolean): 'pass' | 'miss' => (ok ? 'pass' : 'miss');
