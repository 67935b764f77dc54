/**
 * Coordinator failover, one rule per test (kafka-protocol.md §1.2 onGroupUnloaded/onGroupLoaded,
 * §1.10 routing errors and their remaps). The machine runs as an XState actor, as in
 * coordinator.test.ts; the simulator's part (routing by node, the load delay) is tested in
 * src/sim/failover.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Effect } from '../effects.ts';
import type { Request } from '../protocol.ts';
import { routingErrorResponse, snapshotOf, type CoordinatorContext } from './coordinator.logic.ts';
import { coordinatorMachine, type CoordinatorEvent } from './coordinator.machine.ts';

type Req<T extends Request['type']> = Extract<Request, { type: T }>;

describe('coordinator failover: unload (§1.2 onGroupUnloaded)', () => {
  it('parked JoinGroups are answered NOT_COORDINATOR and every timer of the group stops', () => {
    const co = stable();
    co.send(joinReq('c2')); // parked until c1 re-joins
    expect(co.state()).toBe('PreparingRebalance');
    const out = co.send({ type: 'Unload' });
    expect(co.state()).toBe('Dead');
    expect(messages(out)).toEqual([expect.objectContaining({ type: 'JoinGroupResponse', to: 'c2', error: 'NOT_COORDINATOR' })]);
    expect(out).toContainEqual({ type: 'CancelTimer', timer: 'join' });
    expect(out).toContainEqual({ type: 'CancelTimer', timer: 'sync' });
  });

  it('parked SyncGroups are answered NOT_COORDINATOR; session timers are cancelled', () => {
    const co = coordinator();
    co.send(joinReq('c1'));
    co.send(syncReq('c1', 'c1~1', 1, { 'c1~1': ['t-0'] }));
    co.send(joinReq('c2'));
    co.send(joinReq('c1', 'c1~1'));
    expect(co.state()).toBe('CompletingRebalance');
    co.send(syncReq('c2', 'c2~2', 2)); // the follower's SyncGroup waits for the leader's
    const out = co.send({ type: 'Unload' });
    expect(messages(out)).toEqual([expect.objectContaining({ type: 'SyncGroupResponse', to: 'c2', error: 'NOT_COORDINATOR' })]);
    expect(out).toContainEqual({ type: 'CancelTimer', timer: 'session:c1~1' });
    expect(out).toContainEqual({ type: 'CancelTimer', timer: 'session:c2~2' });
  });

  it('a Dead group answers every group request NOT_COORDINATOR and stores nothing', () => {
    const co = stable();
    co.send({ type: 'Unload' });
    for (const req of [joinReq('c1', 'c1~1'), syncReq('c1', 'c1~1', 1), heartbeatReq('c1', 'c1~1', 1), leaveReq('c1', 'c1~1'), commitReq('c1', 'c1~1', 1)]) {
      const out = co.send(req);
      expect(out.some((e) => e.type === 'StoreOffsets' || e.type === 'Observe')).toBe(false);
      expect(messages(out)).toEqual([expect.objectContaining({ to: 'c1', error: 'NOT_COORDINATOR' })]);
    }
    expect(co.state()).toBe('Dead');
  });
});

describe('coordinator failover: load (§1.2 onGroupLoaded)', () => {
  it('a Stable group comes back Stable with its generation, leader, members and assignments; sessions restart', () => {
    const old = stable();
    const snapshot = snapshotOf(old.ctx());
    const co = coordinator();
    const out = co.send({ type: 'Load', coordinator: 1, snapshot });
    expect(co.state()).toBe('Stable');
    expect(co.ctx()).toMatchObject({ generation: 1, leaderId: 'c1~1', protocol: 'range', memberSeq: 1 });
    expect(co.ctx().members['c1~1']).toMatchObject({ assignment: ['t-0'], awaitingJoin: false, awaitingSync: false, syncPending: false });
    expect(out[0]).toEqual({ type: 'Observe', event: { type: 'GroupLoaded', group: 'g', coordinator: 1, generation: 1, members: ['c1'] } });
    expect(out).toContainEqual({ type: 'SetTimer', timer: 'session:c1~1', delayMs: 10_000 });
    // The member carries on: heartbeats and commits of generation 1 are accepted by the new coordinator.
    expect(messages(co.send(heartbeatReq('c1', 'c1~1', 1)))).toEqual([expect.objectContaining({ error: 'NONE' })]);
    expect(co.send(commitReq('c1', 'c1~1', 1))).toContainEqual(expect.objectContaining({ type: 'StoreOffsets' }));
  });

  it('a follower re-joining the rebuilt Stable group with unchanged metadata gets the current generation at once (§1.10)', () => {
    const co = coordinator();
    co.send({ type: 'Load', coordinator: 1, snapshot: snapshotOf(stable().ctx()) });
    // A second member: c2 joins, then the rebuilt group is persisted again with both.
    const two = coordinator();
    two.send(joinReq('c1'));
    two.send(syncReq('c1', 'c1~1', 1, { 'c1~1': ['t-0'] }));
    two.send(joinReq('c2'));
    two.send(joinReq('c1', 'c1~1'));
    two.send(syncReq('c1', 'c1~1', 2, { 'c1~1': ['t-0'], 'c2~2': ['t-1'] }));
    const loaded = coordinator();
    loaded.send({ type: 'Load', coordinator: 2, snapshot: snapshotOf(two.ctx()) });
    const out = loaded.send(joinReq('c2', 'c2~2'));
    expect(loaded.state()).toBe('Stable');
    expect(messages(out)).toEqual([expect.objectContaining({ type: 'JoinGroupResponse', error: 'NONE', generation: 2 })]);
  });

  it('a rebalance in progress is lost: members added since the last persisted generation are unknown (UNKNOWN_MEMBER_ID)', () => {
    const old = stable();
    const snapshot = snapshotOf(old.ctx()); // persisted at GroupStable, generation 1, c1 only
    old.send(joinReq('c2')); // c2 is added after the write: PreparingRebalance, not persisted
    expect(old.state()).toBe('PreparingRebalance');
    const co = coordinator();
    co.send({ type: 'Load', coordinator: 1, snapshot });
    expect(messages(co.send(joinReq('c2', 'c2~2')))).toEqual([expect.objectContaining({ type: 'JoinGroupResponse', error: 'UNKNOWN_MEMBER_ID' })]);
    expect(messages(co.send(commitReq('c2', 'c2~2', 1)))).toEqual([expect.objectContaining({ error: 'UNKNOWN_MEMBER_ID' })]);
  });

  it('a group never persisted (or persisted Empty) loads Empty, keeping the persisted generation', () => {
    const co = coordinator();
    co.send({ type: 'Load', coordinator: 1, snapshot: null });
    expect(co.state()).toBe('Empty');
    expect(co.ctx().generation).toBe(0);
    const empty = coordinator();
    empty.send({ type: 'Load', coordinator: 1, snapshot: { generation: 4, protocol: null, leaderId: null, memberSeq: 7, members: [] } });
    expect(empty.state()).toBe('Empty');
    expect(empty.ctx()).toMatchObject({ generation: 4, memberSeq: 7 });
    // A new member's id continues the sequence, so ids handed out before the move are not reused.
    empty.send(joinReq('c9'));
    expect(Object.keys(empty.ctx().members)).toEqual(['c9~8']);
  });
});

describe('routing errors (§1.10)', () => {
  it('NOT_COORDINATOR goes to every group API unchanged', () => {
    for (const req of [joinReq('c1'), syncReq('c1', 'm', 1), heartbeatReq('c1', 'm', 1), leaveReq('c1', 'm'), commitReq('c1', 'm', 1)]) {
      expect(routingErrorResponse(req, 'NOT_COORDINATOR')).toMatchObject({ to: 'c1', error: 'NOT_COORDINATOR' });
    }
  });

  it('COORDINATOR_LOAD_IN_PROGRESS: SyncGroup sees REBALANCE_IN_PROGRESS, Heartbeat sees NONE, the others see it as is', () => {
    expect(routingErrorResponse(syncReq('c1', 'm', 1), 'COORDINATOR_LOAD_IN_PROGRESS')).toMatchObject({ error: 'REBALANCE_IN_PROGRESS' });
    expect(routingErrorResponse(heartbeatReq('c1', 'm', 1), 'COORDINATOR_LOAD_IN_PROGRESS')).toMatchObject({ error: 'NONE' });
    expect(routingErrorResponse(joinReq('c1'), 'COORDINATOR_LOAD_IN_PROGRESS')).toMatchObject({ error: 'COORDINATOR_LOAD_IN_PROGRESS' });
    expect(routingErrorResponse(commitReq('c1', 'm', 1), 'COORDINATOR_LOAD_IN_PROGRESS')).toMatchObject({ error: 'COORDINATOR_LOAD_IN_PROGRESS', seq: 1 });
    expect(routingErrorResponse({ type: 'OffsetFetch', from: 'c1', group: 'g', partitions: ['t-0'] }, 'COORDINATOR_LOAD_IN_PROGRESS')).toMatchObject({
      type: 'OffsetFetchResponse',
      error: 'COORDINATOR_LOAD_IN_PROGRESS',
      committed: {},
    });
  });
});

// Helpers

function coordinator() {
  const actor = createActor(coordinatorMachine, { input: { group: 'g', initialRebalanceDelayMs: 0 } });
  const out: Effect[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  return {
    send(ev: CoordinatorEvent): Effect[] {
      out.length = 0;
      actor.send(ev);
      return [...out];
    },
    state: (): string => actor.getSnapshot().value,
    ctx: (): CoordinatorContext => actor.getSnapshot().context,
  };
}

/** One member, c1~1, Stable in generation 1 with t-0. */
function stable() {
  const co = coordinator();
  co.send(joinReq('c1'));
  co.send(syncReq('c1', 'c1~1', 1, { 'c1~1': ['t-0'] }));
  expect(co.state()).toBe('Stable');
  return co;
}

function messages(out: readonly Effect[]) {
  return out.flatMap((e) => (e.type === 'Send' ? [e.message] : []));
}

function joinReq(from: string, memberId = ''): Req<'JoinGroup'> {
  return { type: 'JoinGroup', from, group: 'g', memberId, protocols: ['range'], topics: ['t'], sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000 };
}
function syncReq(from: string, memberId: string, generation: number, assignments: Req<'SyncGroup'>['assignments'] = null): Req<'SyncGroup'> {
  return { type: 'SyncGroup', from, group: 'g', memberId, generation, assignments };
}
function heartbeatReq(from: string, memberId: string, generation: number): Req<'Heartbeat'> {
  return { type: 'Heartbeat', from, group: 'g', memberId, generation };
}
function leaveReq(from: string, memberId: string): Req<'LeaveGroup'> {
  return { type: 'LeaveGroup', from, group: 'g', memberId };
}
function commitReq(from: string, memberId: string, generation: number): Req<'OffsetCommit'> {
  return { type: 'OffsetCommit', from, group: 'g', memberId, generation, offsets: { 't-0': 5 }, seq: 1 };
}
