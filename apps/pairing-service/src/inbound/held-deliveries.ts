import type { JsMsg } from 'nats';

/**
 * A delivery to settle later: its ack subject, or the JsMsg itself should nats.js ever stop exposing the subject.
 * Holding the JsMsg would pin the socket buffer its payload is a view of (tens of KiB) for a whole window.
 */
export type HeldDelivery = string | JsMsg;

/**
 * Deliveries held un-acked until the MessageDenied that counts them is stored, by inbound (stream) sequence.
 *
 * A window of 60 s at the service's drain rate holds about a million of them in a flood. As strings in a Map they
 * cost ~110 bytes each (an ~80-byte ack subject plus the entry): ~100 MiB. Here an ack subject in JetStream's
 * documented form, `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>`,
 * is kept as its numbers in typed columns (33 bytes) next to one shared prefix, and rebuilt exactly when it is
 * settled. Deliveries arrive in stream order, so the columns are chunks of increasing sequences searched by
 * bisection; a chunk is freed once all of its deliveries are settled, and every held delivery is settled within
 * about a window, so no chunk outlives that long. Anything else (a subject that would not rebuild byte for byte,
 * an out-of-order sequence, a JsMsg) is kept as it is in a Map: correct whatever the server sends, compact only
 * for what it sends today.
 */
export class HeldDeliveries {
  private readonly chunks: Chunk[] = [];
  private readonly others = new Map<number, HeldDelivery>();
  private prefix?: string;
  private count = 0;
  /** The highest sequence ever put in a chunk: chunks only take sequences above it, so they stay sorted. */
  private highest = -Infinity;

  constructor(private readonly chunkSize = 4_096) {}

  get size(): number {
    return this.count;
  }

  has(seq: number): boolean {
    return this.others.has(seq) || this.locate(seq) !== undefined;
  }

  /** Holds `delivery` for `seq`, replacing the delivery held for it (a redelivery's ack subject is the live one). */
  set(seq: number, delivery: HeldDelivery): void {
    const fields = this.encode(seq, delivery);
    const at = this.locate(seq);
    if (at) {
      if (fields) {
        at.chunk.write(at.index, fields);
        return;
      }
      at.chunk.clear(at.index);
      this.release(at.chunk);
      this.others.set(seq, delivery);
      return;
    }
    if (this.others.has(seq)) {
      this.others.set(seq, delivery);
      return;
    }
    this.count++;
    if (fields && seq > this.highest) {
      let chunk = this.chunks[this.chunks.length - 1];
      if (!chunk || chunk.full) this.chunks.push((chunk = new Chunk(this.chunkSize)));
      chunk.append(seq, fields);
      this.highest = seq;
      return;
    }
    this.others.set(seq, delivery);
  }

  /** Removes and returns the delivery held for `seq`. */
  take(seq: number): HeldDelivery | undefined {
    const other = this.others.get(seq);
    if (other !== undefined) {
      this.others.delete(seq);
      this.count--;
      return other;
    }
    const at = this.locate(seq);
    if (!at) return undefined;
    const subject = at.chunk.read(at.index, this.prefix as string);
    at.chunk.clear(at.index);
    this.release(at.chunk);
    this.count--;
    return subject;
  }

  /** The numbers of an ack subject under the shared prefix (the first one sets it) that rebuild it exactly. */
  private encode(seq: number, delivery: HeldDelivery): AckFields | undefined {
    if (typeof delivery !== 'string') return undefined;
    const prefix = ackPrefix(delivery);
    if (prefix === undefined) return undefined;
    this.prefix ??= prefix;
    if (prefix !== this.prefix) return undefined;
    const t = delivery.slice(prefix.length).split('.');
    const ts = t[3];
    const fields: AckFields = {
      delivered: Number(t[0]),
      consumerSeq: Number(t[2]),
      seconds: ts.length > NS_DIGITS ? Number(ts.slice(0, -NS_DIGITS)) : 0,
      nanos: Number(ts.length > NS_DIGITS ? ts.slice(-NS_DIGITS) : ts),
      pending: Number(t[4]),
    };
    const fits =
      fields.delivered >= 1 &&
      fields.delivered <= 255 &&
      Number.isSafeInteger(fields.consumerSeq) &&
      fields.seconds <= 0xffffffff &&
      Number.isSafeInteger(fields.pending) &&
      subject(prefix, seq, fields) === delivery;
    return fits ? fields : undefined;
  }

  /** Drops a chunk with nothing held (the newest is kept to append to unless it is full). */
  private release(chunk: Chunk): void {
    if (chunk.live > 0 || (chunk === this.chunks[this.chunks.length - 1] && !chunk.full)) return;
    this.chunks.splice(this.chunks.indexOf(chunk), 1);
  }

  private locate(seq: number): { chunk: Chunk; index: number } | undefined {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const chunk = this.chunks[mid];
      if (seq < chunk.first) hi = mid - 1;
      else if (seq > chunk.last) lo = mid + 1;
      else {
        const index = chunk.find(seq);
        return index < 0 ? undefined : { chunk, index };
      }
    }
    return undefined;
  }
}

/** `$JS.ACK.<stream>.<consumer>.` of a nine-token ack subject, or undefined for any other shape. */
function ackPrefix(subject: string): string | undefined {
  if (!subject.startsWith('$JS.ACK.')) return undefined;
  let dots = 0;
  let end = -1;
  for (let i = 0; i < subject.length; i++) {
    if (subject.charCodeAt(i) !== 46) continue;
    dots++;
    if (dots === 4) end = i + 1;
  }
  return dots === 8 ? subject.slice(0, end) : undefined;
}

const NS_DIGITS = 9;

/** Columns of held deliveries with strictly increasing sequences; `delivered` 0 marks a settled slot. */
class Chunk {
  private readonly seqs: Float64Array;
  private readonly delivered: Uint8Array;
  private readonly consumerSeqs: Float64Array;
  private readonly seconds: Uint32Array;
  private readonly nanos: Uint32Array;
  private readonly pending: Float64Array;
  private length = 0;
  live = 0;

  constructor(private readonly capacity: number) {
    this.seqs = new Float64Array(capacity);
    this.delivered = new Uint8Array(capacity);
    this.consumerSeqs = new Float64Array(capacity);
    this.seconds = new Uint32Array(capacity);
    this.nanos = new Uint32Array(capacity);
    this.pending = new Float64Array(capacity);
  }

  get first(): number {
    return this.seqs[0];
  }

  get last(): number {
    return this.seqs[this.length - 1];
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  append(seq: number, fields: AckFields): void {
    this.seqs[this.length] = seq;
    this.write(this.length++, fields);
    this.live++;
  }

  /** Stores the fields of slot `index`: a held slot, or the next free one. */
  write(index: number, fields: AckFields): void {
    this.delivered[index] = fields.delivered;
    this.consumerSeqs[index] = fields.consumerSeq;
    this.seconds[index] = fields.seconds;
    this.nanos[index] = fields.nanos;
    this.pending[index] = fields.pending;
  }

  read(index: number, prefix: string): string {
    return subject(prefix, this.seqs[index], {
      delivered: this.delivered[index],
      consumerSeq: this.consumerSeqs[index],
      seconds: this.seconds[index],
      nanos: this.nanos[index],
      pending: this.pending[index],
    });
  }

  clear(index: number): void {
    if (this.delivered[index] === 0) return;
    this.delivered[index] = 0;
    this.live--;
  }

  /** Index of a held `seq`, or -1. */
  find(seq: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.seqs[mid];
      if (s < seq) lo = mid + 1;
      else if (s > seq) hi = mid - 1;
      else return this.delivered[mid] === 0 ? -1 : mid;
    }
    return -1;
  }
}

interface AckFields {
  delivered: number;
  consumerSeq: number;
  seconds: number;
  nanos: number;
  pending: number;
}

function subject(prefix: string, seq: number, f: AckFields): string {
  const ts = f.seconds > 0 ? `${f.seconds}${String(f.nanos).padStart(NS_DIGITS, '0')}` : String(f.nanos);
  return `${prefix}${f.delivered}.${seq}.${f.consumerSeq}.${ts}.${f.pending}`;
}
