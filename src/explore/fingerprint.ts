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

// ------------------------------------------------------------------ hashed states (no text)

/** Lane mixers: a multiply-rotate (FxHash-like) lane and a multiply-xorshift lane, finalised by fmix32. */
const mixA = (h: number, x: number): number => Math.imul(((h << 5) | (h >>> 27)) ^ x, 0x9e3779b1);
const mixB = (h: number, x: number): number => {
  const y = Math.imul(h ^ x, 0x85ebca77);
  return y ^ (y >>> 13);
};
const fmix = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};
const SEED_A = 0x811c9dc5;
const SEED_B = 0x9747b28c;
const TWO32 = 4294967296;
/** Bound on the names whose hashes a hasher keeps. */
const STRINGS_MAX = 1 << 14;
/** Objects of fewer tokens (keys and scalars, nested ones included) are re-hashed rather than cached. */
const CACHE_MIN = 12;
/** Type tags, so that a number, a string and a container never feed the same tokens. */
const T_STR = 0x5a17;
const T_INT = 0x1a7;
const T_NUM = 0x2b9;
const T_ARR = 0x3c1;
const T_OBJ = 0x4d3;
const T_NULL = 0x5e5;
const T_TRUE = 0x6f7;
const T_FALSE = 0x709;
const T_UNDEF = 0x81b;

/**
 * A 64-bit fingerprint of a world fed by `Simulation.digest` (src/sim/digest.ts): no canonical
 * text is built. Immutable values (machine contexts, messages, records, monitor states) are
 * hashed structurally and cached by object identity, per hasher: clones share them, so a step
 * re-hashes only the values it replaced, and inside those only the objects it replaced (a new
 * context keeps its unchanged config, positions... which hit the cache).
 *
 * With a slot permutation (symmetry.ts) every string is hashed renamed (`c<slot>#` becomes
 * `c<perm[slot]>#`) and `finish` puts slot j's section at position perm[j]: the hash of the
 * renamed state. The canonical fingerprint of a state is the least one over the permutations.
 */
export class StateHasher {
  private readonly sectionA: Uint32Array;
  private readonly sectionB: Uint32Array;
  private cur = 0;
  private a = SEED_A;
  private b = SEED_B;
  /** The last value hashed (two lanes), and how many tokens it had (1 for a scalar or a cached object). */
  private va = 0;
  private vb = 0;
  private tokens = 1;
  private readonly values = new WeakMap<object, number>();
  /** Hashes of the names given to str(), packed. */
  private readonly strings = new Map<string, number>();
  /** Hashes of object keys (a small vocabulary: field names, partitions, member ids), packed. */
  private readonly keys = new Map<string, number>();
  /** The fingerprint computed by finish(). */
  lo = 0;
  hi = 0;

  constructor(
    private readonly slots: number,
    /** perm[slot] = new slot, or null for the identity. */
    private readonly perm: readonly number[] | null,
    private readonly rename: ((s: string, perm: readonly number[]) => string) | null = null,
  ) {
    this.sectionA = new Uint32Array(slots + 1);
    this.sectionB = new Uint32Array(slots + 1);
  }

  /** Starts a state: every section empty, the rest current. */
  begin(): void {
    this.sectionA.fill(0);
    this.sectionB.fill(0);
    this.cur = this.slots;
    this.a = SEED_A;
    this.b = SEED_B;
  }

  section(slot: number): void {
    this.flush();
    this.cur = slot < 0 ? this.slots : slot;
    // The same seed for every slot: a section must not depend on where it sits (symmetry).
    this.a = SEED_A;
    this.b = SEED_B;
  }

  int(n: number): void {
    const x = (n | 0) === n ? n : this.numBits(n);
    this.a = mixA(mixA(this.a, T_INT), x);
    this.b = mixB(mixB(this.b, T_INT), x);
  }

  str(s: string): void {
    // Names repeat from state to state (processes, states, timers, nodes): their hashes are kept,
    // up to STRINGS_MAX distinct ones (then the cache starts over: memory stays bounded).
    const h = this.strings.get(s);
    if (h === undefined) {
      this.strHash(s);
      if (this.strings.size >= STRINGS_MAX) this.strings.clear();
      this.strings.set(s, this.vb * TWO32 + this.va);
    } else {
      this.va = h >>> 0;
      this.vb = Math.floor(h / TWO32);
    }
    this.a = mixA(mixA(this.a, this.va), this.vb);
    this.b = mixB(mixB(this.b, this.vb), this.va);
  }

  value(v: unknown): void {
    this.hashValue(v);
    this.a = mixA(mixA(this.a, this.va), this.vb);
    this.b = mixB(mixB(this.b, this.vb), this.va);
  }

  /** Ends a state: the fingerprint is in lo, hi (slot sections in permuted order, then the rest). */
  finish(): void {
    this.flush();
    const perm = this.perm;
    let a = SEED_A;
    let b = SEED_B;
    for (let k = 0; k < this.slots; k++) {
      // Position k holds the slot that the permutation moves there.
      const j = perm === null ? k : perm.indexOf(k);
      a = mixA(mixA(a, this.sectionA[j] as number), this.sectionB[j] as number);
      b = mixB(mixB(b, this.sectionB[j] as number), this.sectionA[j] as number);
    }
    a = mixA(mixA(a, this.sectionA[this.slots] as number), this.sectionB[this.slots] as number);
    b = mixB(mixB(b, this.sectionB[this.slots] as number), this.sectionA[this.slots] as number);
    this.lo = fmix(a);
    this.hi = fmix(b ^ this.slots);
  }

  private flush(): void {
    this.sectionA[this.cur] = fmix(this.a);
    this.sectionB[this.cur] = fmix(this.b ^ 0x2545f491);
  }

  private numBits(n: number): number {
    // Non-integers and big numbers: hashed through their shortest decimal text.
    this.strHash(String(n));
    return this.va ^ Math.imul(this.vb, T_NUM);
  }

  private strHash(s0: string): void {
    const s = this.perm !== null && this.rename !== null && s0.includes('#') ? this.rename(s0, this.perm) : s0;
    let a = SEED_A ^ s.length;
    let b = SEED_B ^ T_STR;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.va = fmix(a);
    // 21 bits of the second lane, as the caches keep it (a double holds 53 bits exactly).
    this.vb = fmix(b) >>> 11;
  }

  /** Sets va, vb to the hash of a JSON-like value (JSON.stringify's view: undefined members skipped). */
  private hashValue(v: unknown): void {
    this.tokens = 1;
    switch (typeof v) {
      case 'string':
        this.strHash(v);
        return;
      case 'number': {
        const x = (v | 0) === v ? v : this.numBits(v);
        this.va = fmix(mixA(T_INT, x));
        this.vb = fmix(mixB(T_INT, x));
        return;
      }
      case 'boolean':
        this.va = v ? T_TRUE : T_FALSE;
        this.vb = this.va;
        return;
      case 'object':
        if (v === null) {
          this.va = T_NULL;
          this.vb = T_NULL;
          return;
        }
        this.hashObject(v);
        return;
      default:
        this.va = T_UNDEF;
        this.vb = T_UNDEF;
    }
  }

  /**
   * Hashes an object or array. Only objects with at least CACHE_MIN tokens are cached (a
   * WeakMap entry costs more than re-hashing a small message or record, and small objects are
   * re-hashed only when a container that holds them is new).
   */
  private hashObject(o: object): void {
    const cached = this.values.get(o);
    if (cached !== undefined) {
      this.va = cached >>> 0;
      this.vb = Math.floor(cached / TWO32);
      return;
    }
    let a = SEED_A;
    let b = SEED_B;
    let tokens = 0;
    if (Array.isArray(o)) {
      a = mixA(a, T_ARR);
      b = mixB(b, T_ARR);
      for (let i = 0; i < o.length; i++) {
        this.hashValue(o[i]);
        tokens += this.tokens;
        a = mixA(mixA(a, this.va), this.vb);
        b = mixB(mixB(b, this.vb), this.va);
      }
      a = mixA(a, o.length);
    } else {
      a = mixA(a, T_OBJ);
      b = mixB(b, T_OBJ);
      const rec = o as Record<string, unknown>;
      for (const k in rec) {
        const x = rec[k];
        if (x === undefined || typeof x === 'function') continue;
        const kh = this.keys.get(k);
        if (kh === undefined) {
          this.strHash(k);
          this.keys.set(k, this.vb * TWO32 + this.va);
        } else {
          this.va = kh >>> 0;
          this.vb = Math.floor(kh / TWO32);
        }
        a = mixA(mixA(a, this.va), this.vb);
        b = mixB(mixB(b, this.vb), this.va);
        this.hashValue(x);
        tokens += this.tokens + 1;
        a = mixA(mixA(a, this.va), this.vb);
        b = mixB(mixB(b, this.vb), this.va);
      }
    }
    const va = fmix(a);
    // 21 bits of the second lane are kept (a double holds 53 bits exactly), cached or not.
    const vb = fmix(b) >>> 11;
    if (tokens >= CACHE_MIN) this.values.set(o, vb * TWO32 + va);
    this.va = va;
    this.vb = vb;
    this.tokens = tokens + 1;
  }
}
