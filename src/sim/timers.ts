/**
 * The simulator's timer queue: a binary min-heap ordered by (due time, arming order), with
 * one live timer per (owner, name). Re-arming or cancelling marks the old entry stale; stale
 * entries are skipped when they reach the top (lazy deletion keeps every operation O(log n)).
 * Virtual time only: nothing here reads a clock.
 */

export interface TimerEntry {
  readonly at: number;
  readonly seq: number;
  readonly owner: string;
  readonly name: string;
  /** `${owner}\u0000${name}`, built once. */
  readonly key: string;
}

const before = (a: TimerEntry, b: TimerEntry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class TimerQueue {
  private readonly heap: TimerEntry[] = [];
  /** `${owner}\u0000${name}` -> seq of the live entry. */
  private readonly live = new Map<string, number>();
  private seq = 0;

  set(owner: string, name: string, at: number): void {
    const entry: TimerEntry = { at, seq: ++this.seq, owner, name, key: `${owner}\u0000${name}` };
    this.live.set(entry.key, entry.seq);
    this.push(entry);
  }

  cancel(owner: string, name: string): void {
    this.live.delete(`${owner}\u0000${name}`);
  }

  /** Drops every timer of an owner (a crashed process). */
  cancelOwner(owner: string): void {
    const prefix = `${owner}\u0000`;
    for (const k of [...this.live.keys()]) if (k.startsWith(prefix)) this.live.delete(k);
  }

  /** The earliest live timer that `eligible` accepts, without removing it. */
  peek(): TimerEntry | undefined {
    this.dropStale();
    return this.heap[0];
  }

  pop(): TimerEntry | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.live.delete(top.key);
    this.removeTop();
    return top;
  }

  /** Moves a live timer to a later time (a paused owner's timers wait for its resume). */
  postpone(entry: TimerEntry, at: number): void {
    this.set(entry.owner, entry.name, at);
  }

  /** An independent copy (entries are immutable and shared). */
  clone(): TimerQueue {
    const copy = new TimerQueue();
    // Only the live entries, sorted: an ascending array is a valid heap.
    copy.heap.push(...this.liveInOrder());
    for (const [k, v] of this.live) copy.live.set(k, v);
    copy.seq = this.seq;
    return copy;
  }

  /** The live timers in firing order (due time, then arming order). */
  liveInOrder(): TimerEntry[] {
    return this.heap.filter((e) => this.isLive(e)).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  }

  get size(): number {
    return this.live.size;
  }

  private isLive(e: TimerEntry): boolean {
    return this.live.get(e.key) === e.seq;
  }

  private dropStale(): void {
    while (this.heap.length > 0 && !this.isLive(this.heap[0] as TimerEntry)) this.removeTop();
  }

  private push(e: TimerEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i] as TimerEntry, h[p] as TimerEntry)) break;
      [h[i], h[p]] = [h[p] as TimerEntry, h[i] as TimerEntry];
      i = p;
    }
  }

  private removeTop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l] as TimerEntry, h[m] as TimerEntry)) m = l;
      if (r < h.length && before(h[r] as TimerEntry, h[m] as TimerEntry)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as TimerEntry, h[i] as TimerEntry];
      i = m;
    }
  }
}
