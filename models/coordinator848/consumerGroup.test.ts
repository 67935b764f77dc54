/**
 * Unit tests of the KIP-848 consumer-group coordinator (kafka-protocol.md §3.3, §1.11): the machine
 * is driven as an XState actor with literal ConsumerGroupHeartbeat, OffsetCommit and Timer events,
 * and the tests read its answers, observations and state.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Effect } from '../effects.ts';
import type { Request, Response } from '../protocol.ts';
import type { ConsumerGroupInput } from './consumerGroup.logic.ts';
import { consumerGroupMachine, type ConsumerGroupEvent } from './consumerGroup.machine.ts';
import { assignsUnreleasedPartitions } from './consumerGroup.zoo.ts';

const INPUT: ConsumerGroupInput = { group: 'G', sessionTimeoutMs: 6000, heartbeatIntervalMs: 2000, assignor: 'range', partitionsPerTopic: { t: 2 } };

describe('consumer group coordinator (KIP-848)', () => {
  it('a first member joins with epoch 0 and gets every partition at epoch 1; the group is Stable', () => {
    const g = group();
    const a = g.heartbeat('a', '', 0, []);
    expect(a).toMatchObject({ error: 'NONE', memberId: 'a~1', memberEpoch: 1, assignment: ['t-0', 't-1'] });
    expect(g.state()).toBe('Stable');
    expect(g.observed().map((e) => e.type)).toEqual(['RebalanceStarted', 'MemberEpochAssigned', 'GroupStable']);
  });

  it('a partition reaches a new member only after its owner acknowledged the revocation', () => {
    const g = group();
    g.heartbeat('a', '', 0, []);
    const b = g.heartbeat('b', '', 0, []);
    // b is at the new epoch, but t-1 is still a's: withheld (UNRELEASED_PARTITIONS).
    expect(b).toMatchObject({ memberId: 'b~2', memberEpoch: 2, assignment: [] });
    expect(g.state()).toBe('Reconciling');
    // a keeps epoch 1 while it revokes t-1.
    expect(g.heartbeat('a', 'a~1', 1, ['t-0', 't-1'])).toMatchObject({ memberEpoch: 1, assignment: ['t-0'] });
    expect(g.heartbeat('b', 'b~2', 2, [])).toMatchObject({ memberEpoch: 2, assignment: [] });
    // a's heartbeat no longer lists t-1: released, a moves to epoch 2.
    expect(g.heartbeat('a', 'a~1', 1, ['t-0'])).toMatchObject({ memberEpoch: 2, assignment: ['t-0'] });
    expect(g.heartbeat('b', 'b~2', 2, [])).toMatchObject({ memberEpoch: 2, assignment: ['t-1'] });
    expect(g.state()).toBe('Stable');
  });

  it('the zoo variant hands the partition over before it is released', () => {
    const g = group(assignsUnreleasedPartitions);
    g.heartbeat('a', '', 0, []);
    expect(g.heartbeat('b', '', 0, [])).toMatchObject({ memberEpoch: 2, assignment: ['t-1'] });
  });

  it('validates OffsetCommit by member epoch only (§1.11, KIP-848 groups)', () => {
    const g = group();
    expect(g.commit('x', '', -1)).toBe('NONE'); // no members yet: a simple-consumer commit
    g.heartbeat('a', '', 0, []);
    expect(g.commit('a', 'a~1', 1)).toBe('NONE');
    expect(g.commit('a', 'a~1', 0)).toBe('STALE_MEMBER_EPOCH');
    expect(g.commit('x', 'nobody', 1)).toBe('UNKNOWN_MEMBER_ID');
    expect(g.commit('x', '', -1)).toBe('UNKNOWN_MEMBER_ID');
  });

  it('accepts the previous epoch when the answer that bumped it was lost and what the member owns is still its own (§3.3)', () => {
    const g = group();
    g.heartbeat('a', '', 0, []);
    g.heartbeat('a', 'a~1', 1, ['t-0', 't-1']);
    g.heartbeat('b', '', 0, []);
    // a revokes t-1 and moves to epoch 2; suppose that answer is lost: a still says epoch 1, owning t-0 only.
    expect(g.heartbeat('a', 'a~1', 1, ['t-0'])).toMatchObject({ memberEpoch: 2, assignment: ['t-0'] });
    expect(g.heartbeat('a', 'a~1', 1, ['t-0'])).toMatchObject({ error: 'NONE', memberEpoch: 2, assignment: ['t-0'] });
    // The previous epoch claiming a partition no longer assigned to it, or a later epoch, is fenced.
    expect(g.heartbeat('a', 'a~1', 1, ['t-0', 't-1'])).toMatchObject({ error: 'FENCED_MEMBER_EPOCH' });
    expect(g.heartbeat('a', 'a~1', 3, ['t-0'])).toMatchObject({ error: 'FENCED_MEMBER_EPOCH' });
  });

  it('a client-generated member id (KIP-1082) that joins again with epoch 0 keeps its place, epoch and partitions', () => {
    const g = group();
    expect(g.heartbeat('a', 'a', 0, [])).toMatchObject({ memberId: 'a', memberEpoch: 1, assignment: ['t-0', 't-1'] });
    // The answer was lost: the same join again is the same member, not a second one.
    expect(g.heartbeat('a', 'a', 0, [])).toMatchObject({ error: 'NONE', memberId: 'a', memberEpoch: 1, assignment: ['t-0', 't-1'] });
    expect(g.observed().filter((e) => e.type === 'RebalanceStarted')).toHaveLength(1);
  });

  it('static membership: a restart takes over a member that left with epoch -2, with no new group epoch; the old incarnation is fenced', () => {
    const g = group();
    const heartbeat = (from: string, epoch: number, owned: string[]) => g.answer(() => g.send({ ...(beat(from, from, epoch, owned) as Extract<ConsumerGroupEvent, { type: 'ConsumerGroupHeartbeat' }>), instanceId: 'i1' }));
    expect(heartbeat('c0#1', 0, [])).toMatchObject({ memberId: 'c0#1', memberEpoch: 1, assignment: ['t-0', 't-1'] });
    // While c0#1 holds the id, a second incarnation cannot join (UNRELEASED_INSTANCE_ID).
    expect(heartbeat('c0#2', 0, [])).toMatchObject({ error: 'UNRELEASED_INSTANCE_ID' });
    expect(heartbeat('c0#1', -2, ['t-0', 't-1'])).toMatchObject({ error: 'NONE' });
    expect(g.state()).toBe('Reconciling'); // away with epoch -2, but still holding its partitions
    const epochs = g.observed().filter((e) => e.type === 'RebalanceStarted').length;
    expect(heartbeat('c0#2', 0, [])).toMatchObject({ error: 'NONE', memberId: 'c0#2', memberEpoch: 1, assignment: ['t-0', 't-1'] });
    expect(g.observed().filter((e) => e.type === 'RebalanceStarted')).toHaveLength(epochs);
    expect(g.observed()).toContainEqual({ type: 'StaticMemberReplaced', group: 'G', generation: 1, instance: 'i1', previous: 'c0#1', member: 'c0#2' });
    expect(g.state()).toBe('Stable');
    expect(heartbeat('c0#1', 1, ['t-0'])).toMatchObject({ error: 'FENCED_INSTANCE_ID' });
    expect(g.commit('c0#1', 'c0#1', 1)).toBe('UNKNOWN_MEMBER_ID');
    expect(g.commit('c0#2', 'c0#2', 1)).toBe('NONE');
  });

  it('fences a heartbeat of another epoch, and answers UNKNOWN_MEMBER_ID to an unknown member', () => {
    const g = group();
    g.heartbeat('a', '', 0, []);
    expect(g.heartbeat('a', 'a~1', 7, [])).toMatchObject({ error: 'FENCED_MEMBER_EPOCH' });
    expect(g.heartbeat('z', 'z~9', 1, [])).toMatchObject({ error: 'UNKNOWN_MEMBER_ID' });
  });

  it('a session timeout removes the member and frees its partitions; a leave (epoch -1) too', () => {
    const g = group();
    g.heartbeat('a', '', 0, []);
    g.heartbeat('b', '', 0, []);
    g.send({ type: 'Timer', timer: 'session:a~1' });
    expect(g.observed().filter((e) => e.type === 'MemberRemoved')).toEqual([{ type: 'MemberRemoved', group: 'G', member: 'a', reason: 'session-timeout' }]);
    expect(g.heartbeat('b', 'b~2', 2, [])).toMatchObject({ memberEpoch: 3, assignment: ['t-0', 't-1'] });
    expect(g.heartbeat('b', 'b~2', -1, ['t-0', 't-1'])).toMatchObject({ error: 'NONE', memberEpoch: -1 });
    expect(g.state()).toBe('Empty');
  });

  it('a member that does not revoke within its rebalance timeout is removed (revocation-timeout)', () => {
    const g = group();
    g.heartbeat('a', '', 0, []);
    const b = g.effects(() => g.send(join('b')));
    expect(b).not.toContainEqual(expect.objectContaining({ type: 'SetTimer', timer: 'revocation:a~1' }));
    const a = g.effects(() => g.send(beat('a', 'a~1', 1, ['t-0', 't-1'])));
    expect(a).toContainEqual({ type: 'SetTimer', timer: 'revocation:a~1', delayMs: 10_000 });
    g.send({ type: 'Timer', timer: 'revocation:a~1' });
    expect(g.observed().filter((e) => e.type === 'MemberRemoved')).toEqual([{ type: 'MemberRemoved', group: 'G', member: 'a', reason: 'revocation-timeout' }]);
    expect(g.heartbeat('b', 'b~2', 2, [])).toMatchObject({ memberEpoch: 3, assignment: ['t-0', 't-1'] });
  });
});

// Helpers

function join(from: string): ConsumerGroupEvent {
  return beat(from, '', 0, []);
}

function beat(from: string, memberId: string, memberEpoch: number, owned: string[]): ConsumerGroupEvent {
  return { type: 'ConsumerGroupHeartbeat', from, group: 'G', memberId, memberEpoch, topics: ['t'], rebalanceTimeoutMs: 10_000, ownedPartitions: owned };
}

function group(machine = consumerGroupMachine) {
  const actor = createActor(machine, { input: INPUT });
  let out: Effect[] = [];
  const all: Effect[] = [];
  actor.on('*', (e) => {
    out.push(e as Effect);
    all.push(e as Effect);
  });
  actor.start();
  const send = (ev: ConsumerGroupEvent): void => actor.send(ev);
  const effects = (f: () => void): Effect[] => {
    out = [];
    f();
    return out;
  };
  const answer = <T extends Response['type']>(type: T, f: () => void): Extract<Response, { type: T }> => {
    const sent = effects(f).flatMap((e) => (e.type === 'Send' && e.message.type === type ? [e.message as Extract<Response, { type: T }>] : []));
    expect(sent).toHaveLength(1);
    return sent[0] as Extract<Response, { type: T }>;
  };
  return {
    send,
    effects,
    answer: (f: () => void) => answer('ConsumerGroupHeartbeatResponse', f),
    state: () => actor.getSnapshot().value,
    observed: () => all.flatMap((e) => (e.type === 'Observe' ? [e.event] : [])),
    heartbeat: (from: string, memberId: string, epoch: number, owned: string[]) =>
      answer('ConsumerGroupHeartbeatResponse', () => send(beat(from, memberId, epoch, owned))),
    commit: (from: string, memberId: string, generation: number) => {
      const req: Extract<Request, { type: 'OffsetCommit' }> = { type: 'OffsetCommit', from, group: 'G', memberId, generation, offsets: { 't-0': 1 }, seq: 1 };
      return answer('OffsetCommitResponse', () => send(req)).error;
    },
  };
}
