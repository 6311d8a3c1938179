import type { EventStore } from '@twokey/event-store';
import { ReadModelOptions, ReadModels, initialReadModels, project } from '@twokey/read-models';

export interface RebuildResult {
  models: ReadModels;
  events: number;
  ms: number;
}

/**
 * Every read model from position 0, in one pass over the log. `upTo` stops at a position (inclusive) so a rebuild
 * can match a live projection exactly; `onProgress` is called per event (it must be cheap).
 */
export async function rebuild(
  store: EventStore,
  options: Partial<ReadModelOptions> & { upTo?: number; onProgress?: (position: number, events: number) => void } = {},
): Promise<RebuildResult> {
  const started = process.hrtime.bigint();
  const models = initialReadModels({ maxAttentionGroups: options.maxAttentionGroups });
  const upTo = options.upTo ?? Number.POSITIVE_INFINITY;
  for await (const event of store.readAll(0)) {
    if (event.position > upTo) break;
    project(models, event);
    options.onProgress?.(event.position, models.events);
  }
  return { models, events: models.events, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}
