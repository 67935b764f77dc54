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
 * §1.2); the foundation's simulator does not send it yet (coordinator failover is issue 3).
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
  memberIdOfTimer,
  offsetCommit,
  parkJoin,
  parkSync,
  prepareRebalance,
  rejectJoin,
  sessionExpired,
  syncTimerFired,
  type CoordinatorContext,
  type CoordinatorInput,
  type CoordinatorStateName,
} from './coordinator.logic.ts';

export type CoordinatorRequest = Exclude<Request, { type: 'FindCoordinator' | 'OffsetFetch' | 'Fetch' }>;
export type CoordinatorEvent = CoordinatorRequest | TimerEvent | { readonly type: 'Unload' };

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
  },
  actions: {
    addMember: coordinatorAction(only('JoinGroup', addMember)),
    parkJoin: coordinatorAction(only('JoinGroup', parkJoin)),
    currentMemberJoin: coordinatorAction(only('JoinGroup', currentMemberJoin)),
    rejectUnknownJoin: coordinatorAction(only('JoinGroup', (c, e) => rejectJoin(c, e, 'UNKNOWN_MEMBER_ID'))),
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
    unavailable: coordinatorAction((c, e) => {
      // Dead answers every request COORDINATOR_NOT_AVAILABLE (§1.10); only commits need an answer here.
      if (e.type !== 'OffsetCommit') return { ctx: c, out: [] };
      return offsetCommit(c, e, 'Dead');
    }),
  },
}).createMachine({
  id: 'coordinator',
  context: ({ input }) => initialCoordinatorContext(input),
  initial: 'Empty',
  on: {
    Unload: { target: '.Dead' },
  },
  states: {
    Empty: {
      always: { guard: 'hasMembers', target: 'PreparingRebalance', actions: 'prepareRebalanceFromEmpty' },
      on: {
        JoinGroup: [{ guard: 'isNewMember', actions: 'addMember' }, { actions: 'rejectUnknownJoin' }],
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
          { guard: 'isNewMember', actions: 'addMember' },
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
          { guard: 'isNewMember', actions: 'addMember' },
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
          { guard: 'isNewMember', actions: 'addMember' },
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
        OffsetCommit: { actions: 'unavailable' },
      },
    },
  },
});
