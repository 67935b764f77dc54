/**
 * Monitors: small state folded over the events of a path during the search, so that the
 * fingerprint of a state includes what the claims need from its past (the history itself is
 * not kept). A monitor *screens*: it names the invariants a state may violate, and the search
 * confirms each suspect by running its path through `simulate` to a full history judged by the
 * real invariant (properties/invariants). A screen must over-approximate: every history prefix
 * that violates a screened claim must make the monitor suspect it, or the search misses it.
 *
 * The hook is deliberately small (initial, step, suspects, encode) so that streaming forms of
 * the invariants can be plugged in as monitors later.
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { DigestSink } from '../sim/digest.ts';
import type { CheckContext, Invariant, Monitor } from '../check/invariant.ts';

export interface MonitorContext {
  /** The group of a member (process name `c<slot>#<incarnation>`). */
  readonly groupOf: (member: string) => string;
}

export interface PathMonitor<S = unknown> {
  readonly name: string;
  /** Invariant names (properties/invariants) this monitor screens for. */
  readonly screens: readonly string[];
  readonly initial: S;
  /** Folds the events of one step; returns `state` itself when nothing it tracks changed. */
  step(state: S, events: readonly HistoryEvent[], ctx: MonitorContext): S;
  /** The screened invariants the path so far may violate. */
  suspects(state: S): readonly string[];
  /** Canonical text of the state, part of the fingerprint (the naive baseline's key). */
  encode(state: S): string;
  /** The same content as tokens for the hashed fingerprint (default: the hash of `encode`). */
  digest?(state: S, d: DigestSink): void;
  /**
   * The state is not part of the fingerprint (`encode` is empty, `digest` feeds nothing): it says
   * how a state was reached, not what it is. The search then folds it only into the states that
   * turn out new (about 60% of transitions reach a known state and never need it).
   */
  readonly pathOnly?: boolean;
  /**
   * `step` for a caller that owns `state`: nobody reads it afterwards, so its mutable parts may
   * be reused (no clone). The search calls it for the last new child of a state, and only when
   * no earlier child of that state got its monitor state from a `step` with no events (the one
   * case where `step` may return a state sharing mutable parts with `state`).
   */
  stepOwned?(state: S, events: readonly HistoryEvent[], ctx: MonitorContext): S;
}

/**
 * What the ledger remembers, per `group|tp` unless said otherwise. Offsets are bits of a
 * 31-bit mask (scopes produce at most RECORDS_MAX records).
 */
interface Ledger {
  /** Offsets some member of the group processed. */
  readonly processed: Readonly<Record<string, number>>;
  /** Offsets produced after the group's first Started (atLeastOnce scope rule 1). */
  readonly inScope: Readonly<Record<string, number>>;
  /** Lowest offset a member of the group was Positioned at (scope rule 2). */
  readonly minPositioned: Readonly<Record<string, number>>;
  readonly startedGroups: readonly string[];
  /** Per `member|tp`: max(start position, last processed + 1) since the latest Positioned. */
  readonly bound: Readonly<Record<string, number>>;
  /** Commit requests (`member:seq`) that asked for an offset above the member's bound. */
  readonly aheadRequests: readonly string[];
  /** Offsets stored as committed (the next to read) per `group|tp`. */
  readonly committed: Readonly<Record<string, number>>;
  /** Offsets a position skipped (in the group's scope, unprocessed at the time). */
  readonly skipped: Readonly<Record<string, number>>;
  /**
   * What the last step did that a claim may object to (not part of the fingerprint): a
   * duplicate processing, an accepted commit ahead of processing.
   */
  readonly fresh: readonly ('duplicate' | 'commitAhead')[];
}

const EMPTY: Ledger = { processed: {}, inScope: {}, minPositioned: {}, startedGroups: [], bound: {}, aheadRequests: [], committed: {}, skipped: {}, fresh: [] };

const bit = (offset: number): number => (offset < 31 ? 1 << offset : 0);
/** Bits of the offsets below `n`. */
const below = (n: number): number => (n >= 31 ? 0x7fffffff : (1 << Math.max(0, n)) - 1);

const aheadOf = (l: Ledger, member: string, offsets: Readonly<Record<string, number>>): boolean =>
  Object.entries(offsets).some(([tp, c]) => {
    const b = l.bound[`${member}|${tp}`];
    return b === undefined || c > b;
  });

/** Some record is, right now, below a stored commit or skipped by a position, and not processed. */
const maybeLost = (l: Ledger): boolean => {
  for (const [k, c] of Object.entries(l.committed)) if ((below(c) & ~(l.processed[k] ?? 0)) !== 0) return true;
  for (const [k, m] of Object.entries(l.skipped)) if ((m & ~(l.processed[k] ?? 0)) !== 0) return true;
  return false;
};

/**
 * Screens atLeastOnce (lost-write and unseen), committedNotAheadOfProcessed, noDuplicateProcessing
 * and duplicatesBounded (every excess duplicate is a duplicate).
 * - duplicate (the step processed a record its group had processed): noDuplicateProcessing's
 *   rule exactly; every excess duplicate of duplicatesBounded is such a step;
 * - commit ahead (the step had an accepted CommitResult whose request, or itself, carried an
 *   offset above the member's max(position, last processed + 1) at that moment: the
 *   invariant's bound, taken at the request);
 * - maybe lost (now, not just in this step): an offset below a stored commit (OffsetsStored), or
 *   skipped by a position a member took, is not processed by the group. A settled run's missing
 *   record is below the final commit (lost-write) or was jumped over by a position (unseen).
 * Fresh flags are confirmed once, at the state where they happen; the search visits each
 * state once, so a flag raised on a path that reaches an already-visited state is not
 * confirmed again (the screen is exact for noDuplicateProcessing; see README for the rest).
 */
export const ledgerMonitor: PathMonitor<Ledger> = {
  name: 'ledger',
  screens: ['atLeastOnce', 'committedNotAheadOfProcessed', 'noDuplicateProcessing', 'duplicatesBounded'],
  initial: EMPTY,
  step(state, events, ctx) {
    let l = state.fresh.length === 0 ? state : { ...state, fresh: [] };
    for (const e of events) {
      switch (e.type) {
        case 'Started':
          if (!l.startedGroups.includes(e.group)) l = { ...l, startedGroups: [...l.startedGroups, e.group].sort() };
          break;
        case 'Produced': {
          const inScope = { ...l.inScope };
          for (const g of l.startedGroups) inScope[`${g}|${e.tp}`] = (inScope[`${g}|${e.tp}`] ?? 0) | bit(e.offset);
          l = { ...l, inScope };
          break;
        }
        case 'Processed': {
          const k = `${ctx.groupOf(e.member)}|${e.tp}`;
          const had = l.processed[k] ?? 0;
          const mk = `${e.member}|${e.tp}`;
          l = {
            ...l,
            processed: { ...l.processed, [k]: had | bit(e.offset) },
            bound: { ...l.bound, [mk]: Math.max(l.bound[mk] ?? 0, e.offset + 1) },
            fresh: (had & bit(e.offset)) !== 0 ? [...l.fresh, 'duplicate'] : l.fresh,
          };
          break;
        }
        case 'Positioned': {
          const k = `${ctx.groupOf(e.member)}|${e.tp}`;
          const minPositioned = Math.min(l.minPositioned[k] ?? e.offset, e.offset);
          const claimed = (l.inScope[k] ?? 0) | (below(e.offset) & ~below(minPositioned));
          const skipped = (l.skipped[k] ?? 0) | (claimed & below(e.offset) & ~(l.processed[k] ?? 0));
          l = { ...l, minPositioned: { ...l.minPositioned, [k]: minPositioned }, bound: { ...l.bound, [`${e.member}|${e.tp}`]: e.offset }, skipped: { ...l.skipped, [k]: skipped } };
          break;
        }
        case 'CommitRequested':
          if (aheadOf(l, e.member, e.offsets)) l = { ...l, aheadRequests: [...l.aheadRequests, `${e.member}:${e.seq}`].sort() };
          break;
        case 'CommitResult': {
          const key = `${e.member}:${e.seq}`;
          const ahead = e.error === 'NONE' && (l.aheadRequests.includes(key) || aheadOf(l, e.member, e.offsets));
          l = { ...l, aheadRequests: l.aheadRequests.filter((x) => x !== key), fresh: ahead ? [...l.fresh, 'commitAhead'] : l.fresh };
          break;
        }
        case 'OffsetsStored': {
          const committed = { ...l.committed };
          for (const [tp, c] of Object.entries(e.offsets)) committed[`${e.group}|${tp}`] = c;
          l = { ...l, committed };
          break;
        }
        default:
          break;
      }
    }
    return l;
  },
  suspects(l) {
    const out: string[] = [];
    if (maybeLost(l)) out.push('atLeastOnce');
    if (l.fresh.includes('commitAhead')) out.push('committedNotAheadOfProcessed');
    if (l.fresh.includes('duplicate')) out.push('noDuplicateProcessing', 'duplicatesBounded');
    return out;
  },
  encode: ({ fresh: _fresh, ...rest }) => JSON.stringify(rest),
  // encode's fields (fresh left out); each is immutable and shared until a step replaces it.
  digest(l, d) {
    d.value(l.processed);
    d.value(l.inScope);
    d.value(l.minPositioned);
    d.value(l.startedGroups);
    d.value(l.bound);
    d.value(l.aheadRequests);
    d.value(l.committed);
    d.value(l.skipped);
  },
};

/** Events of the environment's faults and interventions: the confirming run's tail follows them. */
const FAULT_EVENTS: ReadonlySet<string> = new Set(['Crashed', 'Paused', 'LeaveRequested', 'Stalled', 'MessageDropped', 'CoordinatorMoved', 'PartitionsAdded', 'SeekRequested']);

/**
 * Screens every invariant right after a fault or intervention (Crash, Pause, Leave, Stall, a
 * dropped message, MoveCoordinator, AddPartitions, Seek): the confirming run's quiescence tail
 * (resume, restart an empty group, settle) is where most faults show their damage (a lost
 * record, a re-processed batch, a group that never settles), so the path only needs to reach
 * the fault. This is how the eventually-claims (groupSettles, stableWithinBound, atLeastOnce's
 * unseen records) are checked: they are about the tail. The flag is not part of the
 * fingerprint: it says how the state was reached, not what it is.
 */
export const faultTailMonitor = (invariants: readonly string[]): PathMonitor<boolean> => ({
  name: 'fault-tail',
  screens: invariants,
  initial: false,
  pathOnly: true,
  step: (_state, events) => events.some((e) => FAULT_EVENTS.has(e.type)),
  suspects: (afterFault) => (afterFault ? invariants : []),
  encode: () => '',
  digest: () => undefined,
});

/** The real invariants' own monitors folded along a path (plus how many events it has). */
interface Folded {
  /** Per invariant; null once it was violated on this path (its first violation is the shortest). */
  readonly monitors: readonly (Monitor | null)[];
  readonly events: number;
  /** Invariants whose verdict turned to violated at this state. */
  readonly fresh: readonly string[];
}

/**
 * Judges every `always` invariant on every state: the invariants' own streaming monitors
 * (properties/invariants, Monitor) are folded along each path, cloned where a step adds events,
 * and asked for the verdict of the path so far after every step. A state whose prefix violates
 * one is suspected and confirmed (its path plus the quiescence tail, judged by the full
 * invariant). Exact per path: an always-claim violated by a prefix stays violated by the run.
 * What it cannot see: a path that reaches an already-visited world state is not expanded again
 * (the fold is not part of the fingerprint, or no two histories would ever meet), so a
 * violation that needs that path's own past is found only if another path shows it too; the
 * ledger's facts are in the fingerprint for the claims it screens.
 * `eventually` invariants are left out: a prefix has not settled, so its verdict says nothing.
 */
export const invariantsMonitor = (invariants: readonly Invariant[], ctx: CheckContext): PathMonitor<Folded> => {
  const always = invariants.filter((i) => i.expectation === 'always');
  /** With no events the monitors are shared (step's contract); else cloned first unless owned. */
  const fold = (state: Folded, events: readonly HistoryEvent[], clone: boolean): Folded => {
    if (events.length === 0) return state.fresh.length === 0 ? state : { ...state, fresh: [] };
    const fresh: string[] = [];
    const monitors = state.monitors.map((m0, k) => {
      if (m0 === null) return null;
      const m = clone ? m0.clone() : m0;
      for (let i = 0; i < events.length; i++) m.step(events[i] as HistoryEvent, state.events + i);
      const v = m.finish();
      if (v === 'unknown' || v.length === 0) return m;
      fresh.push((always[k] as Invariant).name);
      return null;
    });
    return { monitors, events: state.events + events.length, fresh };
  };
  return {
    name: 'invariants',
    screens: always.map((i) => i.name),
    initial: { monitors: always.map((i) => i.monitor(ctx)), events: 0, fresh: [] },
    pathOnly: true,
    step: (state, events) => fold(state, events, true),
    // The caller owns the state: step its monitors in place (a StateMonitor's clone is a
    // structuredClone of its state, the costliest part of folding).
    stepOwned: (state, events) => fold(state, events, false),
    suspects: (s) => s.fresh,
    encode: () => '',
    digest: () => undefined,
  };
};
