/**
 * Unit tests of the KIP-848 member (kafka-protocol.md §3.3): the machine is driven as an XState
 * actor with literal responses and timers; the tests read what it sends and observes.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Effect } from '../effects.ts';
import type { Request, Response } from '../protocol.ts';
import type { ConsumerEvent } from '../consumer/consumer.machine.ts';
import type { ConsumerConfig, ProcessingPolicy } from '../types.ts';
import { consumer848Machine } from './consumer848.machine.ts';
import type { Consumer848Context } from './consumer848.logic.ts';
import { testConsumerConfig } from '../consumer/testConfig.ts';

describe('KIP-848 member', () => {
  it('joins with epoch 0, adopts the epoch of the answer, and takes its partitions at the top of the next poll', () => {
    const m = member();
    const join = m.start();
    expect(join).toMatchObject({ type: 'ConsumerGroupHeartbeat', memberId: 'c', memberEpoch: 0, ownedPartitions: [] });
    expect(m.state()).toBe('Fetching');
    const out = m.send(answer(1, ['t-0', 't-1']));
    expect(observed(out)).toEqual([{ type: 'Joined', group: 'G', generation: 1, leader: false }]);
    expect(m.ctx().generation).toBe(1);
    expect(m.ctx().assignment).toEqual([]); // not yet: reconciliation runs inside poll()
    const poll = m.send(emptyFetch(m));
    expect(observed(poll)).toEqual([{ type: 'Assigned', group: 'G', generation: 1, partitions: ['t-0', 't-1'] }]);
    expect(sent(poll).map((r) => r.type)).toEqual(['ConsumerGroupHeartbeat', 'OffsetFetch']);
    expect(sent(poll)[0]).toMatchObject({ memberEpoch: 1, ownedPartitions: ['t-0', 't-1'] });
    expect(m.state()).toBe('FetchingOffsets');
    m.send({ type: 'OffsetFetchResponse', to: 'c', committed: { 't-0': 3, 't-1': -1 }, logStartOffsets: { 't-0': 0, 't-1': 0 }, logEndOffsets: { 't-0': 5, 't-1': 5 } });
    expect(m.ctx().positions).toEqual({ 't-0': 3, 't-1': 0 });
    expect(m.state()).toBe('Fetching');
  });

  it('revokes what the target drops at the top of poll, keeps the rest with its position, and acknowledges', () => {
    const m = member();
    m.joinWith(['t-0', 't-1']);
    m.send(answer(1, ['t-0'])); // the coordinator keeps the member at epoch 1 while it revokes t-1
    const poll = m.send(emptyFetch(m));
    expect(observed(poll)).toEqual([{ type: 'Revoked', group: 'G', partitions: ['t-1'], reason: 'rebalance' }]);
    expect(sent(poll)[0]).toMatchObject({ type: 'ConsumerGroupHeartbeat', memberEpoch: 1, ownedPartitions: ['t-0'] });
    expect(m.ctx().positions).toEqual({ 't-0': 3 });
  });

  it('auto-commit policies commit before revoking (§2.5)', () => {
    const m = member('auto-commit-java');
    m.joinWith(['t-0', 't-1']);
    m.send(answer(1, ['t-0']));
    const poll = m.send(emptyFetch(m));
    expect(sent(poll)).toEqual([expect.objectContaining({ type: 'OffsetCommit', generation: 1, offsets: { 't-0': 3, 't-1': 3 } })]);
    expect(m.state()).toBe('Committing');
    const done = m.send({ type: 'OffsetCommitResponse', to: 'c', error: 'NONE', generation: 1, offsets: { 't-0': 3, 't-1': 3 }, seq: 1 });
    expect(observed(done).map((e) => e.type)).toEqual(['CommitResult', 'Revoked']);
  });

  it('retries a commit answered STALE_MEMBER_EPOCH with its latest epoch, after retry.backoff.ms', () => {
    const m = member('auto-commit-java');
    m.joinWith(['t-0', 't-1']);
    m.send(answer(1, ['t-0']));
    m.send(emptyFetch(m));
    m.send(answer(2, ['t-0', 't-1']));
    const stale = m.send({ type: 'OffsetCommitResponse', to: 'c', error: 'STALE_MEMBER_EPOCH', generation: 1, offsets: { 't-0': 3, 't-1': 3 }, seq: 1 });
    // Not at once: an immediate retry livelocked a member whose epoch could only come with a later heartbeat.
    expect(sent(stale)).toEqual([]);
    expect(stale).toContainEqual({ type: 'SetTimer', timer: 'retry', delayMs: 100 });
    expect(m.state()).toBe('Committing');
    // A late answer to the stale request changes nothing.
    expect(sent(m.send({ type: 'OffsetCommitResponse', to: 'c', error: 'STALE_MEMBER_EPOCH', generation: 1, offsets: { 't-0': 3, 't-1': 3 }, seq: 1 }))).toEqual([]);
    const retry = m.send({ type: 'Timer', timer: 'retry' });
    expect(sent(retry)).toEqual([expect.objectContaining({ type: 'OffsetCommit', generation: 2, seq: 2 })]);
    expect(m.state()).toBe('Committing');
    expect(m.ctx().rejoinNeeded).toBe(false);
  });

  it('max.poll.interval.ms expired: leaves with a heartbeat of epoch -1 (no LeaveGroup), loses its partitions at the next poll and re-joins with epoch 0', () => {
    const m = member();
    m.joinWith(['t-0']);
    const expired = m.send({ type: 'Timer', timer: 'maxpoll' });
    expect(observed(expired)).toEqual([{ type: 'PollTimeoutExpired', group: 'G' }]);
    expect(sent(expired)).toEqual([expect.objectContaining({ type: 'ConsumerGroupHeartbeat', memberEpoch: -1, ownedPartitions: ['t-0'] })]);
    expect(m.ctx().generationLost).toBe(true);
    const poll = m.send(emptyFetch(m));
    expect(observed(poll)).toEqual([{ type: 'Revoked', group: 'G', partitions: ['t-0'], reason: 'lost' }]);
    expect(sent(poll)[0]).toMatchObject({ type: 'ConsumerGroupHeartbeat', memberId: 'c', memberEpoch: 0 });
  });

  it('when fenced, loses every partition at the next poll and re-joins with epoch 0', () => {
    const m = member();
    m.joinWith(['t-0']);
    const fenced = m.send({ ...answer(1, null), error: 'UNKNOWN_MEMBER_ID' });
    expect(fenced).toEqual([{ type: 'CancelTimer', timer: 'heartbeat' }, { type: 'CancelTimer', timer: 'heartbeat-request' }]);
    const poll = m.send(emptyFetch(m));
    expect(observed(poll)).toEqual([{ type: 'Revoked', group: 'G', partitions: ['t-0'], reason: 'lost' }]);
    expect(sent(poll)[0]).toMatchObject({ type: 'ConsumerGroupHeartbeat', memberId: 'c', memberEpoch: 0 });
  });

  it('a heartbeat with no answer within request.timeout.ms: disconnect, rediscover, heartbeat again after the backoff with the same epoch', () => {
    const m = member();
    m.joinWith(['t-0']);
    const tick = m.send({ type: 'Timer', timer: 'heartbeat' });
    expect(sent(tick)[0]).toMatchObject({ type: 'ConsumerGroupHeartbeat', memberEpoch: 1, ownedPartitions: ['t-0'] });
    expect(tick).toContainEqual({ type: 'SetTimer', timer: 'heartbeat-request', delayMs: 5000 });
    const timedOut = m.send({ type: 'Timer', timer: 'heartbeat-request' });
    expect(timedOut).toEqual([
      { type: 'Disconnect', to: 'coordinator' },
      { type: 'Send', to: 'broker', message: { type: 'FindCoordinator', from: 'c', group: 'G' } },
      { type: 'SetTimer', timer: 'heartbeat', delayMs: 100 },
    ]);
    const again = m.send({ type: 'Timer', timer: 'heartbeat' });
    expect(sent(again)[0]).toMatchObject({ type: 'ConsumerGroupHeartbeat', memberEpoch: 1 });
    expect(m.ctx().assignment).toEqual(['t-0']); // a lost answer takes nothing away
  });

  it('a lost answer to its join: joins again with epoch 0, never leaves with epoch -1', () => {
    const m = member();
    m.start();
    m.send({ type: 'Timer', timer: 'heartbeat-request' });
    const again = m.send({ type: 'Timer', timer: 'heartbeat' });
    expect(sent(again)[0]).toMatchObject({ type: 'ConsumerGroupHeartbeat', memberId: 'c', memberEpoch: 0 });
  });

  it('a heartbeat answered NOT_COORDINATOR rediscovers the coordinator and retries after the backoff; LOAD_IN_PROGRESS only backs off', () => {
    const m = member();
    m.joinWith(['t-0']);
    m.send({ type: 'Timer', timer: 'heartbeat' });
    const moved = m.send({ ...answer(1, null), error: 'NOT_COORDINATOR' });
    expect(sent(moved)).toEqual([{ type: 'FindCoordinator', from: 'c', group: 'G' }]);
    expect(moved).toContainEqual({ type: 'SetTimer', timer: 'heartbeat', delayMs: 100 });
    m.send({ type: 'Timer', timer: 'heartbeat' });
    const loading = m.send({ ...answer(1, null), error: 'COORDINATOR_LOAD_IN_PROGRESS' });
    expect(sent(loading)).toEqual([]);
    expect(m.ctx().generation).toBe(1);
    expect(m.ctx().generationLost).toBe(false);
  });

  it('a sync commit with no answer is recorded as REQUEST_TIMED_OUT and sent again with the same offsets', () => {
    const m = member('commit-after-batch');
    m.joinWith(['t-0']);
    m.send({ type: 'LeaveRequest' });
    m.send(emptyFetch(m));
    expect(m.state()).toBe('Committing');
    const timedOut = m.send({ type: 'Timer', timer: 'request' });
    expect(observed(timedOut)).toEqual([expect.objectContaining({ type: 'CommitResult', error: 'REQUEST_TIMED_OUT', offsets: { 't-0': 3 }, seq: 1 })]);
    const retried = m.send({ type: 'Timer', timer: 'retry' });
    expect(sent(retried)).toEqual([expect.objectContaining({ type: 'OffsetCommit', generation: 1, offsets: { 't-0': 3 }, seq: 2 })]);
    const moved = m.send({ type: 'OffsetCommitResponse', to: 'c', error: 'NOT_COORDINATOR', generation: 1, offsets: { 't-0': 3 }, seq: 2 });
    expect(observed(moved)).toEqual([expect.objectContaining({ type: 'CommitResult', error: 'NOT_COORDINATOR', seq: 2 })]);
    expect(sent(moved)).toEqual([{ type: 'FindCoordinator', from: 'c', group: 'G' }]);
    expect(m.state()).toBe('Committing');
    expect(sent(m.send({ type: 'Timer', timer: 'retry' }))).toEqual([expect.objectContaining({ type: 'OffsetCommit', seq: 3 })]);
  });

  it('static member: heartbeats name its instance id, close leaves with epoch -2, FENCED_INSTANCE_ID is fatal', () => {
    const m = member('commit-per-message', 'i0');
    expect(m.start()).toMatchObject({ type: 'ConsumerGroupHeartbeat', memberId: 'c', memberEpoch: 0, instanceId: 'i0' });
    m.send(answer(1, ['t-0']));
    m.send({ type: 'LeaveRequest' });
    const close = m.send(emptyFetch(m));
    expect(sent(close)).toEqual([expect.objectContaining({ type: 'ConsumerGroupHeartbeat', memberId: 'c~1', memberEpoch: -2, instanceId: 'i0' })]);
    expect(m.state()).toBe('Left');

    const z = member('commit-per-message', 'i0');
    z.joinWith(['t-0']);
    const fenced = z.send({ ...answer(1, null), error: 'FENCED_INSTANCE_ID' });
    expect(fenced).toContainEqual({ type: 'CancelTimer', timer: 'heartbeat' });
    const poll = z.send(emptyFetch(z));
    expect(observed(poll).map((e) => e.type)).toEqual(['Fenced', 'Revoked', 'Left']);
    expect(sent(poll)).toEqual([]); // a fenced incarnation sends no leave
    expect(z.state()).toBe('Failed');
  });

  it('leaves with a heartbeat of epoch -1 instead of LeaveGroup', () => {
    const m = member();
    m.joinWith(['t-0']);
    m.send({ type: 'LeaveRequest' });
    const close = m.send(emptyFetch(m));
    expect(sent(close).map((r) => [r.type, 'memberEpoch' in r ? r.memberEpoch : null])).toEqual([
      ['OffsetCommit', null],
    ]);
    const left = m.send({ type: 'OffsetCommitResponse', to: 'c', error: 'NONE', generation: 1, offsets: { 't-0': 3 }, seq: 1 });
    expect(sent(left)).toEqual([expect.objectContaining({ type: 'ConsumerGroupHeartbeat', memberId: 'c~1', memberEpoch: -1 })]);
    expect(m.state()).toBe('Left');
  });
});

// Helpers

// The shared test settings (models/consumer/testConfig.ts), with the timings these tests were written for.
const CONFIG = (policy: ProcessingPolicy): ConsumerConfig =>
  testConsumerConfig({
    policy,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 2000,
    maxPollIntervalMs: 10_000,
    autoCommitIntervalMs: 1000,
    maxPollRecords: 4,
    fetchMaxBytes: 1000,
    maxPartitionFetchBytes: 1000,
    processingMs: 100,
    requestTimeoutMs: 5000,
  });

function answer(epoch: number, assignment: string[] | null): Extract<Response, { type: 'ConsumerGroupHeartbeatResponse' }> {
  return { type: 'ConsumerGroupHeartbeatResponse', to: 'c', error: 'NONE', memberId: 'c~1', memberEpoch: epoch, heartbeatIntervalMs: 2000, assignment };
}

function emptyFetch(m: { ctx: () => Consumer848Context }): Response {
  return { type: 'FetchResponse', to: 'c', records: [], seq: m.ctx().fetchSeq };
}

function sent(out: readonly Effect[]): Request[] {
  return out.flatMap((e) => (e.type === 'Send' ? [e.message as Request] : []));
}

function observed(out: readonly Effect[]): Extract<Effect, { type: 'Observe' }>['event'][] {
  return out.flatMap((e) => (e.type === 'Observe' ? [e.event] : []));
}

function member(policy: ProcessingPolicy = 'commit-per-message', groupInstanceId?: string) {
  const input = { name: 'c', group: 'G', topics: ['t'], mode: 'subscribe' as const, partitions: [], config: CONFIG(policy), ...(groupInstanceId === undefined ? {} : { groupInstanceId }) };
  const actor = createActor(consumer848Machine, { input });
  let out: Effect[] = [];
  actor.on('*', (e) => out.push(e as Effect));
  actor.start();
  const send = (ev: ConsumerEvent): Effect[] => {
    out = [];
    actor.send(ev);
    return out;
  };
  const ctx = (): Consumer848Context => actor.getSnapshot().context as Consumer848Context;
  const start = (): Request | undefined => {
    send({ type: 'Start' });
    return sent(send({ type: 'FindCoordinatorResponse', to: 'c', group: 'G' }))[0];
  };
  /** Joined at epoch 1 with `tps`, each positioned at 3, heartbeat answered. */
  const joinWith = (tps: string[]): void => {
    start();
    send(answer(1, tps));
    send(emptyFetch({ ctx }));
    const at = (v: number) => Object.fromEntries(tps.map((tp) => [tp, v]));
    send({ type: 'OffsetFetchResponse', to: 'c', committed: at(3), logStartOffsets: at(0), logEndOffsets: at(3) });
    send(answer(1, tps));
  };
  return { send, ctx, start, joinWith, state: () => actor.getSnapshot().value };
}
