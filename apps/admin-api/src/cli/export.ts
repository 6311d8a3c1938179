import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { writeNdjson } from '../events/ndjson';
import type { StoredEvent } from '@twokey/contracts';
import { CliIo, UsageError } from './io';
import { Progress } from './progress';
import { STORE_HELP, STORE_OPTIONS, openStore } from './store-connection';

export const EXPORT_HELP = `usage: twokey events export [--from N] [--out FILE] [--nats-url URL] [--prefix P]

Writes the event log as NDJSON, one stored event per line (envelope + data), in position order.
Events hold ids, display names, reasons, counts and code HMACs: never a pairing code or message text.
Progress (percent, rate, ETA) goes to stderr, so stdout stays pure NDJSON.

  --from N           first position to export (inclusive, default 0 = everything)
  --out FILE         write to FILE instead of stdout
${STORE_HELP}
`;

export async function exportCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { ...STORE_OPTIONS, from: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    io.stdout.write(EXPORT_HELP);
    return 0;
  }
  const from = values.from === undefined ? 0 : Number(values.from);
  if (!Number.isInteger(from) || from < 0) throw new UsageError('--from must be a non-negative integer');
  const { store, close } = await openStore(values, io);
  try {
    const out = values.out ? createWriteStream(values.out) : io.stdout;
    const started = Date.now();
    const progress = new Progress(io.stderr, 'export', await store.headPosition());
    const count = await writeNdjson(withProgress(store.readAll(Math.max(0, from - 1)), progress), out);
    progress.finish();
    if (values.out) {
      (out as NodeJS.WritableStream).end();
      await finished(out as NodeJS.WritableStream);
    }
    io.stderr.write(`exported ${count} events${values.out ? ` to ${values.out}` : ''} in ${Date.now() - started} ms\n`);
    return 0;
  } finally {
    await close();
  }
}

async function* withProgress(events: AsyncIterable<StoredEvent>, progress: Progress): AsyncIterable<StoredEvent> {
  let n = 0;
  for await (const e of events) {
    progress.update(e.position, ++n);
    yield e;
  }
}
