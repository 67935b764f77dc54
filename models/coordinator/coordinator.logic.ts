/**
 * Pure handlers of the classic group coordinator, used by coordinator.machine.ts.
 * Each takes the context and a request and returns the next context plus the effects
 * (responses, timers, observations). State changes are decided by the machine's guards.
 *
 * Sources: kafka-protocol.md §1.2 (states), §1.3 (generations), §1.5 (leader, protocol),
 * §1.6 (join and sync phases), §1.7 (sessions), §1.8 (LeaveGroup), §1.10 (error matrix),
 * §1.11 (OffsetCommit acceptance).
 * Failover (§1.2 onGroupUnloaded/onGroupLoaded, §1.10 routing errors): unload, load, notCoordinator.
 * Static membership (KIP-345, §1.9): a member joining with a group.instance.id already in the
 * group replaces the old member id (replaceStaticMember); the old one is fenced
 * (FENCED_INSTANCE_ID); static members that do not re-join a rebalance are kept.
 * Not modelled: MEMBER_ID_REQUIRED, group.max.size, admin removal.
 */
import { selectProtocol } from '../assignor/index.ts';
import type { CommitError } from '../history.ts';
import { CONTEXT_COPY } from '../contextCopy.ts';
import type { Effect, Step } from '../effects.ts';
import type { GroupError, Request, Response } from '../protocol.ts';
import type { TopicPartition } from '../types.ts';

export type CoordinatorStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupMember {
  readonly memberId: string;
  /** The client's name (a consumer incarnation); history events use it. */
  readonly clientId: string;
  readonly protocols: readonly string[];
  readonly topics: readonly string[];
  /** Subscription metadata the coordinator passes to the leader untouched (§3.2). */
  readonly owned?: readonly TopicPartition[];
  readonly ownedGeneration?: number;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** group.instance.id of a static member; absent or null for a dynamic one (§1.9). */
  readonly groupInstanceId?: string | null;
  /** Its JoinGroup is parked, waiting for the join phase to complete. */
  readonly awaitingJoin: boolean;
  /** Its SyncGroup is parked, waiting for the leader's. */
  readonly awaitingSync: boolean;
  /** It has not sent SyncGroup for the current generation yet (pendingSyncMembers). */
  readonly syncPending: boolean;
  readonly assignment: readonly TopicPartition[];
}

export interface CoordinatorContext {
  readonly group: string;
  readonly generation: number;
  readonly protocol: string | null;
  readonly leaderId: string | null;
  /** Insertion order matters: the first member added leads (§1.5). */
  readonly members: Readonly<Record<string, GroupMember>>;
  readonly memberSeq: number;
  /** group.initial.rebalance.delay.ms (§1.6.2). */
  readonly initialRebalanceDelayMs: number;
  /** The join phase's timer fired: the phase completes with whoever joined. */
  readonly joinDeadlinePassed: boolean;
  /** The initial delay is running: the join phase may not complete early. */
  readonly initialDelayRunning: boolean;
  /** Something asked for a new rebalance; the machine's guards act on it. */
  readonly rebalanceRequested: boolean;
}

export interface CoordinatorInput {
  readonly group: string;
  readonly initialRebalanceDelayMs: number;
}

export const initialCoordinatorContext = (input: CoordinatorInput): CoordinatorContext => ({
  group: input.group,
  generation: 0,
  protocol: null,
  leaderId: null,
  members: {},
  memberSeq: 0,
  initialRebalanceDelayMs: input.initialRebalanceDelayMs,
  joinDeadlinePassed: false,
  initialDelayRunning: false,
  rebalanceRequested: false,
});

/**
 * `{ ...ctx, ...patch }` by a literal in initialCoordinatorContext's key order (issue 7): V8 spreads
 * a clone of a clone on a slow runtime path, and the coordinator's context is replaced on most
 * group requests (see consumer.logic.ts draft()).
 */
const withCtx = (c: CoordinatorContext, patch: Partial<Mutable<CoordinatorContext>>): CoordinatorContext =>
  CONTEXT_COPY.spread ? { ...c, ...patch } : Object.assign(copyOf(c), patch);

/** Every field, so that a field added to CoordinatorContext but not here is a type error. */
const copyOf = (c: CoordinatorContext): Required<Mutable<CoordinatorContext>> => ({
  group: c.group,
  generation: c.generation,
  protocol: c.protocol,
  leaderId: c.leaderId,
  members: c.members,
  memberSeq: c.memberSeq,
  initialRebalanceDelayMs: c.initialRebalanceDelayMs,
  joinDeadlinePassed: c.joinDeadlinePassed,
  initialDelayRunning: c.initialDelayRunning,
  rebalanceRequested: c.rebalanceRequested,
});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Req<T extends Request['type']> = Extract<Request, { type: T }>;

const send = (to: string, message: Response): Effect => ({ type: 'Send', to, message });
const sessionTimer = (memberId: string): string => `session:${memberId}`;
const armSession = (m: GroupMember): Effect => ({ type: 'SetTimer', timer: sessionTimer(m.memberId), delayMs: m.sessionTimeoutMs });

export const memberIdOfTimer = (timer: string): string | null =>
  timer.startsWith('session:') ? timer.slice('session:'.length) : null;

const withMember = (ctx: CoordinatorContext, m: GroupMember): CoordinatorContext => withCtx(ctx, { members: { ...ctx.members, [m.memberId]: m } });

const memberList = (ctx: CoordinatorContext): GroupMember[] => Object.values(ctx.members);

export const hasMembers = (ctx: CoordinatorContext): boolean => memberList(ctx).length > 0;

/** Every member has re-sent JoinGroup (hasAllMembersJoined, §1.6.1). */
export const allMembersJoined = (ctx: CoordinatorContext): boolean => memberList(ctx).every((m) => m.awaitingJoin);

export const joinCanComplete = (ctx: CoordinatorContext): boolean =>
  ctx.joinDeadlinePassed || (!ctx.initialDelayRunning && allMembersJoined(ctx));

/** The rebalance timeout is the largest of the members' (§1.6.1). */
export const rebalanceTimeoutMs = (ctx: CoordinatorContext): number =>
  memberList(ctx).reduce((mx, m) => Math.max(mx, m.rebalanceTimeoutMs), 0);

// ---------------------------------------------------------------- JoinGroup

export const isNewMemberJoin = (_ctx: CoordinatorContext, req: Req<'JoinGroup'>): boolean => req.memberId === '';
export const isKnownMember = (ctx: CoordinatorContext, memberId: string): boolean => ctx.members[memberId] !== undefined;

/** Kafka compares the whole protocol metadata, owned partitions included (`MemberMetadata.matches`). */
const sameMetadata = (m: GroupMember, req: Req<'JoinGroup'>): boolean =>
  m.protocols.join(',') === req.protocols.join(',') &&
  m.topics.join(',') === req.topics.join(',') &&
  (m.owned ?? []).join(',') === (req.owned ?? []).join(',') &&
  (m.ownedGeneration ?? -1) === (req.ownedGeneration ?? -1);

/** The subscription metadata fields of a JoinGroup, left out when absent (exactOptionalPropertyTypes). */
const ownedOf = (x: { readonly owned?: readonly TopicPartition[]; readonly ownedGeneration?: number }) => ({
  ...(x.owned === undefined ? {} : { owned: x.owned }),
  ...(x.ownedGeneration === undefined ? {} : { ownedGeneration: x.ownedGeneration }),
});

export const rejectJoin = (ctx: CoordinatorContext, req: Req<'JoinGroup'>, error: GroupError): Step<CoordinatorContext> => ({
  ctx,
  out: [send(req.from, { type: 'JoinGroupResponse', to: req.from, error, generation: -1, memberId: req.memberId, leaderId: '', protocol: null, members: [] })],
});

/** The member id a group.instance.id maps to (GroupMetadata.staticMembers), if any. */
export const staticMemberId = (ctx: CoordinatorContext, instance: string): string | undefined =>
  memberList(ctx).find((m) => m.groupInstanceId === instance)?.memberId;

/**
 * A JoinGroup with no member id (§1.2, addMemberAndRebalance): a static member whose instance id
 * is already in the group replaces its old incarnation; any other member is added and parked,
 * and a rebalance is requested.
 */
export const addMember = (ctx: CoordinatorContext, req: Req<'JoinGroup'>, state: CoordinatorStateName = 'Stable'): Step<CoordinatorContext> => {
  const previous = req.groupInstanceId === undefined ? undefined : staticMemberId(ctx, req.groupInstanceId);
  if (previous !== undefined) return replaceStaticMember(ctx, req, previous, state);
  if (memberList(ctx).length > 0 && selectProtocol([...memberList(ctx).map((m) => m.protocols), req.protocols]) === null) {
    return rejectJoin(ctx, req, 'INCONSISTENT_GROUP_PROTOCOL');
  }
  const memberId = `${req.from}~${ctx.memberSeq + 1}`;
  const member: GroupMember = {
    memberId,
    clientId: req.from,
    protocols: req.protocols,
    topics: req.topics,
    ...ownedOf(req),
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    ...(req.groupInstanceId === undefined ? {} : { groupInstanceId: req.groupInstanceId }),
    awaitingJoin: true,
    awaitingSync: false,
    syncPending: false,
    assignment: [],
  };
  const next = withMember(withCtx(ctx, { memberSeq: ctx.memberSeq + 1, rebalanceRequested: true }), member);
  return { ctx: ctx.leaderId === null ? withCtx(next, { leaderId: memberId }) : next, out: [] };
};

/**
 * replaceStaticMember (§1.9): the new incarnation takes the old member's place (same position,
 * so leadership stays), its assignment and its generation; the old member id is fenced, and a
 * request it has parked is answered FENCED_INSTANCE_ID. In Stable with unchanged metadata there
 * is no rebalance: the new member gets the current generation at once and its SyncGroup returns
 * the stored assignment (a leader's is ignored: KIP-814 skipAssignment). In CompletingRebalance a
 * rebalance is forced (KAFKA-9801); in PreparingRebalance the new member is simply parked.
 */
export const replaceStaticMember = (ctx: CoordinatorContext, req: Req<'JoinGroup'>, previousId: string, state: CoordinatorStateName): Step<CoordinatorContext> => {
  const old = ctx.members[previousId];
  if (old === undefined) return rejectJoin(ctx, req, 'UNKNOWN_MEMBER_ID');
  const memberId = `${req.from}~${ctx.memberSeq + 1}`;
  const quiet = state === 'Stable' && sameMetadata(old, req);
  const member: GroupMember = {
    ...old,
    memberId,
    clientId: req.from,
    protocols: req.protocols,
    topics: req.topics,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    awaitingJoin: !quiet,
    awaitingSync: false,
  };
  const members: Record<string, GroupMember> = {};
  for (const m of memberList(ctx)) members[m.memberId === previousId ? memberId : m.memberId] = m.memberId === previousId ? member : m;
  const next = withCtx(ctx, {
    members,
    memberSeq: ctx.memberSeq + 1,
    leaderId: ctx.leaderId === previousId ? memberId : ctx.leaderId,
    rebalanceRequested: ctx.rebalanceRequested || (!quiet && state !== 'PreparingRebalance'),
  });
  const out: Effect[] = [
    { type: 'CancelTimer', timer: sessionTimer(previousId) },
    {
      type: 'Observe',
      event: { type: 'StaticMemberReplaced', group: ctx.group, generation: ctx.generation, instance: req.groupInstanceId ?? '', previous: old.clientId, member: req.from },
    },
  ];
  if (old.awaitingJoin) {
    out.push(send(old.clientId, { type: 'JoinGroupResponse', to: old.clientId, error: 'FENCED_INSTANCE_ID', generation: -1, memberId: previousId, leaderId: '', protocol: null, members: [] }));
  }
  if (old.awaitingSync) {
    out.push(send(old.clientId, { type: 'SyncGroupResponse', to: old.clientId, error: 'FENCED_INSTANCE_ID', generation: ctx.generation, assignment: [] }));
  }
  if (quiet) out.push(joinResponse(next, member), armSession(member));
  return { ctx: next, out };
};

/**
 * A JoinGroup with a member id the group does not know: UNKNOWN_MEMBER_ID, or FENCED_INSTANCE_ID
 * when its group.instance.id now belongs to another member id (an old incarnation, §1.9, §1.10).
 */
export const rejectUnknownJoin = (ctx: CoordinatorContext, req: Req<'JoinGroup'>): Step<CoordinatorContext> =>
  rejectJoin(ctx, req, req.groupInstanceId !== undefined && staticMemberId(ctx, req.groupInstanceId) !== undefined ? 'FENCED_INSTANCE_ID' : 'UNKNOWN_MEMBER_ID');

/** A known member re-joins while a join phase runs: parked with its new metadata. */
export const parkJoin = (ctx: CoordinatorContext, req: Req<'JoinGroup'>): Step<CoordinatorContext> => {
  const m = ctx.members[req.memberId];
  if (m === undefined) return rejectJoin(ctx, req, 'UNKNOWN_MEMBER_ID');
  return {
    ctx: withMember(ctx, { ...m, protocols: req.protocols, topics: req.topics, ...ownedOf(req), rebalanceTimeoutMs: req.rebalanceTimeoutMs, awaitingJoin: true }),
    out: [],
  };
};

/**
 * A known member's JoinGroup in Stable or CompletingRebalance (§1.10 matrix): the leader, or a
 * member whose metadata changed, starts a rebalance; a follower with identical metadata gets
 * the current generation at once.
 */
export const currentMemberJoin = (ctx: CoordinatorContext, req: Req<'JoinGroup'>, state: CoordinatorStateName): Step<CoordinatorContext> => {
  const m = ctx.members[req.memberId];
  if (m === undefined) return rejectJoin(ctx, req, 'UNKNOWN_MEMBER_ID');
  const isLeader = ctx.leaderId === m.memberId;
  if ((state === 'Stable' && isLeader) || !sameMetadata(m, req)) {
    const parked = parkJoin(ctx, req);
    return { ctx: withCtx(parked.ctx, { rebalanceRequested: true }), out: parked.out };
  }
  return { ctx, out: [joinResponse(ctx, m)] };
};

const joinResponse = (ctx: CoordinatorContext, m: GroupMember): Effect => {
  const isLeader = ctx.leaderId === m.memberId;
  return send(m.clientId, {
    type: 'JoinGroupResponse',
    to: m.clientId,
    error: 'NONE',
    generation: ctx.generation,
    memberId: m.memberId,
    leaderId: ctx.leaderId ?? '',
    protocol: ctx.protocol,
    members: isLeader ? memberList(ctx).map((x) => ({ memberId: x.memberId, topics: x.topics, ...ownedOf(x) })) : [],
  });
};

/** Entering PreparingRebalance: arm the join timer; parked SyncGroups learn of the rebalance. */
export const prepareRebalance = (ctx: CoordinatorContext, fromEmpty: boolean): Step<CoordinatorContext> => {
  const out: Effect[] = [{ type: 'Observe', event: { type: 'RebalanceStarted', group: ctx.group, generation: ctx.generation } }];
  const members: Record<string, GroupMember> = {};
  for (const m of memberList(ctx)) {
    if (m.awaitingSync) {
      out.push(send(m.clientId, { type: 'SyncGroupResponse', to: m.clientId, error: 'REBALANCE_IN_PROGRESS', generation: ctx.generation, assignment: [] }));
    }
    members[m.memberId] = { ...m, awaitingSync: false, syncPending: false };
  }
  const initial = fromEmpty && ctx.initialRebalanceDelayMs > 0;
  out.push({ type: 'CancelTimer', timer: 'sync' });
  out.push({ type: 'SetTimer', timer: 'join', delayMs: initial ? ctx.initialRebalanceDelayMs : rebalanceTimeoutMs(ctx) });
  return { ctx: withCtx(ctx, { members, rebalanceRequested: false, joinDeadlinePassed: false, initialDelayRunning: initial }), out };
};

export const joinTimerFired = (ctx: CoordinatorContext): Step<CoordinatorContext> => ({
  ctx: withCtx(ctx, { joinDeadlinePassed: true, initialDelayRunning: false }),
  out: [],
});

/**
 * The join phase completes (onCompleteJoin, §1.6.1): dynamic members that did not re-join are
 * removed, the generation goes up by one (even when nobody is left), a leader that did not
 * re-join is replaced, the protocol is chosen, and every parked JoinGroup is answered.
 */
export const completeJoin = (ctx: CoordinatorContext): Step<CoordinatorContext> => {
  const out: Effect[] = [{ type: 'CancelTimer', timer: 'join' }];
  const kept: Record<string, GroupMember> = {};
  const joined = new Set<string>();
  // Static members that did not re-join are kept (§1.6.1, §1.9). When nobody re-joined, Kafka
  // waits another join timeout; here the group then empties like a dynamic one (simplification).
  const keepStatic = memberList(ctx).some((m) => m.awaitingJoin);
  for (const m of memberList(ctx)) {
    if (m.awaitingJoin || (keepStatic && (m.groupInstanceId ?? null) !== null)) {
      if (m.awaitingJoin) joined.add(m.memberId);
      kept[m.memberId] = { ...m, awaitingJoin: false, syncPending: true, awaitingSync: false, assignment: [] };
    } else {
      out.push({ type: 'CancelTimer', timer: sessionTimer(m.memberId) });
      out.push({ type: 'Observe', event: { type: 'MemberRemoved', group: ctx.group, member: m.clientId, reason: 'rejoin-timeout' } });
    }
  }
  const keptList = Object.values(kept);
  // A leader that did not re-join is replaced by one that did (maybeElectNewJoinedLeader, §1.5).
  const leaderId = ctx.leaderId !== null && joined.has(ctx.leaderId) ? ctx.leaderId : (keptList.find((m) => joined.has(m.memberId))?.memberId ?? null);
  const protocol = keptList.length > 0 ? selectProtocol(keptList.map((m) => m.protocols)) : null;
  const next = withCtx(ctx, {
    generation: ctx.generation + 1,
    members: kept,
    leaderId,
    protocol,
    joinDeadlinePassed: false,
    initialDelayRunning: false,
    rebalanceRequested: false,
  });
  out.push({
    type: 'Observe',
    event: {
      type: 'GenerationStarted',
      group: ctx.group,
      generation: next.generation,
      members: keptList.map((m) => m.clientId),
      leader: leaderId === null ? null : (kept[leaderId]?.clientId ?? null),
      protocol,
    },
  });
  for (const m of keptList) {
    if (!joined.has(m.memberId)) continue; // a static laggard: no parked JoinGroup, its session timer runs on
    out.push(joinResponse(next, m));
    out.push(armSession(m));
  }
  if (keptList.length > 0) out.push({ type: 'SetTimer', timer: 'sync', delayMs: rebalanceTimeoutMs(next) });
  return { ctx: next, out };
};

// ---------------------------------------------------------------- member validation (§1.10)

/**
 * validateCurrentMember's order: an instance id that maps to another member id is
 * FENCED_INSTANCE_ID, an unknown one UNKNOWN_MEMBER_ID; then UNKNOWN_MEMBER_ID, then ILLEGAL_GENERATION.
 */
export const validateMember = (ctx: CoordinatorContext, memberId: string, generation: number, groupInstanceId?: string): GroupError => {
  if (groupInstanceId !== undefined) {
    const current = staticMemberId(ctx, groupInstanceId);
    if (current === undefined) return 'UNKNOWN_MEMBER_ID';
    if (current !== memberId) return 'FENCED_INSTANCE_ID';
  }
  if (ctx.members[memberId] === undefined) return 'UNKNOWN_MEMBER_ID';
  if (generation !== ctx.generation) return 'ILLEGAL_GENERATION';
  return 'NONE';
};

// ---------------------------------------------------------------- SyncGroup

export const syncResponse = (ctx: CoordinatorContext, req: Req<'SyncGroup'>, error: GroupError, assignment: readonly TopicPartition[] = []): Effect =>
  send(req.from, { type: 'SyncGroupResponse', to: req.from, error, generation: ctx.generation, assignment });

export const isLeaderSync = (ctx: CoordinatorContext, req: Req<'SyncGroup'>): boolean =>
  validateMember(ctx, req.memberId, req.generation, req.groupInstanceId) === 'NONE' && ctx.leaderId === req.memberId && req.assignments !== null;

/** Sync in PreparingRebalance, Stable, Empty: answered at once (§1.10). */
export const answerSync = (ctx: CoordinatorContext, req: Req<'SyncGroup'>, state: CoordinatorStateName): Step<CoordinatorContext> => {
  const err = validateMember(ctx, req.memberId, req.generation, req.groupInstanceId);
  if (err !== 'NONE') return { ctx, out: [syncResponse(ctx, req, err)] };
  if (state === 'PreparingRebalance') return { ctx, out: [syncResponse(ctx, req, 'REBALANCE_IN_PROGRESS')] };
  const m = ctx.members[req.memberId];
  if (m === undefined) return { ctx, out: [syncResponse(ctx, req, 'UNKNOWN_MEMBER_ID')] };
  const synced = m.syncPending ? withMember(ctx, { ...m, syncPending: false }) : ctx;
  const out: Effect[] = [syncResponse(ctx, req, 'NONE', m.assignment), armSession(m)];
  if (m.syncPending && !memberList(synced).some((x) => x.syncPending)) out.push({ type: 'CancelTimer', timer: 'sync' });
  return { ctx: synced, out };
};

/** A follower's SyncGroup in CompletingRebalance waits for the leader's. */
export const parkSync = (ctx: CoordinatorContext, req: Req<'SyncGroup'>): Step<CoordinatorContext> => {
  const err = validateMember(ctx, req.memberId, req.generation, req.groupInstanceId);
  const m = ctx.members[req.memberId];
  if (err !== 'NONE' || m === undefined) return { ctx, out: [syncResponse(ctx, req, err === 'NONE' ? 'UNKNOWN_MEMBER_ID' : err)] };
  return { ctx: withMember(ctx, { ...m, awaitingSync: true, syncPending: false }), out: [] };
};

/**
 * The leader's SyncGroup (§1.6.3): the assignment is stored, every parked SyncGroup and the
 * leader's are answered, and the group goes Stable. Members missing from the leader's map get [].
 * Members that have not sent SyncGroup yet stay pending: the sync timer keeps running and
 * removes them if they never do, even once the group is Stable (KAFKA-12890, onExpirePendingSync).
 */
export const completeSync = (ctx: CoordinatorContext, req: Req<'SyncGroup'>): Step<CoordinatorContext> => {
  const assignments = req.assignments ?? {};
  const out: Effect[] = [];
  const members: Record<string, GroupMember> = {};
  const byClient: Record<string, readonly TopicPartition[]> = {};
  for (const m of memberList(ctx)) {
    const assignment = assignments[m.memberId] ?? [];
    const answered = m.memberId === req.memberId || m.awaitingSync;
    members[m.memberId] = { ...m, assignment, awaitingSync: false, syncPending: answered ? false : m.syncPending };
    byClient[m.clientId] = assignment;
  }
  const next = withCtx(ctx, { members });
  out.push({ type: 'Observe', event: { type: 'GroupStable', group: ctx.group, generation: ctx.generation, assignment: byClient } });
  for (const m of Object.values(members)) {
    if (m.memberId === req.memberId || ctx.members[m.memberId]?.awaitingSync === true) {
      out.push(send(m.clientId, { type: 'SyncGroupResponse', to: m.clientId, error: 'NONE', generation: ctx.generation, assignment: m.assignment }));
      out.push(armSession(m));
    }
  }
  if (!Object.values(members).some((m) => m.syncPending)) out.push({ type: 'CancelTimer', timer: 'sync' });
  return { ctx: next, out };
};

// ---------------------------------------------------------------- Heartbeat

/** §1.10: PreparingRebalance answers REBALANCE_IN_PROGRESS (and still refreshes the session). */
export const heartbeat = (ctx: CoordinatorContext, req: Req<'Heartbeat'>, state: CoordinatorStateName): Step<CoordinatorContext> => {
  const err = state === 'Empty' ? 'UNKNOWN_MEMBER_ID' : state === 'Dead' ? 'COORDINATOR_NOT_AVAILABLE' : validateMember(ctx, req.memberId, req.generation, req.groupInstanceId);
  const m = ctx.members[req.memberId];
  const answer = (error: GroupError): Effect => send(req.from, { type: 'HeartbeatResponse', to: req.from, error, generation: req.generation });
  if (err !== 'NONE' || m === undefined) return { ctx, out: [answer(err === 'NONE' ? 'UNKNOWN_MEMBER_ID' : err)] };
  return { ctx, out: [answer(state === 'PreparingRebalance' ? 'REBALANCE_IN_PROGRESS' : 'NONE'), armSession(m)] };
};

// ---------------------------------------------------------------- removal: LeaveGroup and session expiry

const removeMember = (ctx: CoordinatorContext, memberId: string, reason: 'leave' | 'session-timeout' | 'sync-timeout'): Step<CoordinatorContext> => {
  const m = ctx.members[memberId];
  if (m === undefined) return { ctx, out: [] };
  const members = { ...ctx.members };
  delete members[memberId];
  const out: Effect[] = [
    { type: 'CancelTimer', timer: sessionTimer(memberId) },
    { type: 'Observe', event: { type: 'MemberRemoved', group: ctx.group, member: m.clientId, reason } },
  ];
  if (m.awaitingJoin) {
    out.push(send(m.clientId, { type: 'JoinGroupResponse', to: m.clientId, error: 'UNKNOWN_MEMBER_ID', generation: -1, memberId, leaderId: '', protocol: null, members: [] }));
  }
  const rest = Object.keys(members);
  const leaderId = ctx.leaderId === memberId ? (rest[0] ?? null) : ctx.leaderId;
  return { ctx: withCtx(ctx, { members, leaderId, rebalanceRequested: true }), out };
};

/** LeaveGroup has no generation check (§1.8). */
export const leaveGroup = (ctx: CoordinatorContext, req: Req<'LeaveGroup'>): Step<CoordinatorContext> => {
  const known = ctx.members[req.memberId] !== undefined;
  const removed = removeMember(ctx, req.memberId, 'leave');
  return {
    ctx: removed.ctx,
    out: [...removed.out, send(req.from, { type: 'LeaveGroupResponse', to: req.from, error: known ? 'NONE' : 'UNKNOWN_MEMBER_ID' })],
  };
};

/**
 * A session timer fired (§1.7). A member parked in JoinGroup or SyncGroup counts as alive
 * (hasSatisfiedHeartbeat), so its timer is re-armed instead.
 */
export const sessionExpired = (ctx: CoordinatorContext, memberId: string): Step<CoordinatorContext> => {
  const m = ctx.members[memberId];
  if (m === undefined) return { ctx, out: [] };
  if (m.awaitingJoin || m.awaitingSync) return { ctx, out: [armSession(m)] };
  return removeMember(ctx, memberId, 'session-timeout');
};

/** The sync timer fired: members that never sent SyncGroup are removed (KAFKA-12890, §1.6.3). */
export const syncTimerFired = (ctx: CoordinatorContext): Step<CoordinatorContext> => {
  let step: Step<CoordinatorContext> = { ctx, out: [] };
  for (const m of memberList(ctx)) {
    if (!m.syncPending) continue;
    const r = removeMember(step.ctx, m.memberId, 'sync-timeout');
    step = { ctx: r.ctx, out: [...step.out, ...r.out] };
  }
  return step;
};

// ---------------------------------------------------------------- OffsetCommit (§1.11)

/** The exact acceptance rules of kafka-protocol.md §1.11, in their order. */
export const validateOffsetCommit = (ctx: CoordinatorContext, req: Req<'OffsetCommit'>, state: CoordinatorStateName): CommitError => {
  if (state === 'Dead') return 'COORDINATOR_NOT_AVAILABLE'; // rule 3
  if (req.generation < 0 && state === 'Empty') return 'NONE'; // rule 4 (KAFKA-14201)
  if (req.generation >= 0 || req.memberId !== '' || req.groupInstanceId !== undefined) {
    const err = validateMember(ctx, req.memberId, req.generation, req.groupInstanceId); // rule 5
    if (err !== 'NONE') return err as CommitError;
  } else {
    return 'UNKNOWN_MEMBER_ID'; // rule 6: generation -1 and no member id, group not Empty
  }
  return state === 'CompletingRebalance' ? 'REBALANCE_IN_PROGRESS' : 'NONE'; // rule 7
};

export const offsetCommit = (ctx: CoordinatorContext, req: Req<'OffsetCommit'>, state: CoordinatorStateName): Step<CoordinatorContext> => {
  const error = validateOffsetCommit(ctx, req, state);
  const out: Effect[] = [];
  if (error === 'NONE') {
    out.push({ type: 'StoreOffsets', group: ctx.group, offsets: req.offsets });
    const m = ctx.members[req.memberId];
    out.push({
      type: 'Observe',
      event: { type: 'OffsetsStored', group: ctx.group, member: m?.clientId ?? req.from, generation: req.generation, offsets: req.offsets },
    });
    if (m !== undefined && state !== 'Empty') out.push(armSession(m));
  }
  out.push(send(req.from, { type: 'OffsetCommitResponse', to: req.from, error, generation: req.generation, offsets: req.offsets, seq: req.seq }));
  return { ctx, out };
};

// ---------------------------------------------------------------- failover (§1.2, §1.10)

/**
 * What a coordinator persists of a group in __consumer_offsets besides the offsets: written when
 * the group becomes Stable (the leader's assignment) or Empty (§1.2 "Only Stable and Empty groups
 * are ever persisted/loaded"). A new coordinator rebuilds the group from the latest one.
 */
export interface GroupSnapshot {
  readonly generation: number;
  readonly protocol: string | null;
  readonly leaderId: string | null;
  readonly memberSeq: number;
  readonly members: readonly GroupMember[];
}

/** The persisted form of a Stable or Empty group: members and their assignments, no parked requests. */
export const snapshotOf = (ctx: CoordinatorContext): GroupSnapshot => ({
  generation: ctx.generation,
  protocol: ctx.protocol,
  leaderId: ctx.leaderId,
  memberSeq: ctx.memberSeq,
  members: memberList(ctx).map((m) => ({ ...m, awaitingJoin: false, awaitingSync: false, syncPending: false })),
});

export type RoutingError = 'NOT_COORDINATOR' | 'COORDINATOR_LOAD_IN_PROGRESS';

/**
 * The answer of a broker that does not own the group (NOT_COORDINATOR) or is still loading it
 * (COORDINATOR_LOAD_IN_PROGRESS), with §1.10's remaps: SyncGroup turns LOAD_IN_PROGRESS into
 * REBALANCE_IN_PROGRESS, Heartbeat turns it into NONE. Null for requests that are not group APIs.
 */
export const routingErrorResponse = (req: Request, error: RoutingError): Response | null => {
  switch (req.type) {
    case 'JoinGroup':
      return { type: 'JoinGroupResponse', to: req.from, error, generation: -1, memberId: req.memberId, leaderId: '', protocol: null, members: [] };
    case 'SyncGroup':
      return { type: 'SyncGroupResponse', to: req.from, error: error === 'COORDINATOR_LOAD_IN_PROGRESS' ? 'REBALANCE_IN_PROGRESS' : error, generation: req.generation, assignment: [] };
    case 'Heartbeat':
      return { type: 'HeartbeatResponse', to: req.from, error: error === 'COORDINATOR_LOAD_IN_PROGRESS' ? 'NONE' : error, generation: req.generation };
    case 'LeaveGroup':
      return { type: 'LeaveGroupResponse', to: req.from, error };
    case 'OffsetCommit':
      return { type: 'OffsetCommitResponse', to: req.from, error, generation: req.generation, offsets: req.offsets, seq: req.seq };
    case 'OffsetFetch':
      return { type: 'OffsetFetchResponse', to: req.from, error, committed: {}, logStartOffsets: {}, logEndOffsets: {} };
    case 'ConsumerGroupHeartbeat': // KIP-848 (§3.3): the routing errors as they are, no remap
      return { type: 'ConsumerGroupHeartbeatResponse', to: req.from, error, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
    case 'FindCoordinator':
    case 'Fetch':
      return null;
  }
};

/** Dead (the group was unloaded): every group request is answered NOT_COORDINATOR and nothing is stored. */
export const notCoordinator = (ctx: CoordinatorContext, req: Request): Step<CoordinatorContext> => {
  const res = routingErrorResponse(req, 'NOT_COORDINATOR');
  return { ctx, out: res === null ? [] : [send(res.to, res)] };
};

/**
 * The coordinator loses the group's partition (onGroupUnloaded, §1.2): parked JoinGroups and
 * SyncGroups are answered NOT_COORDINATOR and every timer of the group stops.
 */
export const unload = (ctx: CoordinatorContext): Step<CoordinatorContext> => {
  const out: Effect[] = [{ type: 'CancelTimer', timer: 'join' }, { type: 'CancelTimer', timer: 'sync' }];
  const members: Record<string, GroupMember> = {};
  for (const m of memberList(ctx)) {
    out.push({ type: 'CancelTimer', timer: sessionTimer(m.memberId) });
    if (m.awaitingJoin) {
      out.push(send(m.clientId, { type: 'JoinGroupResponse', to: m.clientId, error: 'NOT_COORDINATOR', generation: -1, memberId: m.memberId, leaderId: '', protocol: null, members: [] }));
    }
    if (m.awaitingSync) {
      out.push(send(m.clientId, { type: 'SyncGroupResponse', to: m.clientId, error: 'NOT_COORDINATOR', generation: ctx.generation, assignment: [] }));
    }
    members[m.memberId] = { ...m, awaitingJoin: false, awaitingSync: false };
  }
  return { ctx: withCtx(ctx, { members, rebalanceRequested: false, joinDeadlinePassed: false, initialDelayRunning: false }), out };
};

/**
 * A new coordinator finished loading the group (onGroupLoaded, §1.2): the last persisted
 * generation, members and assignments come back; every member's session timer is restarted.
 * Whatever was not persisted (a rebalance in progress, members added since) is gone: those
 * members get UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION and re-join, as in Kafka.
 */
export const load = (ctx: CoordinatorContext, coordinator: number, snapshot: GroupSnapshot | null): Step<CoordinatorContext> => {
  const members: Record<string, GroupMember> = {};
  const out: Effect[] = [];
  for (const m of snapshot?.members ?? []) {
    members[m.memberId] = m;
    out.push(armSession(m));
  }
  const next = withCtx(ctx, {
    generation: snapshot?.generation ?? 0,
    protocol: snapshot?.protocol ?? null,
    leaderId: snapshot?.leaderId ?? null,
    memberSeq: snapshot?.memberSeq ?? 0,
    members,
    rebalanceRequested: false,
    joinDeadlinePassed: false,
    initialDelayRunning: false,
  });
  out.unshift({
    type: 'Observe',
    event: { type: 'GroupLoaded', group: ctx.group, coordinator, generation: next.generation, members: Object.values(members).map((m) => m.clientId) },
  });
  return { ctx: next, out };
};
