/**
 * The environment's alphabet: what fast-check generates and a counterexample file stores.
 * Plain JSON data tagged by `type` (house-style §3.4). Consumers and topics are slots,
 * resolved modulo what the config has, so every shrunk command list stays meaningful.
 * A command that is not enabled (crash a consumer that is not running) is skipped, not thrown.
 */
import { z } from 'zod';
import { DROPPABLE } from '../../models/protocol.ts';

export type Command =
  /** Start the consumer process in a slot (a new incarnation if it ran before). */
  | { readonly type: 'Start'; readonly consumer: number }
  /** Graceful close: finish the batch, commit what the policy owes, LeaveGroup. */
  | { readonly type: 'Leave'; readonly consumer: number }
  /** kill -9: no LeaveGroup, nothing more is sent. */
  | { readonly type: 'Crash'; readonly consumer: number }
  /** Stop-the-world pause (GC, SIGSTOP): the process neither sends nor receives for `ms`. */
  | { readonly type: 'Pause'; readonly consumer: number; readonly ms: number }
  /** Append `count` records with one key to a topic (key-hash partitioning). */
  | { readonly type: 'Produce'; readonly topic: number; readonly key: number; readonly count: number }
  /** Let virtual time pass. */
  | { readonly type: 'Wait'; readonly ms: number }
  /** The application seeks a partition it owns to an offset (clamped to the log). */
  | { readonly type: 'Seek'; readonly consumer: number; readonly partition: number; readonly offset: number }
  /**
   * Coordinator failover: the group's __consumer_offsets partition moves to another broker. The
   * old coordinator unloads the group (Dead: NOT_COORDINATOR), the new one answers
   * COORDINATOR_LOAD_IN_PROGRESS for coordinatorLoadMs, then rebuilds it (kafka-protocol.md §1.2).
   */
  | { readonly type: 'MoveCoordinator'; readonly group: number }
  /**
   * The network loses the next message of one type (a slot over models/protocol.ts DROPPABLE:
   * 0 = OffsetCommitResponse, 1 = OffsetCommit, ...), whoever sends it. Unmatched drops are
   * forgotten when the quiescence tail starts.
   */
  | { readonly type: 'Drop'; readonly message: number }
  /**
   * The application thread spends `ms` more on its current (or next) record: slow processing.
   * Unlike Pause, the heartbeat thread keeps running, so only max.poll.interval.ms can notice.
   */
  | { readonly type: 'Stall'; readonly consumer: number; readonly ms: number }
  /** CreatePartitions: add `count` partitions to a topic (kafka-protocol.md §2.8, KAFKA-12261). */
  | { readonly type: 'AddPartitions'; readonly topic: number; readonly count: number };

const slot = z.number().int().min(0).max(1_000_000);
export const commandSchema: z.ZodType<Command> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Start'), consumer: slot }).strict(),
  z.object({ type: z.literal('Leave'), consumer: slot }).strict(),
  z.object({ type: z.literal('Crash'), consumer: slot }).strict(),
  z.object({ type: z.literal('Pause'), consumer: slot, ms: z.number().int().min(1).max(3_600_000) }).strict(),
  z.object({ type: z.literal('Produce'), topic: slot, key: slot, count: z.number().int().min(1).max(10_000) }).strict(),
  z.object({ type: z.literal('Wait'), ms: z.number().int().min(0).max(3_600_000) }).strict(),
  z.object({ type: z.literal('Seek'), consumer: slot, partition: slot, offset: z.number().int().min(0) }).strict(),
  z.object({ type: z.literal('MoveCoordinator'), group: slot }).strict(),
  z.object({ type: z.literal('Drop'), message: slot }).strict(),
  z.object({ type: z.literal('Stall'), consumer: slot, ms: z.number().int().min(1).max(3_600_000) }).strict(),
  z.object({ type: z.literal('AddPartitions'), topic: slot, count: z.number().int().min(1).max(63) }).strict(),
]);

/** One line per command, as reports and timelines print it. */
export const describeCommand = (c: Command): string => {
  switch (c.type) {
    case 'Start':
    case 'Leave':
    case 'Crash':
      return `${c.type} c${c.consumer}`;
    case 'Pause':
      return `Pause c${c.consumer} ${c.ms}ms`;
    case 'Produce':
      return `Produce ${c.count}× key ${c.key} (topic slot ${c.topic})`;
    case 'Wait':
      return `Wait ${c.ms}ms`;
    case 'Seek':
      return `Seek c${c.consumer} p${c.partition} → ${c.offset}`;
    case 'MoveCoordinator':
      return `MoveCoordinator (group slot ${c.group})`;
    case 'Drop':
      return `Drop the next ${DROPPABLE[c.message % DROPPABLE.length]}`;
    case 'Stall':
      return `Stall c${c.consumer} ${c.ms}ms`;
    case 'AddPartitions':
      return `AddPartitions +${c.count} (topic slot ${c.topic})`;
  }
};
