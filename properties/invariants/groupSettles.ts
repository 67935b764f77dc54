/**
 * groupSettles (eventually): after the last fault, with every process running and responsive,
 * each group settles: it is Stable, owns every partition, and its members have caught up with
 * the log, within the quiescence budget (quiesceMaxMs of virtual time). A run that never settles
 * is a livelock or a stuck rebalance (kafka-protocol.md Appendix L1; TigerBeetle's liveness
 * phase). The simulator marks the end of the quiescence tail with a `Quiesced` event.
 *
 * A history without any `Quiesced` event (a recorded history that had no quiescence tail) says
 * nothing about liveness: 'unknown'.
 */
import type { HistoryEvent } from '../../models/history.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';

const NAME = 'groupSettles';

interface State {
  /** t of the first `Quiesce`, if any. */
  quiesceT: number | undefined;
  quiesceAt: number | undefined;
  /** The last `Quiesced` so far. */
  last: { readonly index: number; readonly t: number; readonly settled: boolean } | undefined;
}

/** Keeps the first Quiesce and the last Quiesced: constant state. */
class GroupSettlesMonitor extends StateMonitor<State> {
  constructor() {
    super({ quiesceT: undefined, quiesceAt: undefined, last: undefined });
  }

  step(e: HistoryEvent, i: number): void {
    if (e.type === 'Quiesce' && this.s.quiesceAt === undefined) {
      this.s.quiesceAt = i;
      this.s.quiesceT = e.t;
    } else if (e.type === 'Quiesced') {
      this.s.last = { index: i, t: e.t, settled: e.settled };
    }
  }

  finish(): readonly Violation[] | 'unknown' {
    const { last, quiesceAt, quiesceT } = this.s;
    if (last === undefined) return 'unknown';
    if (last.settled) return [];
    const start = quiesceAt; // the first Quiesce
    return [
      {
        invariant: NAME,
        kind: 'livelock',
        message: `The groups did not settle: quiescence began at t=${start !== undefined ? quiesceT : '?'} ms and ended unsettled at t=${last.t} ms.`,
        events: start !== undefined ? [start, last.index] : [last.index],
        evidence: { quiesceStart: start !== undefined ? quiesceT ?? null : null, end: last.t },
      },
    ];
  }
}

export const groupSettles = defineInvariant({
  name: NAME,
  expectation: 'eventually',
  claim: 'Once faults stop and every process runs, each group becomes Stable, owns every partition and catches up with the log within the quiescence budget.',
  reference: 'kafka-protocol.md Appendix L1, §1.6',
  monitor: () => new GroupSettlesMonitor(),
});
