/**
 * The consumer settings the member's unit tests share (consumer.test.ts, consumer.mutation.test.ts,
 * consumer.failover.test.ts, ../consumer848/consumer848.test.ts): Kafka-like timeouts, small
 * batches. A test overrides what it is about.
 * Test support only: not part of the package (package.json "files").
 */
import type { ConsumerConfig } from '../types.ts';

export const testConsumerConfig = (over: Partial<ConsumerConfig> = {}): ConsumerConfig => ({
  policy: 'commit-per-message',
  autoOffsetReset: 'earliest',
  assignors: ['range'],
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 3_000,
  maxPollIntervalMs: 30_000,
  autoCommitIntervalMs: 5_000,
  maxPollRecords: 10,
  fetchMinBytes: 1,
  fetchMaxWaitMs: 500,
  fetchMaxBytes: 1_000_000,
  maxPartitionFetchBytes: 100_000,
  processingMs: 7,
  ...over,
});
