/**
 * The classic group coordinator as an XState v5 machine: Empty, PreparingRebalance,
 * CompletingRebalance, Stable, Dead (kafka-protocol.md §1.2, valid predecessors as in
 * GroupMetadata.validPreviousStates). One machine per group.
 *
 * The machine decides the states; the data work (members, generations, responses) is done
 * by the pure handlers of coordinator.logic.ts, whose effects are emitted for the simulator.
 * It never reads a clock: session, join and sync deadlines are timers the simulator fires
 * back as `Timer` events.
 *
 * Dead is reached only by `Unload` (the coordinator losing the __consumer_offsets partition,
 * §1.2), which the simulator sends on MoveCoordinator; the new coordinator's machine starts Empty
 * and receives `Load` with the persisted group (Stable, or Empty), see coordinator.logic.ts.
 */
import { setup } from 'xstate';
import { pureAction } from '../pureAction.ts';
import type { Effect, Step, TimerEvent } from '../effects.ts';
import type { Request } from '../protocol.ts';
import {
  addMember,
  answerSync,
  completeJoin,
  completeSync,
  currentMemberJoin,
  hasMembers,
  heartbeat,
  initialCoordinatorContext,
  isLeaderSync,
  joinCanComplete,
  joinTimerFired,
  leaveGroup,
  load,
  memberIdOfTimer,
  notCoordinator,
  offsetCommit,
  parkJoin,
  parkSync,
  prepareRebalance,
  rejectUnknownJoin,
  sessionExpired,
  syncTimerFired,
  type CoordinatorContext,
  type CoordinatorInput,
  unload,
  type CoordinatorStateName,
  type GroupSnapshot,
} from './coordinator.logic.ts';

export type CoordinatorRequest = Exclude<Request, { type: 'FindCoordinator' | 'OffsetFetch' | 'Fetch' }>;
export type CoordinatorEvent =
  | CoordinatorRequest
  | TimerEvent
  | { readonly type: 'Unload' }
  /** A new coordinator (node `coordinator`) finished loading the group; `snapshot` is null if none was ever persisted. */
  | { readonly type: 'Load'; readonly coordinator: number; readonly snapshot: GroupSnapshot | null };

export type CoordinatorHandler = (ctx: CoordinatorContext, ev: CoordinatorEvent, state: CoordinatorStateName) => Step<CoordinatorContext>;
type Handler = CoordinatorHandler;

/**
 * Turns a pure handler into an action that assigns its context and emits its effects in order.
 * Exported for bug-zoo variants, which replace a named action with `machine.provide`.
 */
export const coordinatorAction = (f: Handler) =>
  pureAction<CoordinatorContext, CoordinatorEvent, { state: CoordinatorStateName }>((c, e, params) => f(c, e, params?.state ?? 'Stable'));

export const only = <T extends CoordinatorEvent['type']>(type: T, f: (ctx: CoordinatorContext, ev: Extract<CoordinatorEvent, { type: T }>, s: CoordinatorStateName) => Step<CoordinatorContext>): Handler =>
  (ctx, ev, s) => (ev.type === type ? f(ctx, ev as Extract<CoordinatorEvent, { type: T }>, s) : { ctx, out: [] });

const timerIs = (ev: CoordinatorEvent, name: string): boolean => ev.type === 'Timer' && ev.timer === name;

export const coordinatorMachine = setup({
  types: {} as {
    context: CoordinatorContext;
    events: CoordinatorEvent;
    emitted: Effect;
    input: CoordinatorInput;
  },
  guards: {
    isNewMember: ({ event }) => event.type === 'JoinGroup' && event.memberId === '',
    isKnownMember: ({ context, event }) => 'memberId' in event && context.members[event.memberId] !== undefined,
    hasMembers: ({ context }) => hasMembers(context),
    rebalanceRequested: ({ context }) => context.rebalanceRequested,
    joinCompletesWithMembers: ({ context }) => joinCanComplete(context) && Object.values(context.members).some((m) => m.awaitingJoin),
    joinCompletesEmpty: ({ context }) => joinCanComplete(context) && !Object.values(context.members).some((m) => m.awaitingJoin),
    isLeaderSync: ({ context, event }) => event.type === 'SyncGroup' && isLeaderSync(context, event),
    isJoinTimer: ({ event }) => timerIs(event, 'join'),
    isSyncTimer: ({ event }) => timerIs(event, 'sync'),
    isSessionTimer: ({ event }) => event.type === 'Timer' && memberIdOfTimer(event.timer) !== null,
    isStableSnapshot: ({ event }) => event.type === 'Load' && event.snapshot !== null && event.snapshot.members.length > 0,
  },
  actions: {
    addMember: coordinatorAction(only('JoinGroup', addMember)),
    parkJoin: coordinatorAction(only('JoinGroup', parkJoin)),
    currentMemberJoin: coordinatorAction(only('JoinGroup', currentMemberJoin)),
    rejectUnknownJoin: coordinatorAction(only('JoinGroup', rejectUnknownJoin)),
    prepareRebalance: coordinatorAction((c) => prepareRebalance(c, false)),
    prepareRebalanceFromEmpty: coordinatorAction((c) => prepareRebalance(c, true)),
    completeJoin: coordinatorAction((c) => completeJoin(c)),
    joinTimerFired: coordinatorAction((c) => joinTimerFired(c)),
    answerSync: coordinatorAction(only('SyncGroup', answerSync)),
    parkSync: coordinatorAction(only('SyncGroup', parkSync)),
    completeSync: coordinatorAction(only('SyncGroup', completeSync)),
    syncTimerFired: coordinatorAction((c) => syncTimerFired(c)),
    heartbeat: coordinatorAction(only('Heartbeat', heartbeat)),
    leaveGroup: coordinatorAction(only('LeaveGroup', leaveGroup)),
    sessionExpired: coordinatorAction(only('Timer', (c, e) => sessionExpired(c, memberIdOfTimer(e.timer) ?? ''))),
    offsetCommit: coordinatorAction(only('OffsetCommit', offsetCommit)),
    unload: coordinatorAction((c) => unload(c)),
    load: coordinatorAction(only('Load', (c, e) => load(c, e.coordinator, e.snapshot))),
    // An unloaded group's broker is no longer its coordinator: routing answers first (§1.10).
    notCoordinator: coordinatorAction((c, e) => (e.type === 'Timer' || e.type === 'Unload' || e.type === 'Load' ? { ctx: c, out: [] } : notCoordinator(c, e))),
  },
}).createMachine({
  id: 'coordinator',
  context: ({ input }) => initialCoordinatorContext(input),
  initial: 'Empty',
  on: {
    Unload: { target: '.Dead', actions: 'unload' },
  },
  states: {
    Empty: {
      always: { guard: 'hasMembers', target: 'PreparingRebalance', actions: 'prepareRebalanceFromEmpty' },
      on: {
        // Loading goes straight to the persisted state (onGroupLoaded), outside validPreviousStates.
        Load: [{ guard: 'isStableSnapshot', target: 'Stable', actions: 'load' }, { actions: 'load' }],
        JoinGroup: [{ guard: 'isNewMember', actions: { type: 'addMember', params: { state: 'Empty' } } }, { actions: 'rejectUnknownJoin' }],
        SyncGroup: { actions: { type: 'answerSync', params: { state: 'Empty' } } },
        Heartbeat: { actions: { type: 'heartbeat', params: { state: 'Empty' } } },
        LeaveGroup: { actions: 'leaveGroup' },
        OffsetCommit: { actions: { type: 'offsetCommit', params: { state: 'Empty' } } },
      },
    },
    PreparingRebalance: {
      always: [
        { guard: 'joinCompletesWithMembers', target: 'CompletingRebalance', actions: 'completeJoin' },
        { guard: 'joinCompletesEmpty', target: 'Empty', actions: 'completeJoin' },
      ],
      on: {
        JoinGroup: [
          { guard: 'isNewMember', actions: { type: 'addMember', params: { state: 'PreparingRebalance' } } },
          { guard: 'isKnownMember', actions: 'parkJoin' },
          { actions: 'rejectUnknownJoin' },
        ],
        SyncGroup: { actions: { type: 'answerSync', params: { state: 'PreparingRebalance' } } },
        Heartbeat: { actions: { type: 'heartbeat', params: { state: 'PreparingRebalance' } } },
        LeaveGroup: { actions: 'leaveGroup' },
        OffsetCommit: { actions: { type: 'offsetCommit', params: { state: 'PreparingRebalance' } } },
        Timer: [
          { guard: 'isJoinTimer', actions: 'joinTimerFired' },
          { guard: 'isSessionTimer', actions: 'sessionExpired' },
        ],
      },
    },
    CompletingRebalance: {
      always: { guard: 'rebalanceRequested', target: 'PreparingRebalance', actions: 'prepareRebalance' },
      on: {
        JoinGroup: [
          { guard: 'isNewMember', actions: { type: 'addMember', params: { state: 'CompletingRebalance' } } },
          { guard: 'isKnownMember', actions: { type: 'currentMemberJoin', params: { state: 'CompletingRebalance' } } },
          { actions: 'rejectUnknownJoin' },
        ],
        SyncGroup: [{ guard: 'isLeaderSync', target: 'Stable', actions: 'completeSync' }, { actions: 'parkSync' }],
        Heartbeat: { actions: { type: 'heartbeat', params: { state: 'CompletingRebalance' } } },
        LeaveGroup: { actions: 'leaveGroup' },
        OffsetCommit: { actions: { type: 'offsetCommit', params: { state: 'CompletingRebalance' } } },
        Timer: [
          { guard: 'isSyncTimer', actions: 'syncTimerFired' },
          { guard: 'isSessionTimer', actions: 'sessionExpired' },
        ],
      },
    },
    Stable: {
      always: { guard: 'rebalanceRequested', target: 'PreparingRebalance', actions: 'prepareRebalance' },
      on: {
        JoinGroup: [
          { guard: 'isNewMember', actions: { type: 'addMember', params: { state: 'Stable' } } },
          { guard: 'isKnownMember', actions: { type: 'currentMemberJoin', params: { state: 'Stable' } } },
          { actions: 'rejectUnknownJoin' },
        ],
        SyncGroup: { actions: { type: 'answerSync', params: { state: 'Stable' } } },
        Heartbeat: { actions: { type: 'heartbeat', params: { state: 'Stable' } } },
        LeaveGroup: { actions: 'leaveGroup' },
        OffsetCommit: { actions: { type: 'offsetCommit', params: { state: 'Stable' } } },
        Timer: [
          { guard: 'isSyncTimer', actions: 'syncTimerFired' },
          { guard: 'isSessionTimer', actions: 'sessionExpired' },
        ],
      },
    },
    Dead: {
      on: {
        JoinGroup: { actions: 'notCoordinator' },
        SyncGroup: { actions: 'notCoordinator' },
        Heartbeat: { actions: 'notCoordinator' },
        LeaveGroup: { actions: 'notCoordinator' },
        OffsetCommit: { actions: 'notCoordinator' },
      },
    },
  },
});
