/**
 * The long-connection frame (`pbbp2.Frame` in the Lark SDK), encoded by hand so the fake needs no protobuf
 * library:
 *   Frame  { 1 SeqID uint64; 2 LogID uint64; 3 service int32; 4 method int32 (0 control, 1 data);
 *            5 headers repeated Header; 6 payloadEncoding string; 7 payloadType string; 8 payload bytes;
 *            9 LogIDNew string }
 *   Header { 1 key string; 2 value string }
 */

export interface WsFrame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: { key: string; value: string }[];
  payload?: Buffer;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // int32 negatives are 10-byte varints
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

const tag = (field: number, wire: number) => varint((field << 3) | wire);
const bytesField = (field: number, value: Buffer) => Buffer.concat([tag(field, 2), varint(value.length), value]);
const intField = (field: number, value: number) => Buffer.concat([tag(field, 0), varint(value)]);

export function encodeFrame(f: WsFrame): Buffer {
  const parts = [intField(1, f.SeqID), intField(2, f.LogID), intField(3, f.service), intField(4, f.method)];
  for (const h of f.headers) {
    parts.push(bytesField(5, Buffer.concat([bytesField(1, Buffer.from(h.key)), bytesField(2, Buffer.from(h.value))])));
  }
  if (f.payload) parts.push(bytesField(8, f.payload));
  return Buffer.concat(parts);
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (at >= buf.length) throw new Error('truncated varint');
    const byte = buf[at++];
    result |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [result, at];
    shift += 7n;
  }
}

/** Every field of a message: field number → values (numbers for varints, Buffers for length-delimited). */
function fields(buf: Buffer): Map<number, (bigint | Buffer)[]> {
  const out = new Map<number, (bigint | Buffer)[]>();
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Buffer;
    if (wire === 0) {
      [value, at] = readVarint(buf, at);
    } else if (wire === 2) {
      const [len, start] = readVarint(buf, at);
      value = buf.subarray(start, start + Number(len));
      at = start + Number(len);
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

export function decodeFrame(buf: Buffer): WsFrame {
  const f = fields(buf);
  const num = (n: number) => Number(BigInt.asIntN(32, (f.get(n)?.[0] as bigint | undefined) ?? 0n));
  const headers = (f.get(5) ?? []).map((h) => {
    const hf = fields(h as Buffer);
    return { key: (hf.get(1)?.[0] as Buffer | undefined)?.toString() ?? '', value: (hf.get(2)?.[0] as Buffer | undefined)?.toString() ?? '' };
  });
  return { SeqID: num(1), LogID: num(2), service: num(3), method: num(4), headers, payload: f.get(8)?.[0] as Buffer | undefined };
}
