/**
 * Kafka's StickyAssignor and CooperativeStickyAssignor (kafka-protocol.md §3.1, §3.2), after
 * `AbstractStickyAssignor`: balance first (member sizes differ by at most one, or no member that has
 * two fewer can take a partition), then keep as many previously owned partitions as balance allows.
 *
 * Previous ownership comes from each member's subscription (`owned`, `ownedGeneration`). Claims are
 * resolved as KAFKA-14639 fixed them (§6 #1, #3, #6): an uncontested claim is kept whatever its
 * generation; a contested one goes to the single claimant with the highest generation; an
 * equal-generation double claim is dropped from all claimants.
 *
 * The cooperative variant then runs `adjustAssignment` (KIP-429, §3.2 step 2): a partition that
 * some member claims and the target gives to another member goes to nobody this round; its owner
 * revokes it after SyncGroup and re-joins, and the follow-up rebalance hands it out. Unlike Java,
 * which only holds back partitions of the *valid* previous owner, it holds back a partition claimed
 * by any other member, valid claim or not: a stale claimant still believes it owns the partition
 * until it revokes it, and handing it out now would give it two owners at once (§6 #1).
 *
 * Not modelled: rack awareness, the general (unequal subscriptions) algorithm's exact tie-breaking;
 * with unequal subscriptions this greedy version still ends with no movable imbalance of two.
 */
import { tpParse, type TopicPartition } from '../types.ts';
import { compareStrings, emptyAssignment, subscribedTopics, type Assignment, type Assignor, type AssignorMember } from './types.ts';

const byTp = (a: TopicPartition, b: TopicPartition): number => {
  const x = tpParse(a);
  const y = tpParse(b);
  return x.topic === y.topic ? x.partition - y.partition : compareStrings(x.topic, y.topic);
};

/** Every partition of the subscribed topics, sorted by topic then partition. */
const allPartitions = (members: readonly AssignorMember[], partitionsPerTopic: Readonly<Record<string, number>>): TopicPartition[] =>
  subscribedTopics(members, partitionsPerTopic).flatMap((t) => Array.from({ length: partitionsPerTopic[t] ?? 0 }, (_, p) => `${t}-${p}`));

/**
 * The valid previous owner of each claimed partition (KAFKA-14639 rules above). Claims on
 * partitions that do not exist or on topics the claimant no longer subscribes to are ignored.
 */
export function resolveClaims(members: readonly AssignorMember[], partitions: ReadonlySet<TopicPartition>): Map<TopicPartition, string> {
  const best = new Map<TopicPartition, { member: string | null; generation: number }>();
  for (const m of members) {
    const generation = m.ownedGeneration ?? -1;
    for (const tp of m.owned ?? []) {
      if (!partitions.has(tp) || !m.topics.includes(tpParse(tp).topic)) continue;
      const seen = best.get(tp);
      if (seen === undefined || generation > seen.generation) best.set(tp, { member: m.memberId, generation });
      else if (generation === seen.generation) best.set(tp, { member: null, generation });
    }
  }
  const owners = new Map<TopicPartition, string>();
  for (const [tp, { member }] of best) if (member !== null) owners.set(tp, member);
  return owners;
}

/** The sticky target: balanced, then as sticky as balance allows. */
export const stickyAssign: Assignor = (members, partitionsPerTopic) => {
  const assignment = emptyAssignment(members);
  const sorted = [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
  const partitions = allPartitions(members, partitionsPerTopic);
  const owners = resolveClaims(members, new Set(partitions));
  const topicsOf = new Map(members.map((m) => [m.memberId, m.topics]));
  const canTake = (member: string, tp: TopicPartition): boolean => topicsOf.get(member)?.includes(tpParse(tp).topic) ?? false;
  const size = (member: string): number => assignment[member]?.length ?? 0;
  // 1. Keep every valid claim.
  const free: TopicPartition[] = [];
  for (const tp of partitions) {
    const owner = owners.get(tp);
    if (owner !== undefined) assignment[owner]?.push(tp);
    else free.push(tp);
  }
  // 2. Each free partition goes to the least loaded subscriber (ties: smallest member id).
  for (const tp of free) {
    let pick: string | undefined;
    for (const m of sorted) if (canTake(m.memberId, tp) && (pick === undefined || size(m.memberId) < size(pick))) pick = m.memberId;
    if (pick !== undefined) assignment[pick]?.push(tp);
  }
  // 3. While a member has two more than one that could take one of its partitions, move one: a
  //    partition it did not own before if it has one, else its highest. Each move lowers the sum of
  //    squared sizes, so this ends.
  for (;;) {
    let moved = false;
    const bySize = [...sorted].sort((a, b) => size(b.memberId) - size(a.memberId) || compareStrings(a.memberId, b.memberId));
    for (const over of bySize) {
      const mine = [...(assignment[over.memberId] ?? [])].sort(byTp);
      const candidates = [...mine.filter((tp) => owners.get(tp) !== over.memberId).reverse(), ...mine.filter((tp) => owners.get(tp) === over.memberId).reverse()];
      for (const tp of candidates) {
        let under: string | undefined;
        for (const m of sorted) {
          if (m.memberId === over.memberId || !canTake(m.memberId, tp) || size(m.memberId) > size(over.memberId) - 2) continue;
          if (under === undefined || size(m.memberId) < size(under)) under = m.memberId;
        }
        if (under === undefined) continue;
        assignment[over.memberId] = mine.filter((x) => x !== tp);
        assignment[under]?.push(tp);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  for (const id of Object.keys(assignment)) assignment[id]?.sort(byTp);
  return assignment;
};

/**
 * The cooperative round (`adjustAssignment`, §3.2): the sticky target minus every partition that
 * another member still claims. Returns both; `assignment` is what SyncGroup carries.
 */
export function cooperativeStickyPlan(
  members: readonly AssignorMember[],
  partitionsPerTopic: Readonly<Record<string, number>>,
): { readonly target: Assignment; readonly assignment: Assignment } {
  const target = stickyAssign(members, partitionsPerTopic);
  const claimants = new Map<TopicPartition, string[]>();
  for (const m of members) for (const tp of m.owned ?? []) claimants.set(tp, [...(claimants.get(tp) ?? []), m.memberId]);
  const assignment: Assignment = {};
  for (const [member, tps] of Object.entries(target)) {
    assignment[member] = tps.filter((tp) => (claimants.get(tp) ?? []).every((c) => c === member));
  }
  return { target, assignment };
}

export const cooperativeStickyAssign: Assignor = (members, partitionsPerTopic) => cooperativeStickyPlan(members, partitionsPerTopic).assignment;

/**
 * The fewest partitions a balanced assignment must take from their valid owners (the stickiness
 * promise, §3.1): with P partitions over M members of identical subscriptions, P mod M members may
 * keep ceil(P/M) and the rest floor(P/M); giving the larger quotas to the largest owners minimises
 * what must move. Exported for tests; the stickiness invariant recomputes it independently.
 */
export function minimalMoves(ownedCounts: readonly number[], partitionCount: number): number {
  const m = ownedCounts.length;
  if (m === 0) return 0;
  const floor = Math.floor(partitionCount / m);
  const extra = partitionCount % m;
  return [...ownedCounts].sort((a, b) => b - a).reduce((n, o, i) => n + Math.max(0, o - (i < extra ? floor + 1 : floor)), 0);
}

export type { Assignment };
