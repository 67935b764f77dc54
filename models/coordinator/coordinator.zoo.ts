/**
 * Bug-zoo variants of the group coordinator: each is one small, named change of one action or
 * guard, reproducing a real bug or a classic mistake (kafka-protocol.md §6). Switched on by the
 * simulation config's `variant` (models/zoo.ts), never by editing coordinator.machine.ts.
 */
import type { Effect } from '../effects.ts';
import { coordinatorAction, coordinatorMachine, only } from './coordinator.machine.ts';
import { completeJoin, completeSync, joinCanComplete, memberIdOfTimer, notCoordinator, offsetCommit, sessionExpired, staticMemberId, validateOffsetCommit } from './coordinator.logic.ts';

/** Stores every commit, whatever its generation, member id or group state: no fencing (§1.11 ignored). */
export const acceptStaleCommits = coordinatorMachine.provide({
  actions: {
    offsetCommit: coordinatorAction(
      only('OffsetCommit', (ctx, req) => {
        const out: Effect[] = [
          { type: 'StoreOffsets', group: ctx.group, offsets: req.offsets },
          { type: 'Observe', event: { type: 'OffsetsStored', group: ctx.group, member: ctx.members[req.memberId]?.clientId ?? req.from, generation: req.generation, offsets: req.offsets } },
          { type: 'Send', to: req.from, message: { type: 'OffsetCommitResponse', to: req.from, error: 'NONE', generation: req.generation, offsets: req.offsets, seq: req.seq } },
        ];
        return { ctx, out };
      }),
    ),
  },
});

/**
 * The join phase completes without bumping the generation once the group has one: every
 * rebalance after the first reuses generation 1 (§1.3: each completed join phase increments it).
 * Members of two different assignments then believe they share one generation, so the old
 * owner of a moved partition and its new owner both hold it "in generation 1", and commits of
 * the old assignment stay acceptable.
 */
export const noGenerationBump = coordinatorMachine.provide({
  actions: {
    completeJoin: coordinatorAction((c) => completeJoin(c.generation > 0 ? { ...c, generation: c.generation - 1 } : c)),
  },
});

/**
 * Session expiry logs the removal, cancels the session timer and asks for a rebalance, but the
 * new member map is dropped: the expired member stays in the group until the join phase ends
 * without it (rebalance timeout later). Until then a paused zombie's commits pass member
 * validation and are stored (§1.7: expiry removes the member at once; §1.11 rule 5; Appendix S3).
 */
export const expiryKeepsMember = coordinatorMachine.provide({
  actions: {
    sessionExpired: coordinatorAction(
      only('Timer', (c, e) => {
        const r = sessionExpired(c, memberIdOfTimer(e.timer) ?? '');
        return { ctx: { ...r.ctx, members: c.members, leaderId: c.leaderId }, out: r.out };
      }),
    ),
  },
});

/**
 * The session timer fires and nothing happens: the member is never removed for missing
 * heartbeats (§1.7). A crashed member keeps its place and its partitions until some other
 * member's join makes the group wait out its rebalance timeout; until then nobody reads them.
 */
export const neverExpiresSessions = coordinatorMachine.provide({
  actions: {
    sessionExpired: coordinatorAction((c) => ({ ctx: c, out: [] })),
  },
});

/**
 * The join phase completes as soon as the leader has re-joined, without waiting for the other
 * members (§1.6.1: it waits for all of them, hasAllMembersJoined, or the rebalance timeout).
 * Followers that were still finishing their batch are dropped as if they had missed the
 * rebalance timeout, and keep processing as zombies until a response tells them.
 */
export const joinWaitsForLeaderOnly = coordinatorMachine.provide({
  guards: {
    joinCompletesWithMembers: ({ context }) => {
      const leader = context.leaderId === null ? undefined : context.members[context.leaderId];
      const leaderJoined = !context.initialDelayRunning && leader?.awaitingJoin === true;
      return (joinCanComplete(context) || leaderJoined) && Object.values(context.members).some((m) => m.awaitingJoin);
    },
  },
});

/**
 * The leader's SyncGroup completes the rebalance, but every member is given the leader's own
 * share (the plan is indexed by the requester's member id, not by each recipient's, §1.6.3).
 */
export const syncGivesLeaderShareToAll = coordinatorMachine.provide({
  actions: {
    completeSync: coordinatorAction(
      only('SyncGroup', (c, e) => {
        const plan = e.assignments ?? {};
        const mine = plan[e.memberId] ?? [];
        return completeSync(c, { ...e, assignments: Object.fromEntries(Object.keys(plan).map((m) => [m, mine])) });
      }),
    ),
  },
});

/**
 * Commits accepted while the group is PreparingRebalance are answered NONE and logged, but the
 * offsets are never written: the offsets of a rebalancing group are lost, and the partitions'
 * next owners start from older commits (KAFKA-13636: offsets of a rebalancing group were
 * purged because expiry consulted a subscription that is unknown while the group is not Stable).
 */
export const dropsCommitsWhileRebalancing = coordinatorMachine.provide({
  actions: {
    offsetCommit: coordinatorAction(
      only('OffsetCommit', (c, e, state) => {
        const r = offsetCommit(c, e, state);
        return state === 'PreparingRebalance' ? { ctx: r.ctx, out: r.out.filter((x) => x.type !== 'StoreOffsets') } : r;
      }),
    ),
  },
});

/**
 * A coordinator that lost the group's partition keeps writing commits (a stale coordinator
 * epoch): after Unload its Dead group still validates an OffsetCommit against its old in-memory
 * state and stores it, then answers NOT_COORDINATOR as routing demands (§1.2, §1.10: a broker that
 * no longer leads the __consumer_offsets partition cannot write to it). The client retries at the
 * new coordinator and sees nothing wrong; the stale write lands in the store, possibly over a newer
 * commit of the new epoch.
 */
export const storesAfterUnload = coordinatorMachine.provide({
  actions: {
    notCoordinator: coordinatorAction((ctx, e) => {
      if (e.type !== 'OffsetCommit') return e.type === 'Timer' || e.type === 'Unload' || e.type === 'Load' ? { ctx, out: [] } : notCoordinator(ctx, e);
      const answer = notCoordinator(ctx, e);
      if (validateOffsetCommit(ctx, e, 'Stable') !== 'NONE') return answer;
      const stored = offsetCommit(ctx, e, 'Stable').out.filter((x) => x.type === 'StoreOffsets' || x.type === 'Observe');
      return { ctx, out: [...stored, ...answer.out] };
    }),
  },
});
/**
 * OffsetCommit trusts the group.instance.id: a commit naming a known instance is validated as if
 * it came from the instance's current member id, so the old incarnation of a restarted static
 * member (a paused zombie) is not fenced and its commits of the current generation are stored
 * (§1.9: a request whose instance id maps to another member id must get FENCED_INSTANCE_ID;
 * §1.11 rule 5). The stored commit is logged under the zombie's name, as the request came from it.
 */
export const staticCommitTrustsInstanceId = coordinatorMachine.provide({
  actions: {
    offsetCommit: coordinatorAction(
      only('OffsetCommit', (ctx, req, state) => {
        const current = req.groupInstanceId === undefined ? undefined : staticMemberId(ctx, req.groupInstanceId);
        if (current === undefined || current === req.memberId) return offsetCommit(ctx, req, state);
        const r = offsetCommit(ctx, { ...req, memberId: current }, state);
        const out: Effect[] = r.out.map((e) =>
          e.type === 'Observe' && e.event.type === 'OffsetsStored' ? { ...e, event: { ...e.event, member: req.from } } : e,
        );
        return { ctx: r.ctx, out };
      }),
    ),
  },
});
