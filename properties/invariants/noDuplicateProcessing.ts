/**
 * noDuplicateProcessing: within one group, each record is processed at most once, i.e.
 * exactly-once processing (kafka-protocol.md §5.2 :duplicate, here per processing rather than per
 * stored value; §4.4 `position == total_consumed` means no duplicates on a clean run).
 *
 * Scope: per (group, tp, offset), over `Processed` events; the group of a member comes from its
 * `Started` event (support.ts memberGroups). One violation per record processed more than once,
 * naming every Processed event and member. Kafka's consumer groups only promise at-least-once,
 * so under crashes and rebalances this claim is expected to fail; duplicatesBounded states how
 * much re-processing a policy allows.
 */
import type { History } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import type { Invariant, Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, groupOf, memberGroups, names } from './support.ts';

const NAME = 'noDuplicateProcessing';

/** Records processed more than once by one group. */
export const noDuplicateProcessing: Invariant = {
  name: NAME,
  expectation: 'always',
  claim: 'Within one group, each record (partition and offset) is processed at most once.',
  reference: 'kafka-protocol.md §5.2 (duplicate), §4.4 position == total_consumed',
  check: (history: History) => {
    const groups = memberGroups(history);
    // group → tp → offset → indices of its Processed events
    const seen = new Map<string, Map<TopicPartition, Map<number, number[]>>>();
    for (let i = 0; i < history.length; i++) {
      const e = history[i]!;
      if (e.type !== 'Processed') continue;
      const group = groupOf(groups, e.member);
      let byTp = seen.get(group);
      if (byTp === undefined) seen.set(group, (byTp = new Map()));
      let byOffset = byTp.get(e.tp);
      if (byOffset === undefined) byTp.set(e.tp, (byOffset = new Map()));
      const at = byOffset.get(e.offset);
      if (at === undefined) byOffset.set(e.offset, [i]);
      else at.push(i);
    }

    const out: Violation[] = [];
    for (const [group, byTp] of seen) {
      for (const [tp, byOffset] of byTp) {
        for (const [offset, events] of byOffset) {
          if (events.length < 2) continue;
          const members = [
            ...new Set(events.map((i) => {
              const e = history[i];
              return e !== undefined && e.type === 'Processed' ? e.member : '?';
            })),
          ];
          out.push({
            invariant: NAME,
            kind: 'duplicate',
            message: `Record ${tp}@${offset} was processed ${events.length} times in group ${group}, by ${names(members)}.`,
            events,
            evidence: { group, tp, offset, members, count: events.length },
          });
        }
      }
    }
    return byFirstEvent(out);
  },
};
