/**
 * Tests of the consumer's pure handlers (consumer.logic.ts), called directly on hand-made contexts,
 * written against the mutants StrykerJS left alive in consumer.test.ts (reports/mutation.md). Each
 * pins one client rule of kafka-protocol.md §2: the member-id reset on UNKNOWN_MEMBER_ID but not on
 * ILLEGAL_GENERATION (§2.1, §2.7), what each processing policy commits on revoke or close (§2.5,
 * §2.6), when a fenced or generation-less member may commit (§1.11, §2.3), the initial position
 * (§2.8), heartbeat answers (§2.2, KAFKA-9823), the auto-commit timers (§2.6) and seek (§2.8).
 * Not here: the machine's state changes (consumer.test.ts drives those through an actor).
 */
import { describe, expect, it } from 'vitest';
import type { CommitError } from '../history.ts';
import type { GroupError, Response } from '../protocol.ts';
import type { ConsumerConfig, LogRecord, ProcessingPolicy } from '../types.ts';
import {
  asyncCommitAnswered,
  assignManually,
  autoCommitTick,
  commitBatch,
  commitSucceeded,
  finishProcessing,
  findCoordinator,
  handOff,
  heartbeatAnswered,
  heartbeatTick,
  initialConsumerContext,
  isJoinOk,
  isLeaderResponse,
  isSyncOk,
  joinFailed,
  leave,
  needsCloseCommit,
  needsRevokeCommit,
  offsetsOnRevokeOrClose,
  poll,
  positioned,
  revokeAndJoin,
  seek,
  sendJoin,
  startProcessing,
  syncCommitAnswered,
  syncFailed,
  type ConsumerContext,
  type ConsumerInput,
} from './consumer.logic.ts';
import { testConsumerConfig } from './testConfig.ts';

type Res<T extends Response['type']> = Extract<Response, { type: T }>;

const config = (policy: ProcessingPolicy): ConsumerConfig => testConsumerConfig({ policy });

const input = (policy: ProcessingPolicy = 'commit-after-batch', mode: ConsumerInput['mode'] = 'subscribe'): ConsumerInput => ({
  name: 'c1',
  group: 'g',
  topics: ['t'],
  mode,
  partitions: mode === 'assign' ? ['t-0', 't-1'] : [],
  config: config(policy),
});

const rec = (tp: string, offset: number): LogRecord => ({ tp, offset, key: `k${offset}`, value: offset, bytes: 10 });

/** A member of generation 3 (member id c1~1) owning t-0 and t-1, heartbeating, stable. */
const member = (policy: ProcessingPolicy = 'commit-after-batch', over: Partial<ConsumerContext> = {}): ConsumerContext => ({
  ...initialConsumerContext(input(policy)),
  memberId: 'c1~1',
  generation: 3,
  heartbeatEnabled: true,
  stable: true,
  assignment: ['t-0', 't-1'],
  positions: { 't-0': 10, 't-1': 20 },
  processed: { 't-0': 8, 't-1': 20 },
  store: { 't-0': 9 },
  ...over,
});

const commitAnswer = (error: CommitError, seq = 1): Res<'OffsetCommitResponse'> => ({ type: 'OffsetCommitResponse', to: 'c1', error, generation: 3, offsets: { 't-0': 8 }, seq });
const hbAnswer = (error: GroupError, generation = 3): Res<'HeartbeatResponse'> => ({ type: 'HeartbeatResponse', to: 'c1', error, generation });

describe('start, join and sync (§2.1)', () => {
  it('a new consumer holds nothing: no member id, generation -1, no timers running, no commit awaited', () => {
    expect(initialConsumerContext(input())).toEqual({
      ...input(),
      memberId: '',
      generation: -1,
      heartbeatEnabled: false,
      stable: false,
      assignment: [],
      positions: {},
      buffer: [],
      processed: {},
      store: {},
      rejoinNeeded: false,
      generationLost: false,
      closing: false,
      autoCommitDue: false,
      commitSeq: 0,
      awaitingCommit: -1,
      afterCommit: 'poll',
      fetchSeq: 0,
      lastProcessed: null,
      pendingCommit: null,
      stallMs: 0,
      assignmentSnapshot: null,
      fenced: false,
      ownedGeneration: -1,
      stickyClaim: [],
      stickyClaimGeneration: -1,
      coopPhase: 'idle',
      pendingAssignment: null,
    });
  });

  it('only the auto-committing policies arm the auto-commit timer at start (§2.6)', () => {
    const armed = (policy: ProcessingPolicy) => findCoordinator(member(policy)).out.some((e) => e.type === 'SetTimer' && e.timer === 'autocommit');
    expect(['commit-after-batch', 'commit-per-message', 'commit-before-process', 'auto-commit-java', 'auto-commit-timer'].map((p) => armed(p as ProcessingPolicy))).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it('sending JoinGroup stops the heartbeat thread and leaves STABLE (§2.1, §2.2)', () => {
    const r = sendJoin(member());
    expect([r.ctx.heartbeatEnabled, r.ctx.stable]).toEqual([false, false]);
    expect(r.out[0]).toEqual({ type: 'CancelTimer', timer: 'heartbeat' });
  });

  it('response predicates: only NONE succeeds; leadership needs NONE too', () => {
    const join = (error: GroupError): Res<'JoinGroupResponse'> => ({ type: 'JoinGroupResponse', to: 'c1', error, generation: 1, memberId: 'c1~1', leaderId: 'c1~1', protocol: 'range', members: [] });
    expect([isJoinOk(join('NONE')), isJoinOk(join('REBALANCE_IN_PROGRESS'))]).toEqual([true, false]);
    expect([isLeaderResponse(join('NONE')), isLeaderResponse(join('UNKNOWN_MEMBER_ID'))]).toEqual([true, false]);
    const sync = (error: GroupError): Res<'SyncGroupResponse'> => ({ type: 'SyncGroupResponse', to: 'c1', error, generation: 1, assignment: [] });
    expect([isSyncOk(sync('NONE')), isSyncOk(sync('ILLEGAL_GENERATION'))]).toEqual([true, false]);
    expect([commitSucceeded(commitAnswer('NONE')), commitSucceeded(commitAnswer('REBALANCE_IN_PROGRESS'))]).toEqual([true, false]);
  });

  it('a failed JoinGroup or SyncGroup forgets the member id only on UNKNOWN_MEMBER_ID, and always the generation (§2.1)', () => {
    const join = (error: GroupError): Res<'JoinGroupResponse'> => ({ type: 'JoinGroupResponse', to: 'c1', error, generation: -1, memberId: 'c1~1', leaderId: '', protocol: null, members: [] });
    const sync = (error: GroupError): Res<'SyncGroupResponse'> => ({ type: 'SyncGroupResponse', to: 'c1', error, generation: 3, assignment: [] });
    const sent = (r: ReturnType<typeof joinFailed>) => {
      const e = r.out.find((x) => x.type === 'Send');
      return e?.type === 'Send' && e.message.type === 'JoinGroup' ? e.message.memberId : 'none';
    };
    for (const fail of [(e: GroupError) => joinFailed(member(), join(e)), (e: GroupError) => syncFailed(member(), sync(e))]) {
      const unknown = fail('UNKNOWN_MEMBER_ID');
      expect([unknown.ctx.memberId, unknown.ctx.generation, sent(unknown)]).toEqual(['', -1, '']);
      const illegal = fail('ILLEGAL_GENERATION');
      expect([illegal.ctx.memberId, illegal.ctx.generation, sent(illegal)]).toEqual(['c1~1', -1, 'c1~1']);
      const rebalancing = fail('REBALANCE_IN_PROGRESS');
      expect([rebalancing.ctx.memberId, rebalancing.ctx.generation]).toEqual(['c1~1', -1]);
    }
  });

  it('manual assignment takes the chosen partitions and fetches their committed offsets', () => {
    const ctx = initialConsumerContext(input('commit-after-batch', 'assign'));
    expect(assignManually(ctx)).toEqual({
      ctx: { ...ctx, assignment: ['t-0', 't-1'] },
      out: [
        { type: 'Send', to: 'coordinator', message: { type: 'OffsetFetch', from: 'c1', group: 'g', partitions: ['t-0', 't-1'] } },
        { type: 'SetTimer', timer: 'request', delayMs: 30_000 },
      ],
    });
  });
});

describe('initial positions (§2.8)', () => {
  it('a committed offset of 0 is a committed position; a partition missing from the answer is reset', () => {
    const ctx = member('commit-after-batch', { positions: {}, processed: {}, store: { 't-0': 4 } });
    const r = positioned(ctx, { type: 'OffsetFetchResponse', to: 'c1', committed: { 't-0': 0 }, logStartOffsets: { 't-0': 0, 't-1': 2 }, logEndOffsets: { 't-0': 9, 't-1': 7 } });
    expect(r.ctx.positions).toEqual({ 't-0': 0, 't-1': 2 });
    expect(r.ctx.processed).toEqual({ 't-0': 0, 't-1': 2 });
    expect(r.ctx.store).toEqual({});
    expect(r.out).toEqual([
      { type: 'Observe', event: { type: 'Positioned', tp: 't-0', offset: 0, source: 'committed' } },
      { type: 'Observe', event: { type: 'Positioned', tp: 't-1', offset: 2, source: 'reset-earliest' } },
    ]);
  });
});

describe('what each policy commits on revoke or close (§2.5, §2.6)', () => {
  it('positions for Java auto-commit and commit-before-process, the store for librdkafka, processed offsets otherwise', () => {
    const owed = (policy: ProcessingPolicy) => offsetsOnRevokeOrClose(member(policy, { positions: { 't-0': 10, 't-1': 20, 'x-0': 1 } }));
    expect(owed('auto-commit-java')).toStrictEqual({ 't-0': 10, 't-1': 20 });
    expect(owed('commit-before-process')).toStrictEqual({ 't-0': 10, 't-1': 20 });
    expect(owed('auto-commit-timer')).toStrictEqual({ 't-0': 9 }); // t-1 has nothing in the store: no key at all
    expect(owed('commit-after-batch')).toStrictEqual({ 't-0': 8, 't-1': 20 });
    expect(owed('commit-per-message')).toStrictEqual({ 't-0': 8, 't-1': 20 });
  });

  it('a member may commit while it holds a generation (0 included) it has not lost; a manual consumer always may (§1.11)', () => {
    expect(needsCloseCommit(member('commit-after-batch', { generation: 0 }))).toBe(true);
    expect(needsCloseCommit(member('commit-after-batch', { generation: -1 }))).toBe(false);
    expect(needsCloseCommit(member('commit-after-batch', { generationLost: true }))).toBe(false);
    expect(needsCloseCommit({ ...member(), ...input('commit-after-batch', 'assign'), generation: -1 })).toBe(true);
    // Nothing owed, nothing to commit.
    expect(needsCloseCommit(member('commit-after-batch', { processed: {} }))).toBe(false);
  });

  it('only auto-committing policies commit before an eager revoke, when they may and owe something (§2.5)', () => {
    const policies: ProcessingPolicy[] = ['commit-after-batch', 'commit-per-message', 'commit-before-process', 'auto-commit-java', 'auto-commit-timer'];
    expect(policies.map((p) => needsRevokeCommit(member(p)))).toEqual([false, false, false, true, true]);
    expect(needsRevokeCommit(member('auto-commit-java', { generationLost: true }))).toBe(false);
    expect(needsRevokeCommit(member('auto-commit-timer', { store: {} }))).toBe(false);
  });

  it('the batch commit returns to poll() once answered', () => {
    const r = commitBatch(member());
    expect([r.ctx.afterCommit, r.ctx.awaitingCommit, r.ctx.commitSeq]).toEqual(['poll', 1, 1]);
  });
});

describe('revoke, rejoin and close (§2.4, §1.8)', () => {
  it('an eager revoke clears the assignment and the fencing flags; nothing is observed when nothing was owned', () => {
    const r = revokeAndJoin(member('commit-after-batch', { rejoinNeeded: true, generationLost: true }));
    expect(r.out[0]).toEqual({ type: 'Observe', event: { type: 'Revoked', group: 'g', partitions: ['t-0', 't-1'], reason: 'lost' } });
    expect([r.ctx.rejoinNeeded, r.ctx.generationLost, r.ctx.generation, r.ctx.assignment]).toEqual([false, false, -1, []]);
    const empty = revokeAndJoin(member('commit-after-batch', { assignment: [] }));
    expect(empty.out.some((e) => e.type === 'Observe')).toBe(false);
  });

  it('close revokes what is owned, sends LeaveGroup only as a group member with an id, and stops heartbeating', () => {
    const r = leave(member('commit-after-batch', { buffer: [rec('t-0', 10)] }));
    expect(r.ctx.assignment).toEqual([]);
    expect(r.ctx.buffer).toEqual([]);
    expect(r.ctx.heartbeatEnabled).toBe(false);
    expect(r.ctx.memberId).toBe('c1~1');
    expect(r.out.map((e) => (e.type === 'Observe' ? e.event.type : e.type === 'Send' ? e.message.type : e.type))).toEqual([
      'CancelTimer',
      'CancelTimer',
      'CancelTimer',
      'Revoked',
      'LeaveGroup',
      'Left',
      'Exit',
    ]);
    const kinds = (ctx: ConsumerContext) => leave(ctx).out.flatMap((e) => (e.type === 'Observe' ? [e.event.type] : e.type === 'Send' ? [e.message.type] : []));
    expect(kinds(member('commit-after-batch', { assignment: [], memberId: '' }))).toEqual(['Left']);
    expect(kinds({ ...member(), ...input('commit-after-batch', 'assign'), memberId: 'someone' })).toEqual(['Revoked', 'Left']);
  });
});

describe('the poll loop (§2.6, §2.8)', () => {
  it("Java's auto-commit happens inside poll() only when due, allowed and owing something; the timer is re-armed", () => {
    const commitsIn = (ctx: ConsumerContext) => poll(ctx).out.flatMap((e) => (e.type === 'Send' && e.message.type === 'OffsetCommit' ? [e.message.offsets] : []));
    expect(commitsIn(member('auto-commit-java', { autoCommitDue: true }))).toEqual([{ 't-0': 10, 't-1': 20 }]);
    expect(commitsIn(member('auto-commit-java', { autoCommitDue: false }))).toEqual([]);
    expect(commitsIn(member('commit-after-batch', { autoCommitDue: true }))).toEqual([]);
    expect(commitsIn(member('auto-commit-java', { autoCommitDue: true, generationLost: true }))).toEqual([]);
    expect(commitsIn(member('auto-commit-java', { autoCommitDue: true, positions: {} }))).toEqual([]);
    const lost = poll(member('auto-commit-java', { autoCommitDue: true, generationLost: true }));
    expect(lost.ctx.autoCommitDue).toBe(false);
    expect(lost.out).toContainEqual({ type: 'SetTimer', timer: 'autocommit', delayMs: 5_000 });
    // The async auto-commit does not make the loop wait for its answer.
    expect(poll(member('auto-commit-java', { autoCommitDue: true })).ctx.awaitingCommit).toBe(-1);
  });

  it('hand-off adds to the offset store; it does not forget partitions this fetch did not return', () => {
    const r = handOff(member('auto-commit-timer', { store: { 't-1': 5 }, positions: { 't-0': 10, 't-1': 20 } }), { type: 'FetchResponse', to: 'c1', records: [rec('t-0', 10)], seq: 0 });
    expect(r.ctx.store).toEqual({ 't-1': 5, 't-0': 11 });
  });

  it('processing with an empty buffer does nothing', () => {
    const ctx = member('commit-after-batch', { buffer: [] });
    expect(startProcessing(ctx)).toEqual({ ctx, out: [] });
    expect(finishProcessing(ctx)).toEqual({ ctx, out: [] });
  });
});

describe('commit answers (§2.7)', () => {
  const waiting = (over: Partial<ConsumerContext> = {}) => member('commit-after-batch', { awaitingCommit: 1, commitSeq: 1, buffer: [rec('t-0', 10), rec('t-0', 11)], ...over });

  it('success releases the wait and keeps the batch', () => {
    const r = syncCommitAnswered(waiting(), commitAnswer('NONE'));
    expect([r.ctx.awaitingCommit, r.ctx.buffer.length, r.ctx.rejoinNeeded]).toEqual([-1, 2, false]);
  });

  it('COORDINATOR_NOT_AVAILABLE is retriable: no rejoin, member id and generation kept', () => {
    const r = syncCommitAnswered(waiting(), commitAnswer('COORDINATOR_NOT_AVAILABLE'));
    expect([r.ctx.rejoinNeeded, r.ctx.generationLost, r.ctx.memberId, r.ctx.buffer]).toEqual([false, false, 'c1~1', []]);
  });

  it('REBALANCE_IN_PROGRESS asks for a rejoin without losing the generation', () => {
    const r = asyncCommitAnswered(member(), commitAnswer('REBALANCE_IN_PROGRESS'));
    expect([r.ctx.rejoinNeeded, r.ctx.generationLost, r.ctx.memberId]).toEqual([true, false, 'c1~1']);
  });

  it('ILLEGAL_GENERATION fences and keeps the member id; UNKNOWN_MEMBER_ID fences and forgets it', () => {
    const illegal = asyncCommitAnswered(member(), commitAnswer('ILLEGAL_GENERATION'));
    expect([illegal.ctx.rejoinNeeded, illegal.ctx.generationLost, illegal.ctx.memberId]).toEqual([true, true, 'c1~1']);
    const unknown = asyncCommitAnswered(member(), commitAnswer('UNKNOWN_MEMBER_ID'));
    expect([unknown.ctx.rejoinNeeded, unknown.ctx.generationLost, unknown.ctx.memberId]).toEqual([true, true, '']);
    // A member already fenced stays fenced whatever the next answer says.
    expect(asyncCommitAnswered(member('commit-after-batch', { generationLost: true }), commitAnswer('REBALANCE_IN_PROGRESS')).ctx.generationLost).toBe(true);
  });

  it('a manual consumer is not a group member: a failed commit changes nothing and keeps its batch', () => {
    const ctx = { ...waiting(), ...input('commit-after-batch', 'assign'), generation: -1 };
    const r = syncCommitAnswered(ctx, commitAnswer('UNKNOWN_MEMBER_ID'));
    expect(r.ctx).toEqual({ ...ctx, awaitingCommit: -1 });
  });

  it('the answer is observed with its own generation, offsets and seq', () => {
    expect(syncCommitAnswered(waiting(), commitAnswer('NONE', 1)).out).toEqual([
      { type: 'Observe', event: { type: 'CommitResult', group: 'g', generation: 3, offsets: { 't-0': 8 }, seq: 1, error: 'NONE' } },
    ]);
  });
});

describe('heartbeats (§2.2, KAFKA-9823)', () => {
  it('the heartbeat thread sends only while enabled and holding a member id', () => {
    expect(heartbeatTick(member('commit-after-batch', { heartbeatEnabled: false })).out).toEqual([]);
    expect(heartbeatTick(member('commit-after-batch', { memberId: '' })).out).toEqual([]);
    expect(heartbeatTick(member()).out).toEqual([
      { type: 'Send', to: 'coordinator', message: { type: 'Heartbeat', from: 'c1', group: 'g', memberId: 'c1~1', generation: 3 } },
      { type: 'SetTimer', timer: 'heartbeat', delayMs: 3_000 },
    ]);
  });

  it('answers: a stale generation or NONE changes nothing; REBALANCE_IN_PROGRESS only for a STABLE member', () => {
    const ctx = member();
    expect(heartbeatAnswered(ctx, hbAnswer('ILLEGAL_GENERATION', 2))).toEqual({ ctx, out: [] });
    expect(heartbeatAnswered(ctx, hbAnswer('NONE'))).toEqual({ ctx, out: [] });
    expect(heartbeatAnswered(ctx, hbAnswer('REBALANCE_IN_PROGRESS')).ctx.rejoinNeeded).toBe(true);
    const syncing = member('commit-after-batch', { stable: false });
    expect(heartbeatAnswered(syncing, hbAnswer('REBALANCE_IN_PROGRESS'))).toEqual({ ctx: syncing, out: [] });
  });

  it('a retriable error is not fencing; fencing stops the heartbeat thread', () => {
    const ctx = member();
    // Routing errors mark the coordinator unknown: look it up again, nothing else (§2.2).
    const lookup = { type: 'Send', to: 'broker', message: { type: 'FindCoordinator', from: 'c1', group: 'g' } };
    expect(heartbeatAnswered(ctx, hbAnswer('COORDINATOR_NOT_AVAILABLE'))).toEqual({ ctx, out: [lookup] });
    expect(heartbeatAnswered(ctx, hbAnswer('NOT_COORDINATOR'))).toEqual({ ctx, out: [lookup] });
    expect(heartbeatAnswered(ctx, hbAnswer('COORDINATOR_LOAD_IN_PROGRESS'))).toEqual({ ctx, out: [] });
    const fenced = heartbeatAnswered(ctx, hbAnswer('ILLEGAL_GENERATION'));
    expect(fenced.ctx).toEqual({ ...ctx, rejoinNeeded: true, generationLost: true, heartbeatEnabled: false });
    expect(fenced.out).toEqual([{ type: 'CancelTimer', timer: 'heartbeat' }]);
    expect(heartbeatAnswered(ctx, hbAnswer('UNKNOWN_MEMBER_ID')).ctx.memberId).toBe('');
  });
});

describe('auto-commit timers (§2.6)', () => {
  it('Java only marks the commit due for the next poll()', () => {
    const ctx = member('auto-commit-java');
    expect(autoCommitTick(ctx)).toEqual({ ctx: { ...ctx, autoCommitDue: true }, out: [] });
  });

  it('librdkafka commits the store at once, asynchronously, and re-arms; with nothing to commit it only re-arms', () => {
    const rearm = { type: 'SetTimer', timer: 'autocommit', delayMs: 5_000 };
    const r = autoCommitTick(member('auto-commit-timer'));
    expect(r.out.map((e) => (e.type === 'Send' ? e.message.type : e.type))).toEqual(['Observe', 'OffsetCommit', 'SetTimer']);
    expect(r.ctx.awaitingCommit).toBe(-1);
    const fenced = member('auto-commit-timer', { generationLost: true });
    expect(autoCommitTick(fenced)).toEqual({ ctx: fenced, out: [rearm] });
    const empty = member('auto-commit-timer', { store: {} });
    expect(autoCommitTick(empty)).toEqual({ ctx: empty, out: [rearm] });
  });
});

describe('seek (§2.8)', () => {
  it('moves the position of an owned partition and drops its buffered records, except the one being processed', () => {
    const ctx = member('commit-after-batch', { buffer: [rec('t-0', 10), rec('t-1', 20), rec('t-0', 11), rec('t-1', 21)] });
    const r = seek(ctx, 't-0', 3);
    expect(r.ctx.positions).toEqual({ 't-0': 3, 't-1': 20 });
    expect(r.ctx.buffer).toEqual([rec('t-0', 10), rec('t-1', 20), rec('t-1', 21)]);
    expect(r.out).toEqual([{ type: 'Observe', event: { type: 'Positioned', tp: 't-0', offset: 3, source: 'seek' } }]);
  });

  it('a seek on a partition not owned is ignored', () => {
    const ctx = member();
    expect(seek(ctx, 't-9', 3)).toEqual({ ctx, out: [] });
  });
});
