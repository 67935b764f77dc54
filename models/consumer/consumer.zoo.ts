/**
 * Bug-zoo variants of the consumer member: each is one small, named change of one action or
 * guard, switched on by the simulation config's `variant` (models/zoo.ts). They wrap the pure
 * handlers of consumer.logic.ts rather than copy them, so each shows exactly what it changes.
 */
import type { Effect } from '../effects.ts';
import type { TopicPartition } from '../types.ts';
import { consumerAction, consumerMachine, on } from './consumer.machine.ts';
import { commitSync, handOff, heartbeatAnswered, positioned, syncCommitAnswered, type ConsumerContext } from './consumer.logic.ts';

/** The per-message loop commits the record's offset instead of offset + 1 (the next to read). */
export const commitOffsetNotNext = consumerMachine.provide({
  actions: {
    commitRecord: consumerAction((c) => (c.lastProcessed === null ? { ctx: c, out: [] } : commitSync(c, { [c.lastProcessed.tp]: c.lastProcessed.offset }, 'next-record'))),
  },
});

/**
 * The per-message loop catches CommitFailedException and goes on with the rest of the batch
 * (§2.7: a failed commit after a rebalance means the partitions are gone; the reference drops
 * the batch). A fenced member then processes records its successor will process again, beyond
 * the one uncommitted record per ownership that per-message commits allow.
 */
export const continueBatchAfterFailedCommit = consumerMachine.provide({
  actions: {
    syncCommitAnswered: consumerAction(
      on('OffsetCommitResponse', (c, e) => {
        const r = syncCommitAnswered(c, e);
        return { ctx: { ...r.ctx, buffer: c.buffer }, out: r.out };
      }),
    ),
  },
});

/**
 * The heartbeat handler treats REBALANCE_IN_PROGRESS as success (§2.2: it must request a rejoin):
 * the member never re-joins of its own accord, so every rebalance waits out the rebalance timeout
 * and drops it; it learns from the next fencing error, re-joins as a new member and so starts the
 * next rebalance, which the others ignore in turn. The group never settles (Appendix L1), and in
 * each round the dropped members process as zombies beside the partitions' new owners.
 */
export const ignoreRebalanceHeartbeat = consumerMachine.provide({
  actions: {
    heartbeatAnswered: consumerAction(on('HeartbeatResponse', (c, e) => (e.error === 'REBALANCE_IN_PROGRESS' ? { ctx: c, out: [] } : heartbeatAnswered(c, e)))),
  },
});

/**
 * auto.offset.reset=latest applied on every assignment, ignoring the committed offset (§2.8; the
 * loss KAFKA-12261 documents for new partitions, here on every handoff): whatever was produced
 * before the new owner's OffsetFetch and not yet processed is never read.
 */
export const resetToLatest = consumerMachine.provide({
  actions: {
    positioned: consumerAction(
      on('OffsetFetchResponse', (c, e) => {
        const r = positioned({ ...c, config: { ...c.config, autoOffsetReset: 'latest' } }, { ...e, committed: {} });
        return { ctx: { ...r.ctx, config: c.config }, out: r.out };
      }),
    ),
  },
});

/**
 * A new owner resumes one past the committed offset, reading it as "the last record processed"
 * rather than "the next record to read" (§1.11): the record at the committed offset is skipped.
 */
export const resumeAfterCommitted = consumerMachine.provide({
  actions: {
    positioned: consumerAction(
      on('OffsetFetchResponse', (c, e) => {
        const committed: Record<TopicPartition, number> = {};
        for (const [tp, o] of Object.entries(e.committed)) committed[tp] = o >= 0 ? o + 1 : o;
        return positioned(c, { ...e, committed });
      }),
    ),
  },
});

/**
 * The consumer remembers the last record it processed and, when that partition comes back to it,
 * resumes after it instead of at the committed offset (librdkafka #4686: a resumed partition
 * restarted from a previous position). Whatever another owner processed in between is
 * re-delivered. The history's `Positioned` still says source 'committed': the client believes it.
 */
export const resumeFromStalePosition = consumerMachine.provide({
  actions: {
    positioned: consumerAction(
      on('OffsetFetchResponse', (c, e) => {
        const last = c.lastProcessed;
        if (last === null || !c.assignment.includes(last.tp)) return positioned(c, e);
        return positioned(c, { ...e, committed: { ...e.committed, [last.tp]: last.offset + 1 } });
      }),
    ),
  },
});

/**
 * The per-message loop commits the partition's fetch position (the end of the batch poll()
 * returned) after each record, instead of the record's offset + 1: the commit covers records
 * still waiting in the batch (a crash or a handoff then skips them).
 */
export const commitPositionPerMessage = consumerMachine.provide({
  actions: {
    commitRecord: consumerAction((c) => {
      const last = c.lastProcessed;
      if (last === null) return { ctx: c, out: [] };
      return commitSync(c, { [last.tp]: c.positions[last.tp] ?? last.offset + 1 }, 'next-record');
    }),
  },
});

/**
 * Java auto-commit read the way Jepsen first described it and then retracted (§5.3, §2.6): when
 * the interval elapses the positions are committed at once, covering the batch the latest poll
 * returned and the application is still processing, instead of at the top of the next poll.
 */
export const javaAutoCommitLatestPoll = consumerMachine.provide({
  actions: {
    autoCommitTick: consumerAction((c) => {
      const rearm: Effect = { type: 'SetTimer', timer: 'autocommit', delayMs: c.config.autoCommitIntervalMs };
      const offsets: Record<TopicPartition, number> = {};
      for (const tp of c.assignment) {
        const o = c.positions[tp];
        if (o !== undefined) offsets[tp] = o;
      }
      if (c.generation < 0 || c.generationLost || Object.keys(offsets).length === 0) return { ctx: c, out: [rearm] };
      // An async commit: the member does not wait for it (commitSync's wait state is undone).
      const r = commitSync(c, offsets, c.afterCommit);
      return { ctx: { ...r.ctx, awaitingCommit: c.awaitingCommit }, out: [...r.out, rearm] };
    }),
  },
});

/** Positions moved one forward on the partitions this fetch answered at their position. */
const skipFirst = (c: ConsumerContext, records: readonly { tp: TopicPartition; offset: number }[]): ConsumerContext => {
  const positions: Record<TopicPartition, number> = { ...c.positions };
  for (const r of records) if (c.positions[r.tp] === r.offset) positions[r.tp] = r.offset + 1;
  return { ...c, positions };
};

/**
 * The fetch hand-off reads the position as the offset of the last record consumed, not the next
 * one, and drops the record at the position from every fetch answer (Jepsen's poll-skip, §5.2).
 */
export const pollSkipsFirstRecord = consumerMachine.provide({
  actions: {
    handOff: consumerAction(on('FetchResponse', (c, e) => handOff(skipFirst(c, e.records), e))),
  },
});

/**
 * When poll() returns a full batch (max.poll.records reached), the hand-off sets the position to
 * the offset of the last record returned instead of the one after it: the next poll returns that
 * record again (Jepsen's nonmonotonic-poll, §5.2; the resume-from-an-old-position family, §6 #15).
 */
export const redeliverLastOfFullBatch = consumerMachine.provide({
  actions: {
    handOff: consumerAction(
      on('FetchResponse', (c, e) => {
        const r = handOff(c, e);
        const last = r.ctx.buffer[r.ctx.buffer.length - 1];
        if (last === undefined || r.ctx.buffer.length < c.config.maxPollRecords) return r;
        return { ctx: { ...r.ctx, positions: { ...r.ctx.positions, [last.tp]: last.offset } }, out: r.out };
      }),
    ),
  },
});

/**
 * The per-message loop never commits: its commit step is behind a condition that is always false
 * (enable.auto.commit=false and the commitSync call skipped). Only close() commits, so every
 * rebalance hands the partitions over at an old committed offset (or the log start).
 */
export const perMessageNeverCommits = consumerMachine.provide({
  guards: {
    commitsEachRecord: () => false,
  },
});

/**
 * close() called from a shutdown hook runs the revoke at once (onPartitionsRevoked, §2.4) while
 * the poll loop is still in the middle of a batch: the loop finishes the batch on partitions the
 * member has already given up (§4.2 C1: records may only be consumed between assign and revoke).
 */
export const closeRevokesMidBatch = consumerMachine.provide({
  actions: {
    requestClose: consumerAction((c) => {
      const out: Effect[] = c.assignment.length === 0 ? [] : [{ type: 'Observe', event: { type: 'Revoked', group: c.group, partitions: c.assignment, reason: 'close' } }];
      return { ctx: { ...c, closing: true, assignment: [] }, out };
    }),
  },
});

/**
 * The leader never compares the partition counts it assigned with against fresh metadata, so
 * partitions added to a subscribed topic get no owner until some other event rebalances the group
 * (ConsumerCoordinator.rejoinNeededOrPending's metadata check left out; kafka-protocol.md §2.8).
 */
export const ignoresPartitionChanges = consumerMachine.provide({
  actions: {
    handOff: consumerAction(
      on('FetchResponse', (c, e) => {
        const { partitionCounts: _ignored, ...rest } = e;
        return handOff(c, rest);
      }),
    ),
  },
});
