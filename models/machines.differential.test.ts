/**
 * Differential test: each machine run as an actor (`createActor` + `actor.send`, effects collected
 * with `actor.on('*')`) and stepped by XState's pure `transition(machine, snapshot, event)` give the
 * same state value, the same context and the same emitted effects, in the same order, after every
 * event of a random sequence.
 *
 * Why: the simulator runs the machines as actors, which is about 4× faster than `transition()`;
 * this test is what justifies that (house-style §3.5 asks for pure stepping). It also checks that
 * `transition()` returns nothing but `xstate.emit` actions (the machines' only effects, whose
 * `params.event` carries the Effect), so no hidden action is dropped by the actor-based simulator.
 *
 * Method: fast-check generates *intentions* (a member by slot or from a small id pool, a generation
 * relative to the current one, ...) that are resolved against the current context at each step,
 * so a sequence stays meaningful after shrinking (house-style §3.4). Seeds are fixed.
 */
import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { createActor, initialTransition, transition } from 'xstate';
import type { Effect } from './effects.ts';
import type { CommitError } from './history.ts';
import type { GroupError } from './protocol.ts';
import { PROCESSING_POLICIES, type LogRecord, type ProcessingPolicy } from './types.ts';
import { snapshotOf, type CoordinatorContext, type CoordinatorInput } from './coordinator/coordinator.logic.ts';
import { coordinatorMachine, type CoordinatorEvent } from './coordinator/coordinator.machine.ts';
import type { ConsumerContext, ConsumerInput } from './consumer/consumer.logic.ts';
import { consumerMachine, type ConsumerEvent } from './consumer/consumer.machine.ts';

// ---------------------------------------------------------------- the two ways to run a machine

interface Observed<C> {
  readonly value: unknown;
  readonly context: C;
  readonly status: string;
  readonly effects: readonly Effect[];
}

interface Driver<E, C> {
  readonly current: () => Observed<C>;
  readonly send: (ev: E) => Observed<C>;
}

/** The effects of a pure step: every action must be an `xstate.emit` carrying one Effect. */
const emittedEffects = (actions: readonly { readonly type: string; readonly params?: unknown }[]): Effect[] =>
  actions.map((a) => {
    expect(a.type, 'transition() returned an action that is not an emit: the actor-based simulator would not see it').toBe('xstate.emit');
    return (a.params as { event: Effect }).event;
  });

function coordinatorActor(input: CoordinatorInput): Driver<CoordinatorEvent, CoordinatorContext> {
  const actor = createActor(coordinatorMachine, { input });
  const out: Effect[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  const observe = (): Observed<CoordinatorContext> => {
    const s = actor.getSnapshot();
    return { value: s.value, context: s.context, status: s.status, effects: out.splice(0) };
  };
  return { current: observe, send: (ev) => (actor.send(ev), observe()) };
}

function coordinatorPure(input: CoordinatorInput): Driver<CoordinatorEvent, CoordinatorContext> {
  let [snapshot, actions] = initialTransition(coordinatorMachine, input);
  const observe = (): Observed<CoordinatorContext> => ({ value: snapshot.value, context: snapshot.context, status: snapshot.status, effects: emittedEffects(actions) });
  return {
    current: observe,
    send: (ev) => {
      [snapshot, actions] = transition(coordinatorMachine, snapshot, ev);
      return observe();
    },
  };
}

function consumerActor(input: ConsumerInput): Driver<ConsumerEvent, ConsumerContext> {
  const actor = createActor(consumerMachine, { input });
  const out: Effect[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  const observe = (): Observed<ConsumerContext> => {
    const s = actor.getSnapshot();
    return { value: s.value, context: s.context, status: s.status, effects: out.splice(0) };
  };
  return { current: observe, send: (ev) => (actor.send(ev), observe()) };
}

function consumerPure(input: ConsumerInput): Driver<ConsumerEvent, ConsumerContext> {
  let [snapshot, actions] = initialTransition(consumerMachine, input);
  const observe = (): Observed<ConsumerContext> => ({ value: snapshot.value, context: snapshot.context, status: snapshot.status, effects: emittedEffects(actions) });
  return {
    current: observe,
    send: (ev) => {
      [snapshot, actions] = transition(consumerMachine, snapshot, ev);
      return observe();
    },
  };
}

/**
 * Runs both drivers over the steps, each resolved against the current (shared) context, and
 * asserts they agree after every event. Stops when the machine is done (a stopped actor takes no events).
 * Returns the state values visited, for the coverage checks.
 */
function runBoth<S, E, C>(actor: Driver<E, C>, pure: Driver<E, C>, steps: readonly S[], resolve: (step: S, ctx: C, value: unknown) => E): unknown[] {
  const first = { actor: actor.current(), pure: pure.current() };
  expect(first.actor).toEqual(first.pure);
  const visited: unknown[] = [first.pure.value];
  let ctx = first.pure.context;
  let value = first.pure.value;
  let status = first.pure.status;
  for (const [i, step] of steps.entries()) {
    if (status !== 'active') break;
    const ev = resolve(step, ctx, value);
    const a = actor.send(ev);
    const p = pure.send(ev);
    expect(a.value, `state value after step ${i}: ${JSON.stringify(ev)}`).toEqual(p.value);
    expect(a.status, `status after step ${i}`).toBe(p.status);
    expect(a.context, `context after step ${i}: ${JSON.stringify(ev)}`).toEqual(p.context);
    expect(a.effects, `effects of step ${i}: ${JSON.stringify(ev)}`).toEqual(p.effects);
    visited.push(p.value);
    ctx = p.context;
    value = p.value;
    status = p.status;
  }
  return visited;
}

// ---------------------------------------------------------------- coordinator events

type MemberRef = { readonly kind: 'leader' } | { readonly kind: 'known'; readonly slot: number } | { readonly kind: 'pool'; readonly id: string };
type GenerationRef = 'current' | 'previous' | 'none';

type CoordinatorStep =
  | { readonly type: 'JoinGroup'; readonly client: number; readonly member: MemberRef; readonly protocols: number; readonly topics: number; readonly sessionTimeoutMs: number; readonly rebalanceTimeoutMs: number }
  | { readonly type: 'SyncGroup'; readonly member: MemberRef; readonly generation: GenerationRef; readonly withAssignments: boolean }
  | { readonly type: 'Heartbeat'; readonly member: MemberRef; readonly generation: GenerationRef }
  | { readonly type: 'LeaveGroup'; readonly member: MemberRef }
  | { readonly type: 'OffsetCommit'; readonly member: MemberRef; readonly generation: GenerationRef; readonly offset: number }
  | { readonly type: 'TimerJoin' }
  | { readonly type: 'TimerSync' }
  | { readonly type: 'TimerSession'; readonly member: MemberRef }
  | { readonly type: 'Unload' }
  /** Failover: load the group as persisted (this context's own snapshot) or as never persisted. */
  | { readonly type: 'Load'; readonly persisted: boolean };

const CLIENTS = ['c1', 'c2', 'c3'] as const;
/** '' asks for a new member; the others are ids the coordinator may or may not have handed out. */
const MEMBER_ID_POOL = ['', 'c1~1', 'c2~2', 'c3~3', 'c1~4', 'ghost~9'] as const;
const PROTOCOLS = [['range'], ['roundrobin'], ['range', 'roundrobin'], ['roundrobin', 'range']] as const;
const TOPICS = [['t'], ['t', 'u']] as const;

const memberRefArb: fc.Arbitrary<MemberRef> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<MemberRef>({ kind: 'leader' }) },
  { weight: 3, arbitrary: fc.nat({ max: 5 }).map((slot): MemberRef => ({ kind: 'known', slot })) },
  { weight: 2, arbitrary: fc.constantFrom(...MEMBER_ID_POOL).map((id): MemberRef => ({ kind: 'pool', id })) },
);
/** JoinGroup mostly comes from new members (id ''), as every member's first one does. */
const joinMemberRefArb: fc.Arbitrary<MemberRef> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<MemberRef>({ kind: 'pool', id: '' }) },
  { weight: 1, arbitrary: memberRefArb },
);
const generationArb = fc.constantFrom<GenerationRef>('current', 'current', 'previous', 'none');

const coordinatorStepArb: fc.Arbitrary<CoordinatorStep> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      type: fc.constant('JoinGroup' as const),
      client: fc.nat({ max: CLIENTS.length - 1 }),
      member: joinMemberRefArb,
      protocols: fc.nat({ max: PROTOCOLS.length - 1 }),
      topics: fc.nat({ max: TOPICS.length - 1 }),
      sessionTimeoutMs: fc.constantFrom(6_000, 10_000),
      rebalanceTimeoutMs: fc.constantFrom(20_000, 30_000),
    }),
  },
  {
    // Biased towards the leader's SyncGroup of the current generation, the one that makes the group Stable.
    weight: 10,
    arbitrary: fc.record({
      type: fc.constant('SyncGroup' as const),
      member: fc.oneof({ weight: 2, arbitrary: fc.constant<MemberRef>({ kind: 'leader' }) }, { weight: 1, arbitrary: memberRefArb }),
      generation: fc.oneof({ weight: 2, arbitrary: fc.constant<GenerationRef>('current') }, { weight: 1, arbitrary: generationArb }),
      withAssignments: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('Heartbeat' as const), member: memberRefArb, generation: generationArb }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('LeaveGroup' as const), member: memberRefArb }) },
  { weight: 6, arbitrary: fc.record({ type: fc.constant('OffsetCommit' as const), member: memberRefArb, generation: generationArb, offset: fc.nat({ max: 20 }) }) },
  { weight: 3, arbitrary: fc.constant({ type: 'TimerJoin' as const }) },
  { weight: 2, arbitrary: fc.constant({ type: 'TimerSync' as const }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('TimerSession' as const), member: memberRefArb }) },
  { weight: 1, arbitrary: fc.constant({ type: 'Unload' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('Load' as const), persisted: fc.boolean() }) },
);

const coordinatorInputArb = fc.record({ group: fc.constant('g'), initialRebalanceDelayMs: fc.constantFrom(0, 0, 3_000) });

/** The member id and client name a reference stands for in this context. */
function resolveMember(ref: MemberRef, ctx: CoordinatorContext, fallbackClient: string): { memberId: string; from: string } {
  const ids = Object.keys(ctx.members);
  const memberId =
    ref.kind === 'pool' ? ref.id : ref.kind === 'leader' ? (ctx.leaderId ?? '') : (ids[ref.slot % Math.max(ids.length, 1)] ?? 'nobody~0');
  return { memberId, from: ctx.members[memberId]?.clientId ?? fallbackClient };
}

const resolveGeneration = (g: GenerationRef, ctx: CoordinatorContext): number => (g === 'current' ? ctx.generation : g === 'previous' ? ctx.generation - 1 : -1);

function resolveCoordinatorStep(step: CoordinatorStep, ctx: CoordinatorContext): CoordinatorEvent {
  switch (step.type) {
    case 'JoinGroup': {
      const { memberId, from } = resolveMember(step.member, ctx, CLIENTS[step.client] ?? 'c1');
      return {
        type: 'JoinGroup',
        from,
        group: 'g',
        memberId,
        protocols: PROTOCOLS[step.protocols] ?? ['range'],
        topics: TOPICS[step.topics] ?? ['t'],
        sessionTimeoutMs: step.sessionTimeoutMs,
        rebalanceTimeoutMs: step.rebalanceTimeoutMs,
      };
    }
    case 'SyncGroup': {
      const { memberId, from } = resolveMember(step.member, ctx, 'c1');
      const assignments = step.withAssignments ? Object.fromEntries(Object.keys(ctx.members).map((id, i) => [id, [`t-${i}`]])) : null;
      return { type: 'SyncGroup', from, group: 'g', memberId, generation: resolveGeneration(step.generation, ctx), assignments };
    }
    case 'Heartbeat': {
      const { memberId, from } = resolveMember(step.member, ctx, 'c1');
      return { type: 'Heartbeat', from, group: 'g', memberId, generation: resolveGeneration(step.generation, ctx) };
    }
    case 'LeaveGroup': {
      const { memberId, from } = resolveMember(step.member, ctx, 'c1');
      return { type: 'LeaveGroup', from, group: 'g', memberId };
    }
    case 'OffsetCommit': {
      const { memberId, from } = resolveMember(step.member, ctx, 'admin');
      return { type: 'OffsetCommit', from, group: 'g', memberId, generation: resolveGeneration(step.generation, ctx), offsets: { 't-0': step.offset }, seq: step.offset };
    }
    case 'TimerJoin':
      return { type: 'Timer', timer: 'join' };
    case 'TimerSync':
      return { type: 'Timer', timer: 'sync' };
    case 'TimerSession':
      return { type: 'Timer', timer: `session:${resolveMember(step.member, ctx, 'c1').memberId}` };
    case 'Unload':
      return { type: 'Unload' };
    case 'Load':
      return { type: 'Load', coordinator: 1, snapshot: step.persisted ? snapshotOf(ctx) : null };
  }
}

// ---------------------------------------------------------------- consumer events

type ConsumerStep =
  | { readonly type: 'Start' }
  | { readonly type: 'FindCoordinatorResponse' }
  | { readonly type: 'JoinGroupResponse'; readonly outcome: 'leader' | 'follower' | GroupError; readonly generationBump: number }
  | { readonly type: 'AssignmentComputed'; readonly current: boolean }
  | { readonly type: 'SyncGroupResponse'; readonly error: GroupError; readonly partitions: readonly number[] }
  | { readonly type: 'OffsetFetchResponse'; readonly committed: readonly number[] }
  | { readonly type: 'FetchResponse'; readonly counts: readonly number[]; readonly shift: number; readonly current: boolean }
  | { readonly type: 'Timer'; readonly timer: 'process' | 'heartbeat' | 'autocommit' | 'request' | 'retry' }
  | { readonly type: 'OffsetCommitResponse'; readonly awaited: boolean; readonly error: CommitError }
  | { readonly type: 'HeartbeatResponse'; readonly error: GroupError; readonly current: boolean }
  | { readonly type: 'LeaveRequest' }
  | { readonly type: 'SeekRequest'; readonly partition: number; readonly offset: number }
  | ProgressStep;

/**
 * "Answer what the member waits for": resolved by the current state to the response or timer that
 * moves it on, so that random sequences get past the join phase instead of being mostly ignored.
 */
interface ProgressStep {
  readonly type: 'Progress';
  readonly join: Extract<ConsumerStep, { type: 'JoinGroupResponse' }>;
  readonly sync: Extract<ConsumerStep, { type: 'SyncGroupResponse' }>;
  readonly offsets: Extract<ConsumerStep, { type: 'OffsetFetchResponse' }>;
  readonly fetch: Extract<ConsumerStep, { type: 'FetchResponse' }>;
  readonly commit: Extract<ConsumerStep, { type: 'OffsetCommitResponse' }>;
}

const GROUP_ERRORS: readonly GroupError[] = [
  'NONE',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'REBALANCE_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'INCONSISTENT_GROUP_PROTOCOL',
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
];
const COMMIT_ERRORS: readonly CommitError[] = [
  'NONE',
  'NONE',
  'NONE',
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
];
const PARTITIONS = ['t-0', 't-1', 't-2'] as const;

const joinResponseArb = fc.record({
  type: fc.constant('JoinGroupResponse' as const),
  outcome: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('leader' as const, 'follower' as const) },
    { weight: 1, arbitrary: fc.constantFrom(...GROUP_ERRORS.filter((e) => e !== 'NONE')) },
  ),
  generationBump: fc.nat({ max: 2 }),
});
const syncResponseArb = fc.record({
  type: fc.constant('SyncGroupResponse' as const),
  error: fc.constantFrom<GroupError>('NONE', 'NONE', 'NONE', 'REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION'),
  partitions: fc.subarray([0, 1, 2]),
});
const offsetFetchResponseArb = fc.record({
  type: fc.constant('OffsetFetchResponse' as const),
  committed: fc.array(fc.integer({ min: -1, max: 5 }), { minLength: 3, maxLength: 3 }),
});
const fetchResponseArb = fc.record({
  type: fc.constant('FetchResponse' as const),
  counts: fc.array(fc.nat({ max: 3 }), { minLength: 3, maxLength: 3 }),
  shift: fc.constantFrom(0, 0, 0, -1, 1),
  current: fc.boolean(),
});
const commitResponseArb = fc.record({ type: fc.constant('OffsetCommitResponse' as const), awaited: fc.boolean(), error: fc.constantFrom(...COMMIT_ERRORS) });

const consumerStepArb: fc.Arbitrary<ConsumerStep> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({
      type: fc.constant('Progress' as const),
      join: joinResponseArb,
      sync: syncResponseArb,
      offsets: offsetFetchResponseArb,
      fetch: fetchResponseArb.map((f) => ({ ...f, current: true })),
      commit: commitResponseArb.map((c) => ({ ...c, awaited: true })),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'Start' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'FindCoordinatorResponse' as const }) },
  { weight: 2, arbitrary: joinResponseArb },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('AssignmentComputed' as const), current: fc.boolean() }) },
  { weight: 2, arbitrary: syncResponseArb },
  { weight: 1, arbitrary: offsetFetchResponseArb },
  { weight: 2, arbitrary: fetchResponseArb },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('Timer' as const), timer: fc.constantFrom('process' as const, 'heartbeat' as const, 'autocommit' as const, 'request' as const, 'retry' as const) }) },
  { weight: 2, arbitrary: commitResponseArb },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('HeartbeatResponse' as const), error: fc.constantFrom(...GROUP_ERRORS.slice(0, 4)), current: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ type: 'LeaveRequest' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('SeekRequest' as const), partition: fc.nat({ max: 2 }), offset: fc.nat({ max: 8 }) }) },
);

const consumerInputArb: fc.Arbitrary<ConsumerInput> = fc.record({
  policy: fc.constantFrom<ProcessingPolicy>(...PROCESSING_POLICIES),
  autoOffsetReset: fc.constantFrom('earliest' as const, 'latest' as const),
  mode: fc.constantFrom('subscribe' as const, 'subscribe' as const, 'assign' as const),
}).map(({ policy, autoOffsetReset, mode }) => ({
  name: 'c1',
  group: 'g',
  topics: ['t'],
  mode,
  partitions: mode === 'assign' ? ['t-0', 't-1'] : [],
  config: {
    policy,
    autoOffsetReset,
    assignors: ['range', 'roundrobin'],
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 3_000,
    maxPollIntervalMs: 30_000,
    autoCommitIntervalMs: 5_000,
    maxPollRecords: 5,
    fetchMinBytes: 1,
    fetchMaxWaitMs: 500,
    fetchMaxBytes: 1_000_000,
    maxPartitionFetchBytes: 100_000,
    processingMs: 3,
  },
}));

/** The step that moves a member on from `value`; Idle and the waiting states only. */
function progress(step: ProgressStep, value: unknown): Exclude<ConsumerStep, ProgressStep> {
  switch (value) {
    case 'Idle':
      return { type: 'Start' };
    case 'FindingCoordinator':
      return { type: 'FindCoordinatorResponse' };
    case 'Joining':
      return step.join;
    case 'Assigning':
      return { type: 'AssignmentComputed', current: true };
    case 'Syncing':
      return step.sync;
    case 'FetchingOffsets':
      return step.offsets;
    case 'Fetching':
      return step.fetch;
    case 'Processing':
      return { type: 'Timer', timer: 'process' };
    case 'Committing':
      return step.commit;
    default:
      return { type: 'Timer', timer: 'heartbeat' };
  }
}

function resolveConsumerStep(step: ConsumerStep, ctx: ConsumerContext, value: unknown): ConsumerEvent {
  const to = ctx.name;
  switch (step.type) {
    case 'Progress':
      return resolveConsumerStep(progress(step, value), ctx, value);
    case 'Start':
    case 'LeaveRequest':
      return { type: step.type };
    case 'FindCoordinatorResponse':
      return { type: 'FindCoordinatorResponse', to, group: ctx.group };
    case 'JoinGroupResponse': {
      const ok = step.outcome === 'leader' || step.outcome === 'follower';
      const memberId = ok ? (ctx.memberId === '' ? `${to}~1` : ctx.memberId) : ctx.memberId;
      return {
        type: 'JoinGroupResponse',
        to,
        error: ok ? 'NONE' : (step.outcome as GroupError),
        generation: ok ? Math.max(ctx.generation, 0) + step.generationBump + 1 : -1,
        memberId,
        leaderId: step.outcome === 'leader' ? memberId : 'c2~2',
        protocol: 'range',
        members: step.outcome === 'leader' ? [{ memberId, topics: ['t'] }, { memberId: 'c2~2', topics: ['t'] }] : [],
      };
    }
    case 'AssignmentComputed':
      return { type: 'AssignmentComputed', generation: step.current ? ctx.generation : ctx.generation + 1, assignments: { [ctx.memberId]: ['t-0', 't-1'], 'c2~2': ['t-2'] } };
    case 'SyncGroupResponse':
      return { type: 'SyncGroupResponse', to, error: step.error, generation: ctx.generation, assignment: step.partitions.map((i) => PARTITIONS[i] ?? 't-0') };
    case 'OffsetFetchResponse': {
      const committed: Record<string, number> = {};
      const logStartOffsets: Record<string, number> = {};
      const logEndOffsets: Record<string, number> = {};
      PARTITIONS.forEach((tp, i) => {
        committed[tp] = step.committed[i] ?? -1;
        logStartOffsets[tp] = i;
        logEndOffsets[tp] = 6 + i;
      });
      return { type: 'OffsetFetchResponse', to, committed, logStartOffsets, logEndOffsets };
    }
    case 'FetchResponse': {
      const records: LogRecord[] = [];
      ctx.assignment.forEach((tp, i) => {
        const from = (ctx.positions[tp] ?? 0) + step.shift;
        for (let k = 0; k < (step.counts[i % step.counts.length] ?? 0); k++) {
          records.push({ tp, offset: from + k, key: `k${k}`, value: from + k, bytes: 10 });
        }
      });
      return { type: 'FetchResponse', to, records, seq: step.current ? ctx.fetchSeq : ctx.fetchSeq - 1 };
    }
    case 'Timer':
      return { type: 'Timer', timer: step.timer };
    case 'OffsetCommitResponse': {
      const seq = step.awaited && ctx.awaitingCommit >= 0 ? ctx.awaitingCommit : ctx.commitSeq;
      return { type: 'OffsetCommitResponse', to, error: step.error, generation: ctx.generation, offsets: { 't-0': 1 }, seq };
    }
    case 'HeartbeatResponse':
      return { type: 'HeartbeatResponse', to, error: step.error, generation: step.current ? ctx.generation : ctx.generation - 1 };
    case 'SeekRequest':
      return { type: 'SeekRequest', tp: PARTITIONS[step.partition] ?? 't-0', offset: step.offset };
  }
}

// ---------------------------------------------------------------- the properties

const COORDINATOR_SEED = 7;
const CONSUMER_SEED = 11;
const coordinatorSteps = fc.array(coordinatorStepArb, { minLength: 1, maxLength: 40 });
const consumerSteps = fc.array(consumerStepArb, { minLength: 1, maxLength: 60 });

describe(`coordinator machine: actor vs pure transition() (seed: ${COORDINATOR_SEED})`, () => {
  test.prop([coordinatorInputArb, coordinatorSteps], { seed: COORDINATOR_SEED, numRuns: 100 })(
    'same state value, context and emitted effects after every event',
    (input, steps) => {
      runBoth(coordinatorActor(input), coordinatorPure(input), steps, resolveCoordinatorStep);
    },
  );

  it('the generated sequences reach every coordinator state (the property is not vacuous)', () => {
    const visited = new Set<unknown>();
    for (const [input, steps] of fc.sample(fc.tuple(coordinatorInputArb, coordinatorSteps), { seed: COORDINATOR_SEED, numRuns: 100 })) {
      for (const v of runBoth(coordinatorActor(input), coordinatorPure(input), steps, resolveCoordinatorStep)) visited.add(v);
    }
    expect([...visited].sort()).toEqual(['CompletingRebalance', 'Dead', 'Empty', 'PreparingRebalance', 'Stable']);
  });
});

describe(`consumer machine: actor vs pure transition() (seed: ${CONSUMER_SEED})`, () => {
  test.prop([consumerInputArb, consumerSteps], { seed: CONSUMER_SEED, numRuns: 100 })(
    'same state value, context and emitted effects after every event',
    (input, steps) => {
      runBoth(consumerActor(input), consumerPure(input), steps, resolveConsumerStep);
    },
  );

  it('the generated sequences reach the poll loop and its commits (the property is not vacuous)', () => {
    const visited = new Set<unknown>();
    for (const [input, steps] of fc.sample(fc.tuple(consumerInputArb, consumerSteps), { seed: CONSUMER_SEED, numRuns: 100 })) {
      for (const v of runBoth(consumerActor(input), consumerPure(input), steps, resolveConsumerStep)) visited.add(v);
    }
    for (const state of ['Joining', 'Assigning', 'Syncing', 'FetchingOffsets', 'Fetching', 'Processing', 'Committing', 'Left']) {
      expect(visited, `never reached ${state}`).toContain(state);
    }
  });
});
