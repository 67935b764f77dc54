/**
 * processingOnlyOwned: a member processes only partitions inside its own current ownership
 * episode (kafka-protocol.md §4.2 C1 "records may only be consumed after an assign event, before
 * a revoke" and C2 "every consumed partition must be in this consumer's current assignment").
 *
 * Scope: per (member, tp); episodes as in support.ts (OwnershipTracker). A `ProcessStarted` of
 * m on tp while no episode of (m, tp) is open is a violation; its events name the event that
 * ended m's previous episode on tp, if there was one. Members started with mode 'assign' own
 * the partitions they have a `Positioned` on (until they crash or leave).
 *
 * Monitor state: the open episodes, the last end of each (member, tp) and each member's group,
 * for members heard of within the horizon (CheckContext.horizon). A member silent for longer is
 * forgotten: if it came back and processed a partition it owned before the silence, that would
 * be reported as processing outside ownership ("never owned").
 */
import type { HistoryEvent } from '../../models/history.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, GroupDirectory, horizonOf, indices, MemberClock, OwnershipTracker } from './support.ts';

const NAME = 'processingOnlyOwned';

/** State: the ownership episodes and member groups (support.ts), and the violations found. */
class ProcessingOnlyOwnedMonitor extends StateMonitor<{ readonly out: Violation[] }> {
  private groups = new GroupDirectory();
  private ownership = new OwnershipTracker();
  private clock: MemberClock;

  constructor(horizon: number) {
    super({ out: [] });
    this.clock = new MemberClock(horizon);
  }

  step(e: HistoryEvent, i: number): void {
    this.clock.touch(e, i);
    for (const m of this.clock.sweep(i)) {
      this.groups.forget(m);
      this.ownership.forget(m);
    }
    this.groups.observe(e);
    this.ownership.apply(e, i);
    if (e.type !== 'ProcessStarted' || this.ownership.current(e.member, e.tp) !== undefined) return;
    const endedAt = this.ownership.lastEnded(e.member, e.tp);
    const why = endedAt === undefined ? 'it never owned that partition' : `its ownership had ended at event ${endedAt}`;
    const group = this.groups.groupOf(e.member);
    this.s.out.push({
      invariant: NAME,
      kind: 'processing-unowned',
      message: `Member ${e.member} of group ${group} started processing ${e.tp}@${e.offset} although ${why}.`,
      events: indices(endedAt, i),
      evidence: { group, member: e.member, tp: e.tp, offset: e.offset, ownershipEndedAt: endedAt ?? null },
    });
  }

  finish(): readonly Violation[] {
    return byFirstEvent([...this.s.out]);
  }
}

/** Processing of a partition outside the member's ownership. */
export const processingOnlyOwned = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim: 'A member starts processing a record of a partition only inside its own current ownership episode of that partition.',
  reference: 'kafka-protocol.md §4.2 C1, C2',
  monitor: (ctx) => new ProcessingOnlyOwnedMonitor(horizonOf(ctx)),
});
