/**
 * A classic member fails its own commit while it is not STABLE (kafka-protocol.md §2.7, Java's
 * `ConsumerCoordinator.sendOffsetCommitRequest`: `generationIfStable()` is null): no OffsetCommit
 * is sent, the history records a CommitResult with `local` (RebalanceInProgressException while it
 * joins or syncs, CommitFailedException once its generation was reset), and the application
 * reacts as to a failed commitSync. The onJoinPrepare commit-on-revoke is still sent: it is made
 * before initiateJoinGroup leaves STABLE (§2.5).
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Effect } from '../effects.ts';
import type { ConsumerConfig, LogRecord, ProcessingPolicy } from '../types.ts';
import { consumerMachine } from './consumer.machine.ts';
import { testConsumerConfig } from './testConfig.ts';
import {
  commitBatch,
  commitBeforeCooperativeRevoke,
  commitBeforeProcess,
  commitOnClose,
  commitOnRevoke,
  commitRecord,
  heartbeatAnswered,
  initialConsumerContext,
  isCommitFailedLocally,
  joinCooperatively,
  joinedInBackground,
  localCommitFailure,
  poll,
  retrySyncCommit,
  syncCommitRetryLater,
  syncedInBackground,
  type ConsumerContext,
} from './consumer.logic.ts';

const configOf = (policy: ProcessingPolicy, assignors: ConsumerConfig['assignors'] = ['cooperative-sticky']): ConsumerConfig =>
  testConsumerConfig({ policy, assignors, autoCommitIntervalMs: 1000, maxPollRecords: 4, maxPartitionFetchBytes: 1_000_000, processingMs: 10 });
const rec = (tp: string, offset: number): LogRecord => ({ tp, offset, key: 'k', value: offset }) as LogRecord;
/** A STABLE member of generation 3 owning t-0 and t-1, with two records of t-0 still buffered. */
const stable = (policy: ProcessingPolicy = 'commit-per-message', over: Partial<ConsumerContext> = {}, assignors?: ConsumerConfig['assignors']): ConsumerContext => ({
  ...initialConsumerContext({ name: 'c1', group: 'g', topics: ['t'], mode: 'subscribe', partitions: [], config: configOf(policy, assignors) }),
  memberId: 'c1~1',
  generation: 3,
  ownedGeneration: 3,
  stable: true,
  heartbeatEnabled: true,
  assignment: ['t-0', 't-1'],
  positions: { 't-0': 8, 't-1': 7 },
  processed: { 't-0': 6, 't-1': 7 },
  buffer: [rec('t-0', 6), rec('t-0', 7)],
  ...over,
});
/** The same member after the heartbeat said REBALANCE_IN_PROGRESS and poll() sent its background JoinGroup (KIP-429, §3.2). */
const rejoining = (policy: ProcessingPolicy = 'commit-per-message'): ConsumerContext => joinCooperatively(stable(policy, { rejoinNeeded: true })).ctx;

const sent = (out: readonly Effect[]) => out.flatMap((e) => (e.type === 'Send' ? [e.message] : []));
const observed = (out: readonly Effect[]) => out.flatMap((e) => (e.type === 'Observe' ? [e.event] : []));

describe('classic member: a commit while not STABLE fails locally (§2.7)', () => {
  it('a commitSync during the background re-join sends nothing and fails with RebalanceInProgressException', () => {
    const ctx = rejoining();
    expect(ctx).toMatchObject({ stable: false, coopPhase: 'joining', generation: 3 });
    expect(localCommitFailure(ctx)).toBe('RebalanceInProgressException');
    const { ctx: after, out } = commitRecord(ctx, rec('t-0', 5));
    expect(sent(out)).toEqual([]);
    expect(out.filter((e) => e.type === 'SetTimer')).toEqual([]); // no request timeout: nothing to wait for
    expect(observed(out)).toEqual([
      { type: 'CommitResult', group: 'g', generation: 3, offsets: { 't-0': 6 }, seq: 1, error: 'REBALANCE_IN_PROGRESS', local: 'RebalanceInProgressException' },
    ]);
    // As for a failed commitSync answer: the application abandons the rest of its batch; no rejoin request of its own.
    expect(after).toMatchObject({ buffer: [], awaitingCommit: -1, pendingCommit: null, commitSeq: 1, rejoinNeeded: false, generationLost: false, assignment: ['t-0', 't-1'] });
    expect(isCommitFailedLocally(after)).toBe(true);
  });

  it('the other sync commits of the loop fail the same way, and also while syncing (COMPLETING_REBALANCE)', () => {
    const joined = joinedInBackground(rejoining('commit-after-batch'), {
      type: 'JoinGroupResponse', to: 'c1', error: 'NONE', generation: 4, memberId: 'c1~1', leaderId: 'c0~1', protocol: 'cooperative-sticky', members: [],
    }).ctx;
    expect(joined).toMatchObject({ coopPhase: 'syncing', stable: false, generation: 4 });
    for (const step of [commitBatch(joined), commitBeforeProcess(rejoining('commit-before-process')), commitOnClose(rejoining('commit-after-batch'))]) {
      expect(sent(step.out)).toEqual([]);
      expect(observed(step.out)).toMatchObject([{ type: 'CommitResult', error: 'REBALANCE_IN_PROGRESS', local: 'RebalanceInProgressException' }]);
      expect(isCommitFailedLocally(step.ctx)).toBe(true);
    }
  });

  it('once SyncGroup answered the member is STABLE again and its commits are sent', () => {
    const synced = syncedInBackground({ ...rejoining(), coopPhase: 'syncing', generation: 4 }, { type: 'SyncGroupResponse', to: 'c1', error: 'NONE', generation: 4, assignment: ['t-0'] }).ctx;
    expect(localCommitFailure(synced)).toBe(null);
    expect(sent(commitRecord(synced, rec('t-0', 5)).out)).toMatchObject([{ type: 'OffsetCommit', generation: 4, offsets: { 't-0': 6 } }]);
    // onJoinComplete's commit of what is about to be revoked (auto-commit policies) is sent too.
    const revoking = syncedInBackground({ ...rejoining('auto-commit-java'), coopPhase: 'syncing', generation: 4 }, { type: 'SyncGroupResponse', to: 'c1', error: 'NONE', generation: 4, assignment: ['t-0'] }).ctx;
    expect(sent(commitBeforeCooperativeRevoke(revoking).out)).toMatchObject([{ type: 'OffsetCommit', generation: 4, offsets: { 't-1': 7 } }]);
  });

  it('the onJoinPrepare commit-on-revoke is sent: the member is still STABLE when it is made (§2.5)', () => {
    const eager = stable('auto-commit-java', { rejoinNeeded: true }, ['range']);
    const { ctx, out } = commitOnRevoke(eager);
    expect(sent(out)).toMatchObject([{ type: 'OffsetCommit', generation: 3, offsets: { 't-0': 8, 't-1': 7 } }]);
    expect(observed(out)).toMatchObject([{ type: 'CommitRequested', seq: 1 }]);
    expect(isCommitFailedLocally(ctx)).toBe(false);
  });

  it('a retry of commitSync goes through the same check: the member started re-joining while it backed off', () => {
    // commitSync got a routing error while STABLE; before its backoff ended the member's state left STABLE.
    const first = commitRecord(stable(), rec('t-0', 5)).ctx;
    const backingOff = syncCommitRetryLater(first, { type: 'OffsetCommitResponse', to: 'c1', error: 'NOT_COORDINATOR', generation: 3, offsets: { 't-0': 6 }, seq: 1 }).ctx;
    const retry = retrySyncCommit({ ...backingOff, stable: false });
    expect(sent(retry.out)).toEqual([]);
    expect(observed(retry.out)).toMatchObject([{ type: 'CommitResult', seq: 2, offsets: { 't-0': 6 }, local: 'RebalanceInProgressException' }]);
    expect(isCommitFailedLocally(retry.ctx)).toBe(true);
    expect(sent(retrySyncCommit(backingOff).out)).toMatchObject([{ type: 'OffsetCommit', seq: 2 }]);
  });

  it('not modelled as local: a member whose generation was reset (UNJOINED) still sends, and the coordinator rejects (§2.7, CommitFailedException)', () => {
    const fenced = heartbeatAnswered(stable(), { type: 'HeartbeatResponse', to: 'c1', error: 'ILLEGAL_GENERATION', generation: 3 }).ctx;
    expect(fenced.generationLost).toBe(true);
    expect(localCommitFailure(fenced)).toBe(null);
    expect(sent(commitRecord(fenced, rec('t-0', 5)).out)).toMatchObject([{ type: 'OffsetCommit' }]);
  });

  it('only a member that holds a generation (0 or more) fails locally; one that never joined is UNJOINED, not modelled as local', () => {
    const never = { ...rejoining(), generation: -1 };
    expect(localCommitFailure(never)).toBe(null);
    expect(localCommitFailure({ ...rejoining(), generation: 0 })).toBe('RebalanceInProgressException');
  });

  it("Java's auto-commit is not attempted while the member re-joins; it stays due for the first poll() STABLE again", () => {
    const due = { ...rejoining('auto-commit-java'), autoCommitDue: true };
    const during = poll(due);
    expect(sent(during.out).map((m) => m.type)).toEqual(['Fetch']);
    expect(observed(during.out)).toEqual([]);
    expect(during.ctx.autoCommitDue).toBe(true);
    const after = poll({ ...due, stable: true, coopPhase: 'idle' });
    expect(sent(after.out).map((m) => m.type)).toEqual(['OffsetCommit', 'Fetch']);
    expect(after.ctx.autoCommitDue).toBe(false);
  });

  it('manual assign() and KIP-848 members are not concerned', () => {
    const manual = { ...stable(), mode: 'assign' as const, stable: false, generation: -1 };
    expect(localCommitFailure(manual)).toBe(null);
    expect(sent(commitRecord(manual, rec('t-0', 5)).out)).toMatchObject([{ type: 'OffsetCommit', generation: -1 }]);
    // Not because of its generation: an assign() member is never concerned (hasAutoAssignedPartitions is false).
    expect(localCommitFailure({ ...manual, generation: 3 })).toBe(null);
    const kip848 = { ...stable(), stable: false, kip848: { target: null, targetEpoch: -1, heartbeatInFlight: false, ackDue: false } } as ConsumerContext;
    expect(localCommitFailure(kip848)).toBe(null);
  });
});

/**
 * A cooperative member as an XState actor, STABLE in generation 1 with t-0, then told
 * REBALANCE_IN_PROGRESS: its next poll() (the empty FetchResponse) sends the background JoinGroup.
 */
const rejoiningActor = (policy: ProcessingPolicy) => {
  const actor = createActor(consumerMachine, { input: { name: 'c1', group: 'g', topics: ['t'], mode: 'subscribe', partitions: [], config: configOf(policy) } });
  const out: Effect[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  actor.send({ type: 'Start' });
  actor.send({ type: 'FindCoordinatorResponse', to: 'c1', group: 'g' });
  actor.send({ type: 'JoinGroupResponse', to: 'c1', error: 'NONE', generation: 1, memberId: 'c1~1', leaderId: 'c0~1', protocol: 'cooperative-sticky', members: [] });
  actor.send({ type: 'SyncGroupResponse', to: 'c1', error: 'NONE', generation: 1, assignment: ['t-0'] });
  actor.send({ type: 'OffsetFetchResponse', to: 'c1', committed: { 't-0': 0 }, logStartOffsets: {}, logEndOffsets: {} });
  actor.send({ type: 'HeartbeatResponse', to: 'c1', error: 'REBALANCE_IN_PROGRESS', generation: 1 });
  actor.send({ type: 'FetchResponse', to: 'c1', records: [], seq: actor.getSnapshot().context.fetchSeq });
  return { actor, out };
};

describe('classic member: a commit while not STABLE fails locally (§2.7), as a machine', () => {
  it('per-message loop during a background re-join: no OffsetCommit, the batch is abandoned, the loop polls again', () => {
    const { actor, out } = rejoiningActor('commit-per-message');
    expect(actor.getSnapshot().context.coopPhase).toBe('joining');
    actor.send({ type: 'FetchResponse', to: 'c1', records: [rec('t-0', 0), rec('t-0', 1)], seq: actor.getSnapshot().context.fetchSeq });
    expect(actor.getSnapshot().value).toBe('Processing');
    out.length = 0;
    actor.send({ type: 'Timer', timer: 'process' });
    expect(sent(out).map((m) => m.type)).toEqual(['Fetch']); // no OffsetCommit: straight back to poll()
    expect(observed(out)).toEqual([
      { type: 'Processed', tp: 't-0', offset: 0 },
      { type: 'CommitResult', group: 'g', generation: 1, offsets: { 't-0': 1 }, seq: 1, error: 'REBALANCE_IN_PROGRESS', local: 'RebalanceInProgressException' },
    ]);
    expect(actor.getSnapshot().value).toBe('Fetching');
    expect(actor.getSnapshot().context).toMatchObject({ buffer: [], positions: { 't-0': 2 }, assignment: ['t-0'], coopPhase: 'joining' });
  });

  it('closing during the background re-join: the close commit fails locally and the member leaves', () => {
    const { actor, out } = rejoiningActor('commit-after-batch');
    actor.send({ type: 'FetchResponse', to: 'c1', records: [rec('t-0', 0)], seq: actor.getSnapshot().context.fetchSeq });
    out.length = 0;
    actor.send({ type: 'Timer', timer: 'process' });
    // The batch commit fails locally: back to poll() at once.
    expect(sent(out).map((m) => m.type)).toEqual(['Fetch']);
    expect(actor.getSnapshot().value).toBe('Fetching');
    actor.send({ type: 'LeaveRequest' });
    out.length = 0;
    actor.send({ type: 'FetchResponse', to: 'c1', records: [], seq: actor.getSnapshot().context.fetchSeq });
    expect(actor.getSnapshot().value).toBe('Left');
    expect(observed(out)).toMatchObject([
      { type: 'CommitResult', offsets: { 't-0': 1 }, error: 'REBALANCE_IN_PROGRESS', local: 'RebalanceInProgressException' },
      { type: 'Revoked', reason: 'close' },
      { type: 'Left' },
    ]);
    expect(sent(out).map((m) => m.type)).toEqual(['LeaveGroup']);
  });
});
