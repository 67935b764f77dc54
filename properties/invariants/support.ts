/**
 * Shared helpers for the history invariants in this folder: the member → group map, the
 * ownership-episode tracker, and small formatting helpers for violation messages.
 *
 * This file is not an invariant and is not in the registry (index.ts). Everything here is
 * incremental (one event at a time, Maps keyed by live members and partitions) and clonable,
 * so the monitors built on it stream a history of any length (src/check/invariant.ts Monitor).
 */
import type { History, HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { type CheckContext, HORIZON_DEFAULT, type Violation } from '../../src/check/invariant.ts';

/** Group name used for a member that never showed which group it belongs to. */
export const UNKNOWN_GROUP = '(unknown group)';

/**
 * Maps each member (one consumer incarnation, `c1#2`) to its group, as the history goes.
 *
 * `Started` is authoritative. A member with no `Started` event (hand-written or truncated
 * histories) takes the group of the first event of its own that carries one (`Joined`,
 * `Assigned`, `CommitRequested`, ...), so client-side claims still work on such histories.
 *
 * Streaming rule: the monitors ask for a member's group when they see its event, so they use
 * what the history has said *so far*. This is the same answer as the whole-history map except
 * for an event that comes before its member's `Started` (or, without one, before its first
 * group-carrying event); the simulator and the recorders always emit `Started` first.
 * State: two entries per member.
 */
export class GroupDirectory {
  private started = new Map<string, string>();
  private fallback = new Map<string, string>();

  /** Learns from event `e`; call it before looking at `e`. */
  observe(e: HistoryEvent): void {
    if (e.type === 'Started') {
      if (!this.started.has(e.member)) this.started.set(e.member, e.group);
    } else if ('member' in e && 'group' in e && !this.fallback.has(e.member)) {
      this.fallback.set(e.member, e.group);
    }
  }

  /** Forgets a member (MemberClock): were it heard of again, it would be a new member. */
  forget(member: string): void {
    this.started.delete(member);
    this.fallback.delete(member);
  }

  /** The group of `member` known so far, or undefined. */
  get(member: string): string | undefined {
    return this.started.get(member) ?? this.fallback.get(member);
  }

  /** The group of `member` known so far, or UNKNOWN_GROUP. */
  groupOf(member: string): string {
    return this.get(member) ?? UNKNOWN_GROUP;
  }

  /** Every member with a known group (Started first, then fallbacks). */
  toMap(): Map<string, string> {
    const out = new Map(this.started);
    for (const [member, group] of this.fallback) if (!out.has(member)) out.set(member, group);
    return out;
  }

  clone(): GroupDirectory {
    const c = new GroupDirectory();
    c.started = new Map(this.started);
    c.fallback = new Map(this.fallback);
    return c;
  }
}

/** The member → group map of a whole history (GroupDirectory after its last event). */
export function memberGroups(history: History): ReadonlyMap<string, string> {
  const d = new GroupDirectory();
  for (const e of history) d.observe(e);
  return d.toMap();
}

/** The group of `member`, or UNKNOWN_GROUP. */
export const groupOf = (groups: ReadonlyMap<string, string>, member: string): string =>
  groups.get(member) ?? UNKNOWN_GROUP;

/**
 * When each member was last heard of, to forget silent members (CheckContext.horizon). Call
 * `touch(e, i)` for every event; every horizon/4 events `sweep(i)` returns the members silent for
 * more than `horizon` events and forgets them. A member "is heard of" in any event that names it
 * in its `member` field. State: one entry per member heard of within the horizon.
 */
export class MemberClock {
  private lastSeen = new Map<string, number>();
  private nextSweep: number;

  constructor(private readonly horizon: number) {
    this.nextSweep = Math.max(1, horizon >> 2);
  }

  touch(e: HistoryEvent, i: number): void {
    if ('member' in e) this.lastSeen.set(e.member, i);
  }

  /** The members to forget now (usually none): a scan of the members heard of lately. */
  sweep(i: number): string[] {
    if (i < this.nextSweep) return NONE;
    this.nextSweep = i + Math.max(1, this.horizon >> 2);
    const gone: string[] = [];
    for (const [member, at] of this.lastSeen) if (at < i - this.horizon) gone.push(member);
    for (const member of gone) this.lastSeen.delete(member);
    return gone;
  }

  clone(): MemberClock {
    const c = new MemberClock(this.horizon);
    c.lastSeen = new Map(this.lastSeen);
    c.nextSweep = this.nextSweep;
    return c;
  }
}

const NONE: string[] = [];

/** One ownership episode of a member on a partition (see OwnershipTracker). */
export interface Episode {
  /** Unique per history, in start order. */
  readonly id: number;
  readonly member: string;
  readonly tp: TopicPartition;
  /** Index of the event that started it (`Assigned`, or `Positioned` for 'assign' members). */
  readonly start: number;
}

/** What one event changed: episodes it ended (first) and episodes it started. */
export interface EpisodeChange {
  readonly ended: readonly Episode[];
  readonly started: readonly Episode[];
}

const NO_CHANGE: EpisodeChange = { ended: [], started: [] };

/**
 * Follows ownership episodes through a history, one event at a time.
 *
 * An episode of member m on partition tp:
 * 1. starts at an `Assigned` of m that lists tp, or, for a member whose `Started` has mode
 *    'assign', at a `Positioned` of m on tp while no episode of (m, tp) is open;
 * 2. ends at a `Revoked` of m that lists tp, or at a `Crashed` or `Left` of m (all its partitions).
 *
 * Scope rule (decided here): an `Assigned` that lists a partition m already owns (a cooperative
 * client re-announcing a retained partition) continues the open episode instead of starting a
 * new one, because ownership never lapsed. A member without a `Started` event counts as a
 * 'subscribe' member.
 *
 * Call `apply(e, i)` for every event in order, before the caller looks at the event itself.
 */
export class OwnershipTracker {
  private modes = new Map<string, 'subscribe' | 'assign'>();
  private open = new Map<string, Map<TopicPartition, Episode>>();
  private lastEnd = new Map<string, Map<TopicPartition, number>>();
  private nextId = 0;

  /** An independent copy (episodes are immutable, so they are shared). */
  clone(): OwnershipTracker {
    const c = new OwnershipTracker();
    for (const [m, mode] of this.modes) c.modes.set(m, mode);
    for (const [m, byTp] of this.open) c.open.set(m, new Map(byTp));
    for (const [m, byTp] of this.lastEnd) c.lastEnd.set(m, new Map(byTp));
    c.nextId = this.nextId;
    return c;
  }

  /** Updates the episodes with event `e` at index `i`; returns what changed. */
  apply(e: HistoryEvent, i: number): EpisodeChange {
    if (e.type === 'Started') {
      // Only 'assign' is stored: an absent member is a 'subscribe' member.
      if (e.mode === 'assign') this.modes.set(e.member, e.mode);
      else this.modes.delete(e.member);
      return NO_CHANGE;
    }
    if (e.type === 'Assigned') {
      const started: Episode[] = [];
      for (const tp of e.partitions) {
        if (this.current(e.member, tp) === undefined) started.push(this.begin(e.member, tp, i));
      }
      return started.length === 0 ? NO_CHANGE : { ended: [], started };
    }
    if (e.type === 'Positioned') {
      if (this.modes.get(e.member) === 'assign' && this.current(e.member, e.tp) === undefined) {
        return { ended: [], started: [this.begin(e.member, e.tp, i)] };
      }
      return NO_CHANGE;
    }
    if (e.type === 'Revoked') {
      const ended: Episode[] = [];
      for (const tp of e.partitions) {
        const episode = this.end(e.member, tp, i);
        if (episode !== undefined) ended.push(episode);
      }
      return ended.length === 0 ? NO_CHANGE : { ended, started: [] };
    }
    if (e.type === 'Crashed' || e.type === 'Left') {
      const owned = this.open.get(e.member);
      if (owned === undefined || owned.size === 0) return NO_CHANGE;
      const ended: Episode[] = [];
      for (const tp of [...owned.keys()]) {
        const episode = this.end(e.member, tp, i);
        if (episode !== undefined) ended.push(episode);
      }
      return { ended, started: [] };
    }
    return NO_CHANGE;
  }

  /** The open episode of (member, tp), if any. */
  current(member: string, tp: TopicPartition): Episode | undefined {
    return this.open.get(member)?.get(tp);
  }

  /** Index of the event that ended the latest closed episode of (member, tp), if any. */
  lastEnded(member: string, tp: TopicPartition): number | undefined {
    return this.lastEnd.get(member)?.get(tp);
  }

  /**
   * Forgets a member (MemberClock): its mode, last ends and open episodes, which are returned
   * (they never ended in the history) so the caller can judge them as at the end of it.
   */
  forget(member: string): Episode[] {
    this.modes.delete(member);
    this.lastEnd.delete(member);
    const owned = this.open.get(member);
    this.open.delete(member);
    return owned === undefined ? [] : [...owned.values()];
  }

  /** Every episode still open, in no particular order (for end-of-history flushing). */
  openEpisodes(): Episode[] {
    const all: Episode[] = [];
    for (const owned of this.open.values()) all.push(...owned.values());
    return all;
  }

  private begin(member: string, tp: TopicPartition, i: number): Episode {
    const episode: Episode = { id: this.nextId++, member, tp, start: i };
    let owned = this.open.get(member);
    if (owned === undefined) this.open.set(member, (owned = new Map()));
    owned.set(tp, episode);
    return episode;
  }

  private end(member: string, tp: TopicPartition, i: number): Episode | undefined {
    const owned = this.open.get(member);
    const episode = owned?.get(tp);
    if (owned === undefined || episode === undefined) return undefined;
    owned.delete(tp);
    if (owned.size === 0) this.open.delete(member);
    let ends = this.lastEnd.get(member);
    if (ends === undefined) this.lastEnd.set(member, (ends = new Map()));
    ends.set(tp, i);
    return episode;
  }
}

/** Ascending, de-duplicated event indices (skips undefined). */
export function indices(...xs: readonly (number | undefined)[]): number[] {
  const out = [...new Set(xs.filter((x): x is number => x !== undefined))];
  return out.sort((a, b) => a - b);
}

/** Sorts violations by their first event index; stable, so ties keep discovery order. */
export function byFirstEvent(violations: Violation[]): Violation[] {
  return violations.sort((a, b) => (a.events[0] ?? -1) - (b.events[0] ?? -1));
}

/** Renders offsets as compact ranges: [3,4,5,9] → "3-5, 9". Input need not be sorted. */
export function offsetRanges(offsets: readonly number[]): string {
  const sorted = [...offsets].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i]!;
    let last = first;
    while (i + 1 < sorted.length && sorted[i + 1]! <= last + 1) last = sorted[++i]!;
    parts.push(first === last ? `${first}` : `${first}-${last}`);
    i++;
  }
  return parts.join(', ');
}

/** Joins names for a sentence: "a", "a and b", "a, b and c". */
export function names(xs: readonly string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/**
 * A set of offsets as sorted, disjoint, non-adjacent inclusive ranges, flattened:
 * `[lo0, hi0, lo1, hi1, ...]`. Plain data (clonable). A partition processed in order is one
 * range however many records it has, so per-record sets become a few numbers per partition.
 */
export type OffsetSet = number[];

/** Index of the range holding `o`, else the index of the first range above it (×2 in the array). */
const rangeAt = (s: OffsetSet, o: number): number => {
  let lo = 0;
  let hi = s.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s[2 * mid + 1]! < o) lo = mid + 1;
    else hi = mid - 1;
  }
  return lo; // first range whose hi ≥ o
};

export function offsetSetHas(s: OffsetSet, o: number): boolean {
  const n = s.length;
  if (n === 0) return false;
  if (o > s[n - 1]!) return false;
  const r = rangeAt(s, o);
  return s[2 * r]! <= o;
}

/** Adds `o`; returns false when it was already there. Appending above the last range is O(1). */
export function offsetSetAdd(s: OffsetSet, o: number): boolean {
  const n = s.length;
  if (n === 0 || o > s[n - 1]! + 1) {
    s.push(o, o);
    return true;
  }
  if (o === s[n - 1]! + 1) {
    s[n - 1] = o;
    return true;
  }
  const r = rangeAt(s, o);
  const lo = s[2 * r]!;
  if (lo <= o) return false; // inside range r
  // o is below range r and above range r-1 (if any).
  const joinsNext = o === lo - 1;
  const joinsPrev = r > 0 && s[2 * r - 1]! === o - 1;
  if (joinsPrev && joinsNext) s.splice(2 * r - 1, 2); // merge r-1 and r
  else if (joinsPrev) s[2 * r - 1] = o;
  else if (joinsNext) s[2 * r] = o;
  else s.splice(2 * r, 0, o, o);
  return true;
}

/** Calls `f` for every offset of `a` that is not in `b`, ascending. */
export function offsetSetForEachMissing(a: OffsetSet, b: OffsetSet, f: (o: number) => void): void {
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    const hi = a[i + 1]!;
    let o = a[i]!;
    while (o <= hi) {
      while (j < b.length && b[j + 1]! < o) j += 2;
      if (j < b.length && b[j]! <= o) {
        o = b[j + 1]! + 1; // skip the covered part
        continue;
      }
      const stop = j < b.length ? Math.min(hi, b[j]! - 1) : hi;
      for (; o <= stop; o++) f(o);
    }
  }
}

/** The horizon of a check (CheckContext.horizon, or the default). */
export const horizonOf = (ctx: CheckContext): number => ctx.horizon ?? HORIZON_DEFAULT;
