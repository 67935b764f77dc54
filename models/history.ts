/**
 * The history: what a run made observable, one plain JSON event per line.
 *
 * It is the contract between whatever produced the run (the simulator over the models, or
 * later a real client) and the invariants in properties/. Client-side events carry `member`,
 * the name of one consumer incarnation (`c1#2`: slot c1, second start). Coordinator-side events
 * carry `group` and use the same member names (the coordinator derives its member ids from them).
 *
 * Offsets follow Kafka: a committed offset is the offset of the *next* record to read.
 * Not modelled here: record headers, transactions, compaction.
 */
import type { TopicPartition } from './types.ts';

export type CommitError =
  | 'NONE'
  | 'REBALANCE_IN_PROGRESS'
  | 'ILLEGAL_GENERATION'
  | 'UNKNOWN_MEMBER_ID'
  | 'COORDINATOR_NOT_AVAILABLE'
  /** KIP-848: the commit's member epoch is not the member's current one (kafka-protocol.md §1.11). */
  | 'STALE_MEMBER_EPOCH';

export type RevokeReason = 'rebalance' | 'lost' | 'close';
export type PositionSource = 'committed' | 'reset-earliest' | 'reset-latest' | 'seek';
/** 'revocation-timeout': KIP-848, a member kept partitions to revoke past its rebalance timeout (§3.3). */
export type RemoveReason = 'session-timeout' | 'leave' | 'rejoin-timeout' | 'sync-timeout' | 'revocation-timeout';

/** Event bodies, without the time stamp and member name the simulator adds. */
export type HistoryEvent =
  // --- environment ---
  | { readonly type: 'Produced'; readonly t: number; readonly tp: TopicPartition; readonly offset: number; readonly key: string; readonly value: number }
  | { readonly type: 'Started'; readonly t: number; readonly member: string; readonly group: string; readonly topics: readonly string[]; readonly mode: 'subscribe' | 'assign'; readonly policy: string }
  | { readonly type: 'Crashed'; readonly t: number; readonly member: string }
  | { readonly type: 'Paused'; readonly t: number; readonly member: string; readonly ms: number }
  | { readonly type: 'Resumed'; readonly t: number; readonly member: string }
  | { readonly type: 'LeaveRequested'; readonly t: number; readonly member: string }
  | { readonly type: 'SeekRequested'; readonly t: number; readonly member: string; readonly tp: TopicPartition; readonly offset: number }
  | { readonly type: 'Quiesce'; readonly t: number }
  | { readonly type: 'Quiesced'; readonly t: number; readonly settled: boolean }
  // --- client side (what the consumer and its application saw and did) ---
  | { readonly type: 'Joined'; readonly t: number; readonly member: string; readonly group: string; readonly generation: number; readonly leader: boolean }
  | { readonly type: 'Assigned'; readonly t: number; readonly member: string; readonly group: string; readonly generation: number; readonly partitions: readonly TopicPartition[] }
  | { readonly type: 'Revoked'; readonly t: number; readonly member: string; readonly group: string; readonly partitions: readonly TopicPartition[]; readonly reason: RevokeReason }
  | { readonly type: 'Positioned'; readonly t: number; readonly member: string; readonly tp: TopicPartition; readonly offset: number; readonly source: PositionSource }
  | { readonly type: 'Polled'; readonly t: number; readonly member: string; readonly tp: TopicPartition; readonly offsets: readonly number[] }
  | { readonly type: 'ProcessStarted'; readonly t: number; readonly member: string; readonly tp: TopicPartition; readonly offset: number }
  | { readonly type: 'Processed'; readonly t: number; readonly member: string; readonly tp: TopicPartition; readonly offset: number }
  | { readonly type: 'CommitRequested'; readonly t: number; readonly member: string; readonly group: string; readonly generation: number; readonly offsets: Readonly<Record<TopicPartition, number>>; readonly seq: number }
  | { readonly type: 'CommitResult'; readonly t: number; readonly member: string; readonly group: string; readonly generation: number; readonly offsets: Readonly<Record<TopicPartition, number>>; readonly seq: number; readonly error: CommitError }
  | { readonly type: 'Left'; readonly t: number; readonly member: string; readonly group: string }
  // --- coordinator side (only the model, or a broker that exposes it, can report these) ---
  /** The coordinator entered PreparingRebalance; `generation` is the current (outgoing) one. */
  | { readonly type: 'RebalanceStarted'; readonly t: number; readonly group: string; readonly generation: number }
  | { readonly type: 'GenerationStarted'; readonly t: number; readonly group: string; readonly generation: number; readonly members: readonly string[]; readonly leader: string | null; readonly protocol: string | null }
  | { readonly type: 'GroupStable'; readonly t: number; readonly group: string; readonly generation: number; readonly assignment: Readonly<Record<string, readonly TopicPartition[]>> }
  | { readonly type: 'MemberRemoved'; readonly t: number; readonly group: string; readonly member: string; readonly reason: RemoveReason }
  /**
   * KIP-848 coordinator: it set a member's epoch and partitions. `assigned` ∪ `pendingRevocation`
   * is what the coordinator counts the member as owning (kafka-protocol.md §3.3, Appendix S1).
   */
  | { readonly type: 'MemberEpochAssigned'; readonly t: number; readonly group: string; readonly member: string; readonly epoch: number; readonly assigned: readonly TopicPartition[]; readonly pendingRevocation: readonly TopicPartition[] }
  | { readonly type: 'OffsetsStored'; readonly t: number; readonly group: string; readonly member: string; readonly generation: number; readonly offsets: Readonly<Record<TopicPartition, number>> };

export type HistoryEventType = HistoryEvent['type'];
export type History = readonly HistoryEvent[];

/** Distributes Omit over the union, so a body keeps its `type` discriminant. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a member machine observes: the simulator stamps `t` and `member`. */
export type MemberObservation = DistributiveOmit<Extract<HistoryEvent, { member: string }>, 't' | 'member'>;
/** What the coordinator observes: the simulator stamps `t`. */
export type CoordinatorObservation = DistributiveOmit<
  Extract<HistoryEvent, { type: 'RebalanceStarted' | 'GenerationStarted' | 'GroupStable' | 'MemberRemoved' | 'OffsetsStored' | 'MemberEpochAssigned' }>,
  't'
>;
