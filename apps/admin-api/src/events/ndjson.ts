import type { StoredEvent } from '@twokey/contracts';

/**
 * Streams events as NDJSON (one StoredEvent per line) with backpressure. Events hold ids, names, reasons and
 * HMACs only; codes and message text never enter the store, so they cannot appear here. Stops early (returns the
 * count so far) when `out` is destroyed, e.g. the HTTP client went away.
 */
export async function writeNdjson(events: AsyncIterable<StoredEvent>, out: NodeJS.WritableStream): Promise<number> {
  const gone = () => (out as { destroyed?: boolean }).destroyed === true;
  let count = 0;
  for await (const e of events) {
    if (gone()) break;
    if (!out.write(JSON.stringify(e) + '\n')) await drained(out);
    count++;
  }
  return count;
}

/** Resolves on 'drain' or 'close', removing both listeners either way (no listener pile-up on long exports). */
function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.removeListener('drain', done);
      out.removeListener('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });
}
