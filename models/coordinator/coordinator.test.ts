/**
 * Example-based tests of the classic group coordinator: the OffsetCommit acceptance rules of
 * kafka-protocol.md §1.11 as a table over `validateOffsetCommit`, then the machine driven through
 * an actor with literal requests, checking states, context and the emitted effects (§1.2-§1.10).
 * Not tested here: the simulator that delivers the effects, static membership (not modelled).
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Effect } from '../effects.ts';
import type { Request } from '../protocol.ts';
import {
  initialCoordinatorContext,
  offsetCommit,
  validateOffsetCommit,
  type CoordinatorContext,
  type CoordinatorStateName,
  type GroupMember,
} from './coordinator.logic.ts';
import { coordinatorMachine, type CoordinatorEvent } from './coordinator.machine.ts';

type Req<T extends Request['type']> = Extract<Request, { type: T }>;

// ---------------------------------------------------------------- helpers

const SESSION_MS = 10_000;
const REBALANCE_MS = 30_000;

const joinReq = (from: string, memberId = '', protocols: readonly string[] = ['range'], topics: readonly string[] = ['t']): Req<'JoinGroup'> => ({
  type: 'JoinGroup',
  from,
  group: 'g',
  memberId,
  protocols,
  topics,
  sessionTimeoutMs: SESSION_MS,
  rebalanceTimeoutMs: REBALANCE_MS,
});

const syncReq = (from: string, memberId: string, generation: number, assignments: Req<'SyncGroup'>['assignments'] = null): Req<'SyncGroup'> => ({
  type: 'SyncGroup',
  from,
  group: 'g',
  memberId,
  generation,
  assignments,
});

const heartbeatReq = (from: string, memberId: string, generation: number): Req<'Heartbeat'> => ({ type: 'Heartbeat', from, group: 'g', memberId, generation });
const leaveReq = (from: string, memberId: string): Req<'LeaveGroup'> => ({ type: 'LeaveGroup', from, group: 'g', memberId });
const commitReq = (from: string, memberId: string, generation: number, offsets: Record<string, number> = { 't-0': 5 }, seq = 1): Req<'OffsetCommit'> => ({
  type: 'OffsetCommit',
  from,
  group: 'g',
  memberId,
  generation,
  offsets,
  seq,
});
const timer = (name: string): CoordinatorEvent => ({ type: 'Timer', timer: name });

/** The coordinator as the simulator runs it: an actor whose emitted effects are collected. */
function coordinator(initialRebalanceDelayMs = 0) {
  const actor = createActor(coordinatorMachine, { input: { group: 'g', initialRebalanceDelayMs } });
  const out: Effect[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  return {
    /** Sends one event and returns the effects it emitted, in order. */
    send(ev: CoordinatorEvent): Effect[] {
      out.length = 0;
      actor.send(ev);
      return [...out];
    },
    state: (): string => actor.getSnapshot().value,
    ctx: (): CoordinatorContext => actor.getSnapshot().context,
  };
}

const sends = (out: readonly Effect[]) => out.flatMap((e) => (e.type === 'Send' ? [e] : []));
const messagesTo = (out: readonly Effect[], to: string) => sends(out).filter((e) => e.to === to).map((e) => e.message);
const observations = (out: readonly Effect[]) => out.flatMap((e) => (e.type === 'Observe' ? [e.event] : []));

/**
 * Two members in Stable at generation 2: c1 (member c1~1, leader) and c2 (member c2~2), with
 * t-0 owned by c1 and t-1 by c2. Built through the §1.6 join and sync phases.
 */
function stableWithTwo() {
  const co = coordinator();
  co.send(joinReq('c1'));
  co.send(syncReq('c1', 'c1~1', 1, { 'c1~1': ['t-0', 't-1'] }));
  co.send(joinReq('c2'));
  co.send(joinReq('c1', 'c1~1'));
  co.send(syncReq('c2', 'c2~2', 2));
  co.send(syncReq('c1', 'c1~1', 2, { 'c1~1': ['t-0'], 'c2~2': ['t-1'] }));
  expect(co.state()).toBe('Stable');
  expect(co.ctx().generation).toBe(2);
  return co;
}

// ---------------------------------------------------------------- §1.11 OffsetCommit acceptance

const member = (memberId: string): GroupMember => ({
  memberId,
  clientId: memberId.split('~')[0] ?? memberId,
  protocols: ['range'],
  topics: ['t'],
  sessionTimeoutMs: SESSION_MS,
  rebalanceTimeoutMs: REBALANCE_MS,
  awaitingJoin: false,
  awaitingSync: false,
  syncPending: false,
  assignment: [],
});

/** A group at generation 4 whose only member is c1~1, or an Empty group (no members) at generation 4. */
const groupIn = (state: CoordinatorStateName): CoordinatorContext => {
  const base = { ...initialCoordinatorContext({ group: 'g', initialRebalanceDelayMs: 0 }), generation: 4 };
  return state === 'Empty' ? base : { ...base, leaderId: 'c1~1', members: { 'c1~1': member('c1~1') } };
};

describe('validateOffsetCommit: the acceptance rules of §1.11, in order', () => {
  const table: ReadonlyArray<readonly [rule: string, state: CoordinatorStateName, memberId: string, generation: number, expected: string]> = [
    ['rule 3: Dead short-circuits, even for a valid member and generation', 'Dead', 'c1~1', 4, 'COORDINATOR_NOT_AVAILABLE'],
    ['rule 3: Dead short-circuits a generation -1 commit too', 'Dead', '', -1, 'COORDINATOR_NOT_AVAILABLE'],
    ['rule 4: generation -1 in Empty with no member id is accepted', 'Empty', '', -1, 'NONE'],
    ['rule 4: generation -1 in Empty is accepted whatever the member id (KAFKA-14201)', 'Empty', 'whoever~9', -1, 'NONE'],
    ['rule 5: generation >= 0 in Empty (no members) is UNKNOWN_MEMBER_ID', 'Empty', 'c1~1', 4, 'UNKNOWN_MEMBER_ID'],
    ['rule 5: unknown member is checked before the generation', 'Stable', 'ghost~7', 1, 'UNKNOWN_MEMBER_ID'],
    ['rule 5: unknown member with the current generation', 'Stable', 'ghost~7', 4, 'UNKNOWN_MEMBER_ID'],
    ['rule 5: known member with a stale generation', 'Stable', 'c1~1', 3, 'ILLEGAL_GENERATION'],
    ['rule 5: known member with a future generation', 'Stable', 'c1~1', 5, 'ILLEGAL_GENERATION'],
    ['rule 5: generation -1 with a member id outside Empty is validated (ILLEGAL_GENERATION)', 'Stable', 'c1~1', -1, 'ILLEGAL_GENERATION'],
    ['rule 5 before rule 7: stale generation in CompletingRebalance', 'CompletingRebalance', 'c1~1', 3, 'ILLEGAL_GENERATION'],
    ['rule 6: generation -1, empty member id, Stable group', 'Stable', '', -1, 'UNKNOWN_MEMBER_ID'],
    ['rule 6: generation -1, empty member id, PreparingRebalance group', 'PreparingRebalance', '', -1, 'UNKNOWN_MEMBER_ID'],
    ['rule 6: generation -1, empty member id, CompletingRebalance group', 'CompletingRebalance', '', -1, 'UNKNOWN_MEMBER_ID'],
    ['rule 7: CompletingRebalance answers REBALANCE_IN_PROGRESS', 'CompletingRebalance', 'c1~1', 4, 'REBALANCE_IN_PROGRESS'],
    ['rule 7: PreparingRebalance accepts the old, still current generation (§1.3)', 'PreparingRebalance', 'c1~1', 4, 'NONE'],
    ['rule 7: Stable accepts', 'Stable', 'c1~1', 4, 'NONE'],
  ];

  it.each(table)('%s', (_rule, state, memberId, generation, expected) => {
    expect(validateOffsetCommit(groupIn(state), commitReq('c1', memberId, generation), state)).toBe(expected);
  });

  it('an accepted commit is stored, observed, refreshes the session (Stable, §1.7) and is answered', () => {
    const r = offsetCommit(groupIn('Stable'), commitReq('c1', 'c1~1', 4, { 't-0': 7 }, 3), 'Stable');
    expect(r.out).toEqual([
      { type: 'StoreOffsets', group: 'g', offsets: { 't-0': 7 } },
      { type: 'Observe', event: { type: 'OffsetsStored', group: 'g', member: 'c1', generation: 4, offsets: { 't-0': 7 } } },
      { type: 'SetTimer', timer: 'session:c1~1', delayMs: SESSION_MS },
      { type: 'Send', to: 'c1', message: { type: 'OffsetCommitResponse', to: 'c1', error: 'NONE', generation: 4, offsets: { 't-0': 7 }, seq: 3 } },
    ]);
  });

  it('a rejected commit is only answered: nothing stored, no session refresh', () => {
    const r = offsetCommit(groupIn('CompletingRebalance'), commitReq('c1', 'c1~1', 4), 'CompletingRebalance');
    expect(r.out).toEqual([
      { type: 'Send', to: 'c1', message: { type: 'OffsetCommitResponse', to: 'c1', error: 'REBALANCE_IN_PROGRESS', generation: 4, offsets: { 't-0': 5 }, seq: 1 } },
    ]);
  });
});

// ---------------------------------------------------------------- the machine

describe('coordinator machine: first member, join and sync phases (§1.2, §1.5, §1.6)', () => {
  it('a first JoinGroup in Empty goes through PreparingRebalance to CompletingRebalance at generation 1', () => {
    const co = coordinator();
    expect(co.state()).toBe('Empty');
    const out = co.send(joinReq('c1'));
    expect(co.state()).toBe('CompletingRebalance');
    expect(co.ctx().generation).toBe(1);
    expect(co.ctx().leaderId).toBe('c1~1');
    expect(co.ctx().protocol).toBe('range');
    expect(out).toEqual([
      // entering PreparingRebalance (prepareRebalance): observed, join timer armed
      { type: 'Observe', event: { type: 'RebalanceStarted', group: 'g', generation: 0 } },
      { type: 'CancelTimer', timer: 'sync' },
      { type: 'SetTimer', timer: 'join', delayMs: REBALANCE_MS },
      // every member joined: the join completes (onCompleteJoin)
      { type: 'CancelTimer', timer: 'join' },
      { type: 'Observe', event: { type: 'GenerationStarted', group: 'g', generation: 1, members: ['c1'], leader: 'c1', protocol: 'range' } },
      {
        type: 'Send',
        to: 'c1',
        message: {
          type: 'JoinGroupResponse',
          to: 'c1',
          error: 'NONE',
          generation: 1,
          memberId: 'c1~1',
          leaderId: 'c1~1',
          protocol: 'range',
          members: [{ memberId: 'c1~1', topics: ['t'] }],
        },
      },
      { type: 'SetTimer', timer: 'session:c1~1', delayMs: SESSION_MS },
      { type: 'SetTimer', timer: 'sync', delayMs: REBALANCE_MS },
    ]);
  });

  it('with an initial delay the join phase waits for the join timer, however many joined (§1.6.2)', () => {
    const co = coordinator(3000);
    const first = co.send(joinReq('c1'));
    expect(co.state()).toBe('PreparingRebalance');
    expect(first).toContainEqual({ type: 'SetTimer', timer: 'join', delayMs: 3000 });
    co.send(joinReq('c2'));
    expect(co.state()).toBe('PreparingRebalance');
    const out = co.send(timer('join'));
    expect(co.state()).toBe('CompletingRebalance');
    expect(co.ctx().generation).toBe(1);
    expect(observations(out)).toEqual([
      { type: 'GenerationStarted', group: 'g', generation: 1, members: ['c1', 'c2'], leader: 'c1', protocol: 'range' },
    ]);
  });

  it('the leader SyncGroup makes the group Stable and answers with the assignment (§1.6.3)', () => {
    const co = coordinator();
    co.send(joinReq('c1'));
    const out = co.send(syncReq('c1', 'c1~1', 1, { 'c1~1': ['t-0', 't-1'] }));
    expect(co.state()).toBe('Stable');
    expect(co.ctx().members['c1~1']?.assignment).toEqual(['t-0', 't-1']);
    // Every member has synced, so the sync timer is cancelled last (KAFKA-12890 keeps it otherwise).
    expect(out).toEqual([
      { type: 'Observe', event: { type: 'GroupStable', group: 'g', generation: 1, assignment: { c1: ['t-0', 't-1'] } } },
      { type: 'Send', to: 'c1', message: { type: 'SyncGroupResponse', to: 'c1', error: 'NONE', generation: 1, assignment: ['t-0', 't-1'] } },
      { type: 'SetTimer', timer: 'session:c1~1', delayMs: SESSION_MS },
      { type: 'CancelTimer', timer: 'sync' },
    ]);
  });

  it('a second member joining Stable starts a rebalance; the old generation keeps committing; generation 2 follows (§1.3, §1.10)', () => {
    const co = coordinator();
    co.send(joinReq('c1'));
    co.send(syncReq('c1', 'c1~1', 1, { 'c1~1': ['t-0', 't-1'] }));

    const joined = co.send(joinReq('c2'));
    expect(co.state()).toBe('PreparingRebalance');
    expect(co.ctx().generation).toBe(1); // no bump before the join completes (§1.3)
    expect(sends(joined)).toEqual([]); // c2's JoinGroup is parked
    expect(joined).toContainEqual({ type: 'SetTimer', timer: 'join', delayMs: REBALANCE_MS });

    // §1.10: a heartbeat in PreparingRebalance answers REBALANCE_IN_PROGRESS and still refreshes the session.
    expect(co.send(heartbeatReq('c1', 'c1~1', 1))).toEqual([
      { type: 'Send', to: 'c1', message: { type: 'HeartbeatResponse', to: 'c1', error: 'REBALANCE_IN_PROGRESS', generation: 1 } },
      { type: 'SetTimer', timer: 'session:c1~1', delayMs: SESSION_MS },
    ]);

    // §1.3: the outgoing generation is still current, so its commit is accepted (commit-on-revoke works).
    const commit = co.send(commitReq('c1', 'c1~1', 1, { 't-0': 9 }));
    expect(commit).toContainEqual({ type: 'StoreOffsets', group: 'g', offsets: { 't-0': 9 } });
    expect(messagesTo(commit, 'c1')).toEqual([
      { type: 'OffsetCommitResponse', to: 'c1', error: 'NONE', generation: 1, offsets: { 't-0': 9 }, seq: 1 },
    ]);

    // c1 re-joins: every member joined, the join completes at generation 2.
    const rejoin = co.send(joinReq('c1', 'c1~1'));
    expect(co.state()).toBe('CompletingRebalance');
    expect(co.ctx().generation).toBe(2);
    expect(messagesTo(rejoin, 'c1')).toEqual([
      {
        type: 'JoinGroupResponse',
        to: 'c1',
        error: 'NONE',
        generation: 2,
        memberId: 'c1~1',
        leaderId: 'c1~1',
        protocol: 'range',
        members: [
          { memberId: 'c1~1', topics: ['t'] },
          { memberId: 'c2~2', topics: ['t'] },
        ],
      },
    ]);
    // §1.5: followers get an empty member list.
    expect(messagesTo(rejoin, 'c2')).toEqual([
      { type: 'JoinGroupResponse', to: 'c2', error: 'NONE', generation: 2, memberId: 'c2~2', leaderId: 'c1~1', protocol: 'range', members: [] },
    ]);

    // Once the join completed, generation 1 is stale (§1.3), and CompletingRebalance refuses commits (§1.11 rule 7).
    expect(messagesTo(co.send(commitReq('c1', 'c1~1', 1)), 'c1')[0]).toMatchObject({ error: 'ILLEGAL_GENERATION' });
    expect(messagesTo(co.send(commitReq('c1', 'c1~1', 2)), 'c1')[0]).toMatchObject({ error: 'REBALANCE_IN_PROGRESS' });
    // §1.10: heartbeats in CompletingRebalance answer NONE (KAFKA-10134).
    expect(messagesTo(co.send(heartbeatReq('c2', 'c2~2', 2)), 'c2')).toEqual([{ type: 'HeartbeatResponse', to: 'c2', error: 'NONE', generation: 2 }]);

    // The follower's SyncGroup is parked until the leader's, which answers both.
    expect(co.send(syncReq('c2', 'c2~2', 2))).toEqual([]);
    const sync = co.send(syncReq('c1', 'c1~1', 2, { 'c1~1': ['t-0'], 'c2~2': ['t-1'] }));
    expect(co.state()).toBe('Stable');
    expect(messagesTo(sync, 'c1')).toEqual([{ type: 'SyncGroupResponse', to: 'c1', error: 'NONE', generation: 2, assignment: ['t-0'] }]);
    expect(messagesTo(sync, 'c2')).toEqual([{ type: 'SyncGroupResponse', to: 'c2', error: 'NONE', generation: 2, assignment: ['t-1'] }]);
    expect(observations(sync)).toEqual([{ type: 'GroupStable', group: 'g', generation: 2, assignment: { c1: ['t-0'], c2: ['t-1'] } }]);
  });

  it('a follower JoinGroup with identical metadata in Stable is answered at once, without a rebalance (§1.2)', () => {
    const co = stableWithTwo();
    const out = co.send(joinReq('c2', 'c2~2'));
    expect(co.state()).toBe('Stable');
    expect(messagesTo(out, 'c2')).toEqual([
      { type: 'JoinGroupResponse', to: 'c2', error: 'NONE', generation: 2, memberId: 'c2~2', leaderId: 'c1~1', protocol: 'range', members: [] },
    ]);
  });

  it('a JoinGroup with an unknown member id is refused UNKNOWN_MEMBER_ID (§1.10)', () => {
    const co = stableWithTwo();
    const out = co.send(joinReq('c3', 'c3~9'));
    expect(co.state()).toBe('Stable');
    expect(messagesTo(out, 'c3')).toEqual([
      { type: 'JoinGroupResponse', to: 'c3', error: 'UNKNOWN_MEMBER_ID', generation: -1, memberId: 'c3~9', leaderId: '', protocol: null, members: [] },
    ]);
  });
});

describe('coordinator machine: removals (§1.6, §1.7, §1.8)', () => {
  it('the session timer of a member that is not parked removes it and starts a rebalance (§1.7)', () => {
    const co = stableWithTwo();
    const out = co.send(timer('session:c2~2'));
    expect(co.state()).toBe('PreparingRebalance');
    expect(Object.keys(co.ctx().members)).toEqual(['c1~1']);
    expect(out).toContainEqual({ type: 'CancelTimer', timer: 'session:c2~2' });
    expect(observations(out)).toEqual([
      { type: 'MemberRemoved', group: 'g', member: 'c2', reason: 'session-timeout' },
      { type: 'RebalanceStarted', group: 'g', generation: 2 },
    ]);
  });

  it('the session timer of the leader hands leadership to a remaining member (§1.5)', () => {
    const co = stableWithTwo();
    co.send(timer('session:c1~1'));
    expect(co.ctx().leaderId).toBe('c2~2');
    co.send(joinReq('c2', 'c2~2'));
    expect(co.state()).toBe('CompletingRebalance');
    expect(co.ctx().generation).toBe(3);
  });

  it('the session timer of a member parked in JoinGroup re-arms it instead (§1.7 hasSatisfiedHeartbeat)', () => {
    const co = stableWithTwo();
    co.send(joinReq('c3')); // c3~3 is parked; c1 and c2 have not re-joined yet
    expect(co.state()).toBe('PreparingRebalance');
    const out = co.send(timer('session:c3~3'));
    expect(out).toEqual([{ type: 'SetTimer', timer: 'session:c3~3', delayMs: SESSION_MS }]);
    expect(co.ctx().members['c3~3']).toBeDefined();
    expect(co.state()).toBe('PreparingRebalance');
  });

  it('the session timer of a member parked in SyncGroup re-arms it instead (§1.7)', () => {
    const co = coordinator();
    co.send(joinReq('c1'));
    co.send(joinReq('c2')); // CompletingRebalance -> rebalance; c2 parked
    co.send(joinReq('c1', 'c1~1'));
    expect(co.state()).toBe('CompletingRebalance');
    co.send(syncReq('c2', 'c2~2', 2)); // parked waiting for the leader
    const out = co.send(timer('session:c2~2'));
    expect(out).toEqual([{ type: 'SetTimer', timer: 'session:c2~2', delayMs: SESSION_MS }]);
    expect(co.state()).toBe('CompletingRebalance');
  });

  it('the join timer removes a dynamic member that did not re-join and bumps the generation (§1.6.1)', () => {
    const co = stableWithTwo();
    co.send(joinReq('c1', 'c1~1')); // the leader's JoinGroup in Stable starts a rebalance
    expect(co.state()).toBe('PreparingRebalance');
    expect(co.send(timer('sync'))).toEqual([]); // no sync timer in PreparingRebalance
    const out = co.send(timer('join'));
    expect(co.state()).toBe('CompletingRebalance');
    expect(co.ctx().generation).toBe(3);
    expect(Object.keys(co.ctx().members)).toEqual(['c1~1']);
    expect(out).toContainEqual({ type: 'CancelTimer', timer: 'session:c2~2' });
    expect(observations(out)).toEqual([
      { type: 'MemberRemoved', group: 'g', member: 'c2', reason: 'rejoin-timeout' },
      { type: 'GenerationStarted', group: 'g', generation: 3, members: ['c1'], leader: 'c1', protocol: 'range' },
    ]);
    expect(messagesTo(out, 'c2')).toEqual([]); // its JoinGroup was not parked: nothing to answer
  });

  it('the join timer with nobody re-joined empties the group, generation bumped anyway (§1.3)', () => {
    const co = stableWithTwo();
    co.send(timer('session:c2~2')); // -> PreparingRebalance, c1 has not re-joined
    const out = co.send(timer('join'));
    expect(co.state()).toBe('Empty');
    expect(co.ctx().generation).toBe(3);
    expect(co.ctx().members).toEqual({});
    expect(observations(out)).toContainEqual({ type: 'GenerationStarted', group: 'g', generation: 3, members: [], leader: null, protocol: null });
  });

  it('the sync timer removes members that never sent SyncGroup, and rebalances (KAFKA-12890, §1.6.3)', () => {
    const co = coordinator();
    co.send(joinReq('c1'));
    co.send(joinReq('c2'));
    co.send(joinReq('c1', 'c1~1'));
    expect(co.state()).toBe('CompletingRebalance');
    co.send(syncReq('c2', 'c2~2', 2)); // c2 synced (parked); the leader c1 never does
    const out = co.send(timer('sync'));
    expect(observations(out)).toEqual([
      { type: 'MemberRemoved', group: 'g', member: 'c1', reason: 'sync-timeout' },
      { type: 'RebalanceStarted', group: 'g', generation: 2 },
    ]);
    expect(Object.keys(co.ctx().members)).toEqual(['c2~2']);
    expect(co.ctx().leaderId).toBe('c2~2');
    expect(co.state()).toBe('PreparingRebalance');
    // §1.2: parked SyncGroups are answered REBALANCE_IN_PROGRESS when the rebalance is prepared.
    expect(messagesTo(out, 'c2')).toEqual([{ type: 'SyncGroupResponse', to: 'c2', error: 'REBALANCE_IN_PROGRESS', generation: 2, assignment: [] }]);
  });

  // SUSPECTED MODEL GAP (reported, not fixed here; flip to `it` once fixed). Kafka's DelayedSync stays armed
  // after the leader's SyncGroup: GroupCoordinator.onExpirePendingSync removes pending-sync members in
  // `CompletingRebalance | Stable`, and the pending set is cleared only when a new rebalance starts
  // (removeSyncExpiration). completeSync cancels the sync timer and clears syncPending for everyone, so the
  // minimal KAFKA-12890 scenario of §6 (a follower's SyncGroup is lost, its heartbeats go on) leaves the
  // follower in a Stable group owning partitions it never learned of.
  it('the sync timer also removes a follower that never synced after the group went Stable (KAFKA-12890, §1.6.3)', () => {
    const co = coordinator();
    co.send(joinReq('c1'));
    co.send(joinReq('c2'));
    co.send(joinReq('c1', 'c1~1'));
    const sync = co.send(syncReq('c1', 'c1~1', 2, { 'c1~1': ['t-0'], 'c2~2': ['t-1'] })); // c2's SyncGroup never arrives
    expect(co.state()).toBe('Stable');
    expect(sync).not.toContainEqual({ type: 'CancelTimer', timer: 'sync' });
    const out = co.send(timer('sync'));
    expect(observations(out)).toEqual([
      { type: 'MemberRemoved', group: 'g', member: 'c2', reason: 'sync-timeout' },
      { type: 'RebalanceStarted', group: 'g', generation: 2 },
    ]);
    expect(co.state()).toBe('PreparingRebalance');
  });

  it('LeaveGroup removes the member and rebalances, with no generation check (§1.8)', () => {
    const co = stableWithTwo();
    const out = co.send(leaveReq('c2', 'c2~2'));
    expect(co.state()).toBe('PreparingRebalance');
    expect(Object.keys(co.ctx().members)).toEqual(['c1~1']);
    expect(observations(out)).toEqual([
      { type: 'MemberRemoved', group: 'g', member: 'c2', reason: 'leave' },
      { type: 'RebalanceStarted', group: 'g', generation: 2 },
    ]);
    expect(messagesTo(out, 'c2')).toEqual([{ type: 'LeaveGroupResponse', to: 'c2', error: 'NONE' }]);
    // The rest re-joins and the next generation has c1 only.
    co.send(joinReq('c1', 'c1~1'));
    expect(co.state()).toBe('CompletingRebalance');
    expect(co.ctx().generation).toBe(3);
  });

  it('LeaveGroup of an unknown member is answered UNKNOWN_MEMBER_ID and changes nothing (§1.8)', () => {
    const co = stableWithTwo();
    const out = co.send(leaveReq('c9', 'c9~9'));
    expect(out).toEqual([{ type: 'Send', to: 'c9', message: { type: 'LeaveGroupResponse', to: 'c9', error: 'UNKNOWN_MEMBER_ID' } }]);
    expect(co.state()).toBe('Stable');
  });

  it('the last member leaving empties the group with a generation bump (§1.2, §1.3)', () => {
    const co = coordinator();
    co.send(joinReq('c1'));
    co.send(syncReq('c1', 'c1~1', 1, { 'c1~1': ['t-0'] }));
    const out = co.send(leaveReq('c1', 'c1~1'));
    expect(co.state()).toBe('Empty');
    expect(co.ctx().generation).toBe(2);
    expect(co.ctx().leaderId).toBeNull();
    expect(observations(out)).toEqual([
      { type: 'MemberRemoved', group: 'g', member: 'c1', reason: 'leave' },
      { type: 'RebalanceStarted', group: 'g', generation: 1 },
      { type: 'GenerationStarted', group: 'g', generation: 2, members: [], leader: null, protocol: null },
    ]);
    // §1.11 rule 4: the Empty group accepts generation -1 commits again.
    expect(messagesTo(co.send(commitReq('admin', '', -1)), 'admin')[0]).toMatchObject({ error: 'NONE' });
  });
});

describe('coordinator machine: protocol and unload (§1.5, §1.2)', () => {
  it('a joiner with no protocol in common gets INCONSISTENT_GROUP_PROTOCOL and is not added (§1.5)', () => {
    const co = stableWithTwo();
    const out = co.send(joinReq('c3', '', ['roundrobin']));
    expect(co.state()).toBe('Stable');
    expect(Object.keys(co.ctx().members)).toEqual(['c1~1', 'c2~2']);
    expect(out).toEqual([
      {
        type: 'Send',
        to: 'c3',
        message: { type: 'JoinGroupResponse', to: 'c3', error: 'INCONSISTENT_GROUP_PROTOCOL', generation: -1, memberId: '', leaderId: '', protocol: null, members: [] },
      },
    ]);
  });

  it('the protocol is the plurality vote among the protocols all members support (§1.5)', () => {
    const co = coordinator(1000);
    co.send(joinReq('c1', '', ['range', 'roundrobin']));
    co.send(joinReq('c2', '', ['roundrobin', 'range']));
    co.send(joinReq('c3', '', ['roundrobin']));
    co.send(timer('join'));
    expect(co.ctx().protocol).toBe('roundrobin');
  });

  it('Unload makes the group Dead; the broker no longer owns it, so commits get NOT_COORDINATOR and nothing is stored (§1.2, §1.10 routing first)', () => {
    const co = stableWithTwo();
    co.send({ type: 'Unload' });
    expect(co.state()).toBe('Dead');
    const out = co.send(commitReq('c1', 'c1~1', 2));
    expect(out).toEqual([
      { type: 'Send', to: 'c1', message: { type: 'OffsetCommitResponse', to: 'c1', error: 'NOT_COORDINATOR', generation: 2, offsets: { 't-0': 5 }, seq: 1 } },
    ]);
    // Dead is final for membership: a JoinGroup is answered NOT_COORDINATOR and changes nothing.
    const join = co.send(joinReq('c3'));
    expect(join).toEqual([expect.objectContaining({ message: expect.objectContaining({ type: 'JoinGroupResponse', error: 'NOT_COORDINATOR' }) })]);
    expect(co.state()).toBe('Dead');
  });
});
