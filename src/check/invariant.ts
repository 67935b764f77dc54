/**
 * The shape of a claim over a history (house-style §3.7): a named, pure function that returns
 * every violation it finds, each with the indices of the history events that show it.
 * Anomaly kinds reuse Jepsen's words where one exists (kafka-protocol.md §5.2).
 */
import type { History, HistoryEvent } from '../../models/history.ts';

export type Expectation = 'always' | 'eventually';
export type Validity = true | false | 'unknown';

export type AnomalyKind =
  | 'split-ownership' // two members own one partition in one generation
  | 'zombie-commit' // a fenced member's commit was accepted
  | 'nonmonotonic-poll' // Jepsen: a consumer went back inside one ownership
  | 'poll-skip' // Jepsen: a consumer jumped forward inside one ownership
  | 'commit-ahead' // a committed offset ran ahead of what the committer processed
  | 'lost-write' // Jepsen: a record below the committed offset was never processed
  | 'unseen' // Jepsen: a record was never processed by the end of a settled run
  | 'duplicate' // Jepsen: a record was processed more than once by one group
  | 'excess-duplicate' // more re-processing in one ownership than the policy allows
  | 'concurrent-processing' // two members processed one partition at the same time
  | 'processing-unowned' // a member processed a partition not in its own assignment
  | 'livelock' // the groups never settled after the faults stopped
  | 'unbalanced-assignment' // an assignor that promises balance gave sizes differing by more than one
  | 'excess-movement' // a sticky assignor moved more owned partitions than balance requires
  | 'unrevoked-handoff'; // a partition was assigned to a member while another still owned it

export interface Violation {
  readonly invariant: string;
  readonly kind: AnomalyKind;
  /** One sentence naming the members, partition and offsets involved. */
  readonly message: string;
  /** Indices into the history of the events that show the violation, ascending. */
  readonly events: readonly number[];
  /** Small JSON evidence: partition, generation, owners, offsets... */
  readonly evidence: Readonly<Record<string, unknown>>;
}

export interface CheckContext {
  /**
   * Re-processing allowed inside one ownership for the policy under check (duplicatesBounded);
   * undefined means no bound is claimed.
   */
  readonly duplicateBound?: number;
  /**
   * The monitors' memory horizon, in events (default HORIZON_DEFAULT): a member silent for
   * longer is forgotten, and evidence older than this is kept only where a violation still
   * needs it. Each invariant's docstring says what this can change; on histories whose members
   * do not come back after such a silence, nothing. Smaller values only serve tests.
   */
  readonly horizon?: number;
}

/** 100,000 events: far longer than any rebalance or zombie window, short enough to keep memory flat. */
export const HORIZON_DEFAULT = 100_000;

/** What a monitor concludes: its violations ([] = holds), or 'unknown' (see Invariant.check). */
export type MonitorVerdict = readonly Violation[] | 'unknown';

/**
 * The incremental form of an invariant: a fold over the history, one event at a time, so a
 * history of any length can be checked from a stream (check-history) without holding it.
 *
 * Contract:
 * - `step(e, i)` is called once per event, in history order, with i = 0, 1, 2, ... (the index the
 *   violations cite). It mutates the monitor's own state only.
 * - `finish()` returns the verdict for the events stepped so far. It does not change the state:
 *   it may be called at any point and stepping may continue afterwards (a search can ask for the
 *   verdict of every prefix).
 * - `clone()` returns an independent monitor with a copy of the state (the two never share
 *   mutable data), as cheap as the state is small. An exhaustive or breadth-first search folds
 *   monitors along paths: it clones the monitor at a branching state and steps each copy down
 *   its own branch instead of re-running the whole prefix.
 * - The state is plain data (Maps, Sets, arrays, numbers, strings): no closures over the
 *   history, no event objects kept whole. Its size is bounded by the live groups, members,
 *   partitions and open ownerships, not by the history length; each invariant's docstring says
 *   what it keeps and, where evidence is dropped to stay bounded, which.
 * - Deterministic: the verdict is a pure function of (ctx, the events stepped).
 */
export interface Monitor {
  step(e: HistoryEvent, i: number): void;
  finish(): MonitorVerdict;
  clone(): Monitor;
}

export interface Invariant {
  /** camelCase claim, e.g. `singleOwnerPerPartition`. */
  readonly name: string;
  readonly expectation: Expectation;
  /** The sentence a reviewer agrees with. */
  readonly claim: string;
  /** Where the rule comes from (notes section, KIP, Jepsen). */
  readonly reference: string;
  /** A fresh monitor, the one implementation of this invariant (see Monitor). */
  readonly monitor: (ctx: CheckContext) => Monitor;
  /**
   * Pure: [] means the claim holds on this history. 'unknown' is returned by eventually-claims
   * when the run did not settle, so nothing can be concluded. Always `runMonitor(monitor(ctx),
   * history)` (see defineInvariant): there is no second implementation to drift.
   */
  readonly check: (history: History, ctx: CheckContext) => MonitorVerdict;
}

/** Steps `m` over every event of `history` and returns its verdict. */
export const runMonitor = (m: Monitor, history: History): MonitorVerdict => {
  for (let i = 0; i < history.length; i++) m.step(history[i]!, i);
  return m.finish();
};

/** An invariant from its monitor; `check` is the monitor run over an array. */
export const defineInvariant = (spec: Omit<Invariant, 'check'>): Invariant => ({
  ...spec,
  check: (history, ctx) => runMonitor(spec.monitor(ctx), history),
});

/**
 * Base class for monitors whose mutable state is the plain-data object `s`, plus optional
 * helper fields that have their own `clone()` (support.ts OwnershipTracker, GroupDirectory).
 * `clone()` copies `s` deeply (deepCopy: Maps, Sets, arrays, plain objects, and references
 * shared inside it stay shared in the copy, as structuredClone keeps them), clones those helpers,
 * and shares every other field, which must therefore be immutable configuration (ctx, bounds).
 */
export abstract class StateMonitor<S extends object> implements Monitor {
  protected s: S;
  constructor(s: S) {
    this.s = s;
  }
  abstract step(e: HistoryEvent, i: number): void;
  abstract finish(): MonitorVerdict;
  clone(): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as Record<string, unknown>;
    for (const [k, v] of Object.entries(this)) {
      copy[k] = k === 's' ? deepCopy(v, new Map()) : isClonable(v) ? v.clone() : v;
    }
    return copy as this;
  }
}

/**
 * structuredClone's result for the plain data monitors keep, by hand: the explorer clones every
 * monitor at every branching state, and V8's serializer round trip cost about 13% of a screened
 * search (issue 7 notes). `seen` maps each container copied so far to its copy, so shared
 * references and cycles come out as structuredClone makes them. Anything else that is an object
 * (a Date, a typed array, a class instance) goes to structuredClone itself.
 */
export const deepCopy = <T>(v: T, seen: Map<object, unknown>): T => {
  if (typeof v !== 'object' || v === null) return v;
  const done = seen.get(v);
  if (done !== undefined) return done as T;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    seen.set(v, out);
    for (let i = 0; i < v.length; i++) out[i] = deepCopy(v[i] as unknown, seen);
    return out as T;
  }
  if (v instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(v, out);
    for (const [k, x] of v) out.set(deepCopy(k as unknown, seen), deepCopy(x as unknown, seen));
    return out as T;
  }
  if (v instanceof Set) {
    const out = new Set<unknown>();
    seen.set(v, out);
    for (const x of v) out.add(deepCopy(x as unknown, seen));
    return out as T;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const out = structuredClone(v);
    seen.set(v, out);
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const k of Object.keys(v)) out[k] = deepCopy((v as Record<string, unknown>)[k], seen);
  return out as T;
};

const isClonable = (v: unknown): v is { clone: () => unknown } =>
  typeof v === 'object' && v !== null && typeof (v as { clone?: unknown }).clone === 'function';
