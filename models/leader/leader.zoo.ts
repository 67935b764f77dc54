/**
 * Bug-zoo variants of the group leader (models/zoo.ts): each replaces the `assign` action with an
 * assignor that is wrong in one small, named way.
 */
import { enqueueActions } from 'xstate';
import type { Effect } from '../effects.ts';
import { compareStrings } from '../assignor/types.ts';
import { tpKey, type TopicPartition } from '../types.ts';
import { computeAssignment, leaderMachine, type LeaderContext, type LeaderEvent } from './leader.machine.ts';

type Elected = Extract<LeaderEvent, { type: 'Elected' }>;
type Plan = Readonly<Record<string, readonly TopicPartition[]>>;

/** The leader's `assign` action with another assignor in place of computeAssignment. */
const assignWith = (plan: (ctx: LeaderContext, ev: Elected) => Plan) =>
  enqueueActions<LeaderContext, LeaderEvent, undefined, LeaderEvent, never, never, never, never, Effect>(({ context, event, enqueue }) => {
    if (event.type !== 'Elected') return;
    const assignments = plan(context, event);
    enqueue.assign({ generation: event.generation, lastAssignment: assignments });
    enqueue.emit({ type: 'AssignmentComputed', generation: event.generation, assignments });
  });

/** An assignor that also gives the first partition of every topic to every member (split ownership). */
export const assignFirstPartitionToAll = leaderMachine.provide({
  actions: {
    assign: assignWith((ctx, ev) => {
      const good = computeAssignment(ctx, ev);
      const firsts = Object.keys(ev.partitionsPerTopic).map((t) => `${t}-0`);
      return Object.fromEntries(Object.entries(good).map(([m, tps]) => [m, [...new Set([...tps, ...firsts])]]));
    }),
  },
});

/**
 * "Sticky" by union: each member keeps what this leader's previous plan gave it, on top of its
 * fresh share, and nothing is taken away from the partition's new owner. A member that stays
 * while the group grows then shares a partition with the newcomer that received it: stale
 * ownership honoured without being invalidated (KAFKA-7026: the sticky assignor gave one
 * partition to two consumers from stale ownership data; §3.1).
 */
export const stickyByUnion = leaderMachine.provide({
  actions: {
    assign: assignWith((ctx, ev) => {
      const fresh = computeAssignment(ctx, ev);
      return Object.fromEntries(
        Object.entries(fresh).map(([m, tps]) => [m, [...new Set([...tps, ...(ctx.lastAssignment[m] ?? [])])].sort()]),
      );
    }),
  },
});

/**
 * The range assignor with an inclusive upper bound (`p <= start + length`, clamped to the last
 * partition): each member's range runs one partition into the next member's, which then has two
 * owners (§3.1 RangeAssignor; Appendix S1).
 */
export const rangeInclusiveEnd = leaderMachine.provide({
  actions: {
    assign: assignWith((_ctx, ev) => {
      const plan: Record<string, TopicPartition[]> = Object.fromEntries(ev.members.map((m) => [m.memberId, []]));
      for (const [topic, n] of Object.entries(ev.partitionsPerTopic).sort(([a], [b]) => compareStrings(a, b))) {
        const subscribers = ev.members.filter((m) => m.topics.includes(topic)).map((m) => m.memberId).sort(compareStrings);
        if (subscribers.length === 0) continue;
        const quota = Math.floor(n / subscribers.length);
        const extra = n % subscribers.length;
        subscribers.forEach((memberId, i) => {
          const start = quota * i + Math.min(i, extra);
          const length = quota + (i < extra ? 1 : 0);
          for (let p = start; p <= Math.min(start + length, n - 1); p++) plan[memberId]?.push(tpKey(topic, p));
        });
      }
      return plan;
    }),
  },
});

/**
 * The range assignor with the remainder forgotten: every subscriber gets floor(n / m) partitions
 * and the n % m extra ones go to nobody (§3.1: the first n % m members get one extra each). With
 * 2 members on 3 partitions one partition is never read while the group looks Stable.
 */
export const rangeDropsExtraPartition = leaderMachine.provide({
  actions: {
    assign: assignWith((_ctx, ev) => {
      const plan: Record<string, TopicPartition[]> = Object.fromEntries(ev.members.map((m) => [m.memberId, []]));
      for (const [topic, n] of Object.entries(ev.partitionsPerTopic).sort(([a], [b]) => compareStrings(a, b))) {
        const subscribers = ev.members.filter((m) => m.topics.includes(topic)).map((m) => m.memberId).sort(compareStrings);
        const quota = subscribers.length === 0 ? 0 : Math.floor(n / subscribers.length);
        subscribers.forEach((memberId, i) => {
          for (let p = quota * i; p < quota * (i + 1); p++) plan[memberId]?.push(tpKey(topic, p));
        });
      }
      return plan;
    }),
  },
});
