/**
 * Shared helpers for the history invariants in this folder: the member → group map, the
 * ownership-episode tracker, and small formatting helpers for violation messages.
 *
 * This file is not an invariant and is not in the registry (index.ts). Everything here is
 * a single forward pass over a History with Maps, so every invariant built on it stays
 * linear in the history length (histories can reach a million events).
 */
import type { History, HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import type { Violation } from '../../src/check/invariant.ts';

/** Group name used for a member that never showed which group it belongs to. */
export const UNKNOWN_GROUP = '(unknown group)';

/**
 * Maps each member (one consumer incarnation, `c1#2`) to its group.
 *
 * `Started` is authoritative. A member with no `Started` event (hand-written or truncated
 * histories) takes the group of the first event of its own that carries one (`Joined`,
 * `Assigned`, `CommitRequested`, ...), so client-side claims still work on such histories.
 */
export function memberGroups(history: History): ReadonlyMap<string, string> {
  const started = new Map<string, string>();
  const fallback = new Map<string, string>();
  for (const e of history) {
    if (e.type === 'Started') {
      if (!started.has(e.member)) started.set(e.member, e.group);
    } else if ('member' in e && 'group' in e && !fallback.has(e.member)) {
      fallback.set(e.member, e.group);
    }
  }
  for (const [member, group] of fallback) if (!started.has(member)) started.set(member, group);
  return started;
}

/** The group of `member`, or UNKNOWN_GROUP. */
export const groupOf = (groups: ReadonlyMap<string, string>, member: string): string =>
  groups.get(member) ?? UNKNOWN_GROUP;

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
  private readonly modes = new Map<string, 'subscribe' | 'assign'>();
  private readonly open = new Map<string, Map<TopicPartition, Episode>>();
  private readonly lastEnd = new Map<string, Map<TopicPartition, number>>();
  private nextId = 0;

  /** Updates the episodes with event `e` at index `i`; returns what changed. */
  apply(e: HistoryEvent, i: number): EpisodeChange {
    if (e.type === 'Started') {
      this.modes.set(e.member, e.mode);
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
