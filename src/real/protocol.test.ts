/**
 * The pure parts of the real-system adapter: error mapping, poll grouping, time scaling and
 * which configurations each client can run. (The real runs are in *.real.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { defaultConsumerConfig, defaultSimConfig } from '../sim/config.ts';
import { mapCommitError, nextOffsets, pollGroups, unsupportedReason } from './protocol.ts';
import { realConfigProblem, realTimings, SESSION_FLOOR_MS } from './runScenario.ts';

describe('mapCommitError', () => {
  it('keeps the names of the history vocabulary, from Kafka, librdkafka and KafkaJS spellings', () => {
    expect(mapCommitError(null)).toEqual({ error: 'NONE', raw: null });
    expect(mapCommitError('ERR_NO_ERROR')).toEqual({ error: 'NONE', raw: null });
    expect(mapCommitError('ERR_ILLEGAL_GENERATION')).toEqual({ error: 'ILLEGAL_GENERATION', raw: null });
    expect(mapCommitError('UNKNOWN_MEMBER_ID')).toEqual({ error: 'UNKNOWN_MEMBER_ID', raw: null });
    expect(mapCommitError('ERR_REBALANCE_IN_PROGRESS')).toEqual({ error: 'REBALANCE_IN_PROGRESS', raw: null });
    expect(mapCommitError('ERR_NOT_COORDINATOR')).toEqual({ error: 'NOT_COORDINATOR', raw: null });
    expect(mapCommitError('COORDINATOR_LOAD_IN_PROGRESS')).toEqual({ error: 'COORDINATOR_LOAD_IN_PROGRESS', raw: null });
  });
  it('maps timeouts and lost connections to REQUEST_TIMED_OUT: the commit may have been applied (docs/history.md)', () => {
    expect(mapCommitError('ERR_REQUEST_TIMED_OUT')).toEqual({ error: 'REQUEST_TIMED_OUT', raw: null });
    expect(mapCommitError('ERR__TIMED_OUT')).toEqual({ error: 'REQUEST_TIMED_OUT', raw: 'ERR__TIMED_OUT' });
    expect(mapCommitError('ERR__TRANSPORT')).toEqual({ error: 'REQUEST_TIMED_OUT', raw: 'ERR__TRANSPORT' });
    expect(mapCommitError('KafkaJSRequestTimeoutError')).toEqual({ error: 'REQUEST_TIMED_OUT', raw: 'KafkaJSRequestTimeoutError' });
  });
  it('maps every other error to a rejection and keeps its raw name', () => {
    expect(mapCommitError('ERR__STATE')).toEqual({ error: 'COORDINATOR_NOT_AVAILABLE', raw: 'ERR__STATE' });
    expect(mapCommitError('INVALID_REQUEST')).toEqual({ error: 'COORDINATOR_NOT_AVAILABLE', raw: 'INVALID_REQUEST' });
  });
});

describe('pollGroups and nextOffsets', () => {
  const records = [
    { tp: 'a-1', offset: 4 },
    { tp: 'a-0', offset: 7 },
    { tp: 'a-1', offset: 5 },
  ];
  it('groups a poll by partition, in the order the poll returned them', () => {
    expect(pollGroups(records)).toEqual([
      { tp: 'a-1', offsets: [4, 5] },
      { tp: 'a-0', offsets: [7] },
    ]);
  });
  it('commits the offset after the last record of each partition', () => {
    expect(nextOffsets(records)).toEqual({ 'a-1': 6, 'a-0': 8 });
  });
});

describe('realTimings', () => {
  it('scales the consumer settings and applies the floors', () => {
    const t = realTimings(defaultConsumerConfig('commit-per-message'), 0.5);
    expect(t).toEqual({ sessionTimeoutMs: 3000, heartbeatIntervalMs: 1000, maxPollIntervalMs: 5000, autoCommitIntervalMs: 500, fetchMaxWaitMs: 250, processingMs: 50 });
    const tiny = realTimings(defaultConsumerConfig('commit-per-message'), 0.01);
    expect(tiny.sessionTimeoutMs).toBe(SESSION_FLOOR_MS);
    expect(tiny.heartbeatIntervalMs).toBeLessThanOrEqual(SESSION_FLOOR_MS / 3);
    expect(tiny.maxPollIntervalMs).toBeGreaterThanOrEqual(SESSION_FLOOR_MS);
  });
});

describe('which configurations a client can run', () => {
  it('refuses what the client cannot express', () => {
    expect(unsupportedReason('kafkajs', 'auto-commit-timer', 'subscribe')).toMatch(/KafkaJS has no timer/);
    expect(unsupportedReason('librdkafka', 'auto-commit-timer', 'subscribe')).toBeUndefined();
    expect(unsupportedReason('librdkafka', 'commit-per-message', 'assign')).toMatch(/assign/);
  });
  it('refuses more partitions than the mock creates', () => {
    const c = defaultSimConfig('commit-per-message');
    expect(realConfigProblem('kafkajs', c)).toBeUndefined();
    expect(realConfigProblem('kafkajs', { ...c, topics: [{ name: 'accounts', partitions: 6 }] })).toMatch(/4/);
  });
});
