/**
 * Shared memory of the parallel search (parallel.ts): the visited set as a lock-free
 * open-addressing table of 64-bit fingerprints in a SharedArrayBuffer, the columns of parent
 * pointers and step codes indexed by state id, and a level barrier.
 *
 * A table entry is four 32-bit words: tag (0 empty, -1 being written, else the BFS level + 1 at
 * which the state was first reached), the fingerprint's two halves, and a priority: which of
 * the level's transitions owns the state. A worker claims an empty entry with
 * Atomics.compareExchange on its tag, writes the fingerprint and priority, then publishes the
 * tag (Atomics are sequentially consistent, so a reader that sees the tag sees the words written
 * before it). A transition that reaches a state first reached in the same level lowers the
 * priority with a compare-and-swap loop when its own is lower: once the level is over, the
 * state's owner is the transition of least priority, (rank of its source in the level, index of
 * the step among the source's enabled steps), which is the transition the sequential search
 * takes first. So the states, their parents and steps are exactly the sequential search's,
 * whatever the thread timing.
 */

/** What a worker throws when another failed (the caller reports the other's error). */
export const ABORTED = 'another search worker failed';

const EMPTY = 0;
const WRITING = -1;

export class SharedVisited {
  private readonly t: Int32Array;
  private readonly mask: number;
  /** Entries claimed (ctl word `counter`), checked against the load bound. */
  private readonly ctl: Int32Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    ctl: Int32Array,
    private readonly counter: number,
  ) {
    this.t = new Int32Array(buffer);
    this.mask = this.t.length / 4 - 1;
    this.ctl = ctl;
  }

  /** A table of `capacity` entries (a power of two), at most half of them used. */
  static buffer(capacity: number): SharedArrayBuffer {
    if ((capacity & (capacity - 1)) !== 0) throw new Error(`SharedVisited: capacity ${capacity} is not a power of two`);
    return new SharedArrayBuffer(capacity * 16);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  get bytes(): number {
    return this.t.byteLength;
  }

  /**
   * Inserts a fingerprint reached at level `tag - 1` by the transition of priority `prio`.
   * Returns the entry when this transition owns the state for now (new, or a lower priority
   * than the one there, same level), else -1 (known from an earlier level, or owned by a
   * transition of lower priority).
   */
  insert(lo: number, hi: number, tag: number, prio: number): number {
    const t = this.t;
    const l = lo | 0;
    const h = hi | 0;
    let i = lo & this.mask;
    for (let probes = 0; probes <= this.mask; probes++, i = (i + 1) & this.mask) {
      const base = i << 2;
      let s = Atomics.load(t, base);
      if (s === EMPTY) {
        s = Atomics.compareExchange(t, base, EMPTY, WRITING);
        if (s === EMPTY) {
          t[base + 1] = l;
          t[base + 2] = h;
          t[base + 3] = prio;
          Atomics.store(t, base, tag);
          if (Atomics.add(this.ctl, this.counter, 1) + 1 > (this.mask + 1) / 2) {
            throw new Error(`the parallel visited set is full (${this.mask + 1} entries at most half used, sized from the state budget): raise --states`);
          }
          return i;
        }
      }
      // Another worker is writing this entry: its words follow in a few instructions.
      for (let spins = 0; s === WRITING; spins++) {
        if (spins > 1000) Atomics.wait(t, base, WRITING, 1);
        s = Atomics.load(t, base);
      }
      if (t[base + 1] !== l || t[base + 2] !== h) continue;
      if (s !== tag) return -1;
      let cur = Atomics.load(t, base + 3);
      // The same transition (the replicated first levels run every transition in every worker).
      if (prio === cur) return i;
      while (prio < cur) {
        const seen = Atomics.compareExchange(t, base + 3, cur, prio);
        if (seen === cur) return i;
        cur = seen;
      }
      return -1;
    }
    throw new Error('the parallel visited set is full');
  }

  /** Whether the transition of priority `prio` still owns entry `i` (after the level's barrier). */
  owns(i: number, prio: number): boolean {
    return Atomics.load(this.t, (i << 2) + 3) === prio;
  }
}

/**
 * A reusable barrier for N threads on two words of `ctl` (arrivals, generation). `abort` is a
 * third word: a thread that fails sets it, and every waiting thread throws instead of waiting
 * forever.
 */
export class Barrier {
  constructor(
    private readonly ctl: Int32Array,
    private readonly arrivals: number,
    private readonly generation: number,
    private readonly abortWord: number,
    private readonly n: number,
  ) {}

  wait(): void {
    const ctl = this.ctl;
    const gen = Atomics.load(ctl, this.generation);
    if (Atomics.add(ctl, this.arrivals, 1) === this.n - 1) {
      Atomics.store(ctl, this.arrivals, 0);
      Atomics.add(ctl, this.generation, 1);
      Atomics.notify(ctl, this.generation);
      return;
    }
    while (Atomics.load(ctl, this.generation) === gen) {
      if (Atomics.load(ctl, this.abortWord) !== 0) throw new Error(ABORTED);
      Atomics.wait(ctl, this.generation, gen, 200);
    }
  }

  abort(): void {
    Atomics.store(this.ctl, this.abortWord, 1);
    Atomics.notify(this.ctl, this.generation);
  }
}
