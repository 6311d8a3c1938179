import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DiscardPolicy } from 'nats';
import { subjects } from '@twokey/contracts';
import { DEFAULT_TRANSPORT_MAX_BYTES, streamConfigs } from './streams';

const root = path.resolve(__dirname, '../../..');
const UNITS: Record<string, number> = { '': 1, K: 1024, KB: 1024, M: 1024 ** 2, MB: 1024 ** 2, G: 1024 ** 3, GB: 1024 ** 3, T: 1024 ** 4, TB: 1024 ** 4 };

/** `max_file_store` of a nats-server configuration, in bytes. */
function maxFileStore(file: string): number {
  const m = /max_file_store:\s*(\d+)\s*([KMGT]?B?)\b/i.exec(readFileSync(path.join(root, file), 'utf8'));
  if (!m) throw new Error(`${file} sets no max_file_store`);
  return Number(m[1]) * UNITS[m[2].toUpperCase()];
}

describe('stream limits (M7)', () => {
  const configs = streamConfigs(subjects('twokey'));

  it('M7: bounds every transport stream, dropping the oldest when full, and never the event store', () => {
    for (const c of configs.filter((c) => c.name !== 'TWOKEY_EVENTS')) {
      expect({ name: c.name, max: (c.max_bytes ?? 0) > 0, discard: c.discard }).toEqual({ name: c.name, max: true, discard: DiscardPolicy.Old });
    }
    const events = configs.find((c) => c.name === 'TWOKEY_EVENTS')!;
    expect(events.max_bytes).toBeUndefined();
    expect(events.discard).toBe(DiscardPolicy.New);
  });

  it.each(['deploy/compose/nats.conf', 'deploy/k8s/base/nats/nats-config.yaml'])(
    'M7: %s leaves the event store most of the JetStream store after the transport streams reserve theirs',
    (file) => {
      const transports = Object.values(DEFAULT_TRANSPORT_MAX_BYTES).reduce((a, b) => a + b, 0);
      const store = maxFileStore(file);
      // The server reserves each stream's max_bytes against max_file_store; what is left is the event store's.
      expect(store - transports).toBeGreaterThanOrEqual(4 * 1024 ** 3);
      expect(transports / store).toBeLessThanOrEqual(0.25);
    },
  );
});
