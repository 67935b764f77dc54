/**
 * Pure handlers of the consumer member and its application loop, used by consumer.machine.ts.
 *
 * The member follows the Java classic consumer (kafka-protocol.md §2.1-§2.5): rejoins happen on
 * the application thread at the top of poll(); eager rebalances revoke everything before
 * JoinGroup (§2.4); a heartbeat "thread" runs once JoinGroup succeeded and learns of rebalances
 * and fencing (§2.2). The application polls, processes one record at a time (each takes
 * processingMs) and commits according to its processing policy (models/types.ts).
 *
 * Not modelled: cooperative rebalancing, static membership, max.poll.interval.ms expiry on the
 * client (the coordinator's rebalance timeout still applies), pause()/resume() of partitions.
 */
import type { Effect, Step } from '../effects.ts';
import type { CommitError, MemberObservation, PositionSource } from '../history.ts';
import { BROKER, COORDINATOR, type Request, type Response } from '../protocol.ts';
import type { ConsumerConfig, LogRecord, TopicPartition } from '../types.ts';

/** Where a sync commit returns to once answered. */
export type AfterCommit = 'next-record' | 'process-batch' | 'poll' | 'join' | 'leave';

export interface ConsumerInput {
  readonly name: string;
  readonly group: string;
  readonly topics: readonly string[];
  /** 'assign': manual assignment of `partitions`, no group membership, commits with generation -1. */
  readonly mode: 'subscribe' | 'assign';
  readonly partitions: readonly TopicPartition[];
  readonly config: ConsumerConfig;
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
}

/** A member that owns nothing: no partitions, positions, buffered records or offsets to commit. */
export const NOTHING_OWNED = { assignment: [], positions: {}, buffer: [], processed: {}, store: {} } as const satisfies Partial<ConsumerContext>;

export const initialConsumerContext = (input: ConsumerInput): ConsumerContext => ({
  ...input,
  memberId: '',
  generation: -1,
  heartbeatEnabled: false,
  stable: false,
  ...NOTHING_OWNED,
  rejoinNeeded: false,
  generationLost: false,
  closing: false,
  autoCommitDue: false,
  commitSeq: 0,
  awaitingCommit: -1,
  afterCommit: 'poll',
  fetchSeq: 0,
  lastProcessed: null,
});

type Res<T extends Response['type']> = Extract<Response, { type: T }>;

const observe = (event: MemberObservation): Effect => ({ type: 'Observe', event });
const toCoordinator = (message: Request): Effect => ({ type: 'Send', to: COORDINATOR, message });
const toBroker = (message: Request): Effect => ({ type: 'Send', to: BROKER, message });
const none = (ctx: ConsumerContext): Step<ConsumerContext> => ({ ctx, out: [] });

// ---------------------------------------------------------------- start, join, sync

export const findCoordinator = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const out: Effect[] = [{ type: 'Send', to: BROKER, message: { type: 'FindCoordinator', from: ctx.name, group: ctx.group } }];
  if (ctx.config.policy === 'auto-commit-java' || ctx.config.policy === 'auto-commit-timer') {
    out.push({ type: 'SetTimer', timer: 'autocommit', delayMs: ctx.config.autoCommitIntervalMs });
  }
  return { ctx, out };
};

export const sendJoin = (ctx: ConsumerContext): Step<ConsumerContext> => ({
  ctx: { ...ctx, heartbeatEnabled: false, stable: false },
  out: [
    { type: 'CancelTimer', timer: 'heartbeat' },
    toCoordinator({
      type: 'JoinGroup',
      from: ctx.name,
      group: ctx.group,
      memberId: ctx.memberId,
      protocols: ctx.config.assignors,
      topics: ctx.topics,
      sessionTimeoutMs: ctx.config.sessionTimeoutMs,
      rebalanceTimeoutMs: ctx.config.maxPollIntervalMs,
    }),
  ],
});

export const isJoinOk = (ev: Res<'JoinGroupResponse'>): boolean => ev.error === 'NONE';
export const isLeaderResponse = (ev: Res<'JoinGroupResponse'>): boolean => ev.error === 'NONE' && ev.leaderId === ev.memberId;

/** JoinGroup answered NONE: the generation is ours; the heartbeat thread starts (§2.1, §2.2). */
export const joined = (ctx: ConsumerContext, ev: Res<'JoinGroupResponse'>): Step<ConsumerContext> => {
  const next = { ...ctx, memberId: ev.memberId, generation: ev.generation, heartbeatEnabled: true };
  const leader = ev.leaderId === ev.memberId;
  const out: Effect[] = [
    observe({ type: 'Joined', group: ctx.group, generation: ev.generation, leader }),
    { type: 'SetTimer', timer: 'heartbeat', delayMs: ctx.config.heartbeatIntervalMs },
  ];
  if (leader) out.push({ type: 'Lead', generation: ev.generation, protocol: ev.protocol, members: ev.members });
  else out.push(toCoordinator({ type: 'SyncGroup', from: ctx.name, group: ctx.group, memberId: ev.memberId, generation: ev.generation, assignments: null }));
  return { ctx: next, out };
};

/** A JoinGroup error: UNKNOWN_MEMBER_ID forgets the member id; all retry at once (§2.1). */
export const joinFailed = (ctx: ConsumerContext, ev: Res<'JoinGroupResponse'>): Step<ConsumerContext> =>
  sendJoin({ ...ctx, memberId: ev.error === 'UNKNOWN_MEMBER_ID' ? '' : ctx.memberId, generation: -1 });

/** The leader role computed the assignment (leader.machine.ts); send it in SyncGroup. */
export const syncAsLeader = (ctx: ConsumerContext, assignments: Readonly<Record<string, readonly TopicPartition[]>>): Step<ConsumerContext> => ({
  ctx,
  out: [toCoordinator({ type: 'SyncGroup', from: ctx.name, group: ctx.group, memberId: ctx.memberId, generation: ctx.generation, assignments })],
});

export const isSyncOk = (ev: Res<'SyncGroupResponse'>): boolean => ev.error === 'NONE';

/**
 * SyncGroup answered: the assignment is ours and the member is STABLE, which also clears any
 * rejoin request made while it was rebalancing (§2.1); fetch the committed offsets (§2.8).
 */
export const synced = (ctx: ConsumerContext, ev: Res<'SyncGroupResponse'>): Step<ConsumerContext> => ({
  ctx: { ...ctx, assignment: ev.assignment, stable: true, rejoinNeeded: false },
  out: [
    observe({ type: 'Assigned', group: ctx.group, generation: ctx.generation, partitions: ev.assignment }),
    toCoordinator({ type: 'OffsetFetch', from: ctx.name, group: ctx.group, partitions: ev.assignment }),
  ],
});

/** A SyncGroup error: rejoin; UNKNOWN_MEMBER_ID forgets the member id (§2.1). */
export const syncFailed = (ctx: ConsumerContext, ev: Res<'SyncGroupResponse'>): Step<ConsumerContext> =>
  sendJoin({ ...ctx, memberId: ev.error === 'UNKNOWN_MEMBER_ID' ? '' : ctx.memberId, generation: -1 });

/** Manual assignment: no group; fetch committed offsets of the chosen partitions. */
export const assignManually = (ctx: ConsumerContext): Step<ConsumerContext> => ({
  ctx: { ...ctx, assignment: ctx.partitions },
  out: [toCoordinator({ type: 'OffsetFetch', from: ctx.name, group: ctx.group, partitions: ctx.partitions })],
});

/** Initial positions: the committed offset, else auto.offset.reset (§2.8). */
export const positioned = (ctx: ConsumerContext, ev: Res<'OffsetFetchResponse'>): Step<ConsumerContext> => {
  const positions: Record<TopicPartition, number> = {};
  const out: Effect[] = [];
  for (const tp of ctx.assignment) {
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
    out.push(observe({ type: 'Positioned', tp, offset, source }));
  }
  return { ctx: { ...ctx, positions, processed: { ...positions }, store: {} }, out };
};

// ---------------------------------------------------------------- the poll loop

const commitRequest = (ctx: ConsumerContext, offsets: Readonly<Record<TopicPartition, number>>, after: AfterCommit | null): Step<ConsumerContext> => {
  const seq = ctx.commitSeq + 1;
  return {
    ctx: { ...ctx, commitSeq: seq, awaitingCommit: after === null ? ctx.awaitingCommit : seq, afterCommit: after ?? ctx.afterCommit },
    out: [
      observe({ type: 'CommitRequested', group: ctx.group, generation: ctx.generation, offsets, seq }),
      toCoordinator({ type: 'OffsetCommit', from: ctx.name, group: ctx.group, memberId: ctx.memberId, generation: ctx.generation, offsets, seq }),
    ],
  };
};

/** A sync commit: the member waits for the answer, then continues with `after`. */
export const commitSync = (ctx: ConsumerContext, offsets: Readonly<Record<TopicPartition, number>>, after: AfterCommit): Step<ConsumerContext> =>
  commitRequest(ctx, offsets, after);

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
  const cleared: ConsumerContext = {
    ...ctx,
    ...NOTHING_OWNED,
    rejoinNeeded: false,
    generationLost: false,
    generation: -1,
  };
  const join = sendJoin(cleared);
  return { ctx: join.ctx, out: [...out, ...join.out] };
};

/** The consumer closes: LeaveGroup for group members (§1.8), then the process may exit. */
export const leave = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const out: Effect[] = [
    { type: 'CancelTimer', timer: 'heartbeat' },
    { type: 'CancelTimer', timer: 'autocommit' },
    { type: 'CancelTimer', timer: 'process' },
  ];
  if (ctx.assignment.length > 0) out.push(observe({ type: 'Revoked', group: ctx.group, partitions: ctx.assignment, reason: 'close' }));
  if (ctx.mode === 'subscribe' && ctx.memberId !== '') {
    out.push(toCoordinator({ type: 'LeaveGroup', from: ctx.name, group: ctx.group, memberId: ctx.memberId }));
  }
  out.push(observe({ type: 'Left', group: ctx.group }), { type: 'Exit' });
  return { ctx: { ...ctx, assignment: [], buffer: [], heartbeatEnabled: false }, out };
};

/** Top of poll(): Java's auto-commit of earlier polls' positions (async, §2.6), then Fetch. */
export const poll = (ctx: ConsumerContext): Step<ConsumerContext> => {
  let step: Step<ConsumerContext> = { ctx, out: [] };
  if (ctx.config.policy === 'auto-commit-java' && ctx.autoCommitDue) {
    const offsets = ownedOnly(ctx, ctx.positions);
    step = canCommit(ctx) && Object.keys(offsets).length > 0 ? commitRequest(ctx, offsets, null) : step;
    step = { ctx: { ...step.ctx, autoCommitDue: false }, out: [...step.out, { type: 'SetTimer', timer: 'autocommit', delayMs: ctx.config.autoCommitIntervalMs }] };
  }
  const c = step.ctx;
  const fetchSeq = c.fetchSeq + 1;
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
  return { ctx: { ...c, fetchSeq }, out: [...step.out, toBroker(fetch)] };
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
  return { ctx: { ...ctx, positions, store, buffer: kept }, out };
};

export const hasBuffered = (ctx: ConsumerContext): boolean => ctx.buffer.length > 0;

/** Commit-before-process: commit the positions of the batch just returned, then process it. */
export const commitBeforeProcess = (ctx: ConsumerContext): Step<ConsumerContext> =>
  commitSync(ctx, ownedOnly(ctx, ctx.positions), 'process-batch');

export const startProcessing = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const r = ctx.buffer[0];
  if (r === undefined) return none(ctx);
  return {
    ctx,
    out: [observe({ type: 'ProcessStarted', tp: r.tp, offset: r.offset }), { type: 'SetTimer', timer: 'process', delayMs: ctx.config.processingMs }],
  };
};

export const finishProcessing = (ctx: ConsumerContext): Step<ConsumerContext> => {
  const r = ctx.buffer[0];
  if (r === undefined) return none(ctx);
  return {
    ctx: { ...ctx, buffer: ctx.buffer.slice(1), processed: { ...ctx.processed, [r.tp]: r.offset + 1 }, lastProcessed: r },
    out: [observe({ type: 'Processed', tp: r.tp, offset: r.offset })],
  };
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
const onCommitError = (ctx: ConsumerContext, error: CommitError): ConsumerContext => {
  // COORDINATOR_NOT_AVAILABLE is retriable: the client rediscovers the coordinator, no rejoin (§2.7).
  if (error === 'NONE' || error === 'COORDINATOR_NOT_AVAILABLE' || ctx.mode === 'assign') return ctx;
  const fenced = error === 'ILLEGAL_GENERATION' || error === 'UNKNOWN_MEMBER_ID';
  return {
    ...ctx,
    rejoinNeeded: true,
    generationLost: ctx.generationLost || fenced,
    memberId: error === 'UNKNOWN_MEMBER_ID' ? '' : ctx.memberId,
  };
};

/** The awaited sync commit answered OK or not; a failure drops the rest of the batch (CommitFailedException). */
export const syncCommitAnswered = (ctx: ConsumerContext, ev: Res<'OffsetCommitResponse'>): Step<ConsumerContext> => {
  const failed = ev.error !== 'NONE';
  const next = onCommitError({ ...ctx, awaitingCommit: -1, buffer: failed && ctx.mode === 'subscribe' ? [] : ctx.buffer }, ev.error);
  return { ctx: next, out: [commitObservation(ctx, ev)] };
};

/** An async commit (auto-commit) answered: recorded; an error asks for a rejoin (§2.7). */
export const asyncCommitAnswered = (ctx: ConsumerContext, ev: Res<'OffsetCommitResponse'>): Step<ConsumerContext> => ({
  ctx: onCommitError(ctx, ev.error),
  out: [commitObservation(ctx, ev)],
});

export const commitSucceeded = (ev: Res<'OffsetCommitResponse'>): boolean => ev.error === 'NONE';

// ---------------------------------------------------------------- background: heartbeat, auto-commit timer

export const heartbeatTick = (ctx: ConsumerContext): Step<ConsumerContext> => {
  if (!ctx.heartbeatEnabled || ctx.memberId === '') return none(ctx);
  return {
    ctx,
    out: [
      toCoordinator({ type: 'Heartbeat', from: ctx.name, group: ctx.group, memberId: ctx.memberId, generation: ctx.generation }),
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
  if (ev.error === 'REBALANCE_IN_PROGRESS') return none(ctx.stable ? { ...ctx, rejoinNeeded: true } : ctx);
  const fenced = ev.error === 'ILLEGAL_GENERATION' || ev.error === 'UNKNOWN_MEMBER_ID';
  if (!fenced) return none(ctx);
  return {
    ctx: {
      ...ctx,
      rejoinNeeded: true,
      generationLost: true,
      heartbeatEnabled: false,
      memberId: ev.error === 'UNKNOWN_MEMBER_ID' ? '' : ctx.memberId,
    },
    out: [{ type: 'CancelTimer', timer: 'heartbeat' }],
  };
};

/**
 * The auto-commit timer. Java: marks the commit due for the next poll(). librdkafka: commits
 * the offset store from the background at once, whatever the application is doing (§2.6).
 */
export const autoCommitTick = (ctx: ConsumerContext): Step<ConsumerContext> => {
  if (ctx.config.policy === 'auto-commit-java') return none({ ...ctx, autoCommitDue: true });
  const rearm: Effect = { type: 'SetTimer', timer: 'autocommit', delayMs: ctx.config.autoCommitIntervalMs };
  const offsets = ownedOnly(ctx, ctx.store);
  if (!canCommit(ctx) || Object.keys(offsets).length === 0) return { ctx, out: [rearm] };
  const step = commitRequest(ctx, offsets, null);
  return { ctx: step.ctx, out: [...step.out, rearm] };
};

// ---------------------------------------------------------------- seek

/** seek(tp, offset): the next poll reads from there; buffered records of tp are dropped (§2.8). */
export const seek = (ctx: ConsumerContext, tp: TopicPartition, offset: number): Step<ConsumerContext> => {
  if (!ctx.assignment.includes(tp)) return none(ctx);
  return {
    ctx: {
      ...ctx,
      positions: { ...ctx.positions, [tp]: offset },
      buffer: ctx.buffer.filter((r, i) => r.tp !== tp || i === 0),
    },
    out: [observe({ type: 'Positioned', tp, offset, source: 'seek' })],
  };
};
