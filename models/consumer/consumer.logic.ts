/**
 * Pure handlers of the consumer member and its application loop, used by consumer.machine.ts.
 *
 * The member follows the Java classic consumer (kafka-protocol.md §2.1-§2.5): rejoins happen on
 * the application thread at the top of poll(); eager rebalances revoke everything before
 * JoinGroup (§2.4); a heartbeat "thread" runs once JoinGroup succeeded and learns of rebalances
 * and fencing (§2.2). The application polls, processes one record at a time (each takes
 * processingMs) and commits according to its processing policy (models/types.ts).
 *
 * Static membership (KIP-345, §1.9): with a group.instance.id the member never sends LeaveGroup
 * (close, poll timeout) and FENCED_INSTANCE_ID is fatal. max.poll.interval.ms (§2.3): a poll()
 * that returns records arms a timer, the next poll() cancels it; if it fires while the heartbeat thread runs, the member gives up its
 * generation (LeaveGroup if dynamic) and rejoins at its next poll(). Partition changes: the
 * leader keeps the partition counts it assigned with and rejoins when a fetch answer (standing
 * for the metadata refresh) shows more (ConsumerCoordinator.rejoinNeededOrPending).
 *
 * Coordinator failover and lost messages (issue 3): every request the loop waits for has a
 * request.timeout.ms timer (JoinGroup and SyncGroup: the rebalance timeout + 5 s); a timeout closes
 * the connection (`Disconnect`), routing errors rediscover the coordinator (FindCoordinator) and
 * retry after retry.backoff.ms; commitSync retries routing errors and timeouts with the same
 * offsets, recording a timed-out attempt as REQUEST_TIMED_OUT (outcome unknown, §2.7).
 *
 * Cooperative members (every configured assignor is cooperative-sticky, §3.1) follow KIP-429
 * (§2.4, §3.2): they keep their partitions and keep polling while they re-join in the background;
 * the SyncGroup answer is applied at the top of the next poll (ConsumerCoordinator.onJoinComplete):
 * revoke only what was lost, add what was gained, and re-join at once if anything was revoked.
 *
 * Not modelled: pause()/resume() of partitions, default.api.timeout.ms (commitSync retries until
 * an answer comes, not until a deadline).
 */
import { CONTEXT_COPY } from '../contextCopy.ts';
import type { Effect, Step } from '../effects.ts';
import type { CommitError, LocalCommitFailure, MemberObservation, PositionSource } from '../history.ts';
import { BROKER, COORDINATOR, type Request, type Response } from '../protocol.ts';
import { isCooperative, type ConsumerConfig, type LogRecord, type TopicPartition } from '../types.ts';

/** Where a sync commit returns to once answered. */
export type AfterCommit = 'next-record' | 'process-batch' | 'poll' | 'join' | 'leave' | 'assign';

/** Where a cooperative member's background re-join stands (KIP-429: it keeps polling meanwhile). */
export type CooperativePhase = 'idle' | 'joining' | 'assigning' | 'syncing';

export interface ConsumerInput {
  readonly name: string;
  readonly group: string;
  readonly topics: readonly string[];
  /** 'assign': manual assignment of `partitions`, no group membership, commits with generation -1. */
  readonly mode: 'subscribe' | 'assign';
  readonly partitions: readonly TopicPartition[];
  readonly config: ConsumerConfig;
  /** group.instance.id: a static member (KIP-345, kafka-protocol.md §1.9). */
  readonly groupInstanceId?: string;
}

export interface ConsumerContext extends ConsumerInput {
  readonly memberId: string;
  /** -1 when the member holds no generation (§1.11: manual consumers commit with -1). */
  readonly generation: number;
  readonly heartbeatEnabled: boolean;
  /** SyncGroup succeeded for the current generation (Java's MemberState.STABLE). */
  readonly stable: boolean;
  readonly assignment: readonly TopicPartition[];
  /** Next offset to fetch, per owned partition. */
  readonly positions: Readonly<Record<TopicPartition, number>>;
  /** Records handed to the application and not yet processed, in order. */
  readonly buffer: readonly LogRecord[];
  /** Next offset after the last processed record, per partition: what manual policies commit. */
  readonly processed: Readonly<Record<TopicPartition, number>>;
  /** librdkafka's offset store: offset + 1 of every record handed to the application. */
  readonly store: Readonly<Record<TopicPartition, number>>;
  readonly rejoinNeeded: boolean;
  /** The generation was reset (fenced): partitions are lost, not revoked (§2.4). */
  readonly generationLost: boolean;
  readonly closing: boolean;
  /** Java auto-commit: the interval elapsed; commit inside the next poll (§2.6). */
  readonly autoCommitDue: boolean;
  readonly commitSeq: number;
  /** The sync commit being waited for, or -1. */
  readonly awaitingCommit: number;
  readonly afterCommit: AfterCommit;
  readonly fetchSeq: number;
  /** The record the application finished last (the per-message loop commits it). */
  readonly lastProcessed: LogRecord | null;
  /** The sync commit being waited for or retried: commitSync retries retriable errors (§2.7). */
  readonly pendingCommit: { readonly offsets: Readonly<Record<TopicPartition, number>>; readonly generation: number } | null;
  /** Extra time the application will spend on its next record (Stall commands). */
  readonly stallMs: number;
  /** The leader's partition count per topic when it assigned (ConsumerCoordinator.assignmentSnapshot). */
  readonly assignmentSnapshot: Readonly<Record<string, number>> | null;
  /** FENCED_INSTANCE_ID was received: fatal at the next poll() (§1.9, §2.7). */
  readonly fenced: boolean;
  /** The generation `assignment` was received in: sent with owned partitions in JoinGroup (§3.2). */
  readonly ownedGeneration: number;
  /** Eager sticky assignors' user data: the assignment revoked before this join, and its generation (KIP-341). */
  readonly stickyClaim: readonly TopicPartition[];
  readonly stickyClaimGeneration: number;
  readonly coopPhase: CooperativePhase;
  /** A cooperative SyncGroup answer waiting for the top of poll() (onJoinComplete), or null. */
  readonly pendingAssignment: readonly TopicPartition[] | null;
  /**
   * The KIP-848 member's own state (consumer848.logic.ts `Kip848State`); undefined for a classic
   * member. Declared here so that every consumer context, classic or KIP-848, is built by the
   * same literal and has one hidden class (see draft()).
   */
  readonly kip848?: unknown;
}

/** A member that owns nothing: no partitions, positions, buffered records or offsets to commit. */
export const NOTHING_OWNED = { assignment: [], positions: {}, buffer: [], processed: {}, store: {} } as const satisfies Partial<ConsumerContext>;

// Every field spelled out: V8 builds `{ ...input, more }` on a slow path (about 50 µs a call,
// issue 7); a plain literal takes well under 1 µs and keeps one hidden class for every context.
export const initialConsumerContext = (input: ConsumerInput): ConsumerContext => ({
  name: input.name,
  group: input.group,
  topics: input.topics,
  mode: input.mode,
  partitions: input.partitions,
  config: input.config,
  groupInstanceId: input.groupInstanceId,
  memberId: '',
  generation: -1,
  heartbeatEnabled: false,
  stable: false,
  assignment: NOTHING_OWNED.assignment,
  positions: NOTHING_OWNED.positions,
  buffer: NOTHING_OWNED.buffer,
  processed: NOTHING_OWNED.processed,
  store: NOTHING_OWNED.store,
  rejoinNeeded: false,
  generationLost: false,
  closing: false,
  autoCommitDue: false,
  commitSeq: 0,
  awaitingCommit: -1,
  afterCommit: 'poll',
  fetchSeq: 0,
  lastProcessed: null,
  pendingCommit: null,
  stallMs: 0,
  assignmentSnapshot: null,
  fenced: false,
  ownedGeneration: -1,
  stickyClaim: [],
  stickyClaimGeneration: -1,
  coopPhase: 'idle',
  pendingAssignment: null,
  kip848: undefined,
});

/** A ConsumerContext under construction: every field writable and present. */
type Draft = { -readonly [K in keyof Required<ConsumerContext>]: ConsumerContext[K] };

/**
 * A fresh copy of the context to change and return (issue 7): use it instead of `{ ...ctx, f: v }`.
 * V8 clones an object with `...` on a fast path only when the source keeps all its fields inside
 * the object, and the clone it makes does not: the next spread of that clone takes a runtime
 * path about 30× slower than this literal, and a context is spread on most events. The literal
 * has initialConsumerContext's key order, so the copy serialises as the spread did. `kip848`
 * (consumer848's state, undefined for a classic member) is one of its fields rather than added
 * after it: adding a property to the literal made a new hidden class for nearly every KIP-848
 * context (about 40 per 20 runs), and each one deoptimised the shared handlers (stop 13).
 */
export const draft = (c: ConsumerContext): Draft => {
  if (CONTEXT_COPY.spread) return { ...c } as Draft;
  const d: Draft = {
    name: c.name,
    group: c.group,
    topics: c.topics,
    mode: c.mode,
    partitions: c.partitions,
    config: c.config,
    groupInstanceId: c.groupInstanceId,
    memberId: c.memberId,
    generation: c.generation,
    heartbeatEnabled: c.heartbeatEnabled,
    stable: c.stable,
    assignment: c.assignment,
    positions: c.positions,
    buffer: c.buffer,
    processed: c.processed,
    store: c.store,
    rejoinNeeded: c.rejoinNeeded,
    generationLost: c.generationLost,
    closing: c.closing,
    autoCommitDue: c.autoCommitDue,
    commitSeq: c.commitSeq,
    awaitingCommit: c.awaitingCommit,
    afterCommit: c.afterCommit,
    fetchSeq: c.fetchSeq,
    lastProcessed: c.lastProcessed,
    pendingCommit: c.pendingCommit,
    stallMs: c.stallMs,
    assignmentSnapshot: c.assignmentSnapshot,
    fenced: c.fenced,
    ownedGeneration: c.ownedGeneration,
    stickyClaim: c.stickyClaim,
    stickyClaimGeneration: c.stickyClaimGeneration,
    coopPhase: c.coopPhase,
    pendingAssignment: c.pendingAssignment,
    kip848: c.kip848,
  };
  return d;
};

/** `{ ...ctx, ...patch }` through draft(): for the paths off the hot loop (Object.assign costs a little per field). */
export const withCtx = (ctx: ConsumerContext, patch: Partial<Draft>): ConsumerContext =>
  CONTEXT_COPY.spread ? { ...ctx, ...patch } : Object.assign(draft(ctx), patch);

/** The instance id field of a request, present only for static members (messages of dynamic ones stay as they were). */
const instanceField = (ctx: ConsumerContext): { groupInstanceId?: string } =>
  ctx.groupInstanceId === undefined ? {} : { groupInstanceId: ctx.groupInstanceId };

export const isStatic = (ctx: ConsumerContext): boolean => ctx.groupInstanceId !== undefined;

/** The member runs the cooperative protocol (§3.1: all its assignors support COOPERATIVE). */
export const cooperative = (ctx: ConsumerContext): boolean => ctx.mode === 'subscribe' && isCooperative(ctx.config.assignors);
/**
 * What the member claims in its JoinGroup subscription: a cooperative member its current
 * partitions (`ownedPartitions`), an eager member with the sticky assignor the assignment it
 * revoked (StickyAssignor user data), anyone else nothing (§2.4: eager members revoke before joining).
 */
const claimOf = (ctx: ConsumerContext): { owned: readonly TopicPartition[]; ownedGeneration: number } =>
  cooperative(ctx)
    ? { owned: ctx.assignment, ownedGeneration: ctx.assignment.length > 0 ? ctx.ownedGeneration : -1 }
    : { owned: ctx.stickyClaim, ownedGeneration: ctx.stickyClaimGeneration };
type Res<T extends Response['type']> = Extract<Response, { type: T }>;

const observe = (event: MemberObservation): Effect => ({ type: 'Observe', event });
const toCoordinator = (message: Request): Effect => ({ type: 'Send', to: COORDINATOR, message });
const toBroker = (message: Request): Effect => ({ type: 'Send', to: BROKER, message });
const none = (ctx: ConsumerContext): Step<ConsumerContext> => ({ ctx, out: [] });

// ---------------------------------------------------------------- request timeouts and rediscovery

/** retry.backoff.ms (Java's default, 100 ms) before a request is retried after a retriable error. */
export const RETRY_BACKOFF_MS = 100;
/** Java's JOIN_GROUP_TIMEOUT_LAPSE: a JoinGroup may wait the whole rebalance timeout plus this. */
export const JOIN_TIMEOUT_LAPSE_MS = 5000;

export const requestTimeoutMs = (ctx: ConsumerContext): number => ctx.config.requestTimeoutMs ?? 30_000;

/**
 * The main loop waits for one request at a time; its timeout is the timer 'request' (a later
 * SetTimer replaces it, so each send re-arms it and a stale one only fires where nothing waits).
 */
const armRequest = (delayMs: number): Effect => ({ type: 'SetTimer', timer: 'request', delayMs });
/** JoinGroup and SyncGroup may be parked for the rebalance timeout (simplification: SyncGroup too). */
const armGroupRequest = (ctx: ConsumerContext): Effect => armRequest(ctx.config.maxPollIntervalMs + JOIN_TIMEOUT_LAPSE_MS);

/** Errors that mean "the coordinator is elsewhere or not ready": retried, never a rejoin (§1.10, §2.7). */
export const isRoutingError = (error: string): boolean =>
  error === 'NOT_COORDINATOR' || error === 'COORDINATOR_NOT_AVAILABLE' || error === 'COORDINATOR_LOAD_IN_PROGRESS';

/** markCoordinatorUnknown: look the coordinator up again (the answer re-routes the connection). */
const lookup = (ctx: ConsumerContext): Effect => ({ type: 'Send', to: BROKER, message: { type: 'FindCoordinator', from: ctx.name, group: ctx.group } });

/** After a retriable error: rediscover unless the coordinator is only loading, and retry after the backoff. */
export const retryLater = (ctx: ConsumerContext, error: string): Step<ConsumerContext> => ({
  ctx,
  out: [...(error === 'COORDINATOR_LOAD_IN_PROGRESS' ? [] : [lookup(ctx)]), { type: 'SetTimer', timer: 'retry', delayMs: RETRY_BACKOFF_MS }],
});

/** A coordinator request timed out: the connection is closed (its in-flight messages are lost), then as NOT_COORDINATOR. */
export const coordinatorTimedOut = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const r = retryLater(ctx, 'REQUEST_TIMED_OUT');
  return { ctx: r.ctx, out: [{ type: 'Disconnect', to: COORDINATOR }, ...r.out] };
};

/** SyncGroup failed with a routing error or timed out: rejoin once the coordinator is found again (§2.1). */
export const syncRetryLater = (ctx: ConsumerContext, error: string): Step<ConsumerContext> => {
  const r = error === 'REQUEST_TIMED_OUT' ? coordinatorTimedOut(ctx) : retryLater(ctx, error);
  return { ctx: withCtx(r.ctx, { generation: -1, heartbeatEnabled: false, stable: false }), out: [{ type: 'CancelTimer', timer: 'heartbeat' }, ...r.out] };
};

/** OffsetFetch for the current assignment (again). */
export const fetchOffsets = (ctx: ConsumerContext): Step<ConsumerContext> => ({
  ctx,
  out: [toCoordinator({ type: 'OffsetFetch', from: ctx.name, group: ctx.group, partitions: ctx.assignment }), armRequest(requestTimeoutMs(ctx))],
});

/** A Fetch timed out: close the broker connection; the next poll() fetches again. */
export const fetchTimedOut = (ctx: ConsumerContext): Step<ConsumerContext> => ({ ctx, out: [{ type: 'Disconnect', to: BROKER }] });

export const isOffsetFetchOk = (ev: Res<'OffsetFetchResponse'>): boolean => ev.error === undefined || ev.error === 'NONE';

// ---------------------------------------------------------------- start, join, sync

/** FindCoordinator, waited for in FindingCoordinator (re-sent when it times out). */
export const lookupCoordinator = (ctx: ConsumerContext): Step<ConsumerContext> => ({ ctx, out: [lookup(ctx), armRequest(requestTimeoutMs(ctx))] });

export const findCoordinator = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const out: Effect[] = [lookup(ctx), armRequest(requestTimeoutMs(ctx))];
  if (ctx.config.policy === 'auto-commit-java' || ctx.config.policy === 'auto-commit-timer') {
    out.push({ type: 'SetTimer', timer: 'autocommit', delayMs: ctx.config.autoCommitIntervalMs });
  }
  return { ctx, out };
};

export const sendJoin = (ctx: ConsumerContext): Step<ConsumerContext> => ({
  ctx: withCtx(ctx, { heartbeatEnabled: false, stable: false }),
  out: [
    { type: 'CancelTimer', timer: 'heartbeat' },
    // The rebalance runs inside poll(): the poll timer restarts at the next poll (§2.3).
    { type: 'CancelTimer', timer: 'maxpoll' },
    toCoordinator({
      type: 'JoinGroup',
      from: ctx.name,
      group: ctx.group,
      memberId: ctx.memberId,
      ...instanceField(ctx),
      protocols: ctx.config.assignors,
      topics: ctx.topics,
      ...claimOf(ctx),
      sessionTimeoutMs: ctx.config.sessionTimeoutMs,
      rebalanceTimeoutMs: ctx.config.maxPollIntervalMs,
    }),
    armGroupRequest(ctx),
  ],
});

export const isJoinOk = (ev: Res<'JoinGroupResponse'>): boolean => ev.error === 'NONE';
export const isLeaderResponse = (ev: Res<'JoinGroupResponse'>): boolean => ev.error === 'NONE' && ev.leaderId === ev.memberId;

/** JoinGroup answered NONE: the generation is ours; the heartbeat thread starts (§2.1, §2.2). */
export const joined = (ctx: ConsumerContext, ev: Res<'JoinGroupResponse'>): Step<ConsumerContext> => {
  const next = draft(ctx);
  next.memberId = ev.memberId;
  next.generation = ev.generation;
  next.heartbeatEnabled = true;
  const leader = ev.leaderId === ev.memberId;
  const out: Effect[] = [
    observe({ type: 'Joined', group: ctx.group, generation: ev.generation, leader }),
    { type: 'SetTimer', timer: 'heartbeat', delayMs: ctx.config.heartbeatIntervalMs },
  ];
  if (leader) out.push({ type: 'Lead', generation: ev.generation, protocol: ev.protocol, members: ev.members });
  else out.push({ type: 'Demote' }, toCoordinator({ type: 'SyncGroup', from: ctx.name, group: ctx.group, memberId: ev.memberId, ...instanceField(ctx), generation: ev.generation, assignments: null }), armGroupRequest(ctx));
  return { ctx: next, out };
};

/** A JoinGroup error: UNKNOWN_MEMBER_ID forgets the member id; all retry at once (§2.1). */
export const joinFailed = (ctx: ConsumerContext, ev: Res<'JoinGroupResponse'>): Step<ConsumerContext> =>
  sendJoin(withCtx(ctx, { memberId: ev.error === 'UNKNOWN_MEMBER_ID' ? '' : ctx.memberId, generation: -1 }));

/** The leader role computed the assignment (leader.machine.ts); send it in SyncGroup. */
export const syncAsLeader = (
  ctx: ConsumerContext,
  assignments: Readonly<Record<string, readonly TopicPartition[]>>,
  partitionsPerTopic: Readonly<Record<string, number>> | null = null,
): Step<ConsumerContext> => ({
  ctx: withCtx(ctx, { assignmentSnapshot: partitionsPerTopic }),
  out: [toCoordinator({ type: 'SyncGroup', from: ctx.name, group: ctx.group, memberId: ctx.memberId, ...instanceField(ctx), generation: ctx.generation, assignments }), armGroupRequest(ctx)],
});

export const isSyncOk = (ev: Res<'SyncGroupResponse'>): boolean => ev.error === 'NONE';

/**
 * SyncGroup answered: the assignment is ours and the member is STABLE, which also clears any
 * rejoin request made while it was rebalancing (§2.1); fetch the committed offsets (§2.8).
 */
export const synced = (ctx: ConsumerContext, ev: Res<'SyncGroupResponse'>): Step<ConsumerContext> => ({
  ctx: withCtx(ctx, { assignment: ev.assignment, ownedGeneration: ctx.generation, stable: true, rejoinNeeded: false }),
  out: [
    observe({ type: 'Assigned', group: ctx.group, generation: ctx.generation, partitions: ev.assignment }),
    toCoordinator({ type: 'OffsetFetch', from: ctx.name, group: ctx.group, partitions: ev.assignment }),
    armRequest(requestTimeoutMs(ctx)),
  ],
});

/** A SyncGroup error: rejoin; UNKNOWN_MEMBER_ID forgets the member id (§2.1). */
export const syncFailed = (ctx: ConsumerContext, ev: Res<'SyncGroupResponse'>): Step<ConsumerContext> =>
  sendJoin(withCtx(ctx, { memberId: ev.error === 'UNKNOWN_MEMBER_ID' ? '' : ctx.memberId, generation: -1 }));

/** Manual assignment: no group; fetch committed offsets of the chosen partitions. */
export const assignManually = (ctx: ConsumerContext): Step<ConsumerContext> => ({
  ctx: withCtx(ctx, { assignment: ctx.partitions }),
  out: [toCoordinator({ type: 'OffsetFetch', from: ctx.name, group: ctx.group, partitions: ctx.partitions }), armRequest(requestTimeoutMs(ctx))],
});

/** Initial positions: the committed offset, else auto.offset.reset (§2.8). */
export const positioned = (ctx: ConsumerContext, ev: Res<'OffsetFetchResponse'>): Step<ConsumerContext> => {
  // A cooperative member keeps the positions of the partitions it retained (§2.4); an eager one starts afresh.
  const keeps = cooperative(ctx);
  const positions: Record<TopicPartition, number> = keeps ? { ...ctx.positions } : {};
  const processed: Record<TopicPartition, number> = keeps ? { ...ctx.processed } : {};
  const out: Effect[] = [];
  for (const tp of ctx.assignment) {
    if (keeps && ctx.positions[tp] !== undefined) continue;
    const committed = ev.committed[tp] ?? -1;
    let offset: number;
    let source: PositionSource;
    if (committed >= 0) {
      offset = committed;
      source = 'committed';
    } else if (ctx.config.autoOffsetReset === 'earliest') {
      offset = ev.logStartOffsets[tp] ?? 0;
      source = 'reset-earliest';
    } else {
      offset = ev.logEndOffsets[tp] ?? 0;
      source = 'reset-latest';
    }
    positions[tp] = offset;
    processed[tp] = offset;
    out.push(observe({ type: 'Positioned', tp, offset, source }));
  }
  return { ctx: withCtx(ctx, { positions, processed, store: keeps ? ctx.store : {} }), out };
};

// ---------------------------------------------------------------- the poll loop

const commitRequest = (ctx: ConsumerContext, offsets: Readonly<Record<TopicPartition, number>>, after: AfterCommit | null): Step<ConsumerContext> => {
  const seq = ctx.commitSeq + 1;
  const out: Effect[] = [
    observe({ type: 'CommitRequested', group: ctx.group, generation: ctx.generation, offsets, seq }),
    toCoordinator({ type: 'OffsetCommit', from: ctx.name, group: ctx.group, memberId: ctx.memberId, ...instanceField(ctx), generation: ctx.generation, offsets, seq }),
  ];
  const next = draft(ctx);
  next.commitSeq = seq;
  if (after === null) return { ctx: next, out };
  out.push(armRequest(requestTimeoutMs(ctx)));
  next.awaitingCommit = seq;
  next.afterCommit = after;
  next.pendingCommit = { offsets, generation: ctx.generation };
  return { ctx: next, out };
};

/**
 * Java's check before any OffsetCommit of a subscribed member (kafka-protocol.md §2.7,
 * `ConsumerCoordinator.sendOffsetCommitRequest`): `generationIfStable()` is null unless the member
 * is STABLE, and then the commit fails at once, nothing is sent: RebalanceInProgressException
 * while it joins or syncs (`rebalanceInProgress()`: PREPARING_REBALANCE or COMPLETING_REBALANCE).
 * A classic member commits while not STABLE only during a cooperative background re-join (KIP-429,
 * §3.2: `stable` is false from its JoinGroup to its SyncGroup answer); an eager one re-joins
 * inside poll() and commits nothing meanwhile.
 *
 * Not modelled: Java's CommitFailedException for a member whose generation was reset (UNJOINED:
 * a fencing heartbeat answer, the poll timeout, §2.2, §2.3; `generationLost` here). Such a commit
 * is still sent, and the coordinator rejects it (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION): the same
 * outcome for the application, and the coordinator's fencing stays exercised.
 *
 * Null when the commit may be sent; manual assign() members and KIP-848 members (their own rules,
 * §3.3; they share this poll loop, models/consumer848) are never concerned.
 */
export const localCommitFailure = (ctx: ConsumerContext): LocalCommitFailure | null => {
  if (ctx.mode !== 'subscribe' || ctx.kip848 !== undefined) return null;
  return !ctx.stable && !ctx.generationLost && ctx.generation >= 0 ? 'RebalanceInProgressException' : null;
};

/**
 * A sync commit that Java fails before sending it (localCommitFailure): recorded as a
 * CommitResult with `local` and no CommitRequested; the application reacts as to a failed answer
 * (syncCommitAnswered: it abandons the rest of its batch), without a rejoin request, as the member
 * is rebalancing or has already asked for one. The Committing state leaves at once (no answer to wait for).
 */
const commitFailedLocally = (ctx: ConsumerContext, offsets: Readonly<Record<TopicPartition, number>>, after: AfterCommit, failure: LocalCommitFailure): Step<ConsumerContext> => {
  const seq = ctx.commitSeq + 1;
  const next = draft(ctx);
  next.commitSeq = seq;
  next.awaitingCommit = -1;
  next.pendingCommit = null;
  next.afterCommit = after;
  next.buffer = [];
  return { ctx: next, out: [observe({ type: 'CommitResult', group: ctx.group, generation: ctx.generation, offsets, seq, error: 'REBALANCE_IN_PROGRESS', local: failure })] };
};

/** The sync commit failed locally: Committing has nothing to wait for (consumer.machine.ts leaves it at once). */
export const isCommitFailedLocally = (ctx: ConsumerContext): boolean => ctx.awaitingCommit < 0 && ctx.pendingCommit === null;

/**
 * A sync commit: the member waits for the answer, then continues with `after`. A member that is
 * not STABLE fails it locally (§2.7). The commits of onJoinPrepare (`join`: commit-on-revoke, sent
 * before initiateJoinGroup leaves STABLE, §2.5) and onJoinComplete (`assign`: after SyncGroup made
 * the member STABLE again) are made only while the member is STABLE, so they are always sent.
 */
export const commitSync = (ctx: ConsumerContext, offsets: Readonly<Record<TopicPartition, number>>, after: AfterCommit): Step<ConsumerContext> => {
  const failure = after === 'join' || after === 'assign' ? null : localCommitFailure(ctx);
  return failure === null ? commitRequest(ctx, offsets, after) : commitFailedLocally(ctx, offsets, after, failure);
};

const ownedOnly = (ctx: ConsumerContext, offsets: Readonly<Record<TopicPartition, number>>): Record<TopicPartition, number> => {
  const r: Record<TopicPartition, number> = {};
  for (const tp of ctx.assignment) {
    const o = offsets[tp];
    if (o !== undefined) r[tp] = o;
  }
  return r;
};

/** What the policy commits when the member revokes or closes (§2.5, §2.6). */
export const offsetsOnRevokeOrClose = (ctx: ConsumerContext): Record<TopicPartition, number> => {
  switch (ctx.config.policy) {
    case 'auto-commit-java':
    case 'commit-before-process':
      return ownedOnly(ctx, ctx.positions);
    case 'auto-commit-timer':
      return ownedOnly(ctx, ctx.store);
    case 'commit-after-batch':
    case 'commit-per-message':
      return ownedOnly(ctx, ctx.processed);
  }
};

const canCommit = (ctx: ConsumerContext): boolean =>
  ctx.mode === 'assign' || (ctx.generation >= 0 && !ctx.generationLost);

/** Closing commits what the policy owes, when the member still holds its generation. */
export const needsCloseCommit = (ctx: ConsumerContext): boolean =>
  canCommit(ctx) && Object.keys(offsetsOnRevokeOrClose(ctx)).length > 0;

/** Auto-committing consumers commit before an eager revoke (onJoinPrepare, §2.5). */
export const needsRevokeCommit = (ctx: ConsumerContext): boolean =>
  (ctx.config.policy === 'auto-commit-java' || ctx.config.policy === 'auto-commit-timer') &&
  canCommit(ctx) &&
  Object.keys(offsetsOnRevokeOrClose(ctx)).length > 0;

export const commitOnClose = (ctx: ConsumerContext): Step<ConsumerContext> => commitSync(ctx, offsetsOnRevokeOrClose(ctx), 'leave');
export const commitOnRevoke = (ctx: ConsumerContext): Step<ConsumerContext> => commitSync(ctx, offsetsOnRevokeOrClose(ctx), 'join');

/** Eager revoke of everything, then JoinGroup (§2.4). Fenced members lose instead of revoke. */
export const revokeAndJoin = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const out: Effect[] = [];
  if (ctx.assignment.length > 0) {
    out.push(observe({ type: 'Revoked', group: ctx.group, partitions: ctx.assignment, reason: ctx.generationLost ? 'lost' : 'rebalance' }));
  }
  // Only the eager StickyAssignor keeps user data across the revoke (KIP-341); cooperative-sticky
  // reads `ownedPartitions`, which an eager member has just emptied (§2.4, §3.1).
  const sticky = !ctx.generationLost && ctx.config.assignors.includes('sticky');
  const cleared = withCtx(ctx, {
    ...NOTHING_OWNED,
    rejoinNeeded: false,
    generationLost: false,
    generation: -1,
    assignmentSnapshot: null,
    stickyClaim: sticky ? ctx.assignment : [],
    stickyClaimGeneration: sticky && ctx.assignment.length > 0 ? ctx.ownedGeneration : -1,
    coopPhase: 'idle',
    pendingAssignment: null,
  });
  const join = sendJoin(cleared);
  return { ctx: join.ctx, out: [...out, ...join.out] };
};

/**
 * The consumer closes: LeaveGroup for dynamic group members (§1.8; static members never send it,
 * §1.9), then the process may exit. A fenced member lost its partitions and says so.
 */
export const leave = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const out: Effect[] = [
    { type: 'CancelTimer', timer: 'heartbeat' },
    { type: 'CancelTimer', timer: 'autocommit' },
    { type: 'CancelTimer', timer: 'process' },
  ];
  if (ctx.fenced) out.push(observe({ type: 'Fenced', group: ctx.group }));
  if (ctx.assignment.length > 0) out.push(observe({ type: 'Revoked', group: ctx.group, partitions: ctx.assignment, reason: ctx.fenced ? 'lost' : 'close' }));
  if (ctx.mode === 'subscribe' && ctx.memberId !== '' && !isStatic(ctx)) {
    out.push(toCoordinator({ type: 'LeaveGroup', from: ctx.name, group: ctx.group, memberId: ctx.memberId }));
  }
  out.push(observe({ type: 'Left', group: ctx.group }), { type: 'Exit' });
  return { ctx: withCtx(ctx, { assignment: [], buffer: [], heartbeatEnabled: false }), out };
};

/**
 * Top of poll(): Java's auto-commit of earlier polls' positions (async, §2.6), then Fetch. While
 * the member re-joins, ConsumerCoordinator.poll returns before maybeAutoCommitOffsetsAsync
 * (ensureActiveGroup with a zero timer is false until the join completes), so the commit stays due
 * until the first poll() with the member STABLE again: it is neither sent nor failed (§2.7). (A
 * member whose generation was reset revokes and re-joins at this poll instead; canCommit.)
 */
export const poll = (ctx: ConsumerContext): Step<ConsumerContext> => {
  let step: Step<ConsumerContext> = { ctx, out: [] };
  if (ctx.config.policy === 'auto-commit-java' && ctx.autoCommitDue && localCommitFailure(ctx) === null) {
    const offsets = ownedOnly(ctx, ctx.positions);
    step = canCommit(ctx) && Object.keys(offsets).length > 0 ? commitRequest(ctx, offsets, null) : step;
    step = { ctx: withCtx(step.ctx, { autoCommitDue: false }), out: [...step.out, { type: 'SetTimer', timer: 'autocommit', delayMs: ctx.config.autoCommitIntervalMs }] };
  }
  const c = step.ctx;
  const fetchSeq = c.fetchSeq + 1;
  // Back inside poll(): the poll timer of the last batch stops (§2.3; re-armed when records come back).
  if (c.mode === 'subscribe') step = { ctx: step.ctx, out: [...step.out, { type: 'CancelTimer', timer: 'maxpoll' }] };
  const fetch: Request = {
    type: 'Fetch',
    from: c.name,
    positions: ownedOnly(c, c.positions),
    minBytes: c.config.fetchMinBytes,
    maxWaitMs: c.config.fetchMaxWaitMs,
    maxBytes: c.config.fetchMaxBytes,
    maxPartitionBytes: c.config.maxPartitionFetchBytes,
    maxRecords: c.config.maxPollRecords,
    seq: fetchSeq,
  };
  const next = draft(c);
  next.fetchSeq = fetchSeq;
  return { ctx: next, out: [...step.out, toBroker(fetch), armRequest(requestTimeoutMs(c))] };
};

export const isCurrentFetch = (ctx: ConsumerContext, ev: Res<'FetchResponse'>): boolean => ev.seq === ctx.fetchSeq;

/**
 * Records returned by poll(): only those that continue the current position of a partition
 * still owned are kept (stale fetch data is discarded, §2.8); positions advance; the
 * librdkafka offset store is set at hand-off (§2.6).
 */
export const handOff = (ctx: ConsumerContext, ev: Res<'FetchResponse'>): Step<ConsumerContext> => {
  const positions: Record<TopicPartition, number> = { ...ctx.positions };
  const store: Record<TopicPartition, number> = { ...ctx.store };
  const kept: LogRecord[] = [];
  const polled = new Map<TopicPartition, number[]>();
  for (const r of ev.records) {
    if (positions[r.tp] !== r.offset) continue;
    kept.push(r);
    positions[r.tp] = r.offset + 1;
    store[r.tp] = r.offset + 1;
    const list = polled.get(r.tp) ?? [];
    list.push(r.offset);
    polled.set(r.tp, list);
  }
  const out: Effect[] = [];
  for (const [tp, offsets] of polled) out.push(observe({ type: 'Polled', tp, offsets }));
  // poll() returns a batch: the application is away from poll() until it has processed it, and
  // max.poll.interval.ms runs from here (§2.3). An empty poll() arms nothing: the loop polls again
  // at once, which keeps the timer out of the hot path of idle members.
  if (kept.length > 0 && ctx.mode === 'subscribe') out.push({ type: 'SetTimer', timer: 'maxpoll', delayMs: ctx.config.maxPollIntervalMs });
  const rejoinNeeded = ctx.rejoinNeeded || metadataChanged(ctx, ev.partitionCounts);
  const next = draft(ctx);
  next.positions = positions;
  next.store = store;
  next.buffer = kept;
  next.rejoinNeeded = rejoinNeeded;
  return { ctx: next, out };
};

/**
 * The leader assigned with fewer partitions than the metadata now shows: it must rejoin so the
 * new partitions get an owner (ConsumerCoordinator.rejoinNeededOrPending: "we need to rejoin if
 * we performed the assignment and metadata has changed"). Followers do not check.
 */
export const metadataChanged = (ctx: ConsumerContext, counts: Readonly<Record<string, number>> | undefined): boolean => {
  if (counts === undefined || ctx.assignmentSnapshot === null) return false;
  for (const t of ctx.topics) {
    const now = counts[t];
    if (now !== undefined && now !== ctx.assignmentSnapshot[t]) return true;
  }
  return false;
};

export const hasBuffered = (ctx: ConsumerContext): boolean => ctx.buffer.length > 0;

/** Commit-before-process: commit the positions of the batch just returned, then process it. */
export const commitBeforeProcess = (ctx: ConsumerContext): Step<ConsumerContext> =>
  commitSync(ctx, ownedOnly(ctx, ctx.positions), 'process-batch');

export const startProcessing = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const r = ctx.buffer[0];
  if (r === undefined) return none(ctx);
  return {
    ctx: ctx.stallMs === 0 ? ctx : withCtx(ctx, { stallMs: 0 }),
    out: [observe({ type: 'ProcessStarted', tp: r.tp, offset: r.offset }), { type: 'SetTimer', timer: 'process', delayMs: ctx.config.processingMs + ctx.stallMs }],
  };
};

export const finishProcessing = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const r = ctx.buffer[0];
  if (r === undefined) return none(ctx);
  const next = draft(ctx);
  next.buffer = ctx.buffer.slice(1);
  next.processed = { ...ctx.processed, [r.tp]: r.offset + 1 };
  next.lastProcessed = r;
  return { ctx: next, out: [observe({ type: 'Processed', tp: r.tp, offset: r.offset })] };
};

/** The per-message loop: commitSync(offset + 1) of the record just processed. */
export const commitRecord = (ctx: ConsumerContext, last: LogRecord): Step<ConsumerContext> =>
  commitSync(ctx, { [last.tp]: last.offset + 1 }, 'next-record');

export const commitBatch = (ctx: ConsumerContext): Step<ConsumerContext> => commitSync(ctx, ownedOnly(ctx, ctx.processed), 'poll');

// ---------------------------------------------------------------- commit answers

export const isAwaitedCommit = (ctx: ConsumerContext, ev: Res<'OffsetCommitResponse'>): boolean => ev.seq === ctx.awaitingCommit;

const commitObservation = (ctx: ConsumerContext, ev: Res<'OffsetCommitResponse'>): Effect =>
  observe({ type: 'CommitResult', group: ctx.group, generation: ev.generation, offsets: ev.offsets, seq: ev.seq, error: ev.error });

/** How a failed commit changes the member (§2.7). */
const onCommitError = (ctx: ConsumerContext, error: CommitError, commitGeneration: number): ConsumerContext => {
  // Routing errors and timeouts are retriable: the client rediscovers the coordinator, no rejoin (§2.7).
  if (error === 'NONE' || isRoutingError(error) || error === 'REQUEST_TIMED_OUT' || ctx.mode === 'assign') return ctx;
  if (error === 'FENCED_INSTANCE_ID') return withCtx(ctx, { fenced: true, rejoinNeeded: true, generationLost: true }); // fatal (§2.7)
  // An ILLEGAL_GENERATION for a generation a cooperative member has since left says nothing about
  // the new one (KAFKA-9823 `generationUnchanged`, §2.1; treating it as lost is librdkafka #4059,
  // §6 #14). A classic member sends no commit while it re-joins (localCommitFailure, §2.7), but an
  // async commit sent while it was STABLE (Java auto-commit) can be answered after its JoinGroup,
  // and librdkafka's timer (auto-commit-timer) commits whatever the member's state. Java
  // (OffsetCommitResponseHandler, §2.7) spares the member only in PREPARING_REBALANCE
  // (RebalanceInProgressException); resetting here as Java does once the JoinGroup answered made
  // auto-committing members lose their partitions at every rejoin (a livelock of coop-auto-java
  // when in-rebalance commits were still sent, seeds 1-3, 7, 8).
  if (error === 'ILLEGAL_GENERATION' && cooperative(ctx) && commitGeneration !== ctx.generation) return ctx;
  const fenced = error === 'ILLEGAL_GENERATION' || error === 'UNKNOWN_MEMBER_ID';
  return withCtx(ctx, {
    rejoinNeeded: true,
    generationLost: ctx.generationLost || fenced,
    memberId: error === 'UNKNOWN_MEMBER_ID' ? '' : ctx.memberId,
  });
};

/** The awaited sync commit answered OK or not; a failure drops the rest of the batch (CommitFailedException). */
export const syncCommitAnswered = (ctx: ConsumerContext, ev: Res<'OffsetCommitResponse'>): Step<ConsumerContext> => {
  const failed = ev.error !== 'NONE';
  const answered = draft(ctx);
  answered.awaitingCommit = -1;
  answered.pendingCommit = null;
  if (failed && ctx.mode === 'subscribe') answered.buffer = [];
  return { ctx: onCommitError(answered, ev.error, ev.generation), out: [commitObservation(ctx, ev)] };
};

/** commitSync got a routing error: recorded, then retried after rediscovery and the backoff (§2.7). */
export const syncCommitRetryLater = (ctx: ConsumerContext, ev: Res<'OffsetCommitResponse'>): Step<ConsumerContext> => {
  const r = retryLater(withCtx(ctx, { awaitingCommit: -1 }), ev.error);
  return { ctx: r.ctx, out: [commitObservation(ctx, ev), ...r.out] };
};

/**
 * commitSync got no answer within request.timeout.ms: the outcome is unknown (the coordinator
 * may have stored it), recorded as REQUEST_TIMED_OUT; the connection is closed and the commit
 * is retried, as the Java client retries a disconnect while its commit timer lasts (§2.7).
 */
export const syncCommitTimedOut = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const p = ctx.pendingCommit;
  if (p === null || ctx.awaitingCommit < 0) return none(ctx);
  const r = coordinatorTimedOut(withCtx(ctx, { awaitingCommit: -1 }));
  return {
    ctx: r.ctx,
    out: [observe({ type: 'CommitResult', group: ctx.group, generation: p.generation, offsets: p.offsets, seq: ctx.awaitingCommit, error: 'REQUEST_TIMED_OUT' }), ...r.out],
  };
};

/** The backoff ended: send the pending sync commit again (a new request, a new seq). */
export const retrySyncCommit = (ctx: ConsumerContext): Step<ConsumerContext> =>
  // Each attempt of commitOffsetsSync goes through sendOffsetCommitRequest, so its check too (§2.7).
  ctx.pendingCommit === null ? none(ctx) : commitSync(ctx, ctx.pendingCommit.offsets, ctx.afterCommit);

/** An async commit (auto-commit) answered: recorded; an error asks for a rejoin (§2.7). */
export const asyncCommitAnswered = (ctx: ConsumerContext, ev: Res<'OffsetCommitResponse'>): Step<ConsumerContext> => ({
  ctx: onCommitError(ctx, ev.error, ev.generation),
  out: [commitObservation(ctx, ev)],
});

export const commitSucceeded = (ev: Res<'OffsetCommitResponse'>): boolean => ev.error === 'NONE';

// ---------------------------------------------------------------- background: heartbeat, auto-commit timer

export const heartbeatTick = (ctx: ConsumerContext): Step<ConsumerContext> => {
  if (!ctx.heartbeatEnabled || ctx.memberId === '') return none(ctx);
  return {
    ctx,
    out: [
      toCoordinator({ type: 'Heartbeat', from: ctx.name, group: ctx.group, memberId: ctx.memberId, ...instanceField(ctx), generation: ctx.generation }),
      { type: 'SetTimer', timer: 'heartbeat', delayMs: ctx.config.heartbeatIntervalMs },
    ],
  };
};

/**
 * Heartbeat answers for an older generation are ignored (KAFKA-9823, §2.1), and
 * REBALANCE_IN_PROGRESS counts only for a STABLE member: while it is still syncing, the
 * SyncGroup answer tells it (§2.2).
 */
export const heartbeatAnswered = (ctx: ConsumerContext, ev: Res<'HeartbeatResponse'>): Step<ConsumerContext> => {
  if (ev.generation !== ctx.generation || ev.error === 'NONE') return none(ctx);
  // The heartbeat thread marks the coordinator unknown and looks it up (§2.2).
  if (isRoutingError(ev.error)) return { ctx, out: ev.error === 'COORDINATOR_LOAD_IN_PROGRESS' ? [] : [lookup(ctx)] };
  if (ev.error === 'REBALANCE_IN_PROGRESS') return none(ctx.stable ? withCtx(ctx, { rejoinNeeded: true }) : ctx);
  if (ev.error === 'FENCED_INSTANCE_ID') {
    // Fatal: the heartbeat thread stores the failure; the next poll() raises it (§1.9, §2.2).
    return { ctx: withCtx(ctx, { fenced: true, rejoinNeeded: true, generationLost: true, heartbeatEnabled: false }), out: [{ type: 'CancelTimer', timer: 'heartbeat' }] };
  }
  const fenced = ev.error === 'ILLEGAL_GENERATION' || ev.error === 'UNKNOWN_MEMBER_ID';
  if (!fenced) return none(ctx);
  return {
    ctx: withCtx(ctx, {
      rejoinNeeded: true,
      generationLost: true,
      heartbeatEnabled: false,
      memberId: ev.error === 'UNKNOWN_MEMBER_ID' ? '' : ctx.memberId,
    }),
    out: [{ type: 'CancelTimer', timer: 'heartbeat' }],
  };
};

/**
 * The auto-commit timer. Java: marks the commit due for the next poll(). librdkafka: commits
 * the offset store from the background at once, whatever the application is doing (§2.6). Java's
 * local check (§2.7, localCommitFailure) is not librdkafka's path, so it is not applied here.
 */
export const autoCommitTick = (ctx: ConsumerContext): Step<ConsumerContext> => {
  if (ctx.config.policy === 'auto-commit-java') return none(withCtx(ctx, { autoCommitDue: true }));
  const rearm: Effect = { type: 'SetTimer', timer: 'autocommit', delayMs: ctx.config.autoCommitIntervalMs };
  const offsets = ownedOnly(ctx, ctx.store);
  if (!canCommit(ctx) || Object.keys(offsets).length === 0) return { ctx, out: [rearm] };
  const step = commitRequest(ctx, offsets, null);
  return { ctx: step.ctx, out: [...step.out, rearm] };
};

/**
 * max.poll.interval.ms passed since the last poll() (§2.3, AbstractCoordinator's
 * handlePollTimeoutExpiry): the heartbeat thread, if running, gives up the generation. A dynamic
 * member sends LeaveGroup and forgets its member id; a static member sends nothing and keeps its
 * place until its session times out. The partitions are lost at the next poll(), which rejoins.
 *
 * Java fails a commit made in between locally (CommitFailedException, §2.7). Here it is sent with the
 * member id it now has, so the coordinator rejects it (UNKNOWN_MEMBER_ID for a dynamic member):
 * the same outcome, visible in the history (localCommitFailure).
 */
export const pollTimeoutExpired = (ctx: ConsumerContext): Step<ConsumerContext> => {
  if (ctx.mode !== 'subscribe' || !ctx.heartbeatEnabled || ctx.generation < 0 || ctx.generationLost) return none(ctx);
  const out: Effect[] = [{ type: 'CancelTimer', timer: 'heartbeat' }, observe({ type: 'PollTimeoutExpired', group: ctx.group })];
  if (!isStatic(ctx) && ctx.memberId !== '') out.push(toCoordinator({ type: 'LeaveGroup', from: ctx.name, group: ctx.group, memberId: ctx.memberId }));
  return {
    ctx: withCtx(ctx, { heartbeatEnabled: false, rejoinNeeded: true, generationLost: true, memberId: isStatic(ctx) ? ctx.memberId : '' }),
    out,
  };
};

/** A Stall command: the application's next record takes `ms` longer (the heartbeat thread is unaffected). */
export const stall = (ctx: ConsumerContext, ms: number): Step<ConsumerContext> => none(withCtx(ctx, { stallMs: ctx.stallMs + ms }));

// ---------------------------------------------------------------- seek

/** seek(tp, offset): the next poll reads from there; buffered records of tp are dropped (§2.8). */
export const seek = (ctx: ConsumerContext, tp: TopicPartition, offset: number): Step<ConsumerContext> => {
  if (!ctx.assignment.includes(tp)) return none(ctx);
  return {
    ctx: withCtx(ctx, {
      positions: { ...ctx.positions, [tp]: offset },
      buffer: ctx.buffer.filter((r, i) => r.tp !== tp || i === 0),
    }),
    out: [observe({ type: 'Positioned', tp, offset, source: 'seek' })],
  };
};

// ---------------------------------------------------------------- cooperative rebalancing (KIP-429, §2.4, §3.2)

/** A cooperative member that still holds its generation re-joins without revoking anything. */
export const needsCooperativeJoin = (ctx: ConsumerContext): boolean =>
  ctx.rejoinNeeded && cooperative(ctx) && !ctx.generationLost;

/**
 * The background JoinGroup and SyncGroup have their own request timeout, the timer 'rebalance'
 * (the rebalance timeout + JOIN_TIMEOUT_LAPSE_MS, as in the foreground): the poll loop keeps
 * arming 'request' for its fetches and commits meanwhile, which would otherwise erase it.
 */
export const BACKGROUND_REBALANCE_TIMER = 'rebalance';
const inBackground = (step: Step<ConsumerContext>): Step<ConsumerContext> => ({
  ctx: step.ctx,
  out: step.out.map((e) => (e.type === 'SetTimer' && e.timer === 'request' ? { ...e, timer: BACKGROUND_REBALANCE_TIMER } : e)),
});
const cancelBackgroundTimer: Effect = { type: 'CancelTimer', timer: BACKGROUND_REBALANCE_TIMER };

/** JoinGroup with the owned partitions, unless a background join is already under way; polling goes on. */
export const joinCooperatively = (ctx: ConsumerContext): Step<ConsumerContext> => {
  if (ctx.coopPhase !== 'idle') return none(ctx);
  return inBackground(sendJoin(withCtx(ctx, { rejoinNeeded: false, coopPhase: 'joining' })));
};

export const isCooperativePhase = (ctx: ConsumerContext, phase: CooperativePhase): boolean => ctx.coopPhase === phase;

/** The background JoinGroup succeeded: as `joined`, and the member now waits for its assignment. */
export const joinedInBackground = (ctx: ConsumerContext, ev: Res<'JoinGroupResponse'>): Step<ConsumerContext> => {
  const step = inBackground(joined(ctx, ev));
  return { ctx: withCtx(step.ctx, { coopPhase: isLeaderResponse(ev) ? 'assigning' : 'syncing' }), out: step.out };
};

/** The leader role's plan for a background join: send it in SyncGroup. */
export const syncAsLeaderInBackground = (ctx: ConsumerContext, assignments: Readonly<Record<string, readonly TopicPartition[]>>): Step<ConsumerContext> => {
  const step = inBackground(syncAsLeader(ctx, assignments));
  return { ctx: withCtx(step.ctx, { coopPhase: 'syncing' }), out: step.out };
};

/** The background SyncGroup answered NONE: STABLE; the assignment waits for the top of poll(). */
export const syncedInBackground = (ctx: ConsumerContext, ev: Res<'SyncGroupResponse'>): Step<ConsumerContext> => ({
  // A generation reset learnt meanwhile still wins: the top of poll() then loses everything (§2.4).
  ctx: withCtx(ctx, { coopPhase: 'idle', pendingAssignment: ev.assignment, stable: true, rejoinNeeded: ctx.generationLost }),
  out: [cancelBackgroundTimer],
});

/**
 * A background JoinGroup or SyncGroup failed: re-join at the next poll. UNKNOWN_MEMBER_ID and
 * ILLEGAL_GENERATION reset the generation, so the partitions are lost, not kept (§2.1, §2.4).
 * A routing error also looks the coordinator up again, as in the foreground (§2.1: NOT_COORDINATOR
 * → rediscover): the heartbeat thread, which would otherwise notice, is off during a join (§2.2),
 * so without it the member re-sent its JoinGroup to the old coordinator forever.
 */
export const backgroundRebalanceFailed = (ctx: ConsumerContext, ev: Res<'JoinGroupResponse'> | Res<'SyncGroupResponse'>): Step<ConsumerContext> => {
  const fenced = ev.error === 'UNKNOWN_MEMBER_ID' || ev.error === 'ILLEGAL_GENERATION';
  return {
    ctx: withCtx(ctx, {
      coopPhase: 'idle',
      rejoinNeeded: true,
      generationLost: ctx.generationLost || fenced,
      memberId: ev.error === 'UNKNOWN_MEMBER_ID' ? '' : ctx.memberId,
    }),
    out: isRoutingError(ev.error) && ev.error !== 'COORDINATOR_LOAD_IN_PROGRESS' ? [cancelBackgroundTimer, lookup(ctx)] : [cancelBackgroundTimer],
  };
};

/**
 * The background JoinGroup or SyncGroup got no answer within its timeout (a lost message): as in
 * the foreground, the connection is closed and the coordinator looked up again (§2.1: a
 * disconnect is retriable), and the member re-joins at its next poll, keeping its partitions.
 * Without this a member whose JoinGroup answer was lost waits for it forever: its heartbeats
 * stopped with the JoinGroup (§2.2), so nothing else ever tells it it was removed.
 */
export const backgroundRebalanceTimedOut = (ctx: ConsumerContext): Step<ConsumerContext> => {
  if (ctx.coopPhase === 'idle') return none(ctx);
  return { ctx: withCtx(ctx, { coopPhase: 'idle', rejoinNeeded: true }), out: [{ type: 'Disconnect', to: COORDINATOR }, lookup(ctx)] };
};

export const canApplyAssignment = (ctx: ConsumerContext): boolean => ctx.pendingAssignment !== null && !ctx.generationLost;

const revokedByPending = (ctx: ConsumerContext): TopicPartition[] => {
  const next = ctx.pendingAssignment ?? ctx.assignment;
  return ctx.assignment.filter((tp) => !next.includes(tp));
};

/** Auto-committing members commit the partitions they are about to revoke (§2.5, as the eager revoke does). */
export const needsCooperativeRevokeCommit = (ctx: ConsumerContext): boolean => {
  if (!canApplyAssignment(ctx) || !(ctx.config.policy === 'auto-commit-java' || ctx.config.policy === 'auto-commit-timer') || !canCommit(ctx)) return false;
  const offsets = offsetsOnRevokeOrClose(ctx);
  return revokedByPending(ctx).some((tp) => offsets[tp] !== undefined);
};

export const commitBeforeCooperativeRevoke = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const offsets = offsetsOnRevokeOrClose(ctx);
  const revoking: Record<TopicPartition, number> = {};
  for (const tp of revokedByPending(ctx)) if (offsets[tp] !== undefined) revoking[tp] = offsets[tp];
  return commitSync(ctx, revoking, 'assign');
};

/**
 * onJoinComplete for a cooperative member (§2.4): revoke owned − assigned (onPartitionsRevoked),
 * announce the assignment, fetch committed offsets of the added partitions only, and ask for the
 * second rebalance at once if anything was revoked, so the leader can hand those partitions out.
 */
export const applyAssignment = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const next = ctx.pendingAssignment ?? ctx.assignment;
  const revoked = revokedByPending(ctx);
  const added = next.filter((tp) => !ctx.assignment.includes(tp));
  const keep = <T>(r: Readonly<Record<TopicPartition, T>>): Record<TopicPartition, T> => {
    const o: Record<TopicPartition, T> = {};
    for (const tp of next) if (r[tp] !== undefined) o[tp] = r[tp];
    return o;
  };
  const out: Effect[] = [];
  if (revoked.length > 0) out.push(observe({ type: 'Revoked', group: ctx.group, partitions: revoked, reason: 'rebalance' }));
  out.push(
    observe({ type: 'Assigned', group: ctx.group, generation: ctx.generation, partitions: next }),
    toCoordinator({ type: 'OffsetFetch', from: ctx.name, group: ctx.group, partitions: added }),
  );
  return {
    ctx: withCtx(ctx, {
      assignment: next,
      ownedGeneration: ctx.generation,
      pendingAssignment: null,
      positions: keep(ctx.positions),
      processed: keep(ctx.processed),
      store: keep(ctx.store),
      buffer: ctx.buffer.filter((r) => next.includes(r.tp)),
      rejoinNeeded: ctx.rejoinNeeded || revoked.length > 0,
    }),
    out,
  };
};
