import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { writeNdjson } from '../events/ndjson';
import { CliIo, UsageError } from './io';
import { STORE_HELP, STORE_OPTIONS, openStore } from './store-connection';

export const EXPORT_HELP = `usage: twokey events export [--from N] [--out FILE] [--nats-url URL] [--prefix P]

Writes the event log as NDJSON, one stored event per line (envelope + data), in position order.
Events hold ids, display names, reasons, counts and code HMACs: never a pairing code or message text.

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
    const count = await writeNdjson(store.readAll(Math.max(0, from - 1)), out);
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
