import fc from 'fast-check';
import type { JsMsg } from 'nats';
import { type HeldDelivery, HeldDeliveries } from './held-deliveries';

const ack = (seq: number, o: { stream?: string; delivered?: number | string; consumerSeq?: number; ts?: string; pending?: number | string } = {}) =>
  `$JS.ACK.${o.stream ?? 'TWOKEY_INBOUND'}.pairing-service.${o.delivered ?? 1}.${seq}.${o.consumerSeq ?? seq}.${o.ts ?? '1732480000123456789'}.${o.pending ?? 0}`;

/** What the server sends, and shapes it might send one day (each must still come back byte for byte). */
const timestamp = fc.oneof(
  fc.bigInt({ min: 1_000_000_000_000_000_000n, max: 9_999_999_999_999_999_999n }).map(String),
  fc.constantFrom('0', '7', '000000001', '0123456789', '1000000000', '18446744073709551615', '99999999999999999999', '1e9', ''),
);
const delivery = (seq: number): fc.Arbitrary<HeldDelivery> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.record({ delivered: fc.integer({ min: 1, max: 3 }), consumerSeq: fc.integer({ min: 1, max: 2 ** 40 }), ts: timestamp, pending: fc.nat() }).map((o) => ack(seq, o)) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.record({ stream: fc.constantFrom('OTHER', 'TWOKEY_INBOUND') }).map((o) => ack(seq, o)),
        fc.constantFrom(256, 1_000, 0).map((delivered) => ack(seq, { delivered })),
        fc.constantFrom('01', '-1', '1.5', 'x').map((pending) => ack(seq, { pending })),
        fc.constant(`$JS.ACK.dom.acchash.TWOKEY_INBOUND.pairing-service.1.${seq}.${seq}.1732480000123456789.0.token`),
        fc.constant(`_INBOX.reply.${seq}`),
        fc.constant({ seq, reply: '' } as unknown as JsMsg),
      ),
    },
  );

type Op = { kind: 'set'; seq: number; delivery: HeldDelivery } | { kind: 'take'; seq: number } | { kind: 'has'; seq: number };

/** Mostly increasing sequences (stream order), with redeliveries of earlier ones and repeats. */
const ops = fc
  .array(
    fc.tuple(fc.constantFrom('next', 'next', 'next', 'again', 'take', 'take', 'has'), fc.nat(), fc.integer({ min: 1, max: 5 })),
    { maxLength: 400 },
  )
  .chain((steps) => {
    let seq = 0;
    const plan = steps.map(([what, pick, gap]) => {
      if (what === 'next') seq += gap;
      const target = what === 'next' ? seq : Math.max(1, seq === 0 ? 1 : 1 + (pick % seq));
      return { what, target };
    });
    return fc.tuple(
      ...plan.map(({ what, target }): fc.Arbitrary<Op> =>
        what === 'take' ? fc.constant({ kind: 'take', seq: target }) : what === 'has' ? fc.constant({ kind: 'has', seq: target }) : delivery(target).map((d) => ({ kind: 'set', seq: target, delivery: d })),
      ),
    );
  });

describe('HeldDeliveries', () => {
  it('behaves as a Map from sequence to delivery, giving back each ack subject byte for byte', () => {
    fc.assert(
      fc.property(ops, fc.constantFrom(1, 2, 4, 64), (plan, chunkSize) => {
        const held = new HeldDeliveries(chunkSize);
        const model = new Map<number, HeldDelivery>();
        for (const op of plan) {
          if (op.kind === 'set') {
            held.set(op.seq, op.delivery);
            model.set(op.seq, op.delivery);
          } else if (op.kind === 'take') {
            expect(held.take(op.seq)).toBe(model.get(op.seq));
            model.delete(op.seq);
          } else {
            expect(held.has(op.seq)).toBe(model.has(op.seq));
          }
          expect(held.size).toBe(model.size);
        }
        for (const [seq, d] of model) expect(held.take(seq)).toBe(d);
        expect(held.size).toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps the newest delivery of a redelivered sequence', () => {
    const held = new HeldDeliveries(4);
    for (let seq = 1; seq <= 10; seq++) held.set(seq, ack(seq));
    held.set(3, ack(3, { delivered: 2, consumerSeq: 11, pending: 5 }));
    held.set(4, ack(4, { delivered: 2, stream: 'ELSEWHERE' }));
    expect(held.take(3)).toBe(ack(3, { delivered: 2, consumerSeq: 11, pending: 5 }));
    expect(held.take(4)).toBe(ack(4, { delivered: 2, stream: 'ELSEWHERE' }));
    expect(held.size).toBe(8);
  });

  it('holds a million deliveries and gives every one back', () => {
    const held = new HeldDeliveries();
    const n = 1_000_000;
    for (let seq = 1; seq <= n; seq++) held.set(seq * 2, ack(seq * 2, { consumerSeq: seq, pending: n - seq }));
    expect(held.size).toBe(n);
    expect(held.has(3)).toBe(false);
    for (let seq = n; seq >= 1; seq -= 7) expect(held.take(seq * 2)).toBe(ack(seq * 2, { consumerSeq: seq, pending: n - seq }));
    expect(held.has(2 * n)).toBe(false);
  });
});
