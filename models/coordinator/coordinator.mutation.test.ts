/**
 * Tests of the coordinator's pure handlers (coordinator.logic.ts), called directly, written against
 * the mutants StrykerJS left alive in coordinator.test.ts (reports/mutation.md). Each test pins one
 * rule of kafka-protocol.md §1 on the exact context and effects a handler returns: the error matrix
 * of SyncGroup and Heartbeat (§1.10), the leader rules (§1.5), what a join phase resets (§1.6), the
 * removal of a parked member (§1.7, §1.8) and the OffsetCommit rules (§1.11).
 * Not here: the machine's state changes (coordinator.test.ts drives those through an actor).
 */
import { describe, expect, it } from 'vitest';
import type { Effect } from '../effects.ts';
import type { Request } from '../protocol.ts';
import {
  addMember,
  answerSync,
  completeJoin,
  completeSync,
  currentMemberJoin,
  heartbeat,
  initialCoordinatorContext,
  isKnownMember,
  isLeaderSync,
  isNewMemberJoin,
  joinTimerFired,
  leaveGroup,
  memberIdOfTimer,
  offsetCommit,
  parkJoin,
  parkSync,
  prepareRebalance,
  sessionExpired,
  syncTimerFired,
  validateOffsetCommit,
  type CoordinatorContext,
  type GroupMember,
} from './coordinator.logic.ts';

type Req<T extends Request['type']> = Extract<Request, { type: T }>;

const SESSION_MS = 10_000;

const base = (): CoordinatorContext => initialCoordinatorContext({ group: 'g', initialRebalanceDelayMs: 0 });

const member = (memberId: string, over: Partial<GroupMember> = {}): GroupMember => ({
  memberId,
  clientId: memberId.split('~')[0] ?? memberId,
  protocols: ['range'],
  topics: ['t'],
  sessionTimeoutMs: SESSION_MS,
  rebalanceTimeoutMs: 30_000,
  awaitingJoin: false,
  awaitingSync: false,
  syncPending: false,
  assignment: [],
  ...over,
});

/** A group at `generation` with these members (insertion order kept), the first one leading. */
const group = (generation: number, ...members: GroupMember[]): CoordinatorContext => ({
  ...base(),
  generation,
  protocol: members.length > 0 ? 'range' : null,
  leaderId: members[0]?.memberId ?? null,
  members: Object.fromEntries(members.map((m) => [m.memberId, m])),
  memberSeq: members.length,
});

const joinReq = (from: string, memberId = '', protocols: readonly string[] = ['range'], topics: readonly string[] = ['t']): Req<'JoinGroup'> => ({
  type: 'JoinGroup',
  from,
  group: 'g',
  memberId,
  protocols,
  topics,
  sessionTimeoutMs: SESSION_MS,
  rebalanceTimeoutMs: 30_000,
});
const syncReq = (from: string, memberId: string, generation: number, assignments: Req<'SyncGroup'>['assignments'] = null): Req<'SyncGroup'> => ({
  type: 'SyncGroup',
  from,
  group: 'g',
  memberId,
  generation,
  assignments,
});
const commitReq = (from: string, memberId: string, generation: number): Req<'OffsetCommit'> => ({
  type: 'OffsetCommit',
  from,
  group: 'g',
  memberId,
  generation,
  offsets: { 't-0': 3 },
  seq: 1,
});

const syncAnswer = (to: string, error: string, generation: number, assignment: string[] = []): Effect => ({
  type: 'Send',
  to,
  message: { type: 'SyncGroupResponse', to, error, generation, assignment },
} as Effect);
const session = (memberId: string): Effect => ({ type: 'SetTimer', timer: `session:${memberId}`, delayMs: SESSION_MS });

describe('context and timers', () => {
  it('a new group is Empty-shaped: generation 0, no leader, protocol or members, no rebalance pending', () => {
    expect(initialCoordinatorContext({ group: 'g', initialRebalanceDelayMs: 3000 })).toEqual({
      group: 'g',
      generation: 0,
      protocol: null,
      leaderId: null,
      members: {},
      memberSeq: 0,
      initialRebalanceDelayMs: 3000,
      joinDeadlinePassed: false,
      initialDelayRunning: false,
      rebalanceRequested: false,
    });
  });

  it('only session timers name a member', () => {
    expect(memberIdOfTimer('session:c1~1')).toBe('c1~1');
    expect(memberIdOfTimer('join')).toBeNull();
    expect(memberIdOfTimer('sync')).toBeNull();
  });

  it('a JoinGroup is new when it has no member id, and known when the id is a member (§1.4)', () => {
    const ctx = group(1, member('c1~1'));
    expect(isNewMemberJoin(ctx, joinReq('c2'))).toBe(true);
    expect(isNewMemberJoin(ctx, joinReq('c1', 'c1~1'))).toBe(false);
    expect(isKnownMember(ctx, 'c1~1')).toBe(true);
    expect(isKnownMember(ctx, 'c9~9')).toBe(false);
  });
});

describe('JoinGroup handlers (§1.2, §1.5, §1.10)', () => {
  it('the first member added is parked, leads, and starts with no assignment and nothing pending (§1.5)', () => {
    const r = addMember(base(), joinReq('c1'));
    expect(r.out).toEqual([]);
    expect(r.ctx.leaderId).toBe('c1~1');
    expect(r.ctx.rebalanceRequested).toBe(true);
    expect(r.ctx.members).toEqual({
      'c1~1': member('c1~1', { awaitingJoin: true }),
    });
    // A later member does not take the lead.
    expect(addMember(r.ctx, joinReq('c2')).ctx.leaderId).toBe('c1~1');
  });

  it('a known member re-joining during a join phase is parked with its new metadata, silently', () => {
    const ctx = group(1, member('c1~1'));
    const r = parkJoin(ctx, { ...joinReq('c1', 'c1~1', ['roundrobin'], ['u']), rebalanceTimeoutMs: 5 });
    expect(r.out).toEqual([]);
    expect(r.ctx.members['c1~1']).toEqual(member('c1~1', { protocols: ['roundrobin'], topics: ['u'], rebalanceTimeoutMs: 5, awaitingJoin: true }));
  });

  it('parkJoin and currentMemberJoin answer an unknown member id UNKNOWN_MEMBER_ID and change nothing', () => {
    const ctx = group(3, member('c1~1'));
    const refused: Effect = {
      type: 'Send',
      to: 'c9',
      message: { type: 'JoinGroupResponse', to: 'c9', error: 'UNKNOWN_MEMBER_ID', generation: -1, memberId: 'c9~9', leaderId: '', protocol: null, members: [] },
    };
    expect(parkJoin(ctx, joinReq('c9', 'c9~9'))).toEqual({ ctx, out: [refused] });
    expect(currentMemberJoin(ctx, joinReq('c9', 'c9~9'), 'Stable')).toEqual({ ctx, out: [refused] });
  });

  it('the leader re-joining Stable, or anyone whose protocols or topics changed, starts a rebalance (§1.10)', () => {
    const ctx = group(2, member('c1~1'), member('c2~2', { protocols: ['range', 'roundrobin'], topics: ['a', 'b'] }));
    const rebalances = (req: Req<'JoinGroup'>, state: 'Stable' | 'CompletingRebalance'): boolean => {
      const r = currentMemberJoin(ctx, req, state);
      expect(r.out, JSON.stringify(req)).toEqual(r.ctx.rebalanceRequested ? [] : [expect.objectContaining({ type: 'Send' })]);
      return r.ctx.rebalanceRequested;
    };
    expect(rebalances(joinReq('c1', 'c1~1'), 'Stable')).toBe(true);
    expect(rebalances(joinReq('c1', 'c1~1'), 'CompletingRebalance')).toBe(false);
    expect(rebalances(joinReq('c2', 'c2~2', ['range', 'roundrobin'], ['a', 'b']), 'Stable')).toBe(false);
    expect(rebalances(joinReq('c2', 'c2~2', ['roundrobin', 'range'], ['a', 'b']), 'Stable')).toBe(true);
    expect(rebalances(joinReq('c2', 'c2~2', ['range', 'roundrobin'], ['a']), 'Stable')).toBe(true);
    // Lists are compared element by element, not as concatenated strings.
    expect(rebalances(joinReq('c2', 'c2~2', ['rangeroundrobin'], ['a', 'b']), 'Stable')).toBe(true);
    expect(rebalances(joinReq('c2', 'c2~2', ['range', 'roundrobin'], ['ab']), 'Stable')).toBe(true);
  });

  it('a follower with identical metadata is answered the current generation at once, without members (§1.5)', () => {
    const ctx = { ...group(2, member('c1~1'), member('c2~2')), protocol: 'range' };
    expect(currentMemberJoin(ctx, joinReq('c2', 'c2~2'), 'Stable')).toEqual({
      ctx,
      out: [
        {
          type: 'Send',
          to: 'c2',
          message: { type: 'JoinGroupResponse', to: 'c2', error: 'NONE', generation: 2, memberId: 'c2~2', leaderId: 'c1~1', protocol: 'range', members: [] },
        },
      ],
    });
  });
});

describe('join phase (§1.6.1, §1.6.2)', () => {
  it('entering PreparingRebalance un-parks every SyncGroup and clears the pending syncs', () => {
    const ctx = { ...group(4, member('c1~1', { awaitingSync: true, syncPending: false }), member('c2~2', { syncPending: true })), rebalanceRequested: true, joinDeadlinePassed: true };
    const r = prepareRebalance(ctx, false);
    expect(Object.values(r.ctx.members).map((m) => [m.awaitingSync, m.syncPending])).toEqual([
      [false, false],
      [false, false],
    ]);
    expect([r.ctx.rebalanceRequested, r.ctx.joinDeadlinePassed, r.ctx.initialDelayRunning]).toEqual([false, false, false]);
    expect(r.out).toEqual([
      { type: 'Observe', event: { type: 'RebalanceStarted', group: 'g', generation: 4 } },
      syncAnswer('c1', 'REBALANCE_IN_PROGRESS', 4),
      { type: 'CancelTimer', timer: 'sync' },
      { type: 'SetTimer', timer: 'join', delayMs: 30_000 },
    ]);
  });

  it('the join timer ends the initial delay and lets the phase complete, emitting nothing itself', () => {
    const ctx = { ...group(0, member('c1~1', { awaitingJoin: true })), initialDelayRunning: true };
    expect(joinTimerFired(ctx)).toEqual({ ctx: { ...ctx, joinDeadlinePassed: true, initialDelayRunning: false }, out: [] });
  });

  it('completing the join resets assignments, flags and the lead to a member that re-joined (§1.5 maybeElectNewJoinedLeader)', () => {
    const ctx = {
      ...group(1, member('c1~1'), member('c2~2', { awaitingJoin: true, assignment: ['t-0'] }), member('c3~3', { awaitingJoin: true, protocols: ['roundrobin', 'range'] })),
      joinDeadlinePassed: true,
      initialDelayRunning: true,
      rebalanceRequested: true,
    };
    const r = completeJoin(ctx);
    expect(r.ctx.leaderId).toBe('c2~2');
    expect(r.ctx.protocol).toBe('range');
    expect([r.ctx.joinDeadlinePassed, r.ctx.initialDelayRunning, r.ctx.rebalanceRequested]).toEqual([false, false, false]);
    expect(r.ctx.members['c2~2']).toEqual(member('c2~2', { syncPending: true }));
    expect(Object.keys(r.ctx.members)).toEqual(['c2~2', 'c3~3']);
    expect(r.out).toContainEqual({
      type: 'Observe',
      event: { type: 'GenerationStarted', group: 'g', generation: 2, members: ['c2', 'c3'], leader: 'c2', protocol: 'range' },
    });
    expect(r.out.at(-1)).toEqual({ type: 'SetTimer', timer: 'sync', delayMs: 30_000 });
  });

  it('a leader that re-joined keeps the lead, even when it is not the first member', () => {
    const ctx = { ...group(1, member('c1~1', { awaitingJoin: true }), member('c2~2', { awaitingJoin: true })), leaderId: 'c2~2' };
    expect(completeJoin(ctx).ctx.leaderId).toBe('c2~2');
  });

  it('a join phase nobody re-joined leaves no leader, no protocol and no sync timer, but bumps the generation (§1.3)', () => {
    const r = completeJoin(group(5, member('c1~1')));
    expect([r.ctx.generation, r.ctx.leaderId, r.ctx.protocol, r.ctx.members]).toEqual([6, null, null, {}]);
    expect(r.out).toEqual([
      { type: 'CancelTimer', timer: 'join' },
      { type: 'CancelTimer', timer: 'session:c1~1' },
      { type: 'Observe', event: { type: 'MemberRemoved', group: 'g', member: 'c1', reason: 'rejoin-timeout' } },
      { type: 'Observe', event: { type: 'GenerationStarted', group: 'g', generation: 6, members: [], leader: null, protocol: null } },
    ]);
  });
});

describe('SyncGroup handlers (§1.6.3, §1.10)', () => {
  const stable = () => group(3, member('c1~1', { assignment: ['t-0'] }), member('c2~2', { assignment: ['t-1'], syncPending: true }), member('c3~3', { syncPending: true }));

  it('only a current leader with assignments completes the sync phase', () => {
    const ctx = stable();
    expect(isLeaderSync(ctx, syncReq('c1', 'c1~1', 3, {}))).toBe(true);
    expect(isLeaderSync(ctx, syncReq('c1', 'c1~1', 3, null))).toBe(false);
    expect(isLeaderSync(ctx, syncReq('c1', 'c1~1', 2, {}))).toBe(false);
    expect(isLeaderSync(ctx, syncReq('c2', 'c2~2', 3, {}))).toBe(false);
    expect(isLeaderSync(ctx, syncReq('c9', 'c9~9', 3, {}))).toBe(false);
  });

  it('answered at once: unknown member, then stale generation, then REBALANCE_IN_PROGRESS, all without an assignment', () => {
    const ctx = stable();
    expect(answerSync(ctx, syncReq('c9', 'c9~9', 3), 'Stable')).toEqual({ ctx, out: [syncAnswer('c9', 'UNKNOWN_MEMBER_ID', 3)] });
    expect(answerSync(ctx, syncReq('c1', 'c1~1', 2), 'Stable')).toEqual({ ctx, out: [syncAnswer('c1', 'ILLEGAL_GENERATION', 3)] });
    expect(answerSync(ctx, syncReq('c9', 'c9~9', 2), 'PreparingRebalance')).toEqual({ ctx, out: [syncAnswer('c9', 'UNKNOWN_MEMBER_ID', 3)] });
    expect(answerSync(ctx, syncReq('c1', 'c1~1', 3), 'PreparingRebalance')).toEqual({ ctx, out: [syncAnswer('c1', 'REBALANCE_IN_PROGRESS', 3)] });
  });

  it('in Stable a member gets its assignment and a fresh session; the sync timer stops with the last pending member', () => {
    const ctx = stable();
    const first = answerSync(ctx, syncReq('c2', 'c2~2', 3), 'Stable');
    expect(first.out).toEqual([syncAnswer('c2', 'NONE', 3, ['t-1']), session('c2~2')]);
    expect(first.ctx.members['c2~2']?.syncPending).toBe(false);
    expect(first.ctx.members['c3~3']?.syncPending).toBe(true);
    const last = answerSync(first.ctx, syncReq('c3', 'c3~3', 3), 'Stable');
    expect(last.out).toEqual([syncAnswer('c3', 'NONE', 3), session('c3~3'), { type: 'CancelTimer', timer: 'sync' }]);
    // A member that had synced already changes nothing and stops no timer.
    const again = answerSync(last.ctx, syncReq('c1', 'c1~1', 3), 'Stable');
    expect(again).toEqual({ ctx: last.ctx, out: [syncAnswer('c1', 'NONE', 3, ['t-0']), session('c1~1')] });
  });

  it('a follower SyncGroup in CompletingRebalance is parked; errors are answered at once', () => {
    const ctx = stable();
    const parked = parkSync(ctx, syncReq('c2', 'c2~2', 3));
    expect(parked.out).toEqual([]);
    expect(parked.ctx.members['c2~2']).toEqual({ ...ctx.members['c2~2'], awaitingSync: true, syncPending: false });
    expect(parkSync(ctx, syncReq('c2', 'c2~2', 1))).toEqual({ ctx, out: [syncAnswer('c2', 'ILLEGAL_GENERATION', 3)] });
    expect(parkSync(ctx, syncReq('c9', 'c9~9', 3))).toEqual({ ctx, out: [syncAnswer('c9', 'UNKNOWN_MEMBER_ID', 3)] });
  });

  it("the leader's SyncGroup answers the leader and the parked members only; the others stay pending (KAFKA-12890)", () => {
    const ctx = group(3, member('c1~1', { syncPending: true }), member('c2~2', { awaitingSync: true }), member('c3~3', { syncPending: true }));
    const r = completeSync(ctx, syncReq('c1', 'c1~1', 3, { 'c1~1': ['t-0'], 'c3~3': ['t-1'] }));
    expect(r.out).toEqual([
      { type: 'Observe', event: { type: 'GroupStable', group: 'g', generation: 3, assignment: { c1: ['t-0'], c2: [], c3: ['t-1'] } } },
      syncAnswer('c1', 'NONE', 3, ['t-0']),
      session('c1~1'),
      syncAnswer('c2', 'NONE', 3),
      session('c2~2'),
    ]);
    expect(Object.values(r.ctx.members).map((m) => [m.memberId, m.awaitingSync, m.syncPending])).toEqual([
      ['c1~1', false, false],
      ['c2~2', false, false],
      ['c3~3', false, true],
    ]);
  });
});

describe('Heartbeat (§1.7, §1.10)', () => {
  const ctx = group(2, member('c1~1'));
  const answer = (error: string, generation = 2): Effect => ({ type: 'Send', to: 'c1', message: { type: 'HeartbeatResponse', to: 'c1', error, generation } } as Effect);
  const hb = (memberId: string, generation: number) => ({ type: 'Heartbeat', from: 'c1', group: 'g', memberId, generation }) as const;

  it('Empty knows no member and Dead is unavailable, whatever the request', () => {
    expect(heartbeat(ctx, hb('c1~1', 2), 'Empty')).toEqual({ ctx, out: [answer('UNKNOWN_MEMBER_ID')] });
    expect(heartbeat(ctx, hb('c1~1', 2), 'Dead')).toEqual({ ctx, out: [answer('COORDINATOR_NOT_AVAILABLE')] });
  });

  it('otherwise the member is validated; only a valid heartbeat refreshes the session', () => {
    expect(heartbeat(ctx, hb('c9~9', 2), 'Stable')).toEqual({ ctx, out: [answer('UNKNOWN_MEMBER_ID')] });
    expect(heartbeat(ctx, hb('c1~1', 1), 'Stable')).toEqual({ ctx, out: [answer('ILLEGAL_GENERATION', 1)] });
    expect(heartbeat(ctx, hb('c1~1', 2), 'Stable')).toEqual({ ctx, out: [answer('NONE'), session('c1~1')] });
    expect(heartbeat(ctx, hb('c1~1', 2), 'PreparingRebalance')).toEqual({ ctx, out: [answer('REBALANCE_IN_PROGRESS'), session('c1~1')] });
  });
});

describe('removals (§1.5, §1.7, §1.8)', () => {
  it('a member removed while parked in JoinGroup gets UNKNOWN_MEMBER_ID for it (§1.7 onExpireHeartbeat)', () => {
    const ctx = group(2, member('c1~1'), member('c2~2', { awaitingJoin: true }));
    const r = leaveGroup(ctx, { type: 'LeaveGroup', from: 'c2', group: 'g', memberId: 'c2~2' });
    expect(r.out).toEqual([
      { type: 'CancelTimer', timer: 'session:c2~2' },
      { type: 'Observe', event: { type: 'MemberRemoved', group: 'g', member: 'c2', reason: 'leave' } },
      {
        type: 'Send',
        to: 'c2',
        message: { type: 'JoinGroupResponse', to: 'c2', error: 'UNKNOWN_MEMBER_ID', generation: -1, memberId: 'c2~2', leaderId: '', protocol: null, members: [] },
      },
      { type: 'Send', to: 'c2', message: { type: 'LeaveGroupResponse', to: 'c2', error: 'NONE' } },
    ]);
    expect(r.ctx.leaderId).toBe('c1~1'); // a follower leaving keeps the leader
    expect(Object.keys(r.ctx.members)).toEqual(['c1~1']);
  });

  it('a follower leaving keeps the leader even when the leader is not the first member', () => {
    const ctx = { ...group(2, member('c1~1'), member('c2~2'), member('c3~3')), leaderId: 'c2~2' };
    expect(leaveGroup(ctx, { type: 'LeaveGroup', from: 'c3', group: 'g', memberId: 'c3~3' }).ctx.leaderId).toBe('c2~2');
    expect(sessionExpired(ctx, 'c1~1').ctx.leaderId).toBe('c2~2');
  });

  it('the leader leaving hands the lead to the next member, or to nobody', () => {
    const two = group(2, member('c1~1'), member('c2~2'));
    expect(leaveGroup(two, { type: 'LeaveGroup', from: 'c1', group: 'g', memberId: 'c1~1' }).ctx.leaderId).toBe('c2~2');
    const one = group(2, member('c1~1'));
    expect(leaveGroup(one, { type: 'LeaveGroup', from: 'c1', group: 'g', memberId: 'c1~1' }).ctx.leaderId).toBeNull();
  });

  it('a session timer of an unknown member does nothing; the sync timer with nobody pending does nothing', () => {
    const ctx = group(2, member('c1~1'));
    expect(sessionExpired(ctx, 'c9~9')).toEqual({ ctx, out: [] });
    expect(syncTimerFired(ctx)).toEqual({ ctx, out: [] });
  });
});

describe('OffsetCommit (§1.11)', () => {
  it('rule 4 needs a negative generation: generation 0 in Empty is validated like any other (UNKNOWN_MEMBER_ID)', () => {
    expect(validateOffsetCommit(base(), commitReq('c1', '', 0), 'Empty')).toBe('UNKNOWN_MEMBER_ID');
    expect(validateOffsetCommit(base(), commitReq('c1', 'c1~1', 0), 'Empty')).toBe('UNKNOWN_MEMBER_ID');
  });

  it('rule 5 applies to generation 0, so a member of generation 0 is checked and accepted', () => {
    const ctx = group(0, member('c1~1'));
    expect(validateOffsetCommit(ctx, commitReq('c1', 'c1~1', 0), 'Stable')).toBe('NONE');
    expect(validateOffsetCommit(ctx, commitReq('c1', '', 0), 'Stable')).toBe('UNKNOWN_MEMBER_ID');
    expect(validateOffsetCommit(ctx, commitReq('c1', 'c1~1', -1), 'Stable')).toBe('ILLEGAL_GENERATION');
    expect(validateOffsetCommit(ctx, commitReq('x', 'x~1', -1), 'Stable')).toBe('UNKNOWN_MEMBER_ID');
  });

  it('a manual commit to an Empty group is stored under the committing client, without a session (rule 4)', () => {
    const r = offsetCommit(base(), commitReq('admin', '', -1), 'Empty');
    expect(r.out).toEqual([
      { type: 'StoreOffsets', group: 'g', offsets: { 't-0': 3 } },
      { type: 'Observe', event: { type: 'OffsetsStored', group: 'g', member: 'admin', generation: -1, offsets: { 't-0': 3 } } },
      { type: 'Send', to: 'admin', message: { type: 'OffsetCommitResponse', to: 'admin', error: 'NONE', generation: -1, offsets: { 't-0': 3 }, seq: 1 } },
    ]);
  });
});
