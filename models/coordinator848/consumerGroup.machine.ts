/**
 * The KIP-848 consumer-group coordinator (group.protocol=consumer) as an XState v5 machine, the
 * second coordinator model beside the classic one (kafka-protocol.md §3.3). One machine per group.
 *
 * The states are Kafka's derived group states (ConsumerGroup.maybeUpdateGroupState): Empty (no
 * members), Reconciling (some member is not yet at the target epoch with its target partitions),
 * Stable. There is no join or sync phase: every request is a ConsumerGroupHeartbeat or an
 * OffsetCommit, answered at once by the pure handlers of consumerGroup.logic.ts, and the state
 * follows from the context through eventless transitions. Time passes only through `Timer` events
 * (session and revocation timeouts) that the simulator fires. `Unload` (any state → Dead) and
 * `Load` (into a fresh coordinator) are the failover of kafka-protocol.md §1.2; see consumerGroup.logic.ts.
 */
import { setup } from 'xstate';
import type { Effect, TimerEvent } from '../effects.ts';
import { onEvent, pureAction } from '../pureAction.ts';
import type { Request } from '../protocol.ts';
import type { Step } from '../effects.ts';
import {
  loadGroup,
  notCoordinator,
  unloadGroup,
  type ConsumerGroupSnapshot,
  consumerGroupHeartbeat,
  groupStable,
  hasMembers,
  initialConsumerGroupContext,
  isReconciled,
  memberTimerFired,
  offsetCommit,
  type ConsumerGroupContext,
  type ConsumerGroupInput,
} from './consumerGroup.logic.ts';

export type ConsumerGroupRequest = Extract<Request, { type: 'ConsumerGroupHeartbeat' | 'OffsetCommit' }>;
export type ConsumerGroupEvent =
  | ConsumerGroupRequest
  | TimerEvent
  /** Coordinator failover (kafka-protocol.md §1.2): this coordinator lost the group's partition. */
  | { readonly type: 'Unload' }
  /** A new coordinator finished reading the group's records from __consumer_offsets. */
  | { readonly type: 'Load'; readonly coordinator: number; readonly snapshot: ConsumerGroupSnapshot | null };

/** Turns a pure handler into a named action (exported for bug-zoo variants, which `provide` replacements). */
export const consumerGroupAction = (f: (ctx: ConsumerGroupContext, ev: ConsumerGroupEvent) => Step<ConsumerGroupContext>) =>
  pureAction<ConsumerGroupContext, ConsumerGroupEvent>((c, e) => f(c, e));

export const when = <T extends ConsumerGroupEvent['type']>(type: T, f: (ctx: ConsumerGroupContext, ev: Extract<ConsumerGroupEvent, { type: T }>) => Step<ConsumerGroupContext>) =>
  onEvent<ConsumerGroupContext, ConsumerGroupEvent, T>(type, f);

const requests = {
  ConsumerGroupHeartbeat: { actions: 'heartbeat' },
  OffsetCommit: { actions: 'offsetCommit' },
} as const;

export const consumerGroupMachine = setup({
  types: {} as {
    context: ConsumerGroupContext;
    events: ConsumerGroupEvent;
    emitted: Effect;
    input: ConsumerGroupInput;
  },
  guards: {
    hasMembers: ({ context }) => hasMembers(context),
    isEmpty: ({ context }) => !hasMembers(context),
    isReconciled: ({ context }) => isReconciled(context),
    isNotReconciled: ({ context }) => !isReconciled(context),
  },
  actions: {
    heartbeat: consumerGroupAction(when('ConsumerGroupHeartbeat', (c, e) => consumerGroupHeartbeat(c, e))),
    offsetCommit: consumerGroupAction(when('OffsetCommit', (c, e) => offsetCommit(c, e))),
    memberTimerFired: consumerGroupAction(when('Timer', (c, e) => memberTimerFired(c, e.timer))),
    groupStable: consumerGroupAction((c) => groupStable(c)),
    unload: consumerGroupAction((c) => unloadGroup(c)),
    load: consumerGroupAction(when('Load', (c, e) => loadGroup(c, e.coordinator, e.snapshot))),
    notCoordinator: consumerGroupAction((c, e) => (e.type === 'ConsumerGroupHeartbeat' || e.type === 'OffsetCommit' ? notCoordinator(c, e) : { ctx: c, out: [] })),
  },
}).createMachine({
  id: 'consumerGroup',
  context: ({ input }) => initialConsumerGroupContext(input),
  initial: 'Empty',
  on: {
    Unload: { target: '.Dead', actions: 'unload' },
  },
  states: {
    Empty: {
      always: { guard: 'hasMembers', target: 'Reconciling' },
      // A new coordinator starts Empty and loads the persisted group; the state follows from it.
      on: { ...requests, Load: { actions: 'load' } },
    },
    Reconciling: {
      always: [
        { guard: 'isEmpty', target: 'Empty' },
        { guard: 'isReconciled', target: 'Stable', actions: 'groupStable' },
      ],
      on: { ...requests, Timer: { actions: 'memberTimerFired' } },
    },
    Stable: {
      always: [
        { guard: 'isEmpty', target: 'Empty' },
        { guard: 'isNotReconciled', target: 'Reconciling' },
      ],
      on: { ...requests, Timer: { actions: 'memberTimerFired' } },
    },
    /** Unloaded: the broker no longer owns the group's partition; routing answers only (§1.10). */
    Dead: {
      on: {
        ConsumerGroupHeartbeat: { actions: 'notCoordinator' },
        OffsetCommit: { actions: 'notCoordinator' },
      },
    },
  },
});
