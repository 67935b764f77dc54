/**
 * Pure handlers of the KIP-848 member (group.protocol=consumer), after the Java AsyncKafkaConsumer's
 * MembershipManager (kafka-protocol.md §3.3, §2.6). Only the membership part is here: the poll loop,
 * processing and commits are consumer.logic.ts's own functions, which this file calls rather than
 * copies.
 *
 * The member:
 * - joins with a ConsumerGroupHeartbeat of epoch 0 and heartbeats on a timer, one request in
 *   flight at a time, reporting the partitions it owns; every answer carries its member epoch and
 *   the partitions it may own at that epoch (its current target), and the epoch is adopted at once
 *   (commits carry the latest epoch: Kafka's GenerationIdOrMemberEpoch field);
 * - reconciles on the application thread at the top of poll(), as the async consumer runs its
 *   rebalance callbacks inside poll(): partitions no longer in the target are revoked (auto-commit
 *   policies commit first, §2.5), new ones are positioned from the committed offsets, and a
 *   heartbeat acknowledges the new owned set at once;
 * - when fenced (UNKNOWN_MEMBER_ID or FENCED_MEMBER_EPOCH on a heartbeat) it loses every partition
 *   at the next poll and re-joins with epoch 0;
 * - leaves with a heartbeat of epoch -1; a static member (group.instance.id, §1.9) with epoch -2,
 *   keeping its place for a restart, and FENCED_INSTANCE_ID or UNRELEASED_INSTANCE_ID is fatal to it.
 * A commit answered STALE_MEMBER_EPOCH is retried with the member's latest epoch (CommitRequestManager);
 * commit errors never change membership: heartbeats do (UNKNOWN_MEMBER_ID also marks it fenced).
 *
 * Lost messages and coordinator failover (issue 3, kafka-protocol.md §1.10, §2.7), after the async
 * consumer's HeartbeatRequestManager and CommitRequestManager: a heartbeat has request.timeout.ms
 * (the timer 'heartbeat-request'); when it expires the connection is closed (its other in-flight
 * requests are lost too), the coordinator is marked unknown (FindCoordinator) and the heartbeat is
 * sent again after retry.backoff.ms, with the same epoch: the coordinator accepts the previous epoch
 * when only the answer was lost (§3.3, throwIfConsumerGroupMemberEpochIsInvalid). A routing error on
 * a heartbeat does the same without the disconnect (no rediscovery for LOAD_IN_PROGRESS). A sync
 * commit retries routing errors and timeouts with the same offsets and its latest epoch, a timed-out
 * attempt recorded as REQUEST_TIMED_OUT (outcome unknown), as consumer.logic.ts does for the classic
 * member; OffsetFetch and FindCoordinator are retried likewise.
 *
 * The state lives in ConsumerContext's own fields (memberId; generation = member epoch, -1 before
 * the first answer; assignment = owned partitions; generationLost = fenced) plus `kip848`.
 */
import { CONTEXT_COPY } from '../contextCopy.ts';
import type { Effect, Step } from '../effects.ts';
import { BROKER, COORDINATOR, JOIN_EPOCH, LEAVE_EPOCH, LEAVE_STATIC_EPOCH, type Request, type Response } from '../protocol.ts';
import type { TopicPartition } from '../types.ts';
import {
  NOTHING_OWNED,
  RETRY_BACKOFF_MS,
  asyncCommitAnswered,
  coordinatorTimedOut,
  isRoutingError,
  requestTimeoutMs,
  syncCommitRetryLater,
  draft,
  leave,
  pollTimeoutExpired,
  positioned,
  syncCommitAnswered,
  type ConsumerContext,
} from '../consumer/consumer.logic.ts';

export interface Kip848State {
  /** The assignment of the latest heartbeat answer; null until the first answer of this join. */
  readonly target: readonly TopicPartition[] | null;
  /** The member epoch that came with `target`. */
  readonly targetEpoch: number;
  readonly heartbeatInFlight: boolean;
  /** What the member owns changed while a heartbeat was in flight: acknowledge once it is answered. */
  readonly ackDue: boolean;
}

export type Consumer848Context = ConsumerContext & { readonly kip848: Kip848State };

export const INITIAL_KIP848: Kip848State = { target: null, targetEpoch: -1, heartbeatInFlight: false, ackDue: false };

type Res<T extends Response['type']> = Extract<Response, { type: T }>;
type C = Consumer848Context;
type Patch = { -readonly [K in keyof C]?: C[K] };

/**
 * `{ ...ctx, ...patch }` by consumer.logic.ts's draft() (a literal of every field, `kip848` kept
 * last, where the initial context has it): V8 copies spreads of spread clones on a slow runtime
 * path (issue 7). Same fields, same key order: runs are identical either way.
 */
const withC = (ctx: C, patch: Patch): C => (CONTEXT_COPY.spread ? ({ ...ctx, ...patch } as C) : (Object.assign(draft(ctx), patch) as unknown as C));

/** `{ ...k, ...patch }` for the KIP-848 extension, by a literal in its key order. */
const withK = (k: Kip848State, patch: Partial<Kip848State>): Kip848State =>
  CONTEXT_COPY.spread
    ? { ...k, ...patch }
    : Object.assign({ target: k.target, targetEpoch: k.targetEpoch, heartbeatInFlight: k.heartbeatInFlight, ackDue: k.ackDue }, patch);

const none = (ctx: C): Step<C> => ({ ctx, out: [] });
const toCoordinator = (message: Request): Effect => ({ type: 'Send', to: COORDINATOR, message });
const armHeartbeat = (ctx: C): Effect => ({ type: 'SetTimer', timer: 'heartbeat', delayMs: ctx.config.heartbeatIntervalMs });
/** The next heartbeat after a failed one: retry.backoff.ms (HeartbeatRequestState.onFailedAttempt). */
const retryHeartbeat: Effect = { type: 'SetTimer', timer: 'heartbeat', delayMs: RETRY_BACKOFF_MS };
/** request.timeout.ms of the heartbeat in flight; its own timer, as the main loop's 'request' may be armed too. */
export const HEARTBEAT_REQUEST_TIMER = 'heartbeat-request';
const armHeartbeatRequest = (ctx: C): Effect => ({ type: 'SetTimer', timer: HEARTBEAT_REQUEST_TIMER, delayMs: requestTimeoutMs(ctx) });
const cancelHeartbeatRequest: Effect = { type: 'CancelTimer', timer: HEARTBEAT_REQUEST_TIMER };
const lookup = (ctx: C): Effect => ({ type: 'Send', to: BROKER, message: { type: 'FindCoordinator', from: ctx.name, group: ctx.group } });

/** A consumer.logic.ts handler run on the KIP-848 context: it spreads the context, so `kip848` survives. */
export const lift = <A extends unknown[]>(f: (ctx: ConsumerContext, ...a: A) => Step<ConsumerContext>) =>
  (ctx: C, ...a: A): Step<C> => f(ctx, ...a) as Step<C>;

const heartbeatRequest = (ctx: C, memberEpoch: number): Effect =>
  toCoordinator({
    type: 'ConsumerGroupHeartbeat',
    from: ctx.name,
    group: ctx.group,
    memberId: ctx.memberId,
    memberEpoch,
    ...(ctx.groupInstanceId === undefined ? {} : { instanceId: ctx.groupInstanceId }),
    topics: ctx.topics,
    rebalanceTimeoutMs: ctx.config.maxPollIntervalMs,
    ownedPartitions: memberEpoch === JOIN_EPOCH ? [] : ctx.assignment,
  });

/**
 * Sends a heartbeat now, or marks one due when a request is already in flight. Before the first
 * answer of a join (epoch -1: the join's answer was lost) the member joins again with epoch 0.
 */
const heartbeatNow = (ctx: C): Step<C> =>
  !ctx.heartbeatEnabled
    ? none(ctx)
    : ctx.kip848.heartbeatInFlight
    ? none(withC(ctx, { kip848: withK(ctx.kip848, { ackDue: true }) }))
    : {
        ctx: withC(ctx, { kip848: withK(ctx.kip848, { heartbeatInFlight: true, ackDue: false }) }),
        out: [heartbeatRequest(ctx, ctx.generation < 0 ? JOIN_EPOCH : ctx.generation), armHeartbeatRequest(ctx)],
      };

// ---------------------------------------------------------------- join, heartbeat, leave

/**
 * Join: a ConsumerGroupHeartbeat with epoch 0; the heartbeat timer starts. The member id is the
 * client's own (KIP-1082, Kafka 4.0: generated once per consumer and kept across re-joins; here the
 * incarnation's name), so a join whose answer was lost is sent again as the same member, and the
 * coordinator answers it with the member's current epoch and assignment.
 */
export const joinGroup = (ctx: C): Step<C> => {
  const next: C = withC(ctx, { memberId: ctx.name, generation: -1, heartbeatEnabled: true, kip848: withK(INITIAL_KIP848, { heartbeatInFlight: true }) });
  return { ctx: next, out: [heartbeatRequest(next, JOIN_EPOCH), armHeartbeatRequest(next), armHeartbeat(next)] };
};

/** The heartbeat interval elapsed: heartbeat unless a request is still in flight (one at a time). */
export const heartbeatTick = (ctx: C): Step<C> => {
  if (!ctx.heartbeatEnabled) return none(ctx);
  if (ctx.kip848.heartbeatInFlight) return { ctx, out: [armHeartbeat(ctx)] };
  const sent = heartbeatNow(ctx);
  return { ctx: sent.ctx, out: [...sent.out, armHeartbeat(ctx)] };
};

/**
 * A heartbeat answer. NONE: adopt the member id and epoch, keep the assignment as the target to
 * reconcile toward (the first answer of a join is the `Joined` moment). UNKNOWN_MEMBER_ID or
 * FENCED_MEMBER_EPOCH: fenced; the partitions are lost at the next poll. Other errors: retry on
 * the next tick.
 */
export const heartbeatAnswered = (ctx: C, ev: Res<'ConsumerGroupHeartbeatResponse'>): Step<C> => {
  if (!ctx.heartbeatEnabled) return none(ctx);
  const answered: C = withC(ctx, { kip848: withK(ctx.kip848, { heartbeatInFlight: false }) });
  // Another incarnation holds the instance id (§1.9, KIP-848): fatal, raised at the next poll().
  if (ev.error === 'FENCED_INSTANCE_ID' || ev.error === 'UNRELEASED_INSTANCE_ID') {
    return { ctx: withC(answered, { fenced: true, generationLost: true, heartbeatEnabled: false }), out: [{ type: 'CancelTimer', timer: 'heartbeat' }, cancelHeartbeatRequest] };
  }
  if (ev.error === 'UNKNOWN_MEMBER_ID' || ev.error === 'FENCED_MEMBER_EPOCH') {
    return { ctx: withC(answered, { generationLost: true, heartbeatEnabled: false }), out: [{ type: 'CancelTimer', timer: 'heartbeat' }, cancelHeartbeatRequest] };
  }
  // The coordinator moved or is loading the group (§1.10): rediscover it (unless it is only
  // loading) and heartbeat again after the backoff, with the same epoch.
  if (isRoutingError(ev.error)) return { ctx: answered, out: [cancelHeartbeatRequest, ...(ev.error === 'COORDINATOR_LOAD_IN_PROGRESS' ? [] : [lookup(ctx)]), retryHeartbeat] };
  if (ev.error !== 'NONE' || ev.assignment === null) return { ctx: answered, out: [cancelHeartbeatRequest] };
  const next: C = withC(answered, {
    memberId: ev.memberId,
    generation: ev.memberEpoch,
    kip848: withK(answered.kip848, { target: ev.assignment, targetEpoch: ev.memberEpoch }),
  });
  const out: Effect[] = [cancelHeartbeatRequest];
  if (ctx.generation < 0) out.push({ type: 'Observe', event: { type: 'Joined', group: ctx.group, generation: ev.memberEpoch, leader: false } });
  if (!ctx.kip848.ackDue) return { ctx: next, out };
  const ack = heartbeatNow(next);
  return { ctx: ack.ctx, out: [...out, ...ack.out] };
};

/**
 * The heartbeat in flight got no answer within request.timeout.ms: the connection is closed, the
 * coordinator marked unknown, and the heartbeat sent again after the backoff (its answer, or its
 * request, was lost; HeartbeatRequestManager.onFailure).
 */
export const heartbeatTimedOut = (ctx: C): Step<C> => {
  if (!ctx.heartbeatEnabled || !ctx.kip848.heartbeatInFlight) return none(ctx);
  return { ctx: withC(ctx, { kip848: withK(ctx.kip848, { heartbeatInFlight: false, ackDue: false }) }), out: [{ type: 'Disconnect', to: COORDINATOR }, lookup(ctx), retryHeartbeat] };
};

/**
 * The heartbeat that leaves: epoch -1, or -2 for a static member, which keeps its place and
 * partitions until its session expires so that a restart can take them over (§3.3).
 */
const leaveRequest = (ctx: C): Effect => heartbeatRequest(ctx, ctx.groupInstanceId === undefined ? LEAVE_EPOCH : LEAVE_STATIC_EPOCH);

/**
 * close(): consumer.logic.ts's leave, with the LeaveGroup replaced by a heartbeat of epoch -1; a
 * static member (which sends no LeaveGroup) leaves with epoch -2 unless it was fenced.
 */
export const leaveGroup = (ctx: C): Step<C> => {
  const r = leave(ctx);
  const out = r.out.map((e) => (e.type === 'Send' && e.message.type === 'LeaveGroup' ? leaveRequest(ctx) : e));
  if (ctx.groupInstanceId !== undefined && !ctx.fenced && ctx.memberId !== '') out.splice(out.length - 2, 0, leaveRequest(ctx));
  return { ctx: withC(r.ctx as C, { kip848: withK(ctx.kip848, { heartbeatInFlight: false }) }), out };
};

/**
 * max.poll.interval.ms expired while the heartbeat thread runs: consumer.logic.ts's handler, with
 * its LeaveGroup replaced by a heartbeat of epoch -1 (KIP-848: the member leaves the group, and its
 * partitions are lost at the next poll, which re-joins with epoch 0; kafka-protocol.md §2.3, §3.3).
 */
export const pollTimeoutExpired848 = (ctx: C): Step<C> => {
  const r = pollTimeoutExpired(ctx);
  const out = r.out.map((e) => (e.type === 'Send' && e.message.type === 'LeaveGroup' ? leaveRequest(ctx) : e));
  if (r.out.length > 0) {
    // A static member leaves too, with epoch -2 (the async consumer's leave epoch for it).
    if (ctx.groupInstanceId !== undefined && ctx.memberId !== '') out.push(leaveRequest(ctx));
    out.push(cancelHeartbeatRequest);
  }
  return { ctx: withC(r.ctx as C, { kip848: withK(ctx.kip848, { heartbeatInFlight: false }) }), out };
};

// ---------------------------------------------------------------- reconciliation (top of poll)

const sameSet = (a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean => a.length === b.length && a.every((tp) => b.includes(tp));

/** The latest target differs from what the member owns. */
export const needsReconcile = (ctx: C): boolean => !ctx.generationLost && ctx.kip848.target !== null && !sameSet(ctx.kip848.target, ctx.assignment);

/** Reconciling would revoke something (auto-commit policies commit before that, §2.5). */
export const revokes = (ctx: C): boolean => ctx.kip848.target !== null && ctx.assignment.some((tp) => !(ctx.kip848.target as readonly TopicPartition[]).includes(tp));

const pick = <V>(rec: Readonly<Record<TopicPartition, V>>, keep: readonly TopicPartition[]): Record<TopicPartition, V> => {
  const r: Record<TopicPartition, V> = {};
  for (const tp of keep) if (rec[tp] !== undefined) r[tp] = rec[tp];
  return r;
};

/**
 * Revoke what the target no longer has, take what it adds, acknowledge with a heartbeat at once.
 * Partitions kept keep their positions; new ones are positioned by `fetchAddedOffsets`.
 */
export const reconcile = (ctx: C): Step<C> => {
  const target = ctx.kip848.target ?? ctx.assignment;
  const kept = ctx.assignment.filter((tp) => target.includes(tp));
  const revoked = ctx.assignment.filter((tp) => !target.includes(tp));
  const added = target.filter((tp) => !ctx.assignment.includes(tp));
  const assignment = [...kept, ...added];
  const out: Effect[] = [];
  if (revoked.length > 0) out.push({ type: 'Observe', event: { type: 'Revoked', group: ctx.group, partitions: revoked, reason: 'rebalance' } });
  if (added.length > 0) out.push({ type: 'Observe', event: { type: 'Assigned', group: ctx.group, generation: ctx.kip848.targetEpoch, partitions: assignment } });
  const next: C = withC(ctx, {
    assignment,
    positions: pick(ctx.positions, kept),
    processed: pick(ctx.processed, kept),
    store: pick(ctx.store, kept),
    buffer: ctx.buffer.filter((r) => kept.includes(r.tp)),
  });
  const ack = heartbeatNow(next);
  return { ctx: ack.ctx, out: [...out, ...ack.out] };
};

/** Owned partitions with no position yet (just assigned). */
const unpositioned = (ctx: C): TopicPartition[] => ctx.assignment.filter((tp) => ctx.positions[tp] === undefined);

export const hasUnpositioned = (ctx: C): boolean => unpositioned(ctx).length > 0;

export const fetchAddedOffsets = (ctx: C): Step<C> => ({
  ctx,
  out: [toCoordinator({ type: 'OffsetFetch', from: ctx.name, group: ctx.group, partitions: unpositioned(ctx) }), { type: 'SetTimer', timer: 'request', delayMs: requestTimeoutMs(ctx) }],
});

/** The OffsetFetch timed out: as consumer.logic.ts's coordinatorTimedOut (disconnect, rediscover, retry after the backoff). */
export const offsetFetchTimedOut = (ctx: C): Step<C> => coordinatorTimedOut(ctx) as Step<C>;

/** consumer.logic.ts's `positioned` for the new partitions only; the others keep their positions. */
export const positionAdded = (ctx: C, ev: Res<'OffsetFetchResponse'>): Step<C> => {
  const added = unpositioned(ctx);
  const r = positioned(withC(ctx, { assignment: added }), ev);
  return {
    ctx: withC(ctx, { positions: { ...ctx.positions, ...r.ctx.positions }, processed: { ...ctx.processed, ...r.ctx.processed } }),
    out: r.out,
  };
};

/** Fenced: every partition is lost (not revoked: no commit), and the member re-joins with epoch 0. */
export const loseAndRejoin = (ctx: C): Step<C> => {
  const out: Effect[] = [];
  if (ctx.assignment.length > 0) out.push({ type: 'Observe', event: { type: 'Revoked', group: ctx.group, partitions: ctx.assignment, reason: 'lost' } });
  const join = joinGroup(withC(ctx, { ...NOTHING_OWNED, generationLost: false, rejoinNeeded: false }));
  return { ctx: join.ctx, out: [...out, ...join.out] };
};

// ---------------------------------------------------------------- commits

/**
 * consumer.logic.ts's commit answers, minus the classic membership reaction: a failed commit asks
 * the classic member to re-join, while in KIP-848 only heartbeats move membership. The one
 * exception: UNKNOWN_MEMBER_ID means the member was removed, so it counts as fenced.
 */
const keepMembership = (f: (ctx: ConsumerContext, ev: Res<'OffsetCommitResponse'>) => Step<ConsumerContext>) =>
  (ctx: C, ev: Res<'OffsetCommitResponse'>): Step<C> => {
    const r = f(ctx, ev);
    return {
      ctx: withC(r.ctx as C, { memberId: ctx.memberId, rejoinNeeded: ctx.rejoinNeeded, generationLost: ctx.generationLost || ev.error === 'UNKNOWN_MEMBER_ID' }),
      out: r.out,
    };
  };

export const syncCommitAnswered848 = keepMembership(syncCommitAnswered);
export const asyncCommitAnswered848 = keepMembership(asyncCommitAnswered);

/** Commit errors commitSync retries (§2.7): a stale epoch, and a routing error (§1.10) after rediscovery; both after the backoff. */
export const isRetriedCommitError = (ev: Res<'OffsetCommitResponse'>): boolean => ev.error === 'STALE_MEMBER_EPOCH' || isRoutingError(ev.error);

/**
 * STALE_MEMBER_EPOCH on the awaited commit: record it, then after retry.backoff.ms (the 'retry'
 * timer: retrySyncCommit) send the same offsets with the latest epoch, as Java's
 * CommitRequestManager retries it (`maybeRetryOnGroupError`, then `retry()` with backoff;
 * kafka-protocol.md §3.3 "Offsets"). A routing error: record it, look the coordinator up again
 * (unless it is loading) and retry after the same backoff.
 *
 * Retrying at once was a livelock the `consumer-drops` row found at seed 1: a member whose
 * heartbeat answers were lost kept a stale epoch, and its commit and the STALE_MEMBER_EPOCH answer
 * went back and forth 100,000 times at one instant, so no heartbeat could ever bring the new epoch.
 */
export const retryCommit = (ctx: C, ev: Res<'OffsetCommitResponse'>): Step<C> => {
  if (isRoutingError(ev.error)) return syncCommitRetryLater(ctx, ev) as Step<C>;
  const answered = asyncCommitAnswered848(ctx, ev);
  return { ctx: withC(answered.ctx, { awaitingCommit: -1 }), out: [...answered.out, { type: 'SetTimer', timer: 'retry', delayMs: RETRY_BACKOFF_MS }] };
};
