/**
 * processingOnlyOwned: a member processes only partitions inside its own current ownership
 * episode (kafka-protocol.md §4.2 C1 "records may only be consumed after an assign event, before
 * a revoke" and C2 "every consumed partition must be in this consumer's current assignment").
 *
 * Scope: per (member, tp); episodes as in support.ts (OwnershipTracker). A `ProcessStarted` of
 * m on tp while no episode of (m, tp) is open is a violation; its events name the event that
 * ended m's previous episode on tp, if there was one. Members started with mode 'assign' own
 * the partitions they have a `Positioned` on (until they crash or leave).
 */
import type { History } from '../../models/history.ts';
import type { Invariant, Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, groupOf, indices, memberGroups, OwnershipTracker } from './support.ts';

const NAME = 'processingOnlyOwned';

/** Processing of a partition outside the member's ownership. */
export const processingOnlyOwned: Invariant = {
  name: NAME,
  expectation: 'always',
  claim: 'A member starts processing a record of a partition only inside its own current ownership episode of that partition.',
  reference: 'kafka-protocol.md §4.2 C1, C2',
  check: (history: History) => {
    const groups = memberGroups(history);
    const ownership = new OwnershipTracker();
    const out: Violation[] = [];
    for (let i = 0; i < history.length; i++) {
      const e = history[i]!;
      ownership.apply(e, i);
      if (e.type !== 'ProcessStarted' || ownership.current(e.member, e.tp) !== undefined) continue;
      const endedAt = ownership.lastEnded(e.member, e.tp);
      const why = endedAt === undefined ? 'it never owned that partition' : `its ownership had ended at event ${endedAt}`;
      const group = groupOf(groups, e.member);
      out.push({
        invariant: NAME,
        kind: 'processing-unowned',
        message: `Member ${e.member} of group ${group} started processing ${e.tp}@${e.offset} although ${why}.`,
        events: indices(endedAt, i),
        evidence: { group, member: e.member, tp: e.tp, offset: e.offset, ownershipEndedAt: endedAt ?? null },
      });
    }
    return byFirstEvent(out);
  },
};
