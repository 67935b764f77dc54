/**
 * Named deterministic scenarios for issue 3, items 3-5: static membership (KIP-345,
 * kafka-protocol.md §1.9), max.poll.interval.ms (§2.3) and partitions added to a subscribed topic
 * (§2.8, KAFKA-12261). Each script's outcome follows from Kafka's semantics; the invariants'
 * verdicts are asserted, and each broken variant of the bug zoo that belongs here is shown to be
 * caught on the same script. A few model-level checks reach paths the random search rarely does.
 *
 * Partition facts (murmur2): with 3 partitions key acct-0 → accounts-0; after growing to 4,
 * acct-2 and acct-3 → accounts-3. Two members: c0 gets accounts-0 and accounts-1, c1 accounts-2.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Effect } from '../models/effects.ts';
import type { HistoryEvent } from '../models/history.ts';
import { addMember, initialCoordinatorContext, prepareRebalance, rejectUnknownJoin, type CoordinatorContext } from '../models/coordinator/coordinator.logic.ts';
import { consumerMachine } from '../models/consumer/consumer.machine.ts';
import type { Request } from '../models/protocol.ts';
import { commandSchema, describeCommand, type Command } from '../src/sim/command.ts';
import { defaultConsumerConfig, type SimConfig } from '../src/sim/config.ts';
import { simulate } from '../src/sim/simulate.ts';
import { rowById } from '../src/check/matrix.ts';
import { checkInvariant } from '../src/check/checkHistory.ts';
import { invariantByName } from './invariants/index.ts';
import { WITNESSES } from './witnesses/index.ts';

const verdict = (history: readonly HistoryEvent[], name: string) => checkInvariant(invariantByName(name), history, { duplicateBound: 4 });
const ofType = <T extends HistoryEvent['type']>(history: readonly HistoryEvent[], type: T) =>
  history.filter((e): e is Extract<HistoryEvent, { type: T }> => e.type === type);
const witnessed = (history: readonly HistoryEvent[], name: string): number => WITNESSES.find((w) => w.name === name)?.count(history) ?? -1;

const start = (consumer: number): Command => ({ type: 'Start', consumer });
const wait = (ms: number): Command => ({ type: 'Wait', ms });
const produce = (key: number, count = 1): Command => ({ type: 'Produce', topic: 0, key, count });

const STATIC = rowById('static').config;
const DYNAMIC: SimConfig = { ...STATIC, groups: STATIC.groups.map(({ staticMembership: _s, ...g }) => g) };
const SAFETY = ['singleOwnerPerPartition', 'fencedCommitRejected', 'orderedWithinOwnership', 'processingOnlyOwned', 'committedNotAheadOfProcessed', 'atLeastOnce', 'groupSettles'];

describe('static membership (KIP-345, §1.9)', () => {
  const restart: Command[] = [start(0), start(1), wait(3000), produce(0, 2), wait(1000), { type: 'Crash', consumer: 0 }, start(0), wait(3000)];

  it('static: a crashed member restarted within the session timeout takes its old place and assignment, with no rebalance', () => {
    const h = simulate(STATIC, restart).history;
    const crashedAt = h.findIndex((e) => e.type === 'Crashed');
    const replaced = ofType(h, 'StaticMemberReplaced');
    expect(replaced).toEqual([expect.objectContaining({ instance: 'c0', previous: 'c0#1', member: 'c0#2', generation: 2 })]);
    expect(h.slice(crashedAt).some((e) => e.type === 'RebalanceStarted' || e.type === 'GenerationStarted')).toBe(false);
    const assigned = ofType(h, 'Assigned').filter((e) => e.member.startsWith('c0#'));
    expect(assigned.map((e) => [e.member, e.generation, e.partitions])).toEqual([
      ['c0#1', 2, ['accounts-0', 'accounts-1']],
      ['c0#2', 2, ['accounts-0', 'accounts-1']],
    ]);
    expect(witnessed(h, 'staticRejoinWithoutRebalance')).toBe(1);
    for (const name of SAFETY) expect(verdict(h, name).validity, name).toBe(true);
  });

  it('dynamic: the same restart is a new member and costs a rebalance', () => {
    const h = simulate(DYNAMIC, restart).history;
    const crashedAt = h.findIndex((e) => e.type === 'Crashed');
    expect(ofType(h, 'StaticMemberReplaced')).toEqual([]);
    expect(h.slice(crashedAt).some((e) => e.type === 'RebalanceStarted')).toBe(true);
    expect(witnessed(h, 'staticRejoinWithoutRebalance')).toBe(0);
  });

  it('static: close sends no LeaveGroup; the partitions stay with the departed member until its session times out', () => {
    const h = simulate(STATIC, [start(0), start(1), wait(3000), { type: 'Leave', consumer: 0 }, wait(8000)]).history;
    const left = h.find((e) => e.type === 'Left' && e.member === 'c0#1');
    const removed = ofType(h, 'MemberRemoved');
    expect(removed).toEqual([expect.objectContaining({ member: 'c0#1', reason: 'session-timeout' })]);
    // Removed one session timeout (6 s) after the last heartbeat, not at close.
    expect(removed[0]!.t - left!.t).toBeGreaterThanOrEqual(STATIC.groups[0]!.consumer.sessionTimeoutMs - STATIC.groups[0]!.consumer.heartbeatIntervalMs);
    const dynamic = simulate(DYNAMIC, [start(0), start(1), wait(3000), { type: 'Leave', consumer: 0 }, wait(8000)]).history;
    expect(ofType(dynamic, 'MemberRemoved')).toEqual([expect.objectContaining({ member: 'c0#1', reason: 'leave' })]);
  });

  // c0#1 is paused mid-batch, a supervisor starts c0#2 with the same instance id, c0#1 resumes.
  const zombie: Command[] = [start(0), produce(0, 4), wait(150), { type: 'Pause', consumer: 0, ms: 5000 }, start(0), wait(8000)];

  it('static: the paused old incarnation is fenced: its commit gets FENCED_INSTANCE_ID, it stops, nothing is lost', () => {
    const h = simulate(STATIC, zombie).history;
    expect(ofType(h, 'StaticMemberReplaced')).toEqual([expect.objectContaining({ previous: 'c0#1', member: 'c0#2' })]);
    expect(ofType(h, 'CommitResult').filter((e) => e.member === 'c0#1').map((e) => e.error)).toEqual(['FENCED_INSTANCE_ID']);
    expect(ofType(h, 'Fenced').map((e) => e.member)).toEqual(['c0#1']);
    expect(ofType(h, 'Revoked').filter((e) => e.member === 'c0#1').map((e) => e.reason)).toEqual(['lost']);
    expect(ofType(h, 'OffsetsStored').every((e) => e.member === 'c0#2')).toBe(true);
    for (const name of SAFETY) expect(verdict(h, name).validity, name).toBe(true);
    // The zombie re-processed what its successor had done: duplicates, as §2.10 allows.
    expect(verdict(h, 'noDuplicateProcessing').validity).toBe(false);
  });

  it('zoo coordinator-static-commit-trusts-instance-id: the zombie commit is stored, and fencedCommitRejected says so', () => {
    const h = simulate({ ...STATIC, variant: 'coordinator-static-commit-trusts-instance-id' }, zombie).history;
    const v = verdict(h, 'fencedCommitRejected');
    expect(v.validity).toBe(false);
    expect(v.violations[0]?.message).toMatch(/from c0#1 with generation 1 although c0#1 had been removed/);
  });

  it('coordinator: a replacement during CompletingRebalance fences the parked SyncGroup and forces a rebalance (KAFKA-9801)', () => {
    const join = (from: string, memberId = ''): Extract<Request, { type: 'JoinGroup' }> => ({
      type: 'JoinGroup',
      from,
      group: 'g',
      memberId,
      groupInstanceId: 'i0',
      protocols: ['range'],
      topics: ['t'],
      sessionTimeoutMs: 6000,
      rebalanceTimeoutMs: 10_000,
    });
    const first = addMember(initialCoordinatorContext({ group: 'g', initialRebalanceDelayMs: 0 }), join('c0#1'), 'Empty').ctx;
    const old = first.members['c0#1~1']!;
    const completing: CoordinatorContext = { ...first, generation: 1, rebalanceRequested: false, members: { [old.memberId]: { ...old, awaitingJoin: false, awaitingSync: true } } };
    const r = addMember(completing, join('c0#2'), 'CompletingRebalance');
    expect(r.out).toContainEqual({
      type: 'Send',
      to: 'c0#1',
      message: { type: 'SyncGroupResponse', to: 'c0#1', error: 'FENCED_INSTANCE_ID', generation: 1, assignment: [] },
    });
    expect(r.ctx.rebalanceRequested).toBe(true);
    expect(Object.keys(r.ctx.members)).toEqual(['c0#2~2']);
    expect(r.ctx.leaderId).toBe('c0#2~2');
  });

  it('coordinator: a JoinGroup from an old incarnation (stale member id, instance id taken over) gets FENCED_INSTANCE_ID', () => {
    const join = (from: string, memberId: string, groupInstanceId?: string): Extract<Request, { type: 'JoinGroup' }> => ({
      type: 'JoinGroup', from, group: 'g', memberId, ...(groupInstanceId === undefined ? {} : { groupInstanceId }), protocols: ['range'], topics: ['t'], sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10_000,
    });
    const ctx = addMember(initialCoordinatorContext({ group: 'g', initialRebalanceDelayMs: 0 }), join('c0#2', '', 'c0'), 'Empty').ctx;
    const errorOf = (r: { out: readonly Effect[] }) => r.out.flatMap((e) => (e.type === 'Send' && e.message.type === 'JoinGroupResponse' ? [e.message.error] : []));
    expect(errorOf(rejectUnknownJoin(ctx, join('c0#1', 'c0#1~0', 'c0')))).toEqual(['FENCED_INSTANCE_ID']);
    expect(errorOf(rejectUnknownJoin(ctx, join('c9#1', 'c9#1~0')))).toEqual(['UNKNOWN_MEMBER_ID']);
    expect(errorOf(rejectUnknownJoin(ctx, join('c9#1', 'c9#1~0', 'c9')))).toEqual(['UNKNOWN_MEMBER_ID']);
  });

  it('consumer: FENCED_INSTANCE_ID on SyncGroup is fatal: the member stops, sending no LeaveGroup', () => {
    const actor = createActor(consumerMachine, {
      input: { name: 'c0#1', group: 'g', topics: ['t'], mode: 'subscribe', partitions: [], config: defaultConsumerConfig('commit-after-batch'), groupInstanceId: 'c0' },
    });
    const out: Effect[] = [];
    actor.on('*', (e) => out.push(e));
    actor.start();
    actor.send({ type: 'Start' });
    actor.send({ type: 'FindCoordinatorResponse', to: 'c0#1', group: 'g' });
    actor.send({ type: 'JoinGroupResponse', to: 'c0#1', error: 'NONE', generation: 1, memberId: 'c0#1~1', leaderId: 'x', protocol: 'range', members: [] });
    expect(actor.getSnapshot().value).toBe('Syncing');
    out.length = 0;
    actor.send({ type: 'SyncGroupResponse', to: 'c0#1', error: 'FENCED_INSTANCE_ID', generation: 1, assignment: [] });
    expect(actor.getSnapshot().value).toBe('Failed');
    expect(out.flatMap((e) => (e.type === 'Observe' ? [e.event.type] : []))).toEqual(['Fenced', 'Left']);
    expect(out.some((e) => e.type === 'Send')).toBe(false);
  });
});

describe('max.poll.interval.ms (§2.3)', () => {
  const MAX_POLL = rowById('max-poll').config;
  // c0 owns accounts-0 and stalls 15 s on its second record: past max.poll.interval.ms (10 s).
  const stalled: Command[] = [start(0), start(1), wait(1000), produce(0, 3), wait(50), { type: 'Stall', consumer: 0, ms: 15_000 }, wait(20_000)];

  it('a stalled member leaves, its late commit is rejected, the next owner replays: duplicates, no loss', () => {
    const h = simulate(MAX_POLL, stalled).history;
    const expired = h.findIndex((e) => e.type === 'PollTimeoutExpired' && e.member === 'c0#1');
    const stalledAt = h.findIndex((e) => e.type === 'Stalled');
    expect(expired).toBeGreaterThan(stalledAt);
    // It expired max.poll.interval.ms after its last poll, while the heartbeat thread still ran.
    const lastPoll = ofType(h.slice(0, expired), 'Polled').filter((e) => e.member === 'c0#1').at(-1)!;
    expect(h[expired]!.t - lastPoll.t).toBe(MAX_POLL.groups[0]!.consumer.maxPollIntervalMs);
    expect(h[expired + 1]).toMatchObject({ type: 'MemberRemoved', member: 'c0#1', reason: 'leave' });
    const late = ofType(h.slice(expired), 'CommitResult').find((e) => e.member === 'c0#1');
    expect(late?.error).toBe('UNKNOWN_MEMBER_ID');
    expect(ofType(h.slice(expired), 'Revoked').find((e) => e.member === 'c0#1')?.reason).toBe('lost');
    expect(ofType(h.slice(expired), 'Joined').some((e) => e.member === 'c0#1')).toBe(true); // it rejoins at its next poll
    expect(witnessed(h, 'pollTimeoutLeave')).toBe(1);
    for (const name of SAFETY) expect(verdict(h, name).validity, name).toBe(true);
    expect(verdict(h, 'noDuplicateProcessing').validity).toBe(false);
  });

  it('a stall shorter than max.poll.interval.ms only slows the batch', () => {
    const h = simulate(MAX_POLL, [start(0), start(1), wait(1000), produce(0, 3), wait(50), { type: 'Stall', consumer: 0, ms: 5000 }, wait(20_000)]).history;
    expect(ofType(h, 'PollTimeoutExpired')).toEqual([]);
    expect(witnessed(h, 'pollTimeoutLeave')).toBe(0);
    expect(verdict(h, 'noDuplicateProcessing').validity).toBe(true);
  });

  it('a static member sends no LeaveGroup on poll timeout: its partitions move only when its session times out', () => {
    const config: SimConfig = { ...MAX_POLL, groups: MAX_POLL.groups.map((g) => ({ ...g, staticMembership: true })) };
    const h = simulate(config, stalled).history;
    const expired = ofType(h, 'PollTimeoutExpired');
    expect(expired.map((e) => e.member)).toEqual(['c0#1']);
    const removed = ofType(h, 'MemberRemoved');
    expect(removed.map((e) => [e.member, e.reason])).toEqual([['c0#1', 'session-timeout']]);
    expect(removed[0]!.t - expired[0]!.t).toBeGreaterThanOrEqual(config.groups[0]!.consumer.sessionTimeoutMs - config.groups[0]!.consumer.heartbeatIntervalMs);
    for (const name of SAFETY) expect(verdict(h, name).validity, name).toBe(true);
  });

  it('the rebalance timeout is the largest max.poll.interval.ms the members sent in JoinGroup (§1.6.1)', () => {
    const ctx = initialCoordinatorContext({ group: 'g', initialRebalanceDelayMs: 0 });
    const req = (from: string, rebalanceTimeoutMs: number): Extract<Request, { type: 'JoinGroup' }> => ({
      type: 'JoinGroup', from, group: 'g', memberId: '', protocols: ['range'], topics: ['t'], sessionTimeoutMs: 6000, rebalanceTimeoutMs,
    });
    const two = addMember(addMember(ctx, req('a', 12_345), 'Empty').ctx, req('b', 4_000), 'Empty').ctx;
    expect(prepareRebalance(two, false).out).toContainEqual({ type: 'SetTimer', timer: 'join', delayMs: 12_345 });
  });
});

describe('partitions added to a subscribed topic (§2.8, KAFKA-12261)', () => {
  // The group is stable on 3 partitions; one partition is added and acct-2, acct-3 land on it
  // before the leader's next poll sees the new metadata.
  const grow: Command[] = [start(0), start(1), wait(1000), { type: 'AddPartitions', topic: 0, count: 1 }, produce(2), produce(3), wait(5000)];

  it('earliest: the leader rejoins, the new partition is assigned and read from its start', () => {
    const h = simulate(rowById('add-partitions').config, grow).history;
    expect(ofType(h, 'PartitionsAdded')).toEqual([expect.objectContaining({ topic: 'accounts', partitions: 4 })]);
    expect(ofType(h, 'Produced').map((e) => e.tp)).toEqual(['accounts-3', 'accounts-3']);
    expect(ofType(h, 'GroupStable').at(-1)?.assignment).toEqual({ 'c0#1': ['accounts-0', 'accounts-1'], 'c1#1': ['accounts-2', 'accounts-3'] });
    expect(ofType(h, 'Positioned').find((e) => e.tp === 'accounts-3')).toMatchObject({ offset: 0, source: 'reset-earliest' });
    expect(witnessed(h, 'partitionsAddedRebalance')).toBe(1);
    expect(witnessed(h, 'newPartitionSkipped')).toBe(0);
    for (const name of SAFETY) expect(verdict(h, name).validity, name).toBe(true);
  });

  it('latest: the records produced to the new partition before its assignment are never read (unseen)', () => {
    const h = simulate(rowById('add-partitions-latest').config, grow).history;
    expect(ofType(h, 'Positioned').find((e) => e.tp === 'accounts-3')).toMatchObject({ offset: 2, source: 'reset-latest' });
    const v = verdict(h, 'atLeastOnce');
    expect(v.validity).toBe(false);
    expect(v.violations).toHaveLength(1);
    expect(v.violations[0]?.message).toMatch(/never processed 2 records of accounts-3 at offsets 0-1/);
    expect(witnessed(h, 'newPartitionSkipped')).toBe(1);
  });

  it('zoo consumer-ignores-partition-changes: the new partition stays unowned and groupSettles fails', () => {
    const h = simulate({ ...rowById('add-partitions').config, variant: 'consumer-ignores-partition-changes' }, grow).history;
    expect(ofType(h, 'RebalanceStarted').filter((e) => e.generation >= 2)).toEqual([]);
    expect(verdict(h, 'groupSettles').validity).toBe(false);
  });
});

describe('cooperative member whose background JoinGroup answer is lost (§2.1, §2.2, §2.4)', () => {
  // c1 leads alone; c2 joins, c1 re-joins in the background and its JoinGroup answer is lost. Its
  // heartbeats stopped with the JoinGroup, so its session expires and c2 takes everything; c2 then
  // leaves. Before the background request timeout existed, c1 waited for the answer forever,
  // believing it owned every partition, and the group never became Stable again (seed 7 of the
  // coop-drops row found it: unsettled runs).
  const COOP_DROPS = rowById('coop-drops').config;
  const lostAnswer: Command[] = [start(1), wait(1000), start(2), { type: 'Drop', message: 2 }, wait(20_000), { type: 'Leave', consumer: 2 }, wait(1000)];

  it('the background join times out, its retry learns it was removed (UNKNOWN_MEMBER_ID), it loses its partitions and re-joins; the group settles', () => {
    expect(describeCommand(lostAnswer[3]!)).toBe('Drop the next JoinGroupResponse');
    const r = simulate(COOP_DROPS, lostAnswer);
    expect(r.settled).toBe(true);
    const h = r.history;
    expect(ofType(h, 'MessageDropped')).toEqual([expect.objectContaining({ message: 'JoinGroupResponse', to: 'c1#1' })]);
    expect(ofType(h, 'MemberRemoved')).toEqual([
      expect.objectContaining({ member: 'c1#1', reason: 'session-timeout' }),
      expect.objectContaining({ member: 'c2#1', reason: 'leave' }),
    ]);
    expect(ofType(h, 'Revoked').filter((e) => e.member === 'c1#1')).toEqual([expect.objectContaining({ reason: 'lost' })]);
    for (const name of SAFETY) expect(verdict(h, name).validity, name).toBe(true);
  });

  // Seed 2 of the coop-failover row, minimized: the coordinator moves while c0's background JoinGroup
  // is parked there; the old one answers NOT_COORDINATOR. c0 used to re-send its JoinGroup to the old
  // coordinator at every poll without looking it up (its heartbeats are off while it joins), so the
  // new coordinator expired it and the group never settled.
  const COOP_FAILOVER = rowById('coop-failover').config;
  const moved: Command[] = [
    { type: 'Start', consumer: 1 },
    { type: 'Wait', ms: 6 },
    { type: 'Start', consumer: 0 },
    { type: 'Wait', ms: 5722 },
    { type: 'Wait', ms: 4947 },
    { type: 'Start', consumer: 2 },
    { type: 'Wait', ms: 242 },
    { type: 'Produce', topic: 0, key: 1, count: 2 },
    { type: 'Wait', ms: 5287 },
    { type: 'Crash', consumer: 1 },
    { type: 'Wait', ms: 4608 },
    { type: 'MoveCoordinator', group: 0 },
  ];
  const movedChoices = [456, 775, 228, 382, 105, 481, 745, 423, 799, 623, 683, 798, 646, 189, 733];

  it('a background JoinGroup answered NOT_COORDINATOR looks the coordinator up and re-joins there; the group settles', () => {
    const r = simulate(COOP_FAILOVER, moved, movedChoices);
    expect(r.settled).toBe(true);
    const h = r.history;
    const loadedAt = h.findIndex((e) => e.type === 'GroupLoaded');
    expect(loadedAt).toBeGreaterThan(0);
    expect(ofType(h.slice(loadedAt), 'GenerationStarted').some((e) => e.members.includes('c0#1'))).toBe(true);
    for (const name of SAFETY) expect(verdict(h, name).validity, name).toBe(true);
  });
});

describe('commands Stall and AddPartitions', () => {
  const cmds: Command[] = [
    { type: 'Stall', consumer: 1, ms: 12_000 },
    { type: 'AddPartitions', topic: 0, count: 2 },
  ];

  it('are plain JSON that round-trips through the command schema (counterexample files)', () => {
    for (const c of cmds) expect(commandSchema.parse(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(cmds.map(describeCommand)).toEqual(['Stall c1 12000ms', 'AddPartitions +2 (topic slot 0)']);
  });

  it('bad values are rejected naming the field', () => {
    const r = commandSchema.safeParse({ type: 'AddPartitions', topic: 0, count: 0 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['count']);
  });

  it('AddPartitions beyond 64 partitions is skipped, not thrown', () => {
    const r = simulate(rowById('add-partitions').config, [start(0), { type: 'AddPartitions', topic: 0, count: 63 }, wait(100)]);
    expect(r.applied).toEqual([true, false, true]);
  });
});

describe('invariants read StaticMemberReplaced (hand-made histories)', () => {
  const base: HistoryEvent[] = [
    { type: 'GenerationStarted', t: 0, group: 'g1', generation: 1, members: ['c0#1', 'c1#1'], leader: 'c0#1', protocol: 'range' },
    { type: 'Assigned', t: 1, member: 'c0#1', group: 'g1', generation: 1, partitions: ['accounts-0'] },
    { type: 'Assigned', t: 1, member: 'c1#1', group: 'g1', generation: 1, partitions: ['accounts-1'] },
    { type: 'StaticMemberReplaced', t: 5, group: 'g1', generation: 1, instance: 'c0', previous: 'c0#1', member: 'c0#2' },
    { type: 'Assigned', t: 6, member: 'c0#2', group: 'g1', generation: 1, partitions: ['accounts-0'] },
  ];

  it('singleOwnerPerPartition: the new incarnation continues the old one; a third owner is still split ownership', () => {
    expect(verdict(base, 'singleOwnerPerPartition').validity).toBe(true);
    const split: HistoryEvent[] = [...base, { type: 'Assigned', t: 7, member: 'c1#1', group: 'g1', generation: 1, partitions: ['accounts-0'] }];
    const v = verdict(split, 'singleOwnerPerPartition');
    expect(v.validity).toBe(false);
    expect(v.violations[0]?.message).toMatch(/accounts-0 has 2 owners in group g1 generation 1: c0#1 and c1#1/);
  });

  it('fencedCommitRejected: the new incarnation may commit in the generation; the replaced one may not', () => {
    const stored = (member: string): HistoryEvent => ({ type: 'OffsetsStored', t: 9, group: 'g1', member, generation: 1, offsets: { 'accounts-0': 3 } });
    expect(verdict([...base, stored('c0#2')], 'fencedCommitRejected').validity).toBe(true);
    const v = verdict([...base, stored('c0#1')], 'fencedCommitRejected');
    expect(v.validity).toBe(false);
    expect(v.violations[0]?.message).toMatch(/from c0#1 with generation 1 although c0#1 had been removed/);
  });
});
