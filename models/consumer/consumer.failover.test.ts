/**
 * The consumer across coordinator failover and lost messages, one rule per test
 * (kafka-protocol.md §2.1: NOT_COORDINATOR/COORDINATOR_NOT_AVAILABLE → rediscover and back off,
 * LOAD_IN_PROGRESS → back off; §2.2: the heartbeat thread marks the coordinator unknown; §2.7:
 * commit routing errors and timeouts are retriable; request.timeout.ms closes the connection).
 * The member runs as an XState actor, as in consumer.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Effect } from '../effects.ts';
import type { CommitError } from '../history.ts';
import type { Response } from '../protocol.ts';
import type { ConsumerConfig, LogRecord } from '../types.ts';
import { JOIN_TIMEOUT_LAPSE_MS, RETRY_BACKOFF_MS } from './consumer.logic.ts';
import { consumerMachine, type ConsumerEvent } from './consumer.machine.ts';
import { testConsumerConfig } from './testConfig.ts';

type Res<T extends Response['type']> = Extract<Response, { type: T }>;
const ME = 'c1';
const MEMBER_ID = 'c1~1';
const REQUEST_TIMEOUT_MS = 4000;
const LOOKUP = { type: 'Send', to: 'broker', message: { type: 'FindCoordinator', from: ME, group: 'g' } };

describe('JoinGroup and SyncGroup across a failover (§2.1)', () => {
  it.each(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'] as const)('JoinGroup %s: rediscover, back off, then join again with the same member id', (error) => {
    const c = joining();
    const out = c.send(joinResponse({ error, generation: -1, memberId: MEMBER_ID }));
    expect(c.state()).toBe('Joining');
    expect(out).toEqual([LOOKUP, { type: 'SetTimer', timer: 'retry', delayMs: RETRY_BACKOFF_MS }]);
    const retry = c.send(timer('retry'));
    expect(messages(retry)).toEqual([expect.objectContaining({ type: 'JoinGroup', memberId: '' })]);
  });

  it('JoinGroup COORDINATOR_LOAD_IN_PROGRESS: back off only (the coordinator is known, it is loading)', () => {
    const c = joining();
    expect(c.send(joinResponse({ error: 'COORDINATOR_LOAD_IN_PROGRESS', generation: -1 }))).toEqual([{ type: 'SetTimer', timer: 'retry', delayMs: RETRY_BACKOFF_MS }]);
  });

  it('a JoinGroup unanswered for the rebalance timeout + 5 s closes the connection and retries after rediscovery', () => {
    const c = joining();
    const out = c.send(timer('request'));
    expect(out).toEqual([{ type: 'Disconnect', to: 'coordinator' }, LOOKUP, { type: 'SetTimer', timer: 'retry', delayMs: RETRY_BACKOFF_MS }]);
    expect(c.state()).toBe('Joining');
  });

  it('SyncGroup NOT_COORDINATOR: the generation is given up, the member rejoins once the coordinator is found', () => {
    const c = joining();
    c.send(joinResponse({ leaderId: 'c2~2', members: [] }));
    expect(c.state()).toBe('Syncing');
    const out = c.send({ type: 'SyncGroupResponse', to: ME, error: 'NOT_COORDINATOR', generation: 1, assignment: [] });
    expect(c.state()).toBe('Joining');
    expect(c.ctx()).toMatchObject({ generation: -1, memberId: MEMBER_ID, heartbeatEnabled: false });
    expect(out).toContainEqual(LOOKUP);
    expect(messages(c.send(timer('retry')))).toEqual([expect.objectContaining({ type: 'JoinGroup', memberId: MEMBER_ID })]);
  });

  it('a follower arms its SyncGroup timeout with the rebalance timeout + 5 s (a SyncGroup waits for the leader)', () => {
    const c = joining();
    const out = c.send(joinResponse({ leaderId: 'c2~2', members: [] }));
    expect(out).toContainEqual({ type: 'SetTimer', timer: 'request', delayMs: 30_000 + JOIN_TIMEOUT_LAPSE_MS });
  });
});

describe('OffsetFetch and Fetch', () => {
  it('OffsetFetch answered with a routing error is retried after rediscovery; the positions wait for a real answer', () => {
    const c = fetchingOffsets();
    const out = c.send({ type: 'OffsetFetchResponse', to: ME, error: 'NOT_COORDINATOR', committed: {}, logStartOffsets: {}, logEndOffsets: {} });
    expect(c.state()).toBe('FetchingOffsets');
    expect(observations(out)).toEqual([]);
    expect(out).toContainEqual(LOOKUP);
    const retry = c.send(timer('retry'));
    expect(messages(retry)).toEqual([{ type: 'OffsetFetch', from: ME, group: 'g', partitions: ['t-0'] }]);
    expect(retry).toContainEqual({ type: 'SetTimer', timer: 'request', delayMs: REQUEST_TIMEOUT_MS });
  });

  it('a Fetch that times out closes the broker connection and the next poll fetches again', () => {
    const c = fetching();
    const out = c.send(timer('request'));
    expect(out[0]).toEqual({ type: 'Disconnect', to: 'broker' });
    expect(messages(out)).toEqual([expect.objectContaining({ type: 'Fetch', seq: 2 })]);
    expect(c.state()).toBe('Fetching');
  });
});

describe('commitSync across lost messages and failover (§2.7)', () => {
  it('no answer within request.timeout.ms: REQUEST_TIMED_OUT (outcome unknown) is recorded, the connection closed, the commit retried', () => {
    const c = committing();
    const out = c.send(timer('request'));
    expect(observations(out)).toEqual([{ type: 'CommitResult', group: 'g', generation: 1, offsets: { 't-0': 1 }, seq: 1, error: 'REQUEST_TIMED_OUT' }]);
    expect(out).toContainEqual({ type: 'Disconnect', to: 'coordinator' });
    expect(c.state()).toBe('Committing');
    const retry = c.send(timer('retry'));
    expect(commitsOf(retry)).toEqual([expect.objectContaining({ offsets: { 't-0': 1 }, generation: 1, seq: 2 })]);
    // The retry's answer is the awaited one; the timed-out seq 1 is not.
    expect(c.send(commitResponse(1, { 't-0': 1 }))).toEqual([expect.objectContaining({ type: 'Observe' })]);
    expect(c.state()).toBe('Committing');
    c.send(commitResponse(2, { 't-0': 1 }));
    expect(c.state()).not.toBe('Committing');
  });

  it.each(['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE'] as const)('%s: recorded, the batch is kept, the same offsets are committed again after the backoff', (error) => {
    const c = committing();
    const out = c.send(commitResponse(1, { 't-0': 1 }, error));
    expect(observations(out)).toEqual([expect.objectContaining({ type: 'CommitResult', seq: 1, error })]);
    expect(out.some((e) => e.type === 'Send' && e.message.type === 'FindCoordinator')).toBe(error !== 'COORDINATOR_LOAD_IN_PROGRESS');
    expect(c.ctx().rejoinNeeded).toBe(false);
    expect(commitsOf(c.send(timer('retry')))).toEqual([expect.objectContaining({ offsets: { 't-0': 1 }, seq: 2 })]);
  });
});

describe('the heartbeat thread (§2.2)', () => {
  it('NOT_COORDINATOR: look the coordinator up again and keep the generation; LOAD_IN_PROGRESS never reaches it (NONE, §1.10)', () => {
    const c = fetching();
    const out = c.send({ type: 'HeartbeatResponse', to: ME, error: 'NOT_COORDINATOR', generation: 1 });
    expect(out).toEqual([LOOKUP]);
    expect(c.ctx()).toMatchObject({ generation: 1, rejoinNeeded: false, generationLost: false });
  });
});

// Helpers

function config(): ConsumerConfig {
  return testConsumerConfig({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
}

function consumer() {
  const actor = createActor(consumerMachine, { input: { name: ME, group: 'g', topics: ['t'], mode: 'subscribe', partitions: [], config: config() } });
  const out: Effect[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  return {
    send(ev: ConsumerEvent): Effect[] {
      out.length = 0;
      actor.send(ev);
      return [...out];
    },
    state: (): string => actor.getSnapshot().value,
    ctx: () => actor.getSnapshot().context,
  };
}

function joining() {
  const c = consumer();
  c.send({ type: 'Start' });
  c.send({ type: 'FindCoordinatorResponse', to: ME, group: 'g' });
  expect(c.state()).toBe('Joining');
  return c;
}

function fetchingOffsets() {
  const c = joining();
  c.send(joinResponse({ leaderId: 'c2~2', members: [] }));
  c.send({ type: 'SyncGroupResponse', to: ME, error: 'NONE', generation: 1, assignment: ['t-0'] });
  expect(c.state()).toBe('FetchingOffsets');
  return c;
}

function fetching() {
  const c = fetchingOffsets();
  c.send({ type: 'OffsetFetchResponse', to: ME, committed: { 't-0': 0 }, logStartOffsets: { 't-0': 0 }, logEndOffsets: { 't-0': 5 } });
  expect(c.state()).toBe('Fetching');
  return c;
}

/** Processed t-0@0 with commit-per-message: commit seq 1 of t-0 → 1 is in flight. */
function committing() {
  const c = fetching();
  c.send({ type: 'FetchResponse', to: ME, records: [rec('t-0', 0), rec('t-0', 1)], seq: 1 });
  c.send(timer('process'));
  expect(c.state()).toBe('Committing');
  return c;
}

function joinResponse(over: Partial<Res<'JoinGroupResponse'>> = {}): Res<'JoinGroupResponse'> {
  return { type: 'JoinGroupResponse', to: ME, error: 'NONE', generation: 1, memberId: MEMBER_ID, leaderId: MEMBER_ID, protocol: 'range', members: [], ...over };
}
function commitResponse(seq: number, offsets: Record<string, number>, error: CommitError = 'NONE'): Res<'OffsetCommitResponse'> {
  return { type: 'OffsetCommitResponse', to: ME, error, generation: 1, offsets, seq };
}
function rec(tp: string, offset: number): LogRecord {
  return { tp, offset, key: `k${offset}`, value: offset, bytes: 10 };
}
function timer(name: string): ConsumerEvent {
  return { type: 'Timer', timer: name };
}
function messages(out: readonly Effect[]) {
  return out.flatMap((e) => (e.type === 'Send' ? [e.message] : []));
}
function observations(out: readonly Effect[]) {
  return out.flatMap((e) => (e.type === 'Observe' ? [e.event] : []));
}
function commitsOf(out: readonly Effect[]) {
  return messages(out).flatMap((m) => (m.type === 'OffsetCommit' ? [m] : []));
}
