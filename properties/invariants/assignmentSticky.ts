/**
 * assignmentSticky: a sticky assignor takes no more partitions from their previous owners than
 * balance requires (kafka-protocol.md §3.1: "maximal balance first, then preserve previous
 * ownership"; KAFKA-14016 §6 #5 is the bug class: extra moves mean extra handoffs and duplicates).
 *
 * For each `AssignorRan` of sticky or cooperative-sticky over identical subscriptions:
 * 1. previous owners are recomputed from the members' claims by the rule Kafka uses since
 *    KAFKA-14639 (an uncontested claim stands whatever its generation; a contested one goes to
 *    the single highest generation; equal-generation double claims count for nobody), ignoring
 *    claims on partitions outside the plan;
 * 2. moved = owned partitions that the target gives to another member (or to nobody);
 * 3. the bound: with P partitions and M members, P mod M members may keep ceil(P/M) and the
 *    others floor(P/M); giving the larger quotas to the largest owners, each member must give up
 *    max(0, owned − quota). moved must not exceed the sum.
 * This is recomputed here rather than imported from the assignor, so a wrong assignor cannot
 * vouch for itself.
 */
import type { HistoryEvent } from '../../models/history.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent } from './support.ts';

const NAME = 'assignmentSticky';
const STICKY = new Set(['sticky', 'cooperative-sticky']);

interface State {
  readonly out: Violation[];
}

/** Judges each `AssignorRan` on its own: the state is only the violations found. */
class AssignmentStickyMonitor extends StateMonitor<State> {
  constructor() {
    super({ out: [] });
  }

  step(e: HistoryEvent, i: number): void {
    const out = this.s.out;
    if (e.type !== 'AssignorRan' || !STICKY.has(e.assignor) || e.members.length === 0) return;
    const topics = [...e.members[0]!.topics].sort().join(',');
    if (!e.members.every((m) => [...m.topics].sort().join(',') === topics)) return;
    const planned = new Set(Object.values(e.target).flat());
    const best = new Map<string, { member: string | null; generation: number }>();
    for (const m of e.members) {
      for (const tp of m.owned) {
        if (!planned.has(tp)) continue;
        const seen = best.get(tp);
        if (seen === undefined || m.ownedGeneration > seen.generation) best.set(tp, { member: m.memberId, generation: m.ownedGeneration });
        else if (m.ownedGeneration === seen.generation) best.set(tp, { member: null, generation: seen.generation });
      }
    }
    const owned = new Map<string, number>(e.members.map((m) => [m.memberId, 0]));
    const moved: string[] = [];
    for (const [tp, { member }] of best) {
      if (member === null) continue;
      owned.set(member, (owned.get(member) ?? 0) + 1);
      if (!(e.target[member] ?? []).includes(tp)) moved.push(tp);
    }
    const m = e.members.length;
    const floor = Math.floor(planned.size / m);
    const extra = planned.size % m;
    const bound = [...owned.values()].sort((a, b) => b - a).reduce((n, o, k) => n + Math.max(0, o - (k < extra ? floor + 1 : floor)), 0);
    if (moved.length <= bound) return;
    out.push({
      invariant: NAME,
      kind: 'excess-movement',
      message: `Leader ${e.member} ran ${e.assignor} for generation ${e.generation} and moved ${moved.length} owned partitions (${moved.sort().join(', ')}) where balance required at most ${bound}.`,
      events: [i],
      evidence: { leader: e.member, generation: e.generation, assignor: e.assignor, moved, bound },
    });
  }

  finish(): readonly Violation[] {
    return byFirstEvent([...this.s.out]);
  }
}

export const assignmentSticky = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim: 'A sticky assignor moves no more previously owned partitions than balance requires.',
  reference: 'kafka-protocol.md §3.1, §6 #1 and #5',
  monitor: () => new AssignmentStickyMonitor(),
});
