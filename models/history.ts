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
  /** Retriable routing errors: the coordinator moved (kafka-protocol.md §1.10); the commit was not applied. */
  | 'NOT_COORDINATOR'
  | 'COORDINATOR_LOAD_IN_PROGRESS'
  /**
   * No answer within request.timeout.ms (a lost request or response): the outcome is UNKNOWN.
   * The coordinator may have applied the commit (Jepsen's indeterminate `info` op); invariants
   * must treat it as "may have been applied".
   */
  | 'REQUEST_TIMED_OUT'
  | 'FENCED_INSTANCE_ID'
  /** KIP-848: the commit's member epoch is not the member's current one (kafka-protocol.md §1.11). */
  | 'STALE_MEMBER_EPOCH';

/**
 * Why a classic member failed a commit without sending it (kafka-protocol.md §2.7,
 * `ConsumerCoordinator.sendOffsetCommitRequest`: `generationIfStable()` is null):
 * RebalanceInProgressException while it joins or syncs (`rebalanceInProgress()`). (Java's
 * CommitFailedException once the generation was reset is not modelled as local: such commits are
 * sent and rejected by the coordinator, models/consumer/consumer.logic.ts localCommitFailure.)
 */
export type LocalCommitFailure = 'RebalanceInProgressException';

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
  /** The application thread was slowed down by `ms` on its current or next record (a Stall command). */
  | { readonly type: 'Stalled'; readonly t: number; readonly member: string; readonly ms: number }
  /** Partitions were added to a topic: it now has `partitions` partitions (CreatePartitions). */
  | { readonly type: 'PartitionsAdded'; readonly t: number; readonly topic: string; readonly partitions: number }
  /** stableWithinMs: per subscribing group, the time within which it must be Stable again (stableWithinBound). */
  | { readonly type: 'Quiesce'; readonly t: number; readonly stableWithinMs?: Readonly<Record<string, number>> }
  /** The group's coordinator moved: the old one unloaded the group (Dead), `coordinator` (a node number) loads it. */
  | { readonly type: 'CoordinatorMoved'; readonly t: number; readonly group: string; readonly coordinator: number }
  /** The network lost one message (request or response) from `from` to `to`. */
  | { readonly type: 'MessageDropped'; readonly t: number; readonly from: string; readonly to: string; readonly message: string }
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
  /**
   * The answer to the commit `seq` (its `CommitRequested`), or, with `local`, a commit the client
   * failed itself before sending anything (no `CommitRequested`, no OffsetCommit): a subscribed
   * classic member that is not STABLE (kafka-protocol.md §2.7, Java's
   * `ConsumerCoordinator.sendOffsetCommitRequest`). `error` is then the answer that raises the same
   * exception: REBALANCE_IN_PROGRESS.
   */
  | { readonly type: 'CommitResult'; readonly t: number; readonly member: string; readonly group: string; readonly generation: number; readonly offsets: Readonly<Record<TopicPartition, number>>; readonly seq: number; readonly error: CommitError; readonly local?: LocalCommitFailure }
  | { readonly type: 'Left'; readonly t: number; readonly member: string; readonly group: string }
  /**
   * The heartbeat thread found max.poll.interval.ms exceeded since the last poll(): the member
   * gave up its generation (and sent LeaveGroup unless static), kafka-protocol.md §2.3.
   */
  | { readonly type: 'PollTimeoutExpired'; readonly t: number; readonly member: string; readonly group: string }
  /** The member was answered FENCED_INSTANCE_ID: another incarnation holds its group.instance.id (§1.9). Fatal. */
  | { readonly type: 'Fenced'; readonly t: number; readonly member: string; readonly group: string }
  /**
   * The member's leader role ran the assignor for `generation` (§1.5, §3.1): what each member
   * subscribed to and claimed to own, the balanced `target`, and the `assignment` sent in
   * SyncGroup (the target minus the partitions cooperative-sticky holds back this round, §3.2).
   * Members are keyed by their coordinator member id.
   */
  | {
      readonly type: 'AssignorRan';
      readonly t: number;
      readonly member: string;
      readonly generation: number;
      readonly assignor: string;
      readonly members: readonly { readonly memberId: string; readonly topics: readonly string[]; readonly owned: readonly TopicPartition[]; readonly ownedGeneration: number }[];
      readonly target: Readonly<Record<string, readonly TopicPartition[]>>;
      readonly assignment: Readonly<Record<string, readonly TopicPartition[]>>;
    }
  // --- coordinator side (only the model, or a broker that exposes it, can report these) ---
  /** The coordinator entered PreparingRebalance; `generation` is the current (outgoing) one. */
  | { readonly type: 'RebalanceStarted'; readonly t: number; readonly group: string; readonly generation: number }
  | { readonly type: 'GenerationStarted'; readonly t: number; readonly group: string; readonly generation: number; readonly members: readonly string[]; readonly leader: string | null; readonly protocol: string | null }
  | { readonly type: 'GroupStable'; readonly t: number; readonly group: string; readonly generation: number; readonly assignment: Readonly<Record<string, readonly TopicPartition[]>> }
  | { readonly type: 'MemberRemoved'; readonly t: number; readonly group: string; readonly member: string; readonly reason: RemoveReason }
  | { readonly type: 'OffsetsStored'; readonly t: number; readonly group: string; readonly member: string; readonly generation: number; readonly offsets: Readonly<Record<TopicPartition, number>> }
  /**
   * A new coordinator finished loading the group from __consumer_offsets: the last persisted
   * (Stable or Empty) generation and its members; a rebalance in progress was lost (§1.2).
   */
  | { readonly type: 'GroupLoaded'; readonly t: number; readonly group: string; readonly coordinator: number; readonly generation: number; readonly members: readonly string[] }
  /**
   * A JoinGroup with a known group.instance.id and no member id replaced the static member
   * (replaceStaticMember, §1.9): `member` takes over `previous`'s place, assignment and
   * generation; `previous` is fenced from now on.
   */
  | { readonly type: 'StaticMemberReplaced'; readonly t: number; readonly group: string; readonly generation: number; readonly instance: string; readonly previous: string; readonly member: string }
  /**
   * KIP-848 coordinator: it set a member's epoch and partitions. `assigned` ∪ `pendingRevocation`
   * is what the coordinator counts the member as owning (kafka-protocol.md §3.3, Appendix S1).
   */
  | { readonly type: 'MemberEpochAssigned'; readonly t: number; readonly group: string; readonly member: string; readonly epoch: number; readonly assigned: readonly TopicPartition[]; readonly pendingRevocation: readonly TopicPartition[] };

export type HistoryEventType = HistoryEvent['type'];
export type History = readonly HistoryEvent[];

/** Distributes Omit over the union, so a body keeps its `type` discriminant. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a member machine observes: the simulator stamps `t` and `member`. */
export type MemberObservation = DistributiveOmit<Extract<HistoryEvent, { member: string }>, 't' | 'member'>;
/** What the coordinator observes: the simulator stamps `t`. */
export type CoordinatorObservation = DistributiveOmit<
  Extract<HistoryEvent, { type: 'RebalanceStarted' | 'GenerationStarted' | 'GroupStable' | 'MemberRemoved' | 'OffsetsStored' | 'GroupLoaded' | 'StaticMemberReplaced' | 'MemberEpochAssigned' }>,
  't'
>;
