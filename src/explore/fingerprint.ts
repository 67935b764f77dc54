/**
 * The visited set of the exhaustive search: 64-bit fingerprints of canonical state texts in an
 * open-addressing hash table of typed arrays (TLC and Stateright keep fingerprints, not states).
 * Two different states share a fingerprint with probability about n²/2⁶⁵ (n = 10⁶: 3·10⁻⁸).
 */

/** Two independent 32-bit hashes of a string (FNV-1a and a murmur-style mix): a 64-bit fingerprint. */
export const fingerprint = (text: string): [number, number] => {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
};

/** A set of 64-bit fingerprints, each mapped to the dense id (0, 1, 2...) it got when added. */
export class FingerprintSet {
  private lo: Uint32Array;
  private hi: Uint32Array;
  /** id + 1 of the entry in each slot; 0 marks an empty slot. */
  private ids: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacityLog2 = 16) {
    const n = 1 << capacityLog2;
    this.lo = new Uint32Array(n);
    this.hi = new Uint32Array(n);
    this.ids = new Int32Array(n);
    this.mask = n - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.lo.byteLength + this.hi.byteLength + this.ids.byteLength;
  }

  /** Adds a fingerprint: returns its new id, or -1 when it was already there. */
  add(lo: number, hi: number): number {
    if ((this.count + 1) * 2 > this.ids.length) this.grow();
    const id = this.insert(lo, hi, this.count);
    if (id < 0) return -1;
    this.count++;
    return id;
  }

  has(lo: number, hi: number): boolean {
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      if (this.ids[i] === 0) return false;
      if (this.lo[i] === lo && this.hi[i] === hi) return true;
    }
  }

  /** Inserts with the given id; returns it, or -1 if the fingerprint is present. */
  private insert(lo: number, hi: number, id: number): number {
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      if (this.ids[i] === 0) {
        this.lo[i] = lo;
        this.hi[i] = hi;
        this.ids[i] = id + 1;
        return id;
      }
      if (this.lo[i] === lo && this.hi[i] === hi) return -1;
    }
  }

  private grow(): void {
    const { lo, hi, ids } = this;
    const n = ids.length * 2;
    this.lo = new Uint32Array(n);
    this.hi = new Uint32Array(n);
    this.ids = new Int32Array(n);
    this.mask = n - 1;
    for (let i = 0; i < ids.length; i++) if ((ids[i] as number) !== 0) this.insert(lo[i] as number, hi[i] as number, (ids[i] as number) - 1);
  }
}

/** A growable typed array of 32-bit integers (parent pointers, action codes). */
export class IntColumn {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.data = new Int32Array(capacity);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  get(i: number): number {
    return this.data[i] as number;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}
