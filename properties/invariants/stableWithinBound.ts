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
 * + R (the sync phase is bounded by DelayedSync, §1.6.3, KAFKA-12890).
 *
 * The group is Stable at time T when its last `GroupStable` event after the `Quiesce` is at T (or
 * it was already Stable and no rebalance started after the `Quiesce`). A group that started a
 * rebalance after the `Quiesce` and never became Stable again is a violation too (when the run
 * settled, groupSettles covers the rest). Histories without a bound say nothing: 'unknown'.
 */
import type { History } from '../../models/history.ts';
import type { Invariant, Violation } from '../../src/check/invariant.ts';

const NAME = 'stableWithinBound';

export const stableWithinBound: Invariant = {
  name: NAME,
  expectation: 'eventually',
  claim: 'After the last fault, with every member responsive, each group is Stable within a bound derived from its session, heartbeat and rebalance timeouts.',
  reference: 'kafka-protocol.md Appendix L1, §1.6, §1.7, §2.2',
  check: (history: History) => {
    const qi = history.findIndex((e) => e.type === 'Quiesce');
    const q = history[qi];
    if (q?.type !== 'Quiesce' || q.stableWithinMs === undefined) return 'unknown';
    const bounds = q.stableWithinMs;
    /** Per group: the last rebalance start and the last Stable after the Quiesce. */
    const lastStart = new Map<string, number>();
    const lastStable = new Map<string, number>();
    for (let i = qi + 1; i < history.length; i++) {
      const e = history[i] as History[number];
      if (e.type === 'RebalanceStarted') lastStart.set(e.group, i);
      else if (e.type === 'GroupStable') lastStable.set(e.group, i);
    }
    const out: Violation[] = [];
    for (const [group, boundMs] of Object.entries(bounds)) {
      const deadline = q.t + boundMs;
      const s = lastStart.get(group);
      const st = lastStable.get(group);
      if (s !== undefined && (st === undefined || st < s)) {
        const start = history[s] as History[number];
        out.push({
          invariant: NAME,
          kind: 'livelock',
          message: `Group ${group} began a rebalance at t=${start.t} ms after the faults stopped (t=${q.t} ms) and never became Stable again (bound ${boundMs} ms).`,
          events: [qi, s],
          evidence: { group, quiesceAt: q.t, boundMs, rebalanceAt: start.t, stableAt: null },
        });
        continue;
      }
      if (st === undefined) continue;
      const stable = history[st] as History[number];
      if (stable.t > deadline) {
        out.push({
          invariant: NAME,
          kind: 'livelock',
          message: `Group ${group} became Stable at t=${stable.t} ms, ${stable.t - q.t} ms after the faults stopped (t=${q.t} ms): above its bound of ${boundMs} ms.`,
          events: [qi, st],
          evidence: { group, quiesceAt: q.t, boundMs, stableAt: stable.t },
        });
      }
    }
    return out;
  },
};
