/**
 * Bug-zoo variants of the sticky and cooperative-sticky assignors run by the group leader
 * (models/zoo.ts, kafka-protocol.md §3.1, §3.2). Each replaces the leader's `assign` action with one
 * that is wrong in one named way and still records `AssignorRan` truthfully (the members' real
 * claims beside the faulty plan), as the reference does.
 */
import { compareStrings } from '../assignor/types.ts';
import { cooperativeStickyPlan } from '../assignor/sticky.ts';
import type { Step } from '../effects.ts';
import type { JoinMemberMetadata } from '../protocol.ts';
import { tpKey, type TopicPartition } from '../types.ts';
import { leaderAction, leaderMachine, type LeaderContext, type LeaderEvent } from './leader.machine.ts';

type Plan = Record<string, TopicPartition[]>;
type Planner = (members: readonly JoinMemberMetadata[], partitionsPerTopic: Readonly<Record<string, number>>) => { target: Plan; assignment: Plan };

const subscribed = (members: readonly JoinMemberMetadata[], partitionsPerTopic: Readonly<Record<string, number>>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const m of members) for (const t of m.topics) if (partitionsPerTopic[t] !== undefined) out[t] = partitionsPerTopic[t];
  return out;
};

/** The reference `elect`, with another planner in place of the assignor. */
const electWith = (planner: Planner) =>
  leaderAction((ctx: LeaderContext, ev: LeaderEvent): Step<LeaderContext> => {
    if (ev.type !== 'Elected') return { ctx, out: [] };
    const { target, assignment } = planner(ev.members, subscribed(ev.members, ev.partitionsPerTopic));
    const members = ev.members.map((m) => ({ memberId: m.memberId, topics: m.topics, owned: m.owned ?? [], ownedGeneration: m.ownedGeneration ?? -1 }));
    return {
      ctx: { ...ctx, generation: ev.generation, lastAssignment: assignment },
      out: [
        { type: 'Observe', event: { type: 'AssignorRan', generation: ev.generation, assignor: ev.protocol ?? 'cooperative-sticky', members, target, assignment } },
        { type: 'AssignmentComputed', generation: ev.generation, assignments: assignment },
      ],
    };
  });

/**
 * cooperative-sticky without `adjustAssignment`: the round's assignment is the target, so a
 * partition moves straight from its owner to another member in one rebalance, while the owner
 * still holds it until its own SyncGroup answer arrives (KAFKA-14639's effect, §6 #1; §3.2 step 2;
 * Java's `validateCooperativeAssignment` exists to reject such plans).
 */
export const cooperativeWithoutRevokePhase = leaderMachine.provide({
  actions: {
    assign: electWith((members, ppt) => {
      const target = cooperativeStickyPlan(members, ppt).target;
      return { target, assignment: target };
    }),
  },
});

/**
 * A "sticky" assignor that never moves a claimed partition: every claim is kept and only the
 * free partitions go to the least loaded. A newcomer to a group whose partitions are all owned
 * gets nothing until someone leaves (§3.1: balance comes first, stickiness second).
 */
export const stickyKeepsAllClaims = leaderMachine.provide({
  actions: {
    assign: electWith((members, ppt) => {
      const all = Object.entries(ppt).sort(([a], [b]) => compareStrings(a, b)).flatMap(([t, n]) => Array.from({ length: n }, (_, p) => tpKey(t, p)));
      const plan: Plan = Object.fromEntries(members.map((m) => [m.memberId, [] as TopicPartition[]]));
      const taken = new Set<TopicPartition>();
      for (const m of [...members].sort((a, b) => compareStrings(a.memberId, b.memberId))) {
        for (const tp of m.owned ?? []) {
          if (!all.includes(tp) || taken.has(tp)) continue;
          taken.add(tp);
          plan[m.memberId]?.push(tp);
        }
      }
      for (const tp of all.filter((x) => !taken.has(x))) {
        const least = [...members].sort((a, b) => (plan[a.memberId]?.length ?? 0) - (plan[b.memberId]?.length ?? 0) || compareStrings(a.memberId, b.memberId))[0];
        if (least !== undefined) plan[least.memberId]?.push(tp);
      }
      return { target: plan, assignment: plan };
    }),
  },
});

/**
 * A sticky assignor that cannot read the members' claims (user data it fails to decode, cf.
 * KAFKA-14016 where claims were discounted wholesale, §6 #5): balanced, but every round it deals
 * contiguous ranges over the members sorted by id, so a join or a restart moves partitions that
 * could have stayed. Cooperative members then revoke and hand off more than needed.
 */
export const stickyIgnoresClaims = leaderMachine.provide({
  actions: {
    assign: electWith((members, ppt) => {
      const blind = members.map((m) => ({ memberId: m.memberId, topics: m.topics }));
      const sorted = [...blind].sort((a, b) => compareStrings(a.memberId, b.memberId));
      const all = Object.entries(ppt).sort(([a], [b]) => compareStrings(a, b)).flatMap(([t, n]) => Array.from({ length: n }, (_, p) => tpKey(t, p)));
      const target: Plan = Object.fromEntries(sorted.map((m) => [m.memberId, [] as TopicPartition[]]));
      const quota = Math.floor(all.length / Math.max(1, sorted.length));
      const extra = all.length % Math.max(1, sorted.length);
      let next = 0;
      sorted.forEach((m, i) => {
        const n = quota + (i < extra ? 1 : 0);
        target[m.memberId] = all.slice(next, next + n);
        next += n;
      });
      // The cooperative round still holds back what others claim, as the reference does.
      const claimed = new Map<TopicPartition, string[]>();
      for (const m of members) for (const tp of m.owned ?? []) claimed.set(tp, [...(claimed.get(tp) ?? []), m.memberId]);
      const assignment: Plan = {};
      for (const [id, tps] of Object.entries(target)) assignment[id] = tps.filter((tp) => (claimed.get(tp) ?? []).every((c) => c === id));
      return { target, assignment };
    }),
  },
});
