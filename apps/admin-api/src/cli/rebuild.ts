import type { EventStore } from '@twokey/event-store';
import { ReadModelOptions, ReadModels, initialReadModels, project } from '@twokey/read-models';

export interface RebuildResult {
  models: ReadModels;
  events: number;
  ms: number;
}

/**
 * Every read model from position 0, in one pass over the log. `upTo` stops at a position (inclusive) so a rebuild
 * can match a live projection exactly; `onProgress` is called per batch of events read (it must be cheap).
 */
export async function rebuild(
  store: EventStore,
  options: Partial<ReadModelOptions> & { upTo?: number; onProgress?: (position: number, events: number) => void } = {},
): Promise<RebuildResult> {
  const started = process.hrtime.bigint();
  const models = initialReadModels({ maxAttentionGroups: options.maxAttentionGroups });
  const upTo = options.upTo ?? Number.POSITIVE_INFINITY;
  // Batches, not single events: one await per event would cost about as much as projecting it.
  read: for await (const batch of store.readAllBatches(0)) {
    for (const event of batch) {
      if (event.position > upTo) break read;
      project(models, event);
    }
    options.onProgress?.(models.position, models.events);
  }
  return { models, events: models.events, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}
