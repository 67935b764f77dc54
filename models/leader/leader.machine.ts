/**
 * The group leader's role as an XState v5 machine (kafka-protocol.md §1.5, §3.1).
 *
 * In the classic protocol the coordinator never computes assignments: the member it elects
 * leader (the first joiner, or any re-joined member if the leader did not re-join) receives
 * every member's subscription in its JoinGroup response, runs the selected assignor over the
 * topic metadata and sends the result in its SyncGroup. The simulator runs one leader machine
 * beside each member; the member's `Lead` effect becomes an `Elected` event here, and the
 * `AssignmentComputed` effect goes back to the member.
 */
import { enqueueActions, setup } from 'xstate';
import { ASSIGNORS, cooperativeStickyPlan } from '../assignor/index.ts';
import type { Effect, Step } from '../effects.ts';
import type { JoinMemberMetadata } from '../protocol.ts';
import type { AssignorName, TopicPartition } from '../types.ts';

export interface LeaderContext {
  /** The member's own preference, used when the coordinator selected no protocol. */
  readonly assignors: readonly AssignorName[];
  readonly generation: number;
  readonly lastAssignment: Readonly<Record<string, readonly TopicPartition[]>>;
}

export type LeaderEvent =
  | {
      readonly type: 'Elected';
      readonly generation: number;
      readonly protocol: string | null;
      readonly members: readonly JoinMemberMetadata[];
      /** Topic metadata as the member's metadata request saw it. */
      readonly partitionsPerTopic: Readonly<Record<string, number>>;
    }
  | { readonly type: 'Demoted' };

const isAssignorName = (p: string | null): p is AssignorName => p !== null && p in ASSIGNORS;

const assignorOf = (ctx: LeaderContext, ev: Extract<LeaderEvent, { type: 'Elected' }>): AssignorName =>
  isAssignorName(ev.protocol) ? ev.protocol : (ctx.assignors[0] ?? 'range');

const subscribedCounts = (ev: Extract<LeaderEvent, { type: 'Elected' }>): Record<string, number> => {
  const subscribed: Record<string, number> = {};
  for (const m of ev.members) for (const t of m.topics) {
    const n = ev.partitionsPerTopic[t];
    if (n !== undefined) subscribed[t] = n;
  }
  return subscribed;
};

/** Runs the selected assignor; every member appears in the result, possibly with []. */
export const computeAssignment = (
  ctx: LeaderContext,
  ev: Extract<LeaderEvent, { type: 'Elected' }>,
): Record<string, readonly TopicPartition[]> => ASSIGNORS[assignorOf(ctx, ev)](ev.members, subscribedCounts(ev));

/**
 * The leader's one handler: compute the assignment, record what a sticky assignor saw and decided
 * (`AssignorRan`: the members' claims, the balanced target and, for cooperative-sticky, the round's
 * assignment with moving partitions held back, §3.2), and hand it to the member's SyncGroup.
 * Range and round-robin runs are not recorded: they read no claims, their balance is a property
 * of the pure function (assignor.test.ts), and their histories stay as they were.
 */
export const elect = (ctx: LeaderContext, event: LeaderEvent): Step<LeaderContext> => {
  if (event.type !== 'Elected') return { ctx, out: [] };
  const assignor = assignorOf(ctx, event);
  const plan =
    assignor === 'cooperative-sticky'
      ? cooperativeStickyPlan(event.members, subscribedCounts(event))
      : { target: computeAssignment(ctx, event), assignment: null };
  const assignments = plan.assignment ?? plan.target;
  const members = event.members.map((m) => ({ memberId: m.memberId, topics: m.topics, owned: m.owned ?? [], ownedGeneration: m.ownedGeneration ?? -1 }));
  const computed: Effect = { type: 'AssignmentComputed', generation: event.generation, assignments };
  const sticky = assignor === 'sticky' || assignor === 'cooperative-sticky';
  return {
    ctx: { ...ctx, generation: event.generation, lastAssignment: assignments },
    out: sticky
      ? [{ type: 'Observe', event: { type: 'AssignorRan', generation: event.generation, assignor, members, target: plan.target, assignment: assignments } }, computed]
      : [computed],
  };
};

/** Turns a pure handler into an action (with the handler attached for src/sim/compiled.ts). */
export const leaderAction = (f: (ctx: LeaderContext, ev: LeaderEvent) => Step<LeaderContext>) =>
  Object.assign(
    enqueueActions<LeaderContext, LeaderEvent, undefined, LeaderEvent, never, never, never, never, Effect>(({ context, event, enqueue }) => {
      const r = f(context, event);
      if (r.ctx !== context) enqueue.assign(r.ctx);
      for (const e of r.out) enqueue.emit(e);
    }),
    { handler: (ctx: LeaderContext, ev: LeaderEvent) => f(ctx, ev) },
  );

export const leaderMachine = setup({
  types: {} as {
    context: LeaderContext;
    events: LeaderEvent;
    emitted: Effect;
    input: { readonly assignors: readonly AssignorName[] };
  },
  actions: {
    assign: leaderAction(elect),
  },
}).createMachine({
  id: 'leader',
  context: ({ input }) => ({ assignors: input.assignors, generation: -1, lastAssignment: {} }),
  initial: 'Follower',
  states: {
    Follower: {
      on: { Elected: { target: 'Leading', actions: 'assign' } },
    },
    Leading: {
      on: {
        Elected: { target: 'Leading', reenter: true, actions: 'assign' },
        Demoted: { target: 'Follower' },
      },
    },
  },
});
