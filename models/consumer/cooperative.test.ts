/**
 * The cooperative member (KIP-429, kafka-protocol.md §2.4, §3.2) as pure handlers and as a machine:
 * it re-joins without revoking and keeps polling, applies the SyncGroup answer at the top of poll()
 * (revoke only what moved, keep the positions of what stayed, re-join if anything was revoked),
 * and loses everything when its generation was reset.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Effect } from '../effects.ts';
import type { ConsumerConfig } from '../types.ts';
import { consumerMachine } from './consumer.machine.ts';
import {
  applyAssignment,
  asyncCommitAnswered,
  BACKGROUND_REBALANCE_TIMER,
  backgroundRebalanceFailed,
  backgroundRebalanceTimedOut,
  initialConsumerContext,
  joinCooperatively,
  positioned,
  syncedInBackground,
  type ConsumerContext,
} from './consumer.logic.ts';

const config: ConsumerConfig = {
  policy: 'commit-after-batch',
  autoOffsetReset: 'earliest',
  assignors: ['cooperative-sticky'],
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 3000,
  maxPollIntervalMs: 30_000,
  autoCommitIntervalMs: 1000,
  maxPollRecords: 4,
  fetchMinBytes: 1,
  fetchMaxWaitMs: 500,
  fetchMaxBytes: 1_000_000,
  maxPartitionFetchBytes: 1_000_000,
  processingMs: 10,
};
const owning = (over: Partial<ConsumerContext> = {}): ConsumerContext => ({
  ...initialConsumerContext({ name: 'c1', group: 'g', topics: ['t'], mode: 'subscribe', partitions: [], config }),
  memberId: 'c1~1',
  generation: 3,
  ownedGeneration: 3,
  stable: true,
  heartbeatEnabled: true,
  assignment: ['t-0', 't-1'],
  positions: { 't-0': 5, 't-1': 7 },
  processed: { 't-0': 5, 't-1': 7 },
  ...over,
});
const sent = (out: readonly Effect[]) => out.flatMap((e) => (e.type === 'Send' ? [e.message] : []));
const observed = (out: readonly Effect[]) => out.flatMap((e) => (e.type === 'Observe' ? [e.event] : []));

describe('cooperative member: pure handlers', () => {
  it('re-joins keeping its partitions, claiming them with their generation', () => {
    const { ctx, out } = joinCooperatively(owning({ rejoinNeeded: true }));
    expect(ctx.assignment).toEqual(['t-0', 't-1']);
    expect(ctx.coopPhase).toBe('joining');
    expect(ctx.rejoinNeeded).toBe(false);
    expect(sent(out)).toMatchObject([{ type: 'JoinGroup', memberId: 'c1~1', owned: ['t-0', 't-1'], ownedGeneration: 3 }]);
    expect(joinCooperatively(ctx).out).toEqual([]); // one background join at a time
  });

  it('applies the new assignment: revokes only what moved, fetches offsets of what is new, asks for the second rebalance', () => {
    const pending = syncedInBackground({ ...owning({ generation: 4 }), coopPhase: 'syncing' }, { type: 'SyncGroupResponse', to: 'c1', error: 'NONE', generation: 4, assignment: ['t-0', 't-2'] }).ctx;
    expect(pending.assignment).toEqual(['t-0', 't-1']); // nothing changes before the top of poll()
    const { ctx, out } = applyAssignment(pending);
    expect(observed(out)).toEqual([
      { type: 'Revoked', group: 'g', partitions: ['t-1'], reason: 'rebalance' },
      { type: 'Assigned', group: 'g', generation: 4, partitions: ['t-0', 't-2'] },
    ]);
    expect(sent(out)).toMatchObject([{ type: 'OffsetFetch', partitions: ['t-2'] }]);
    expect(ctx).toMatchObject({ assignment: ['t-0', 't-2'], ownedGeneration: 4, positions: { 't-0': 5 }, rejoinNeeded: true, pendingAssignment: null });
    const after = positioned(ctx, { type: 'OffsetFetchResponse', to: 'c1', committed: { 't-2': 2 }, logStartOffsets: {}, logEndOffsets: {} });
    expect(after.ctx.positions).toEqual({ 't-0': 5, 't-2': 2 });
    expect(observed(after.out)).toEqual([{ type: 'Positioned', tp: 't-2', offset: 2, source: 'committed' }]);
  });

  it('an unchanged assignment revokes nothing and does not re-join', () => {
    const { ctx, out } = applyAssignment(owning({ pendingAssignment: ['t-0', 't-1'] }));
    expect(observed(out).map((e) => e.type)).toEqual(['Assigned']);
    expect(ctx.rejoinNeeded).toBe(false);
  });

  it('a failed background join or sync: fencing errors lose the generation, others just re-join', () => {
    const fenced = backgroundRebalanceFailed(owning({ coopPhase: 'joining' }), { type: 'JoinGroupResponse', to: 'c1', error: 'UNKNOWN_MEMBER_ID', generation: -1, memberId: 'c1~1', leaderId: '', protocol: null, members: [] }).ctx;
    expect(fenced).toMatchObject({ coopPhase: 'idle', rejoinNeeded: true, generationLost: true, memberId: '' });
    const busy = backgroundRebalanceFailed(owning({ coopPhase: 'syncing' }), { type: 'SyncGroupResponse', to: 'c1', error: 'REBALANCE_IN_PROGRESS', generation: 4, assignment: [] }).ctx;
    expect(busy).toMatchObject({ coopPhase: 'idle', rejoinNeeded: true, generationLost: false, memberId: 'c1~1' });
  });

  it('a background join answered with a routing error looks the coordinator up (§2.1), unless it is only loading', () => {
    const answer = (error: 'NOT_COORDINATOR' | 'COORDINATOR_LOAD_IN_PROGRESS' | 'REBALANCE_IN_PROGRESS') =>
      ({ type: 'JoinGroupResponse', to: 'c1', error, generation: -1, memberId: 'c1~1', leaderId: '', protocol: null, members: [] }) as const;
    const moved = backgroundRebalanceFailed(owning({ coopPhase: 'joining' }), answer('NOT_COORDINATOR'));
    expect(moved.ctx).toMatchObject({ coopPhase: 'idle', rejoinNeeded: true, generationLost: false, memberId: 'c1~1' });
    expect(sent(moved.out)).toMatchObject([{ type: 'FindCoordinator' }]);
    expect(sent(backgroundRebalanceFailed(owning({ coopPhase: 'joining' }), answer('COORDINATOR_LOAD_IN_PROGRESS')).out)).toEqual([]);
    expect(sent(backgroundRebalanceFailed(owning({ coopPhase: 'joining' }), answer('REBALANCE_IN_PROGRESS')).out)).toEqual([]);
  });

  it('the background JoinGroup has its own request timeout (rebalance timeout + 5 s), which the poll loop cannot overwrite', () => {
    const { out } = joinCooperatively(owning({ rejoinNeeded: true }));
    const timers = out.flatMap((e) => (e.type === 'SetTimer' ? [[e.timer, e.delayMs]] : []));
    expect(timers).toEqual([[BACKGROUND_REBALANCE_TIMER, 35_000]]);
  });

  it('a background JoinGroup or SyncGroup left unanswered times out: disconnect, look the coordinator up, re-join at the next poll keeping the partitions', () => {
    for (const coopPhase of ['joining', 'syncing'] as const) {
      const { ctx, out } = backgroundRebalanceTimedOut(owning({ coopPhase }));
      expect(ctx).toMatchObject({ coopPhase: 'idle', rejoinNeeded: true, generationLost: false, assignment: ['t-0', 't-1'], memberId: 'c1~1' });
      expect(out.map((e) => e.type)).toEqual(['Disconnect', 'Send']);
      expect(sent(out)).toMatchObject([{ type: 'FindCoordinator' }]);
    }
    // A stale timer (the background rebalance ended meanwhile) does nothing.
    expect(backgroundRebalanceTimedOut(owning())).toEqual({ ctx: owning(), out: [] });
  });

  it('ILLEGAL_GENERATION for a commit of a generation it has left is not a reset (KAFKA-9823); for the current one it is', () => {
    const answer = (generation: number) => ({ type: 'OffsetCommitResponse', to: 'c1', error: 'ILLEGAL_GENERATION', generation, offsets: {}, seq: 1 }) as const;
    expect(asyncCommitAnswered(owning({ generation: 4 }), answer(3)).ctx.generationLost).toBe(false);
    expect(asyncCommitAnswered(owning({ generation: 4 }), answer(4)).ctx.generationLost).toBe(true);
  });
});

describe('cooperative member: machine', () => {
  it('keeps polling while it re-joins in the background, and applies the answer at the top of poll()', () => {
    const actor = createActor(consumerMachine, { input: { name: 'c1', group: 'g', topics: ['t'], mode: 'subscribe', partitions: [], config } });
    const out: Effect[] = [];
    actor.on('*', (e) => out.push(e));
    actor.start();
    actor.send({ type: 'Start' });
    actor.send({ type: 'FindCoordinatorResponse', to: 'c1', group: 'g' });
    actor.send({ type: 'JoinGroupResponse', to: 'c1', error: 'NONE', generation: 1, memberId: 'c1~1', leaderId: 'c0~1', protocol: 'cooperative-sticky', members: [] });
    actor.send({ type: 'SyncGroupResponse', to: 'c1', error: 'NONE', generation: 1, assignment: ['t-0', 't-1'] });
    actor.send({ type: 'OffsetFetchResponse', to: 'c1', committed: { 't-0': 0, 't-1': 0 }, logStartOffsets: {}, logEndOffsets: {} });
    expect(actor.getSnapshot().value).toBe('Fetching');
    // The coordinator starts a rebalance: the heartbeat says so; the next poll re-joins in the background.
    actor.send({ type: 'HeartbeatResponse', to: 'c1', error: 'REBALANCE_IN_PROGRESS', generation: 1 });
    out.length = 0;
    actor.send({ type: 'FetchResponse', to: 'c1', records: [], seq: actor.getSnapshot().context.fetchSeq });
    expect(actor.getSnapshot().value).toBe('Fetching');
    expect(sent(out).map((m) => m.type)).toEqual(['JoinGroup', 'Fetch']);
    expect(observed(out).filter((e) => e.type === 'Revoked')).toEqual([]);
    actor.send({ type: 'JoinGroupResponse', to: 'c1', error: 'NONE', generation: 2, memberId: 'c1~1', leaderId: 'c0~1', protocol: 'cooperative-sticky', members: [] });
    actor.send({ type: 'SyncGroupResponse', to: 'c1', error: 'NONE', generation: 2, assignment: ['t-0'] });
    expect(actor.getSnapshot().context.assignment).toEqual(['t-0', 't-1']);
    out.length = 0;
    actor.send({ type: 'FetchResponse', to: 'c1', records: [], seq: actor.getSnapshot().context.fetchSeq });
    expect(actor.getSnapshot().value).toBe('FetchingOffsets');
    expect(observed(out)).toEqual([
      { type: 'Revoked', group: 'g', partitions: ['t-1'], reason: 'rebalance' },
      { type: 'Assigned', group: 'g', generation: 2, partitions: ['t-0'] },
    ]);
    actor.send({ type: 'OffsetFetchResponse', to: 'c1', committed: {}, logStartOffsets: {}, logEndOffsets: {} });
    // Something was revoked: the second rebalance is requested at once.
    expect(sent(out).map((m) => m.type)).toContain('JoinGroup');
  });
});
