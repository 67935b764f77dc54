/**
 * Hand-written XState baselines on the real consumer machine: a fixed script of its own event
 * types that joins a group once, then goes around the poll loop (fetch, process two records,
 * commit the batch, heartbeat) `cycles` times. The same script is driven through a long-lived
 * actor (`actor.send`) and through the pure `transition()`; both must end in Fetching with the
 * same context, or the baseline did not exercise the machine and the benchmark aborts.
 */
import { createActor, initialTransition, transition } from 'xstate';
import { consumerMachine, type ConsumerEvent } from '../../models/consumer/consumer.machine.ts';
import type { ConsumerInput } from '../../models/consumer/consumer.logic.ts';
import type { LogRecord } from '../../models/types.ts';
import { defaultConsumerConfig } from '../sim/config.ts';

const NAME = 'c0#1';
const GROUP = 'g1';
const TP = 'accounts-0';
const RECORDS_PER_BATCH = 2;
/** Events of one poll-loop cycle (see `scriptOf`). */
export const EVENTS_PER_CYCLE = 6;

export const baselineInput: ConsumerInput = {
  name: NAME,
  group: GROUP,
  topics: ['accounts'],
  mode: 'subscribe',
  partitions: [],
  config: defaultConsumerConfig('commit-after-batch'),
};

const record = (offset: number): LogRecord => ({ tp: TP, offset, key: `acct-${offset % 6}`, value: offset + 1, bytes: 100 });

/** Start, FindCoordinator, JoinGroup (follower), SyncGroup, OffsetFetch: Idle → Fetching. */
const joinPrefix = (): ConsumerEvent[] => [
  { type: 'Start' },
  { type: 'FindCoordinatorResponse', to: NAME, group: GROUP },
  { type: 'JoinGroupResponse', to: NAME, error: 'NONE', generation: 1, memberId: 'm1', leaderId: 'm0', protocol: 'range', members: [] },
  { type: 'SyncGroupResponse', to: NAME, error: 'NONE', generation: 1, assignment: [TP] },
  { type: 'OffsetFetchResponse', to: NAME, committed: { [TP]: -1 }, logStartOffsets: { [TP]: 0 }, logEndOffsets: { [TP]: 0 } },
];

/**
 * Cycle i (fetch and commit sequence numbers i + 1):
 * Fetching -FetchResponse→ Processing -Timer(process)→ Processing -Timer(process)→ Committing
 * -Timer(heartbeat), HeartbeatResponse (root handlers)- -OffsetCommitResponse→ Polling → Fetching.
 */
export const scriptOf = (cycles: number): ConsumerEvent[] => {
  const events = joinPrefix();
  for (let i = 0; i < cycles; i++) {
    const first = i * RECORDS_PER_BATCH;
    const records = Array.from({ length: RECORDS_PER_BATCH }, (_, k) => record(first + k));
    const next = first + RECORDS_PER_BATCH;
    events.push(
      { type: 'FetchResponse', to: NAME, records, seq: i + 1 },
      { type: 'Timer', timer: 'process' },
      { type: 'Timer', timer: 'process' },
      { type: 'Timer', timer: 'heartbeat' },
      { type: 'HeartbeatResponse', to: NAME, error: 'NONE', generation: 1 },
      { type: 'OffsetCommitResponse', to: NAME, error: 'NONE', generation: 1, offsets: { [TP]: next }, seq: i + 1 },
    );
  }
  return events;
};

interface EndState {
  readonly value: unknown;
  readonly context: { readonly positions: Readonly<Record<string, number>>; readonly processed: Readonly<Record<string, number>>; readonly commitSeq: number; readonly fetchSeq: number };
}

/** Throws unless the machine went around the loop `cycles` times and waits in Fetching. */
export const verifyEnd = (label: string, s: EndState, cycles: number): void => {
  const offset = cycles * RECORDS_PER_BATCH;
  const c = s.context;
  const ok = s.value === 'Fetching' && c.positions[TP] === offset && c.processed[TP] === offset && c.commitSeq === cycles && c.fetchSeq === cycles + 1;
  if (!ok) {
    throw new Error(
      `${label}: the consumer baseline script did not drive the machine around its poll loop ` +
        `(state ${JSON.stringify(s.value)}, positions ${JSON.stringify(c.positions)}, commitSeq ${c.commitSeq}, fetchSeq ${c.fetchSeq}; expected Fetching at ${offset})`,
    );
  }
};

/** Drives the script through one long-lived actor; effects are collected as the simulator does. */
export const runActorSend = (script: readonly ConsumerEvent[], cycles: number): { events: number; effects: number; end: EndState } => {
  const actor = createActor(consumerMachine, { input: baselineInput });
  let effects = 0;
  actor.on('*', () => {
    effects++;
  });
  actor.start();
  for (const e of script) actor.send(e);
  const snap = actor.getSnapshot();
  actor.stop();
  const end: EndState = { value: snap.value, context: snap.context };
  verifyEnd('actor.send', end, cycles);
  return { events: script.length, effects, end };
};

/** Folds the script through the pure transition(); actions (the effects) are returned, not run. */
export const runPureTransition = (script: readonly ConsumerEvent[], cycles: number): { events: number; actions: number; end: EndState } => {
  let [snap] = initialTransition(consumerMachine, baselineInput);
  let actions = 0;
  for (const e of script) {
    const [next, acts] = transition(consumerMachine, snap, e);
    snap = next;
    actions += acts.length;
  }
  const end: EndState = { value: snap.value, context: snap.context };
  verifyEnd('transition()', end, cycles);
  return { events: script.length, actions, end };
};

/** Both drivers must agree on where the script ends. */
export const checkDriversAgree = (cycles: number): void => {
  const script = scriptOf(cycles);
  const a = runActorSend(script, cycles).end;
  const b = runPureTransition(script, cycles).end;
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    throw new Error(`actor.send and transition() ended differently on the baseline script:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
  }
};
