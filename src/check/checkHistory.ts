/**
 * Runs invariants over one history and merges validity as Jepsen does: false beats unknown,
 * unknown beats true (house-style §3.7).
 */
import type { History, HistoryEvent } from '../../models/history.ts';
import type { CheckContext, Invariant, Monitor, MonitorVerdict, Validity, Violation } from './invariant.ts';

export interface InvariantResult {
  readonly invariant: string;
  readonly validity: Validity;
  readonly violations: readonly Violation[];
}

const resultOf = (name: string, r: MonitorVerdict): InvariantResult =>
  r === 'unknown' ? { invariant: name, validity: 'unknown', violations: [] } : { invariant: name, validity: r.length === 0, violations: r };

export const checkInvariant = (inv: Invariant, history: History, ctx: CheckContext): InvariantResult => resultOf(inv.name, inv.check(history, ctx));

/**
 * Checks a stream of events with every invariant's monitor at once, holding no event: feed the
 * events in order with `step`, then read the results with `finish` (which may be called at any
 * point; stepping may go on afterwards).
 */
export class StreamCheck {
  private readonly monitors: readonly Monitor[];
  private n = 0;

  constructor(
    private readonly invariants: readonly Invariant[],
    ctx: CheckContext,
  ) {
    this.monitors = invariants.map((inv) => inv.monitor(ctx));
  }

  /** Events stepped so far. */
  get events(): number {
    return this.n;
  }

  step(e: HistoryEvent): void {
    const i = this.n++;
    for (const m of this.monitors) m.step(e, i);
  }

  finish(): InvariantResult[] {
    return this.monitors.map((m, k) => resultOf(this.invariants[k]!.name, m.finish()));
  }
}

export const checkHistory = (invariants: readonly Invariant[], history: History, ctx: CheckContext): InvariantResult[] =>
  invariants.map((inv) => checkInvariant(inv, history, ctx));

export const mergeValidity = (vs: readonly Validity[]): Validity =>
  vs.includes(false) ? false : vs.includes('unknown') ? 'unknown' : true;
