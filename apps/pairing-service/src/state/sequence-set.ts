const PAGE_BITS = 1 << 15;
const WORDS = PAGE_BITS / 32;

/**
 * A set of stream sequences as bits in 4 KiB pages of 32,768 sequences each. The registry remembers every inbound
 * sequence counted in a MessageDenied until the consumer's ack floor passes it: after a flood window that is a
 * million sequences, ~40 MiB as a Set<number> and ~4 KiB per 32,768 here, however sparse the denials among them.
 */
export class SequenceSet {
  private readonly pages = new Map<number, { bits: Uint32Array; count: number }>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(seq: number): void {
    const key = Math.floor(seq / PAGE_BITS);
    let page = this.pages.get(key);
    if (!page) this.pages.set(key, (page = { bits: new Uint32Array(WORDS), count: 0 }));
    const offset = seq - key * PAGE_BITS;
    const mask = 1 << (offset & 31);
    const word = offset >>> 5;
    if (page.bits[word] & mask) return;
    page.bits[word] |= mask;
    page.count++;
    this.count++;
  }

  has(seq: number): boolean {
    const key = Math.floor(seq / PAGE_BITS);
    const page = this.pages.get(key);
    if (!page) return false;
    const offset = seq - key * PAGE_BITS;
    return (page.bits[offset >>> 5] & (1 << (offset & 31))) !== 0;
  }

  /** Removes every sequence ≤ `floor`. */
  deleteUpTo(floor: number): void {
    for (const [key, page] of this.pages) {
      const first = key * PAGE_BITS;
      if (first > floor) continue;
      if (first + PAGE_BITS - 1 <= floor) {
        this.count -= page.count;
        this.pages.delete(key);
        continue;
      }
      for (let offset = 0; offset <= floor - first; offset++) {
        const mask = 1 << (offset & 31);
        if (!(page.bits[offset >>> 5] & mask)) continue;
        page.bits[offset >>> 5] &= ~mask;
        page.count--;
        this.count--;
      }
      if (page.count === 0) this.pages.delete(key);
    }
  }

  /** The pages as [page number, base64 of its bits], for a snapshot. */
  toPages(): [number, string][] {
    return [...this.pages].map(([key, page]) => [key, Buffer.from(page.bits.buffer, page.bits.byteOffset, page.bits.byteLength).toString('base64')]);
  }

  /** The set `toPages` described; throws on a page of the wrong size. */
  static fromPages(pages: readonly [number, string][]): SequenceSet {
    const set = new SequenceSet();
    for (const [key, base64] of pages) {
      const bytes = Buffer.from(base64, 'base64');
      if (!Number.isSafeInteger(key) || bytes.byteLength !== WORDS * 4) throw new TypeError('not a page of a SequenceSet');
      const bits = new Uint32Array(WORDS);
      new Uint8Array(bits.buffer).set(bytes);
      let count = 0;
      for (const word of bits) for (let w = word; w !== 0; w &= w - 1) count++;
      if (count === 0) continue;
      set.pages.set(key, { bits, count });
      set.count += count;
    }
    return set;
  }
}
