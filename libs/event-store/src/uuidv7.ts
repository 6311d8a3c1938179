import { randomFillSync } from 'node:crypto';

// Random bytes are drawn in blocks: one syscall per 256 ids instead of one per id (appends are hot).
const POOL_IDS = 256;
const pool = Buffer.alloc(POOL_IDS * 8);
let poolOffset = pool.length;

let lastMs = -1;
let counter = 0;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomBytes8(): Buffer {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + 8);
  poolOffset += 8;
  return out;
}

/**
 * A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter (method 1), then 62 random bits.
 * Ids made by this process sort in creation order even within one millisecond and if the clock steps back:
 * the counter starts at a random value below 2^11 each millisecond and, when it overflows, borrows the next one.
 */
export function uuidv7(): string {
  let ms = Math.max(Date.now(), lastMs);
  if (ms === lastMs) {
    counter++;
    if (counter > 0xfff) {
      ms++;
      counter = 0;
    }
  } else {
    counter = randomBytes8().readUInt16BE(0) & 0x7ff;
  }
  lastMs = ms;
  const r = randomBytes8();
  const b = new Array<number>(16);
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | (counter >>> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (r[0] & 0x3f);
  for (let i = 1; i < 8; i++) b[8 + i] = r[i];
  const h = b.map((x) => HEX[x]);
  return (
    h[0] + h[1] + h[2] + h[3] + '-' + h[4] + h[5] + '-' + h[6] + h[7] + '-' + h[8] + h[9] + '-' +
    h[10] + h[11] + h[12] + h[13] + h[14] + h[15]
  );
}

/** The millisecond timestamp a UUIDv7 carries. */
export function uuidv7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
