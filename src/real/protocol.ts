/**
 * The contract between the real-system harness (runScenario.ts) and its consumer processes
 * (consumer-kafkajs.ts, consumer-rdkafka.ts): what the harness passes to a child, what a child
 * prints, and which processing policies of models/types.ts each client can express.
 *
 * A child prints one JSON object per line on stdout. A line whose `type` is a history event of
 * models/history.ts is a member event without `t` and `member`: the harness stamps both (its own
 * clock, the child's name), validates the event and appends it to the merged history in arrival
 * order. Lines whose type starts with `_` are control lines (positions, notes) and never reach
 * the history. Everything a child wants a human to see goes to stderr.
 *
 * Pure data and pure functions only: both sides import this file.
 */
import type { CommitError, DistributiveOmit, HistoryEvent } from '../../models/history.ts';
import type { ConsumerConfig, ProcessingPolicy } from '../../models/types.ts';

export type RealClient = 'kafkajs' | 'librdkafka';
export const REAL_CLIENTS: readonly RealClient[] = ['kafkajs', 'librdkafka'];

/** Environment variable that carries a child's ChildConfig as JSON. */
export const CHILD_CONFIG_ENV = 'GROUPCHECK_REAL_CHILD';

/** What one consumer process runs with. Every duration is in real milliseconds. */
export interface ChildConfig
  extends Pick<
    ConsumerConfig,
    'policy' | 'autoOffsetReset' | 'assignors' | 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'maxPollIntervalMs' | 'autoCommitIntervalMs' | 'maxPollRecords' | 'fetchMaxWaitMs' | 'processingMs'
  > {
  readonly client: RealClient;
  /** Member name of this incarnation, `c1#2`. */
  readonly member: string;
  readonly group: string;
  readonly topics: readonly string[];
  /** host:port of the mock cluster; always 127.0.0.1. */
  readonly bootstrap: string;
  /** The process exits on its own after this long (a watchdog: nothing outlives a scenario). */
  readonly lifetimeMs: number;
}

/** A member event as a child prints it: the harness adds `t` and `member`. */
export type MemberEventBody = DistributiveOmit<Extract<HistoryEvent, { member: string }>, 't' | 'member'>;

/** Control lines: never part of the history. */
export type ControlLine =
  /** The client is connected and subscribed. */
  | { readonly type: '_ready' }
  /** The member's fetch position of a partition (next offset it will read), for quiescence. */
  | { readonly type: '_pos'; readonly tp: string; readonly offset: number }
  /** Something worth keeping beside the history: a raw client error name, a client warning. */
  | { readonly type: '_note'; readonly text: string };

export type ChildLine = MemberEventBody | ControlLine;

export const isControlLine = (l: { readonly type: string }): l is ControlLine => l.type.startsWith('_');

/**
 * Which model policy each client can express, and how (kafka-protocol.md §2.6).
 * A policy missing here cannot be expressed by that client: a replay exits 2.
 */
export const CLIENT_POLICIES: Readonly<Record<RealClient, Readonly<Partial<Record<ProcessingPolicy, string>>>>> = {
  kafkajs: {
    'auto-commit-java':
      'eachMessage with autoCommit (the KafkaJS default): an offset is resolved after the handler returns and the runner commits resolved offsets (after each batch, on autoCommitInterval, before a rejoin)',
    'commit-per-message': 'eachMessage, autoCommit: false, consumer.commitOffsets(offset + 1) after each record',
    'commit-after-batch': 'eachBatch (autoCommit: false, eachBatchAutoResolve: false) in chunks of maxPollRecords: process the chunk, then commitOffsets(last + 1)',
    'commit-before-process': 'eachBatch in chunks of maxPollRecords: commitOffsets(last + 1), then process the chunk',
  },
  librdkafka: {
    'auto-commit-timer': 'KafkaConsumer defaults: enable.auto.commit=true, enable.auto.offset.store=true (the store is set when consume() hands a record over; a timer commits it)',
    'auto-commit-java': 'enable.auto.commit=true, enable.auto.offset.store=false, offsetsStore(offset + 1) after processing each record',
    'commit-per-message': 'enable.auto.commit=false, commitSync(offset + 1) after each record',
    'commit-after-batch': 'enable.auto.commit=false, consume(maxPollRecords), process the batch, commitSync(last + 1 per partition)',
    'commit-before-process': 'enable.auto.commit=false, consume(maxPollRecords), commitSync(last + 1 per partition), then process',
  },
};

/** Why a client cannot run a configuration, or undefined when it can. */
export const unsupportedReason = (client: RealClient, policy: ProcessingPolicy, mode: 'subscribe' | 'assign'): string | undefined => {
  if (mode === 'assign') return `manual assign() is not implemented by the ${client} adapter (KafkaJS has no assign(); node-rdkafka's is not wired up)`;
  if (CLIENT_POLICIES[client][policy] === undefined) {
    return client === 'kafkajs' && policy === 'auto-commit-timer'
      ? 'KafkaJS has no timer that commits offsets handed to the application before they are processed (librdkafka\'s default, §2.6); its auto-commit only commits offsets resolved after processing'
      : `${client} cannot express policy ${policy}`;
  }
  return undefined;
};

const COMMIT_ERRORS: ReadonlySet<string> = new Set<CommitError>([
  'NONE',
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'REQUEST_TIMED_OUT',
  'FENCED_INSTANCE_ID',
]);

/**
 * Errors after which the client cannot know whether the coordinator applied the commit: the
 * request or its answer was lost (a timeout, a dropped connection). librdkafka spells them
 * `ERR__TIMED_OUT` / `ERR__TRANSPORT` (local), KafkaJS throws KafkaJSRequestTimeoutError or a
 * connection error. They are recorded as REQUEST_TIMED_OUT, "outcome unknown", which the
 * invariants treat as "may have been applied" (docs/history.md), never as a rejection.
 */
const INDETERMINATE: ReadonlySet<string> = new Set([
  'REQUEST_TIMED_OUT',
  '_TIMED_OUT',
  '_TRANSPORT',
  '_MSG_TIMED_OUT',
  'KafkaJSRequestTimeoutError',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
]);

/**
 * Maps a client's commit error name (Kafka's name, librdkafka's `ERR_X` / `ERR__X`, KafkaJS's
 * `type` or error class name) onto the history's CommitError. Timeouts and lost connections
 * become REQUEST_TIMED_OUT (outcome unknown, see INDETERMINATE). Other names outside the history's
 * vocabulary (librdkafka's local errors such as _STATE, which send nothing) become
 * COORDINATOR_NOT_AVAILABLE: "not accepted, for a reason outside the group protocol". The raw
 * name is returned so it can be kept as a note beside the history.
 */
export const mapCommitError = (name: string | null | undefined): { readonly error: CommitError; readonly raw: string | null } => {
  if (name === null || name === undefined || name === '' || name === 'NONE' || name === 'NO_ERROR' || name === 'ERR_NO_ERROR') return { error: 'NONE', raw: null };
  const bare = name.replace(/^ERR_/, '');
  if (COMMIT_ERRORS.has(bare)) return { error: bare as CommitError, raw: null };
  if (INDETERMINATE.has(bare)) return { error: 'REQUEST_TIMED_OUT', raw: name };
  return { error: 'COORDINATOR_NOT_AVAILABLE', raw: name };
};

/** Groups records, in the order a poll returned them, into one offsets list per partition. */
export const pollGroups = (records: readonly { readonly tp: string; readonly offset: number }[]): Array<{ tp: string; offsets: number[] }> => {
  const out: Array<{ tp: string; offsets: number[] }> = [];
  const byTp = new Map<string, number[]>();
  for (const r of records) {
    let list = byTp.get(r.tp);
    if (list === undefined) {
      list = [];
      byTp.set(r.tp, list);
      out.push({ tp: r.tp, offsets: list });
    }
    list.push(r.offset);
  }
  return out;
};

/** Highest offset + 1 per partition: what committing "everything up to here" sends. */
export const nextOffsets = (records: readonly { readonly tp: string; readonly offset: number }[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of records) out[r.tp] = Math.max(out[r.tp] ?? 0, r.offset + 1);
  return out;
};
