/**
 * The simulator's timer queue: a binary min-heap ordered by (due time, arming order), with
 * one live timer per (owner, name). Re-arming or cancelling marks the old entry dead; dead
 * entries are skipped when they reach the top (lazy deletion keeps every operation O(log n)).
 * Virtual time only: nothing here reads a clock.
 *
 * Hot path (issue 7): the live timers are indexed per owner, then per name (no key strings
 * built per operation), and liveness is a flag on the entry itself, so skipping dead entries
 * costs no lookup.
 */

export interface TimerEntry {
  readonly at: number;
  readonly seq: number;
  readonly owner: string;
  readonly name: string;
  /** Moved to its paused owner's resume time by postpone(): resumeEarly() brings it back. */
  readonly postponed: boolean;
}

interface Entry extends TimerEntry {
  /** Re-armed, cancelled or popped: no longer the live timer of (owner, name). */
  dead: boolean;
  postponed: boolean;
}

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class TimerQueue {
  private readonly heap: Entry[] = [];
  /** owner -> name -> the live entry. */
  private readonly live = new Map<string, Map<string, Entry>>();
  private seq = 0;
  private count = 0;

  set(owner: string, name: string, at: number): void {
    const entry: Entry = { at, seq: ++this.seq, owner, name, dead: false, postponed: false };
    let byName = this.live.get(owner);
    if (byName === undefined) {
      byName = new Map();
      this.live.set(owner, byName);
    }
    const old = byName.get(name);
    if (old === undefined) this.count++;
    else old.dead = true;
    byName.set(name, entry);
    this.push(entry);
  }

  cancel(owner: string, name: string): void {
    const byName = this.live.get(owner);
    const old = byName?.get(name);
    if (old === undefined) return;
    old.dead = true;
    (byName as Map<string, Entry>).delete(name);
    this.count--;
  }

  /** Drops every timer of an owner (a crashed process). */
  cancelOwner(owner: string): void {
    const byName = this.live.get(owner);
    if (byName === undefined) return;
    for (const e of byName.values()) e.dead = true;
    this.count -= byName.size;
    this.live.delete(owner);
  }

  /** The earliest live timer, without removing it. */
  peek(): TimerEntry | undefined {
    this.dropStale();
    return this.heap[0];
  }

  pop(): TimerEntry | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (top === undefined) return undefined;
    top.dead = true;
    this.live.get(top.owner)?.delete(top.name);
    this.count--;
    this.removeTop();
    return top;
  }

  /** Moves a live timer to a later time (a paused owner's timers wait for its resume). */
  postpone(entry: TimerEntry, at: number): void {
    this.set(entry.owner, entry.name, at);
    (this.live.get(entry.owner)?.get(entry.name) as Entry).postponed = true;
  }

  /**
   * The owner resumed before its pause ran out (the quiescence tail): the timers postpone() moved
   * to the pause's end are due now, in their original order. Timers armed for later stay.
   */
  resumeEarly(owner: string, at: number): void {
    const byName = this.live.get(owner);
    if (byName === undefined) return;
    const moved = [...byName.values()].filter((e) => e.postponed).sort((a, b) => a.seq - b.seq);
    for (const e of moved) this.set(e.owner, e.name, at);
  }

  /**
   * An independent copy. Entries carry a mutable `dead` flag, so the copy gets fresh entries
   * (live ones only, same due times and arming order, so it fires exactly as this queue would).
   */
  clone(): TimerQueue {
    const copy = new TimerQueue();
    // Only the live entries, sorted: an ascending array is a valid heap.
    for (const e of this.liveEntries()) {
      const fresh: Entry = { at: e.at, seq: e.seq, owner: e.owner, name: e.name, dead: false, postponed: e.postponed };
      copy.heap.push(fresh);
      let byName = copy.live.get(e.owner);
      if (byName === undefined) {
        byName = new Map();
        copy.live.set(e.owner, byName);
      }
      byName.set(e.name, fresh);
    }
    copy.seq = this.seq;
    copy.count = this.count;
    return copy;
  }

  /** The live timers in firing order (due time, then arming order). */
  liveInOrder(): TimerEntry[] {
    return this.liveEntries();
  }

  private liveEntries(): Entry[] {
    // Insertion sort: a handful of timers, and no comparator closure (clones and fingerprints call this per state).
    const out: Entry[] = [];
    const h = this.heap;
    for (let i = 0; i < h.length; i++) {
      const e = h[i] as Entry;
      if (e.dead) continue;
      let j = out.length;
      while (j > 0 && before(e, out[j - 1] as Entry)) {
        out[j] = out[j - 1] as Entry;
        j--;
      }
      out[j] = e;
    }
    return out;
  }

  get size(): number {
    return this.count;
  }

  private dropStale(): void {
    const h = this.heap;
    while (h.length > 0 && (h[0] as Entry).dead) this.removeTop();
  }

  private push(e: Entry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as Entry;
      if (!before(e, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
  }

  private removeTop(): void {
    const h = this.heap;
    const last = h.pop() as Entry;
    const n = h.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let m = l;
      if (r < n && before(h[r] as Entry, h[l] as Entry)) m = r;
      if (!before(h[m] as Entry, last)) break;
      h[i] = h[m] as Entry;
      i = m;
    }
    h[i] = last;
  }
}
