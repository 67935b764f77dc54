/**
 * Shared vocabulary of the groupcheck models: topic-partition keys, records and
 * the consumer configuration that the machines read.
 *
 * This file is pure data: no engine import, no time, no randomness
 * (house-style §3.1: dependencies point properties → src → models).
 */

/** A topic-partition key, spelled as Kafka tools print it: `accounts-2`. */
export type TopicPartition = string;

export const tpKey = (topic: string, partition: number): TopicPartition => `${topic}-${partition}`;

/** Splits `accounts-2` into its topic and partition (topics may contain dashes). */
export const tpParse = (tp: TopicPartition): { topic: string; partition: number } => {
  const i = tp.lastIndexOf('-');
  return { topic: tp.slice(0, i), partition: Number(tp.slice(i + 1)) };
};

/** One record as the reference log stores and fetch returns it. */
export interface LogRecord {
  readonly tp: TopicPartition;
  readonly offset: number;
  readonly key: string;
  readonly value: number;
  readonly bytes: number;
}

/**
 * How the application around the consumer processes and commits (issue 2, item 5).
 * - `commit-after-batch`: poll, process the whole batch, commitSync(processed).
 * - `commit-per-message`: poll, then for each record process it and commitSync(offset + 1);
 *   the loop that is often mistaken for exactly-once.
 * - `commit-before-process`: poll, commitSync(positions), then process the batch (at-most-once).
 * - `auto-commit-java`: Java's enable.auto.commit: inside poll(), when the interval has elapsed,
 *   commit the positions of what earlier polls returned (kafka-protocol.md §2.6).
 * - `auto-commit-timer`: librdkafka's default: the offset store is set to offset + 1 when a record is
 *   handed to the application and a background timer commits the store (kafka-protocol.md §2.6).
 */
export type ProcessingPolicy =
  | 'commit-after-batch'
  | 'commit-per-message'
  | 'commit-before-process'
  | 'auto-commit-java'
  | 'auto-commit-timer';

export const PROCESSING_POLICIES: readonly ProcessingPolicy[] = [
  'commit-after-batch',
  'commit-per-message',
  'commit-before-process',
  'auto-commit-java',
  'auto-commit-timer',
];

export type AssignorName = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';

export const ASSIGNOR_NAMES: readonly AssignorName[] = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'];

/**
 * The rebalance protocol a member runs, fixed locally as Java's ConsumerCoordinator does (§3.1):
 * COOPERATIVE only when every configured assignor supports it (only cooperative-sticky does),
 * otherwise EAGER; the 3.0+ default [range, cooperative-sticky] therefore runs eager.
 */
export const isCooperative = (assignors: readonly AssignorName[]): boolean =>
  assignors.length > 0 && assignors.every((a) => a === 'cooperative-sticky');
export type OffsetReset = 'earliest' | 'latest';

/** The consumer settings the member machine reads; names follow Kafka's configs (kafka-protocol.md §2.9). */
export interface ConsumerConfig {
  readonly policy: ProcessingPolicy;
  readonly autoOffsetReset: OffsetReset;
  /** Preference order, first is most preferred (`partition.assignment.strategy`). */
  readonly assignors: readonly AssignorName[];
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** max.poll.interval.ms; also sent as the JoinGroup rebalance timeout (§2.3). */
  readonly maxPollIntervalMs: number;
  readonly autoCommitIntervalMs: number;
  readonly maxPollRecords: number;
  readonly fetchMinBytes: number;
  readonly fetchMaxWaitMs: number;
  readonly fetchMaxBytes: number;
  readonly maxPartitionFetchBytes: number;
  /** Time the application spends on one record. */
  readonly processingMs: number;
  /**
   * request.timeout.ms: a request unanswered this long is failed and its connection closed
   * (JoinGroup waits rebalance timeout + 5 s, as the Java client's JOIN_GROUP_TIMEOUT_LAPSE).
   * Absent: 30000, Kafka's default (§2.9).
   */
  readonly requestTimeoutMs?: number;
}
