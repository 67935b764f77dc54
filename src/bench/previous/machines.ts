/**
 * FROZEN BASELINE for the benchmark only (see ./simulate.ts): the machines as the previous
 * simulator ran them, i.e. with the consumer's initial context built as before issue 7, with
 * `{ ...input, more, ...NOTHING_OWNED, more }`, which V8 runs on a slow path (tens of µs a call).
 * The machine object is the same but for `config.context`, the only part of it that changed;
 * ./compiled.ts reads the config and implementations, nothing else.
 */
import type { AnyStateMachine } from 'xstate';
import type { ConsumerContext, ConsumerInput } from '../../../models/consumer/consumer.logic.ts';
import type { Machines } from '../../../models/machines.ts';

const NOTHING_OWNED = { assignment: [], positions: {}, buffer: [], processed: {}, store: {} } as const;

export const previousInitialConsumerContext = (input: ConsumerInput): ConsumerContext => ({
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

const withContext = <M extends AnyStateMachine>(machine: M, context: (input: ConsumerInput) => ConsumerContext): M => {
  const config = { ...machine.config, context: ({ input }: { input: ConsumerInput }) => context(input) };
  return Object.create(machine, { config: { value: config } }) as M;
};

const memo = new WeakMap<Machines, Machines>();

/** The same machines, the consumer's initial context built the previous way. */
export const previousMachines = (m: Machines): Machines => {
  let p = memo.get(m);
  if (p === undefined) {
    p = { ...m, consumer: withContext(m.consumer, previousInitialConsumerContext) };
    memo.set(m, p);
  }
  return p;
};
