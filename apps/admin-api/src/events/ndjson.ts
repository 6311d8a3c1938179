import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { StoredEvent } from '@twokey/contracts';

/**
 * Streams events as NDJSON (one StoredEvent per line) with backpressure. Events hold ids, names, reasons and
 * HMACs only; codes and message text never enter the store, so they cannot appear here. Stops early (returns the
 * count so far) when `out` is destroyed, e.g. the HTTP client went away.
 */
export async function writeNdjson(events: AsyncIterable<StoredEvent>, out: Writable): Promise<number> {
  let count = 0;
  for await (const e of events) {
    if (out.destroyed) break;
    if (!out.write(JSON.stringify(e) + '\n')) {
      await Promise.race([once(out, 'drain'), once(out, 'close')]);
    }
    count++;
  }
  return count;
}
