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
import type { History } from '../../models/history.ts';
import type { Invariant } from '../../src/check/invariant.ts';

const NAME = 'groupSettles';

export const groupSettles: Invariant = {
  name: NAME,
  expectation: 'eventually',
  claim: 'Once faults stop and every process runs, each group becomes Stable, owns every partition and catches up with the log within the quiescence budget.',
  reference: 'kafka-protocol.md Appendix L1, §1.6',
  check: (history: History) => {
    let last = -1;
    for (let i = history.length - 1; i >= 0; i--) {
      if (history[i]?.type === 'Quiesced') {
        last = i;
        break;
      }
    }
    if (last < 0) return 'unknown';
    const e = history[last];
    if (e?.type !== 'Quiesced' || e.settled) return [];
    const start = history.findIndex((x) => x.type === 'Quiesce');
    return [
      {
        invariant: NAME,
        kind: 'livelock',
        message: `The groups did not settle: quiescence began at t=${start >= 0 ? history[start]?.t : '?'} ms and ended unsettled at t=${e.t} ms.`,
        events: start >= 0 ? [start, last] : [last],
        evidence: { quiesceStart: start >= 0 ? history[start]?.t ?? null : null, end: e.t },
      },
    ];
  },
};
