import type { ReadModelCounts } from '@twokey/read-models';

/** What the replay's main thread tells a worker thread. */
export type ToReplayWorker =
  /** Commits of the worker's connections, in log order: their bytes back to back in `buffer` (transferred). */
  | { kind: 'commits'; streams: string[]; positions: number[]; offsets: number[]; buffer: ArrayBuffer }
  /** No more commits: answer with the counts of what was folded. */
  | { kind: 'end' };

/** What a worker answers. */
export type FromReplayWorker =
  /** Its modules are loaded: it folds as soon as commits come. */
  | { kind: 'ready' }
  /** One `commits` message folded: its bytes are no longer in flight. */
  | { kind: 'folded'; bytes: number; position: number; events: number }
  | { kind: 'result'; counts: ReadModelCounts }
  /** A commit could not be read: the replay stops (fail closed), naming its position. */
  | { kind: 'failed'; position?: number; reason: string };

export interface ReplayWorkerData {
  maxAttentionGroups: number;
}
