/**
 * Pure handlers of the KIP-848 consumer-group coordinator (group.protocol=consumer), used by
 * consumerGroup.machine.ts. Each takes the context and a request and returns the next context plus
 * the effects (responses, timers, observations); the machine's guards read the derived group state.
 *
 * What it models (kafka-protocol.md §3.3, after GroupMetadataManager.consumerGroupHeartbeat and
 * CurrentAssignmentBuilder):
 * - one RPC, ConsumerGroupHeartbeat: epoch 0 joins, -1 leaves, otherwise a heartbeat that also
 *   reports the member's owned partitions;
 * - the group epoch goes up on every membership change, and the server-side assignor computes the
 *   target assignment for it at once (so the transient Assigning state is never observable);
 * - each member reconciles toward the target: partitions it must give up stay counted as its own
 *   (pending revocation, member epoch *not* bumped) until a heartbeat no longer lists them; a
 *   partition still held by another member is withheld (unreleased) until that member lets it go,
 *   is fenced or leaves: one owner per partition at every instant (the "currentPartitionEpoch" map);
 * - session timeout and the rebalance timeout of a member stuck revoking both remove it;
 * - OffsetCommit is validated by member epoch only (§1.11, KIP-848 groups);
 * - a heartbeat with the member's previous epoch is accepted when what it owns is still assigned
 *   to it: the answer that bumped its epoch was lost (throwIfConsumerGroupMemberEpochIsInvalid).
 *
 * - coordinator failover (kafka-protocol.md §1.2, §1.10): every change above is written to
 *   __consumer_offsets with the answer that reveals it (ConsumerGroupMemberMetadata,
 *   ConsumerGroupMetadata, ConsumerGroupTargetAssignment*, ConsumerGroupCurrentMemberAssignment
 *   records), so a new coordinator rebuilds the whole group, epochs included: `load` is
 *   GroupMetadataManager.onLoaded, which restarts each member's session timer and, for a member
 *   still revoking, its rebalance timer. The unloaded group (Dead) answers NOT_COORDINATOR.
 *
 * - static membership (group.instance.id, §1.9, §3.3): see staticMemberHeartbeat.
 *
 * Not modelled: regex subscriptions, rack-aware and sticky (uniform) assignors
 * (the classic range/roundrobin assignors of models/assignor run server side instead; stickiness
 * changes how much moves, not the protocol's safety), group.consumer.max.size.
 */
import { assign } from '../assignor/index.ts';
import type { CommitError } from '../history.ts';
import { CONTEXT_COPY } from '../contextCopy.ts';
import type { Effect, Step } from '../effects.ts';
import { JOIN_EPOCH, LEAVE_EPOCH, LEAVE_STATIC_EPOCH, type ConsumerGroupHeartbeatError, type Request, type Response } from '../protocol.ts';
import { routingErrorResponse } from '../coordinator/coordinator.logic.ts';
import type { AssignorName, TopicPartition } from '../types.ts';

/**
 * Kafka's ConsumerGroupState without Assigning (the target is computed in the same step as the
 * epoch bump); Dead is the unloaded group of a coordinator that lost the group's partition.
 */
export type ConsumerGroupStateName = 'Empty' | 'Reconciling' | 'Stable' | 'Dead';

/** A member's reconciliation state (Kafka's MemberState, §3.3). */
export type MemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS';

export interface ConsumerGroupMember {
  readonly memberId: string;
  /** The client's name (a consumer incarnation); history events use it. */
  readonly clientId: string;
  /** group.instance.id of a static member. */
  readonly instanceId?: string;
  readonly topics: readonly string[];
  readonly rebalanceTimeoutMs: number;
  readonly epoch: number;
  /** The epoch before the last bump: a heartbeat whose answer was lost still carries it (§3.3). */
  readonly previousEpoch: number;
  readonly state: MemberState;
  /** Partitions it may own at its epoch. */
  readonly assigned: readonly TopicPartition[];
  /** Partitions it still owns but must give up; counted as its own until it does. */
  readonly pendingRevocation: readonly TopicPartition[];
}

export interface ConsumerGroupContext {
  readonly group: string;
  readonly groupEpoch: number;
  /** The target assignment of groupEpoch (target epoch = group epoch: computed at once). */
  readonly target: Readonly<Record<string, readonly TopicPartition[]>>;
  /** Insertion order: join order. */
  readonly members: Readonly<Record<string, ConsumerGroupMember>>;
  readonly memberSeq: number;
  /** group.consumer.session.timeout.ms and heartbeat.interval.ms: server-side in KIP-848 (§2.9). */
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** group.remote.assignor (range stands in for uniform, see the header). */
  readonly assignor: AssignorName;
  readonly partitionsPerTopic: Readonly<Record<string, number>>;
  /** The group epoch last reported Stable, so GroupStable is observed once per epoch. */
  readonly stableEpoch: number;
}

export interface ConsumerGroupInput {
  readonly group: string;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly assignor: AssignorName;
  readonly partitionsPerTopic: Readonly<Record<string, number>>;
}

export const initialConsumerGroupContext = (input: ConsumerGroupInput): ConsumerGroupContext => ({
  ...input,
  groupEpoch: 0,
  target: {},
  members: {},
  memberSeq: 0,
  stableEpoch: 0,
});

type Req<T extends Request['type']> = Extract<Request, { type: T }>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * `{ ...ctx, ...patch }` by a literal of every field (issue 7): V8 copies spreads of spread
 * clones on a slow runtime path. The key order is the initial context's for the simulator's
 * input (group, sessionTimeoutMs, heartbeatIntervalMs, assignor, partitionsPerTopic, then the
 * rest), so copies serialise as the spreads did.
 */
const withCtx = (c: ConsumerGroupContext, patch: Partial<Mutable<ConsumerGroupContext>>): ConsumerGroupContext =>
  CONTEXT_COPY.spread
    ? { ...c, ...patch }
    : Object.assign(
        {
          group: c.group,
          sessionTimeoutMs: c.sessionTimeoutMs,
          heartbeatIntervalMs: c.heartbeatIntervalMs,
          assignor: c.assignor,
          partitionsPerTopic: c.partitionsPerTopic,
          groupEpoch: c.groupEpoch,
          target: c.target,
          members: c.members,
          memberSeq: c.memberSeq,
          stableEpoch: c.stableEpoch,
        },
        patch,
      );

/** `{ ...m, ...patch }` for a member, by a literal in its creation order (instanceId last, when set). */
const withMemberFields = (m: ConsumerGroupMember, patch: Partial<Mutable<ConsumerGroupMember>>): ConsumerGroupMember => {
  if (CONTEXT_COPY.spread) return { ...m, ...patch } as ConsumerGroupMember;
  const c: Mutable<ConsumerGroupMember> = {
    memberId: m.memberId,
    clientId: m.clientId,
    topics: m.topics,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    epoch: m.epoch,
    previousEpoch: m.previousEpoch,
    state: m.state,
    assigned: m.assigned,
    pendingRevocation: m.pendingRevocation,
  };
  if (m.instanceId !== undefined) c.instanceId = m.instanceId;
  return Object.assign(c, patch);
};

const send = (to: string, message: Response): Effect => ({ type: 'Send', to, message });
const sessionTimer = (memberId: string): string => `session:${memberId}`;
const revocationTimer = (memberId: string): string => `revocation:${memberId}`;

/** The member id a session or revocation timer belongs to, and which of the two it is. */
export const timerOf = (timer: string): { kind: 'session' | 'revocation'; memberId: string } | null => {
  const i = timer.indexOf(':');
  const kind = timer.slice(0, i);
  return i > 0 && (kind === 'session' || kind === 'revocation') ? { kind, memberId: timer.slice(i + 1) } : null;
};

const memberList = (ctx: ConsumerGroupContext): ConsumerGroupMember[] => Object.values(ctx.members);
const owned = (m: ConsumerGroupMember): readonly TopicPartition[] => [...m.assigned, ...m.pendingRevocation];

export const hasMembers = (ctx: ConsumerGroupContext): boolean => memberList(ctx).length > 0;

/** Every member is at the target epoch with nothing to revoke or wait for (ConsumerGroup.maybeUpdateGroupState). */
export const isReconciled = (ctx: ConsumerGroupContext): boolean =>
  memberList(ctx).every((m) => m.epoch === ctx.groupEpoch && m.state === 'STABLE');

const observeMember = (ctx: ConsumerGroupContext, m: ConsumerGroupMember): Effect => ({
  type: 'Observe',
  event: { type: 'MemberEpochAssigned', group: ctx.group, member: m.clientId, epoch: m.epoch, assigned: m.assigned, pendingRevocation: m.pendingRevocation },
});

// ---------------------------------------------------------------- target assignment

/** Bumps the group epoch and computes the target assignment for it (§3.3 Epochs). */
const bumpEpoch = (ctx: ConsumerGroupContext, members: Readonly<Record<string, ConsumerGroupMember>>): Step<ConsumerGroupContext> => {
  const list = Object.values(members);
  const target = list.length === 0 ? {} : assign(ctx.assignor, list.map((m) => ({ memberId: m.memberId, topics: m.topics })), ctx.partitionsPerTopic);
  return {
    ctx: withCtx(ctx, { members, groupEpoch: ctx.groupEpoch + 1, target }),
    out: [{ type: 'Observe', event: { type: 'RebalanceStarted', group: ctx.group, generation: ctx.groupEpoch } }],
  };
};

/** Partitions some member other than `memberId` owns (assigned or pending revocation). */
export const ownedByOthers = (ctx: ConsumerGroupContext, memberId: string): ReadonlySet<TopicPartition> => {
  const s = new Set<TopicPartition>();
  for (const m of memberList(ctx)) if (m.memberId !== memberId) for (const tp of owned(m)) s.add(tp);
  return s;
};

/**
 * CurrentAssignmentBuilder.computeNextAssignment: keep current ∩ target; what is no longer in the
 * target must be revoked first, at the old epoch; otherwise the member moves to the target epoch
 * with the target partitions nobody else owns, and waits (UNRELEASED_PARTITIONS) for the rest.
 * `taken` is the set of partitions other members still own; `ownedNow` what the member's heartbeat
 * reported (a partition it no longer reports needs no revocation).
 */
export const nextAssignment = (
  m: ConsumerGroupMember,
  targetEpoch: number,
  target: readonly TopicPartition[],
  taken: ReadonlySet<TopicPartition>,
  ownedNow: readonly TopicPartition[],
): ConsumerGroupMember => {
  const kept = m.assigned.filter((tp) => target.includes(tp));
  const revoke = m.assigned.filter((tp) => !target.includes(tp));
  if (revoke.some((tp) => ownedNow.includes(tp))) return withMemberFields(m, { state: 'UNREVOKED_PARTITIONS', assigned: kept, pendingRevocation: revoke });
  const free = target.filter((tp) => !kept.includes(tp) && !taken.has(tp));
  const unreleased = target.some((tp) => !kept.includes(tp) && taken.has(tp));
  return withMemberFields(m, { epoch: targetEpoch, state: unreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE', assigned: [...kept, ...free], pendingRevocation: [] });
};

/** Reconciles one member after a heartbeat that reported `ownedNow` (CurrentAssignmentBuilder.build). */
const reconcile = (ctx: ConsumerGroupContext, m: ConsumerGroupMember, ownedNow: readonly TopicPartition[], grant: NextAssignment): ConsumerGroupMember => {
  const target = ctx.target[m.memberId] ?? [];
  switch (m.state) {
    case 'STABLE':
      return m.epoch === ctx.groupEpoch ? m : grant(m, ctx.groupEpoch, target, ownedByOthers(ctx, m.memberId), ownedNow);
    case 'UNREVOKED_PARTITIONS':
      // Revoked once the heartbeat no longer lists any partition pending revocation; the member
      // then moves on from epoch + 1 (to the target epoch unless it must revoke again).
      if (m.pendingRevocation.some((tp) => ownedNow.includes(tp))) return m;
      return grant(withMemberFields(m, { epoch: m.epoch + 1, pendingRevocation: [] }), ctx.groupEpoch, target, ownedByOthers(ctx, m.memberId), ownedNow);
    case 'UNRELEASED_PARTITIONS':
      return grant(m, ctx.groupEpoch, target, ownedByOthers(ctx, m.memberId), ownedNow);
  }
};

/** The reconciliation step, replaceable by bug-zoo variants. */
export type NextAssignment = typeof nextAssignment;

// ---------------------------------------------------------------- ConsumerGroupHeartbeat

const heartbeatResponse = (ctx: ConsumerGroupContext, to: string, error: ConsumerGroupHeartbeatError, m: ConsumerGroupMember | null, memberId = m?.memberId ?? ''): Effect =>
  send(to, {
    type: 'ConsumerGroupHeartbeatResponse',
    to,
    error,
    memberId,
    memberEpoch: m?.epoch ?? LEAVE_EPOCH,
    heartbeatIntervalMs: ctx.heartbeatIntervalMs,
    assignment: m === null ? null : m.assigned,
  });

/** Sets a member's record and keeps the revocation timer in step with its state. */
const updateMember = (ctx: ConsumerGroupContext, before: ConsumerGroupMember | undefined, next: ConsumerGroupMember): Step<ConsumerGroupContext> => {
  const from = before ?? next;
  const m = next.epoch === from.epoch ? next : withMemberFields(next, { previousEpoch: from.epoch });
  const out: Effect[] = [];
  const changed = before === undefined || before.epoch !== m.epoch || before.assigned.join() !== m.assigned.join() || before.pendingRevocation.join() !== m.pendingRevocation.join();
  if (changed) out.push(observeMember(ctx, m));
  const wasRevoking = before?.state === 'UNREVOKED_PARTITIONS';
  if (m.state === 'UNREVOKED_PARTITIONS' && !wasRevoking) out.push({ type: 'SetTimer', timer: revocationTimer(m.memberId), delayMs: m.rebalanceTimeoutMs });
  if (m.state !== 'UNREVOKED_PARTITIONS' && wasRevoking) out.push({ type: 'CancelTimer', timer: revocationTimer(m.memberId) });
  return { ctx: withCtx(ctx, { members: { ...ctx.members, [m.memberId]: m } }), out };
};

/**
 * A member joins with epoch 0: the group epoch goes up and it reconciles at once. Its id is the one
 * it sent (KIP-1082: client-generated), or one the coordinator makes up when it sent none.
 */
const join = (ctx: ConsumerGroupContext, req: Req<'ConsumerGroupHeartbeat'>, grant: NextAssignment): Step<ConsumerGroupContext> => {
  const memberId = req.memberId !== '' ? req.memberId : `${req.from}~${ctx.memberSeq + 1}`;
  const fresh: ConsumerGroupMember = {
    memberId,
    clientId: req.from,
    topics: req.topics,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    epoch: JOIN_EPOCH,
    previousEpoch: LEAVE_EPOCH,
    state: 'STABLE',
    assigned: [],
    pendingRevocation: [],
    ...(req.instanceId === undefined ? {} : { instanceId: req.instanceId }),
  };
  const bumped = bumpEpoch(withCtx(ctx, { memberSeq: ctx.memberSeq + 1 }), { ...ctx.members, [memberId]: fresh });
  const m = reconcile(bumped.ctx, fresh, [], grant);
  const updated = updateMember(bumped.ctx, undefined, m);
  return {
    ctx: updated.ctx,
    out: [...bumped.out, ...updated.out, heartbeatResponse(updated.ctx, req.from, 'NONE', m), { type: 'SetTimer', timer: sessionTimer(memberId), delayMs: ctx.sessionTimeoutMs }],
  };
};

/** Removes a member: its partitions are free at once, the group epoch goes up (consumerGroupFenceMember). */
export const removeMember = (ctx: ConsumerGroupContext, memberId: string, reason: 'leave' | 'session-timeout' | 'revocation-timeout'): Step<ConsumerGroupContext> => {
  const m = ctx.members[memberId];
  if (m === undefined) return { ctx, out: [] };
  const members = { ...ctx.members };
  delete members[memberId];
  const bumped = bumpEpoch(ctx, members);
  return {
    ctx: bumped.ctx,
    out: [
      { type: 'CancelTimer', timer: sessionTimer(memberId) },
      { type: 'CancelTimer', timer: revocationTimer(memberId) },
      { type: 'Observe', event: { type: 'MemberRemoved', group: ctx.group, member: m.clientId, reason } },
      ...bumped.out,
    ],
  };
};

/**
 * throwIfConsumerGroupMemberEpochIsInvalid (§3.3): the member's current epoch, or its previous one
 * with owned partitions all still assigned to it (the answer that bumped its epoch was lost).
 */
export const isValidMemberEpoch = (m: ConsumerGroupMember, req: Req<'ConsumerGroupHeartbeat'>): boolean =>
  req.memberEpoch === m.epoch || (req.memberEpoch === m.previousEpoch && req.memberEpoch < m.epoch && req.ownedPartitions.every((tp) => m.assigned.includes(tp)));

/**
 * ConsumerGroupHeartbeat (§3.3): join, leave, or heartbeat. A heartbeat from an unknown member
 * gets UNKNOWN_MEMBER_ID; one whose epoch is not the member's gets FENCED_MEMBER_EPOCH
 * (throwIfConsumerGroupMemberEpochIsInvalid); otherwise the session is refreshed and the member
 * reconciles with the partitions it reports owning.
 */
export const consumerGroupHeartbeat = (ctx: ConsumerGroupContext, req: Req<'ConsumerGroupHeartbeat'>, grant: NextAssignment = nextAssignment): Step<ConsumerGroupContext> => {
  if (req.instanceId !== undefined) {
    const answer = staticMemberHeartbeat(ctx, req, req.instanceId, grant);
    if (answer !== null) return answer;
  }
  const m = ctx.members[req.memberId];
  // Epoch 0 from a known member (KIP-1082): its join answer was lost, or it was fenced and re-joins
  // having dropped its partitions; it goes on with its current epoch and assignment.
  if (req.memberEpoch === JOIN_EPOCH) return m === undefined ? join(ctx, req, grant) : heartbeatOf(ctx, m, req, grant);
  if (req.memberEpoch === LEAVE_EPOCH) {
    const removed = removeMember(ctx, req.memberId, 'leave');
    return { ctx: removed.ctx, out: [...removed.out, heartbeatResponse(ctx, req.from, m === undefined ? 'UNKNOWN_MEMBER_ID' : 'NONE', null, req.memberId)] };
  }
  if (m === undefined) return { ctx, out: [heartbeatResponse(ctx, req.from, 'UNKNOWN_MEMBER_ID', null, req.memberId)] };
  if (!isValidMemberEpoch(m, req)) return { ctx, out: [heartbeatResponse(ctx, req.from, 'FENCED_MEMBER_EPOCH', null, req.memberId)] };
  return heartbeatOf(ctx, m, req, grant);
};

/** The member holding a group.instance.id, if any. */
const staticMemberOf = (ctx: ConsumerGroupContext, instanceId: string): ConsumerGroupMember | undefined => memberList(ctx).find((m) => m.instanceId === instanceId);

/**
 * Static membership under KIP-848 (kafka-protocol.md §1.9, §3.3; GroupMetadataManager): null when
 * the request is handled as a dynamic member's.
 * - A join (epoch 0) with an instance id another member id holds: refused with
 *   UNRELEASED_INSTANCE_ID unless that member left temporarily (epoch -2,
 *   throwIfInstanceIdIsUnreleased); then the newcomer replaces it, a copy with its own member id
 *   and epoch 0 that keeps the old assignment and its target, with no new group epoch (no rebalance).
 * - Any other request whose member id is not the one holding the instance id: FENCED_INSTANCE_ID
 *   (throwIfInstanceIdIsFenced), or UNKNOWN_MEMBER_ID when nobody holds it.
 * - Epoch -2: the static member leaves temporarily; it keeps its place and partitions until its
 *   session expires (consumerGroupStaticMemberGroupLeave).
 */
const staticMemberHeartbeat = (ctx: ConsumerGroupContext, req: Req<'ConsumerGroupHeartbeat'>, instanceId: string, grant: NextAssignment): Step<ConsumerGroupContext> | null => {
  const holder = staticMemberOf(ctx, instanceId);
  const refuse = (error: ConsumerGroupHeartbeatError): Step<ConsumerGroupContext> => ({ ctx, out: [heartbeatResponse(ctx, req.from, error, null, req.memberId)] });
  if (req.memberEpoch === JOIN_EPOCH) {
    if (holder === undefined || holder.memberId === req.memberId) return null;
    if (holder.epoch !== LEAVE_STATIC_EPOCH) return refuse('UNRELEASED_INSTANCE_ID');
    return replaceStaticMember(ctx, holder, req, grant);
  }
  if (holder === undefined) return refuse('UNKNOWN_MEMBER_ID');
  if (holder.memberId !== req.memberId) return refuse('FENCED_INSTANCE_ID');
  if (req.memberEpoch !== LEAVE_STATIC_EPOCH) return null;
  const left: ConsumerGroupMember = withMemberFields(holder, { epoch: LEAVE_STATIC_EPOCH, previousEpoch: holder.epoch });
  const updated = updateMember(ctx, holder, left);
  return { ctx: updated.ctx, out: [...updated.out, heartbeatResponse(updated.ctx, req.from, 'NONE', null, req.memberId)] };
};

/** The newcomer takes the released static member's place, assignment and target (replaceMember); it reconciles at once. */
const replaceStaticMember = (ctx: ConsumerGroupContext, old: ConsumerGroupMember, req: Req<'ConsumerGroupHeartbeat'>, grant: NextAssignment): Step<ConsumerGroupContext> => {
  const members: Record<string, ConsumerGroupMember> = {};
  const copy: ConsumerGroupMember = withMemberFields(old, { memberId: req.memberId, clientId: req.from, topics: req.topics, rebalanceTimeoutMs: req.rebalanceTimeoutMs, epoch: JOIN_EPOCH, previousEpoch: JOIN_EPOCH });
  for (const m of memberList(ctx)) members[m.memberId === old.memberId ? copy.memberId : m.memberId] = m.memberId === old.memberId ? copy : m;
  const target: Record<string, readonly TopicPartition[]> = {};
  for (const [id, tps] of Object.entries(ctx.target)) target[id === old.memberId ? copy.memberId : id] = tps;
  const replaced: ConsumerGroupContext = withCtx(ctx, { members, target });
  const out: Effect[] = [
    { type: 'CancelTimer', timer: sessionTimer(old.memberId) },
    { type: 'CancelTimer', timer: revocationTimer(old.memberId) },
    {
      type: 'Observe',
      event: { type: 'StaticMemberReplaced', group: ctx.group, generation: ctx.groupEpoch, instance: old.instanceId ?? '', previous: old.clientId, member: req.from },
    },
  ];
  const beat = heartbeatOf(replaced, copy, req, grant);
  return { ctx: beat.ctx, out: [...out, ...beat.out] };
};

/** A valid heartbeat of member m: the session is refreshed and m reconciles with what it reports owning. */
const heartbeatOf = (ctx: ConsumerGroupContext, m: ConsumerGroupMember, req: Req<'ConsumerGroupHeartbeat'>, grant: NextAssignment): Step<ConsumerGroupContext> => {
  const next = reconcile(ctx, m, req.ownedPartitions, grant);
  const updated = updateMember(ctx, m, next);
  return {
    ctx: updated.ctx,
    out: [...updated.out, heartbeatResponse(updated.ctx, req.from, 'NONE', next), { type: 'SetTimer', timer: sessionTimer(m.memberId), delayMs: ctx.sessionTimeoutMs }],
  };
};

/** A session or revocation timer fired: the member is fenced and removed (§3.3 Timeouts). */
export const memberTimerFired = (ctx: ConsumerGroupContext, timer: string): Step<ConsumerGroupContext> => {
  const t = timerOf(timer);
  if (t === null) return { ctx, out: [] };
  return removeMember(ctx, t.memberId, t.kind === 'session' ? 'session-timeout' : 'revocation-timeout');
};

/** Entering Stable: every member holds its target; observed once per group epoch. */
export const groupStable = (ctx: ConsumerGroupContext): Step<ConsumerGroupContext> => {
  if (ctx.stableEpoch === ctx.groupEpoch) return { ctx, out: [] };
  const assignment: Record<string, readonly TopicPartition[]> = {};
  for (const m of memberList(ctx)) assignment[m.clientId] = m.assigned;
  return {
    ctx: withCtx(ctx, { stableEpoch: ctx.groupEpoch }),
    out: [{ type: 'Observe', event: { type: 'GroupStable', group: ctx.group, generation: ctx.groupEpoch, assignment } }],
  };
};

// ---------------------------------------------------------------- OffsetCommit (§1.11, KIP-848 groups)

/** ConsumerGroup.validateOffsetCommit: the member epoch is all that is checked (§1.11, §1.12). */
export const validateOffsetCommit = (ctx: ConsumerGroupContext, req: Req<'OffsetCommit'>): CommitError => {
  if (req.generation < 0 && !hasMembers(ctx)) return 'NONE';
  const m = ctx.members[req.memberId];
  if (m === undefined) return 'UNKNOWN_MEMBER_ID';
  return req.generation === m.epoch ? 'NONE' : 'STALE_MEMBER_EPOCH';
};

export const offsetCommit = (ctx: ConsumerGroupContext, req: Req<'OffsetCommit'>, validate: typeof validateOffsetCommit = validateOffsetCommit): Step<ConsumerGroupContext> => {
  const error = validate(ctx, req);
  const out: Effect[] = [];
  if (error === 'NONE') {
    out.push({ type: 'StoreOffsets', group: ctx.group, offsets: req.offsets });
    out.push({
      type: 'Observe',
      event: { type: 'OffsetsStored', group: ctx.group, member: ctx.members[req.memberId]?.clientId ?? req.from, generation: req.generation, offsets: req.offsets },
    });
  }
  out.push(send(req.from, { type: 'OffsetCommitResponse', to: req.from, error, generation: req.generation, offsets: req.offsets, seq: req.seq }));
  return { ctx, out };
};

// ---------------------------------------------------------------- failover (§1.2, §1.10)

/**
 * What __consumer_offsets holds of a KIP-848 group besides its offsets: the records written with
 * every heartbeat answer (group epoch, target assignment, each member's subscription, epochs and
 * partitions). The persisted group is therefore the group as it was when its coordinator unloaded it.
 */
export type ConsumerGroupSnapshot = Pick<ConsumerGroupContext, 'groupEpoch' | 'target' | 'members' | 'memberSeq' | 'stableEpoch'>;

export const consumerGroupSnapshotOf = (ctx: ConsumerGroupContext): ConsumerGroupSnapshot => ({
  groupEpoch: ctx.groupEpoch,
  target: ctx.target,
  members: ctx.members,
  memberSeq: ctx.memberSeq,
  stableEpoch: ctx.stableEpoch,
});

/** The coordinator loses the group's partition (onUnloaded): its member timers stop; it keeps nothing else. */
export const unloadGroup = (ctx: ConsumerGroupContext): Step<ConsumerGroupContext> => {
  const out: Effect[] = [];
  for (const m of memberList(ctx)) out.push({ type: 'CancelTimer', timer: sessionTimer(m.memberId) }, { type: 'CancelTimer', timer: revocationTimer(m.memberId) });
  return { ctx, out };
};

/**
 * A new coordinator finished loading the group (GroupMetadataManager.onLoaded): members, epochs and
 * assignments come back as persisted; every member's session timer starts again and a member still
 * revoking gets its rebalance timer. Members keep their epochs, so their next heartbeat is valid.
 */
export const loadGroup = (ctx: ConsumerGroupContext, coordinator: number, snapshot: ConsumerGroupSnapshot | null): Step<ConsumerGroupContext> => {
  const next: ConsumerGroupContext = snapshot === null ? ctx : { ...ctx, ...snapshot };
  const out: Effect[] = [
    {
      type: 'Observe',
      event: { type: 'GroupLoaded', group: ctx.group, coordinator, generation: next.groupEpoch, members: memberList(next).map((m) => m.clientId) },
    },
  ];
  for (const m of memberList(next)) {
    out.push({ type: 'SetTimer', timer: sessionTimer(m.memberId), delayMs: next.sessionTimeoutMs });
    if (m.state === 'UNREVOKED_PARTITIONS') out.push({ type: 'SetTimer', timer: revocationTimer(m.memberId), delayMs: m.rebalanceTimeoutMs });
  }
  return { ctx: next, out };
};

/** Dead (the group was unloaded): every request is answered NOT_COORDINATOR (§1.10) and nothing is stored. */
export const notCoordinator = (ctx: ConsumerGroupContext, req: Request): Step<ConsumerGroupContext> => {
  const res = routingErrorResponse(req, 'NOT_COORDINATOR');
  return { ctx, out: res === null ? [] : [send(res.to, res)] };
};
