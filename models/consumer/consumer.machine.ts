/**
 * The consumer member and its application loop as an XState v5 machine.
 *
 * Main states follow the Java classic member (kafka-protocol.md §2.1): FindingCoordinator,
 * Joining (PREPARING_REBALANCE), Assigning (the leader runs the assignor), Syncing
 * (COMPLETING_REBALANCE), then the application's poll loop (STABLE): FetchingOffsets, Polling,
 * Fetching, Processing, Committing. The heartbeat thread and the auto-commit timer are root-level
 * handlers that only set flags; the loop acts on them at the top of the next poll, as the Java
 * consumer does (§2.2). Eager rebalances revoke everything before JoinGroup, so a member never
 * consumes between its revoke and its next assignment (§2.4). Cooperative members (KIP-429, §3.2)
 * re-join in the background: root-level handlers take the JoinGroup/SyncGroup answers while the
 * poll loop goes on, and the top of poll() applies the new assignment (revoke only what moved).
 *
 * Pure: time passes only through `Timer` events the simulator fires; every outbound message,
 * timer and observation is emitted as an Effect (models/effects.ts).
 */
import { and, setup } from 'xstate';
import { pureAction } from '../pureAction.ts';
import type { Effect, Step, TimerEvent } from '../effects.ts';
import type { Response } from '../protocol.ts';
import type { TopicPartition } from '../types.ts';
import {
  applyAssignment,
  assignManually,
  BACKGROUND_REBALANCE_TIMER,
  backgroundRebalanceFailed,
  backgroundRebalanceTimedOut,
  canApplyAssignment,
  commitBeforeCooperativeRevoke,
  isCooperativePhase,
  joinCooperatively,
  joinedInBackground,
  needsCooperativeJoin,
  needsCooperativeRevokeCommit,
  syncAsLeaderInBackground,
  syncedInBackground,
  asyncCommitAnswered,
  autoCommitTick,
  commitBatch,
  commitBeforeProcess,
  commitOnClose,
  commitOnRevoke,
  commitRecord,
  commitSucceeded,
  coordinatorTimedOut,
  fetchOffsets,
  fetchTimedOut,
  finishProcessing,
  findCoordinator,
  handOff,
  hasBuffered,
  heartbeatAnswered,
  heartbeatTick,
  initialConsumerContext,
  isAwaitedCommit,
  isCommitFailedLocally,
  isCurrentFetch,
  isLeaderResponse,
  isOffsetFetchOk,
  isRoutingError,
  joined,
  joinFailed,
  leave,
  lookupCoordinator,
  needsCloseCommit,
  needsRevokeCommit,
  poll,
  pollTimeoutExpired,
  positioned,
  retryLater,
  retrySyncCommit,
  revokeAndJoin,
  seek,
  sendJoin,
  stall,
  startProcessing,
  syncAsLeader,
  syncCommitAnswered,
  syncCommitRetryLater,
  syncCommitTimedOut,
  synced,
  syncFailed,
  syncRetryLater,
  type ConsumerContext,
  type ConsumerInput,
} from './consumer.logic.ts';

export type ConsumerEvent =
  | Response
  | TimerEvent
  | { readonly type: 'Start' }
  | { readonly type: 'LeaveRequest' }
  | { readonly type: 'SeekRequest'; readonly tp: TopicPartition; readonly offset: number }
  | { readonly type: 'StallRequest'; readonly ms: number }
  | {
      readonly type: 'AssignmentComputed';
      readonly generation: number;
      readonly assignments: Readonly<Record<string, readonly TopicPartition[]>>;
      /** The partition counts the assignment was computed from (the leader's metadata snapshot). */
      readonly partitionsPerTopic?: Readonly<Record<string, number>>;
    };

export type ConsumerHandler = (ctx: ConsumerContext, ev: ConsumerEvent) => Step<ConsumerContext>;
type Handler = ConsumerHandler;

/** Turns a pure handler into an action (exported for bug-zoo variants, see models/zoo.ts). */
export const consumerAction = (f: Handler) => pureAction<ConsumerContext, ConsumerEvent>((c, e) => f(c, e));

export const on = <T extends ConsumerEvent['type']>(type: T, f: (ctx: ConsumerContext, ev: Extract<ConsumerEvent, { type: T }>) => Step<ConsumerContext>): Handler =>
  (ctx, ev) => (ev.type === type ? f(ctx, ev as Extract<ConsumerEvent, { type: T }>) : { ctx, out: [] });

const timerIs = (ev: ConsumerEvent, name: string): boolean => ev.type === 'Timer' && ev.timer === name;
const policyIs = (ctx: ConsumerContext, p: ConsumerContext['config']['policy']): boolean => ctx.config.policy === p;
const errorOf = (ev: ConsumerEvent): string | undefined => ('error' in ev ? ev.error : undefined);

export const consumerMachine = setup({
  types: {} as {
    context: ConsumerContext;
    events: ConsumerEvent;
    emitted: Effect;
    input: ConsumerInput;
  },
  guards: {
    isSubscribed: ({ context }) => context.mode === 'subscribe',
    isJoinOk: ({ event }) => event.type === 'JoinGroupResponse' && errorOf(event) === 'NONE',
    isLeader: ({ event }) => event.type === 'JoinGroupResponse' && isLeaderResponse(event),
    isFatalJoinError: ({ event }) => event.type === 'JoinGroupResponse' && (errorOf(event) === 'INCONSISTENT_GROUP_PROTOCOL' || errorOf(event) === 'FENCED_INSTANCE_ID'),
    isFencedSync: ({ event }) => event.type === 'SyncGroupResponse' && errorOf(event) === 'FENCED_INSTANCE_ID',
    isFenced: ({ context }) => context.fenced,
    isRoutingError: ({ event }) => isRoutingError(errorOf(event) ?? 'NONE'),
    isRequestTimer: ({ event }) => timerIs(event, 'request'),
    isRetryTimer: ({ event }) => timerIs(event, 'retry'),
    isOffsetFetchOk: ({ event }) => event.type === 'OffsetFetchResponse' && isOffsetFetchOk(event),
    isCurrentGenerationAssignment: ({ context, event }) => event.type === 'AssignmentComputed' && event.generation === context.generation,
    isSyncOk: ({ event }) => event.type === 'SyncGroupResponse' && errorOf(event) === 'NONE',
    isClosing: ({ context }) => context.closing,
    needsCloseCommit: ({ context }) => needsCloseCommit(context),
    isRejoinNeeded: ({ context }) => context.rejoinNeeded && context.mode === 'subscribe',
    needsRevokeCommit: ({ context }) => needsRevokeCommit(context),
    isCurrentFetch: ({ context, event }) => event.type === 'FetchResponse' && isCurrentFetch(context, event),
    hasBuffered: ({ context }) => hasBuffered(context),
    commitsBeforeProcessing: ({ context }) => policyIs(context, 'commit-before-process'),
    commitsEachRecord: ({ context }) => policyIs(context, 'commit-per-message'),
    commitsEachBatch: ({ context }) => policyIs(context, 'commit-after-batch'),
    isProcessTimer: ({ event }) => timerIs(event, 'process'),
    isAwaitedCommit: ({ context, event }) => event.type === 'OffsetCommitResponse' && isAwaitedCommit(context, event),
    isRetriableCommitError: ({ event }) => event.type === 'OffsetCommitResponse' && isRoutingError(event.error),
    commitOk: ({ event }) => event.type === 'OffsetCommitResponse' && commitSucceeded(event),
    isCommitFailedLocally: ({ context }) => isCommitFailedLocally(context),
    afterIsNextRecord: ({ context }) => context.afterCommit === 'next-record',
    afterIsProcessBatch: ({ context }) => context.afterCommit === 'process-batch',
    afterIsJoin: ({ context }) => context.afterCommit === 'join',
    afterIsLeave: ({ context }) => context.afterCommit === 'leave',
    afterIsAssign: ({ context }) => context.afterCommit === 'assign',
    needsCooperativeJoin: ({ context }) => needsCooperativeJoin(context),
    canApplyAssignment: ({ context }) => canApplyAssignment(context),
    needsCooperativeRevokeCommit: ({ context }) => needsCooperativeRevokeCommit(context),
    isCooperativeJoining: ({ context }) => isCooperativePhase(context, 'joining'),
    isCooperativeAssigning: ({ context }) => isCooperativePhase(context, 'assigning'),
    isCooperativeSyncing: ({ context }) => isCooperativePhase(context, 'syncing'),
  },
  actions: {
    findCoordinator: consumerAction((c) => findCoordinator(c)),
    lookupCoordinator: consumerAction((c) => lookupCoordinator(c)),
    retryLater: consumerAction((c, e) => retryLater(c, errorOf(e) ?? 'NONE')),
    coordinatorTimedOut: consumerAction((c) => coordinatorTimedOut(c)),
    syncRetryLater: consumerAction((c, e) => syncRetryLater(c, e.type === 'Timer' ? 'REQUEST_TIMED_OUT' : (errorOf(e) ?? 'NONE'))),
    fetchOffsets: consumerAction((c) => fetchOffsets(c)),
    fetchTimedOut: consumerAction((c) => fetchTimedOut(c)),
    syncCommitRetryLater: consumerAction(on('OffsetCommitResponse', syncCommitRetryLater)),
    syncCommitTimedOut: consumerAction((c) => syncCommitTimedOut(c)),
    retrySyncCommit: consumerAction((c) => retrySyncCommit(c)),
    sendJoin: consumerAction((c) => sendJoin(c)),
    joined: consumerAction(on('JoinGroupResponse', joined)),
    joinFailed: consumerAction(on('JoinGroupResponse', joinFailed)),
    syncAsLeader: consumerAction(on('AssignmentComputed', (c, e) => syncAsLeader(c, e.assignments, e.partitionsPerTopic ?? null))),
    synced: consumerAction(on('SyncGroupResponse', synced)),
    syncFailed: consumerAction(on('SyncGroupResponse', syncFailed)),
    assignManually: consumerAction((c) => assignManually(c)),
    positioned: consumerAction(on('OffsetFetchResponse', positioned)),
    commitOnClose: consumerAction((c) => commitOnClose(c)),
    commitOnRevoke: consumerAction((c) => commitOnRevoke(c)),
    revokeAndJoin: consumerAction((c) => revokeAndJoin(c)),
    leave: consumerAction((c) => leave(c)),
    poll: consumerAction((c) => poll(c)),
    handOff: consumerAction(on('FetchResponse', handOff)),
    commitBeforeProcess: consumerAction((c) => commitBeforeProcess(c)),
    startProcessing: consumerAction((c) => startProcessing(c)),
    finishProcessing: consumerAction((c) => finishProcessing(c)),
    commitRecord: consumerAction((c) => (c.lastProcessed === null ? { ctx: c, out: [] } : commitRecord(c, c.lastProcessed))),
    commitBatch: consumerAction((c) => commitBatch(c)),
    syncCommitAnswered: consumerAction(on('OffsetCommitResponse', syncCommitAnswered)),
    asyncCommitAnswered: consumerAction(on('OffsetCommitResponse', asyncCommitAnswered)),
    heartbeatTick: consumerAction((c) => heartbeatTick(c)),
    heartbeatAnswered: consumerAction(on('HeartbeatResponse', heartbeatAnswered)),
    autoCommitTick: consumerAction((c) => autoCommitTick(c)),
    requestClose: consumerAction((c) => ({ ctx: { ...c, closing: true }, out: [] })),
    seek: consumerAction(on('SeekRequest', (c, e) => seek(c, e.tp, e.offset))),
    stall: consumerAction(on('StallRequest', (c, e) => stall(c, e.ms))),
    pollTimeoutExpired: consumerAction((c) => pollTimeoutExpired(c)),
    /** FENCED_INSTANCE_ID answered a JoinGroup or SyncGroup: fatal (§1.9, §2.1). */
    markFenced: consumerAction((c) => (c.groupInstanceId === undefined ? { ctx: c, out: [] } : { ctx: { ...c, fenced: true }, out: [] })),
    joinCooperatively: consumerAction((c) => joinCooperatively(c)),
    joinedInBackground: consumerAction(on('JoinGroupResponse', joinedInBackground)),
    syncAsLeaderInBackground: consumerAction(on('AssignmentComputed', (c, e) => syncAsLeaderInBackground(c, e.assignments))),
    syncedInBackground: consumerAction(on('SyncGroupResponse', syncedInBackground)),
    joinFailedInBackground: consumerAction(on('JoinGroupResponse', backgroundRebalanceFailed)),
    syncFailedInBackground: consumerAction(on('SyncGroupResponse', backgroundRebalanceFailed)),
    backgroundRebalanceTimedOut: consumerAction((c) => backgroundRebalanceTimedOut(c)),
    commitBeforeCooperativeRevoke: consumerAction((c) => commitBeforeCooperativeRevoke(c)),
    applyAssignment: consumerAction((c) => applyAssignment(c)),
  },
}).createMachine({
  id: 'consumer',
  context: ({ input }) => initialConsumerContext(input),
  initial: 'Idle',
  on: {
    Timer: [
      { guard: ({ event }) => timerIs(event, 'heartbeat'), actions: 'heartbeatTick' },
      { guard: ({ event }) => timerIs(event, 'autocommit'), actions: 'autoCommitTick' },
      { guard: ({ event }) => timerIs(event, 'maxpoll'), actions: 'pollTimeoutExpired' },
      { guard: ({ event }) => timerIs(event, BACKGROUND_REBALANCE_TIMER), actions: 'backgroundRebalanceTimedOut' },
    ],
    HeartbeatResponse: { actions: 'heartbeatAnswered' },
    OffsetCommitResponse: { actions: 'asyncCommitAnswered' },
    LeaveRequest: { actions: 'requestClose' },
    SeekRequest: { actions: 'seek' },
    StallRequest: { actions: 'stall' },
    // A cooperative member's background re-join (KIP-429): answered while the poll loop goes on.
    // States of the foreground join (Joining, Assigning, Syncing) handle these events themselves.
    JoinGroupResponse: [
      { guard: and(['isCooperativeJoining', 'isJoinOk']), actions: 'joinedInBackground' },
      { guard: 'isCooperativeJoining', actions: 'joinFailedInBackground' },
    ],
    AssignmentComputed: { guard: and(['isCooperativeAssigning', 'isCurrentGenerationAssignment']), actions: 'syncAsLeaderInBackground' },
    SyncGroupResponse: [
      { guard: and(['isCooperativeSyncing', 'isSyncOk']), actions: 'syncedInBackground' },
      { guard: 'isCooperativeSyncing', actions: 'syncFailedInBackground' },
    ],
  },
  states: {
    Idle: {
      on: { Start: { target: 'FindingCoordinator', actions: 'findCoordinator' } },
    },
    FindingCoordinator: {
      on: {
        FindCoordinatorResponse: [
          { guard: 'isSubscribed', target: 'Joining', actions: 'sendJoin' },
          { target: 'FetchingOffsets', actions: 'assignManually' },
        ],
        Timer: { guard: 'isRequestTimer', actions: 'lookupCoordinator' },
      },
    },
    Joining: {
      on: {
        JoinGroupResponse: [
          { guard: 'isLeader', target: 'Assigning', actions: 'joined' },
          { guard: 'isJoinOk', target: 'Syncing', actions: 'joined' },
          { guard: 'isFatalJoinError', target: 'Failed', actions: 'markFenced' },
          // The coordinator moved or is loading: rediscover, back off, join again (§2.1).
          { guard: 'isRoutingError', actions: 'retryLater' },
          { target: 'Joining', reenter: true, actions: 'joinFailed' },
        ],
        Timer: [
          { guard: 'isRequestTimer', actions: 'coordinatorTimedOut' },
          { guard: 'isRetryTimer', actions: 'sendJoin' },
        ],
      },
    },
    Assigning: {
      on: {
        AssignmentComputed: { guard: 'isCurrentGenerationAssignment', target: 'Syncing', actions: 'syncAsLeader' },
      },
    },
    Syncing: {
      on: {
        SyncGroupResponse: [
          { guard: 'isSyncOk', target: 'FetchingOffsets', actions: 'synced' },
          { guard: 'isRoutingError', target: 'Joining', actions: 'syncRetryLater' },
          { guard: 'isFencedSync', target: 'Failed', actions: 'markFenced' },
          { target: 'Joining', actions: 'syncFailed' },
        ],
        Timer: { guard: 'isRequestTimer', target: 'Joining', actions: 'syncRetryLater' },
      },
    },
    FetchingOffsets: {
      on: {
        OffsetFetchResponse: [{ guard: 'isOffsetFetchOk', target: 'Polling', actions: 'positioned' }, { actions: 'retryLater' }],
        Timer: [
          { guard: 'isRequestTimer', actions: 'coordinatorTimedOut' },
          { guard: 'isRetryTimer', actions: 'fetchOffsets' },
        ],
      },
    },
    /** The top of poll(): act on close and rejoin requests first, then fetch. */
    Polling: {
      always: [
        { guard: 'isFenced', target: 'Failed' },
        { guard: and(['isClosing', 'needsCloseCommit']), target: 'Committing', actions: 'commitOnClose' },
        { guard: 'isClosing', target: 'Left' },
        { guard: 'needsCooperativeRevokeCommit', target: 'Committing', actions: 'commitBeforeCooperativeRevoke' },
        { guard: 'canApplyAssignment', target: 'FetchingOffsets', actions: 'applyAssignment' },
        { guard: 'needsCooperativeJoin', target: 'Fetching', actions: ['joinCooperatively', 'poll'] },
        { guard: and(['isRejoinNeeded', 'needsRevokeCommit']), target: 'Committing', actions: 'commitOnRevoke' },
        { guard: 'isRejoinNeeded', target: 'Joining', actions: 'revokeAndJoin' },
        { target: 'Fetching', actions: 'poll' },
      ],
    },
    Fetching: {
      on: {
        FetchResponse: [
          { guard: 'isCurrentFetch', target: 'HandedOff', actions: 'handOff' },
        ],
        Timer: { guard: 'isRequestTimer', target: 'Polling', actions: 'fetchTimedOut' },
      },
    },
    /** poll() returned: decide what the application does with the batch. */
    HandedOff: {
      always: [
        { guard: and(['hasBuffered', 'commitsBeforeProcessing']), target: 'Committing', actions: 'commitBeforeProcess' },
        { guard: 'hasBuffered', target: 'Processing' },
        { target: 'Polling' },
      ],
    },
    Processing: {
      entry: 'startProcessing',
      on: {
        Timer: { guard: 'isProcessTimer', target: 'Processed', actions: 'finishProcessing' },
      },
    },
    /** One record is done: the policy decides whether to commit before the next. */
    Processed: {
      always: [
        { guard: 'commitsEachRecord', target: 'Committing', actions: 'commitRecord' },
        { guard: 'hasBuffered', target: 'Processing' },
        { guard: 'commitsEachBatch', target: 'Committing', actions: 'commitBatch' },
        { target: 'Polling' },
      ],
    },
    /** A sync commit is in flight; the member waits for its answer. */
    Committing: {
      // Unless the member was not STABLE: the commit failed before it was sent, nothing to wait for
      // (kafka-protocol.md §2.7, ConsumerCoordinator.sendOffsetCommitRequest; localCommitFailure).
      always: [
        { guard: and(['isCommitFailedLocally', 'afterIsLeave']), target: 'Left' },
        { guard: 'isCommitFailedLocally', target: 'AfterCommit' },
      ],
      on: {
        OffsetCommitResponse: [
          { guard: and(['isAwaitedCommit', 'isRetriableCommitError']), actions: 'syncCommitRetryLater' },
          { guard: and(['isAwaitedCommit', 'afterIsLeave']), target: 'Left', actions: 'syncCommitAnswered' },
          { guard: and(['isAwaitedCommit', 'afterIsJoin']), target: 'Joining', actions: ['syncCommitAnswered', 'revokeAndJoin'] },
          { guard: and(['isAwaitedCommit', 'afterIsAssign']), target: 'FetchingOffsets', actions: ['syncCommitAnswered', 'applyAssignment'] },
          { guard: 'isAwaitedCommit', target: 'AfterCommit', actions: 'syncCommitAnswered' },
          { actions: 'asyncCommitAnswered' },
        ],
        Timer: [
          { guard: 'isRequestTimer', actions: 'syncCommitTimedOut' },
          { guard: 'isRetryTimer', actions: 'retrySyncCommit' },
        ],
      },
    },
    AfterCommit: {
      always: [
        { guard: and(['hasBuffered', 'afterIsProcessBatch']), target: 'Processing' },
        { guard: and(['hasBuffered', 'afterIsNextRecord']), target: 'Processing' },
        { target: 'Polling' },
      ],
    },
    Left: {
      type: 'final',
      entry: 'leave',
    },
    Failed: {
      type: 'final',
      entry: 'leave',
    },
  },
});
