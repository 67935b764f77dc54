/**
 * stableWithinBound (eventually, bounded): once the faults stop and every process runs and is
 * responsive, each subscribing group is Stable again within a bound derived from its own timeouts
 * (kafka-protocol.md Appendix L1: "each rebalance finishes within rebalance timeout (+ initial
 * delay) and the group reaches Stable"). groupSettles asks *whether* the groups settle within
 * the simulator's quiescence budget; this claim asks *how soon* the coordinator is Stable.
 *
 * The bound is carried by the `Quiesce` event (`stableWithinMs`, per group), so that the claim
 * reads only the history. The simulator derives it from the group's consumer config
 * (src/sim/simulate.ts, `stableBoundMs`):
 *   S (session.timeout.ms: a member that died before the tail is expired by then, §1.7)
 * + H + one batch + fetch.max.wait.ms (a live member learns of the rebalance from its next
 *   heartbeat and re-joins at the top of its next poll(), §2.2)
 * + D + R (the join phase ends by the rebalance timeout = max.poll.interval.ms, plus the
 *   initial delay for an empty group, §1.6.1, §1.6.2)
 * + R (the sync phase is bounded by DelayedSync, §1.6.3, KAFKA-12890),
 * + the rest of any Stall given before the tail (slow processing is a fault that outlasts it).
 *
 * The `Quiesce` is the last one (faults after an earlier one restart the clock). The group is
 * Stable at time T when its last `GroupStable` event after the `Quiesce` is at T (or
 * it was already Stable and no rebalance started after the `Quiesce`). A group that started a
 * rebalance after the `Quiesce` and never became Stable again is a violation too (when the run
 * settled, groupSettles covers the rest). Histories without a bound say nothing: 'unknown'.
 */
import type { HistoryEvent } from '../../models/history.ts';
import { defineInvariant, StateMonitor, type MonitorVerdict, type Violation } from '../../src/check/invariant.ts';

const NAME = 'stableWithinBound';

interface State {
  /** The last Quiesce so far: its index, time and the bounds it carries (undefined: none yet). */
  quiesce: { readonly index: number; readonly t: number; readonly bounds: Readonly<Record<string, number>> | undefined } | undefined;
  /** Per group, after the Quiesce: the last rebalance start and the last Stable (index, t). */
  lastStart: Map<string, { readonly index: number; readonly t: number }>;
  lastStable: Map<string, { readonly index: number; readonly t: number }>;
}

/** State: the Quiesce and two entries per group. */
class StableWithinBoundMonitor extends StateMonitor<State> {
  constructor() {
    super({ quiesce: undefined, lastStart: new Map(), lastStable: new Map() });
  }

  step(e: HistoryEvent, i: number): void {
    if (e.type === 'Quiesce') {
      // The last Quiesce counts: faults that came after an earlier one (histories chained from
      // several runs, src/history/concat.ts) restart the clock.
      this.s.quiesce = { index: i, t: e.t, bounds: e.stableWithinMs };
      this.s.lastStart.clear();
      this.s.lastStable.clear();
      return;
    }
    if (this.s.quiesce === undefined) return;
    if (e.type === 'RebalanceStarted') this.s.lastStart.set(e.group, { index: i, t: e.t });
    else if (e.type === 'GroupStable') this.s.lastStable.set(e.group, { index: i, t: e.t });
  }

  finish(): MonitorVerdict {
    const q = this.s.quiesce;
    if (q === undefined || q.bounds === undefined) return 'unknown';
    const out: Violation[] = [];
    for (const [group, boundMs] of Object.entries(q.bounds)) {
      const start = this.s.lastStart.get(group);
      const stable = this.s.lastStable.get(group);
      if (start !== undefined && (stable === undefined || stable.index < start.index)) {
        out.push({
          invariant: NAME,
          kind: 'livelock',
          message: `Group ${group} began a rebalance at t=${start.t} ms after the faults stopped (t=${q.t} ms) and never became Stable again (bound ${boundMs} ms).`,
          events: [q.index, start.index],
          evidence: { group, quiesceAt: q.t, boundMs, rebalanceAt: start.t, stableAt: null },
        });
        continue;
      }
      if (stable !== undefined && stable.t > q.t + boundMs) {
        out.push({
          invariant: NAME,
          kind: 'livelock',
          message: `Group ${group} became Stable at t=${stable.t} ms, ${stable.t - q.t} ms after the faults stopped (t=${q.t} ms): above its bound of ${boundMs} ms.`,
          events: [q.index, stable.index],
          evidence: { group, quiesceAt: q.t, boundMs, stableAt: stable.t },
        });
      }
    }
    return out;
  }
}

export const stableWithinBound = defineInvariant({
  name: NAME,
  expectation: 'eventually',
  claim: 'After the last fault, with every member responsive, each group is Stable within a bound derived from its session, heartbeat and rebalance timeouts.',
  reference: 'kafka-protocol.md Appendix L1, §1.6, §1.7, §2.2',
  monitor: () => new StableWithinBoundMonitor(),
});
