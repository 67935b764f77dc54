/**
 * Wire messages of the classic consumer-group protocol, as plain data tagged by `type`
 * with Kafka's API names (house-style §3.2). Requests carry `from` (the member's client
 * name); responses carry `to`. Only the fields the models read are here.
 *
 * Simplifications, each deliberate:
 * - JoinGroup is v3-style: a new member is added at once, with no MEMBER_ID_REQUIRED round
 *   trip (kafka-protocol.md §1.4 describes the v4+ loop; it adds a request, not a behaviour
 *   that the invariants can tell apart).
 * - OffsetFetch's response also carries the log start and end offsets, standing for the
 *   ListOffsets request a client sends to apply auto.offset.reset (§2.8).
 */
import type { CommitError } from './history.ts';
import type { LogRecord, TopicPartition } from './types.ts';

export type GroupError =
  | 'NONE'
  | 'UNKNOWN_MEMBER_ID'
  | 'ILLEGAL_GENERATION'
  | 'REBALANCE_IN_PROGRESS'
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  /** Routing errors (kafka-protocol.md §1.10): the broker no longer owns the group, or is still loading it. */
  | 'NOT_COORDINATOR'
  | 'COORDINATOR_LOAD_IN_PROGRESS'
  /** Another incarnation holds this group.instance.id now (KIP-345, kafka-protocol.md §1.9). */
  | 'FENCED_INSTANCE_ID';

/**
 * ConsumerGroupHeartbeat errors the models produce (KIP-848; kafka-protocol.md §3.3, whose response
 * schema lists the routing errors NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS, §1.10).
 */
export type ConsumerGroupHeartbeatError =
  | 'NONE'
  | 'UNKNOWN_MEMBER_ID'
  | 'FENCED_MEMBER_EPOCH'
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'NOT_COORDINATOR'
  | 'COORDINATOR_LOAD_IN_PROGRESS'
  /** A static member joins with an instance id another member still holds (§1.9, KIP-848). */
  | 'UNRELEASED_INSTANCE_ID'
  /** The instance id now belongs to another member id: this incarnation was replaced (§1.9). */
  | 'FENCED_INSTANCE_ID';

/** Member epochs with a meaning of their own in ConsumerGroupHeartbeat (§3.3): 0 joins, -1 leaves. */
export const JOIN_EPOCH = 0;
export const LEAVE_EPOCH = -1;
/** A static member leaving temporarily (§3.3): it keeps its place and partitions until its session expires. */
export const LEAVE_STATIC_EPOCH = -2;

export interface JoinMemberMetadata {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** Subscription `ownedPartitions` / sticky user data (KIP-429, KIP-341; kafka-protocol.md §3.2). */
  readonly owned?: readonly TopicPartition[];
  /** The generation the member received `owned` in (KAFKA-12984); -1 or absent when none. */
  readonly ownedGeneration?: number;
}

export type Request =
  | { readonly type: 'FindCoordinator'; readonly from: string; readonly group: string }
  | {
      readonly type: 'JoinGroup';
      readonly from: string;
      readonly group: string;
      readonly memberId: string;
      /** group.instance.id of a static member (KIP-345); absent for dynamic members. */
      readonly groupInstanceId?: string;
      readonly protocols: readonly string[];
      readonly topics: readonly string[];
      /** Part of the subscription metadata the leader sees (§3.2); [] for eager non-sticky members. */
      readonly owned?: readonly TopicPartition[];
      readonly ownedGeneration?: number;
      readonly sessionTimeoutMs: number;
      readonly rebalanceTimeoutMs: number;
    }
  | {
      readonly type: 'SyncGroup';
      readonly from: string;
      readonly group: string;
      readonly memberId: string;
      readonly groupInstanceId?: string;
      readonly generation: number;
      /** Only the leader sends assignments; followers send null. */
      readonly assignments: Readonly<Record<string, readonly TopicPartition[]>> | null;
    }
  | { readonly type: 'Heartbeat'; readonly from: string; readonly group: string; readonly memberId: string; readonly groupInstanceId?: string; readonly generation: number }
  | { readonly type: 'LeaveGroup'; readonly from: string; readonly group: string; readonly memberId: string }
  | {
      readonly type: 'OffsetCommit';
      readonly from: string;
      readonly group: string;
      readonly memberId: string;
      readonly groupInstanceId?: string;
      readonly generation: number;
      readonly offsets: Readonly<Record<TopicPartition, number>>;
      readonly seq: number;
    }
  | { readonly type: 'OffsetFetch'; readonly from: string; readonly group: string; readonly partitions: readonly TopicPartition[] }
  /**
   * KIP-848's one membership RPC (§3.3): join (epoch 0), heartbeat and acknowledge (current epoch,
   * owned partitions), leave (epoch -1). Kafka sends unchanged fields as null; here the member
   * always sends its subscription and owned partitions. OffsetCommit is shared with the classic
   * protocol: its `generation` is Kafka's GenerationIdOrMemberEpoch field (v9+).
   */
  | {
      readonly type: 'ConsumerGroupHeartbeat';
      readonly from: string;
      readonly group: string;
      /** '' when joining: the coordinator names the member in its answer. */
      readonly memberId: string;
      readonly memberEpoch: number;
      /** group.instance.id of a static member; absent for dynamic members. */
      readonly instanceId?: string;
      readonly topics: readonly string[];
      readonly rebalanceTimeoutMs: number;
      readonly ownedPartitions: readonly TopicPartition[];
    }
  | {
      readonly type: 'Fetch';
      readonly from: string;
      readonly positions: Readonly<Record<TopicPartition, number>>;
      readonly minBytes: number;
      readonly maxWaitMs: number;
      readonly maxBytes: number;
      readonly maxPartitionBytes: number;
      readonly maxRecords: number;
      readonly seq: number;
    };

export type Response =
  /** `node`: the coordinator's address (the simulator routes the member's later group requests there). */
  | { readonly type: 'FindCoordinatorResponse'; readonly to: string; readonly group: string; readonly node?: string }
  | {
      readonly type: 'JoinGroupResponse';
      readonly to: string;
      readonly error: GroupError;
      readonly generation: number;
      readonly memberId: string;
      readonly leaderId: string;
      readonly protocol: string | null;
      /** All members' metadata for the leader; [] for followers (§1.5). */
      readonly members: readonly JoinMemberMetadata[];
    }
  | { readonly type: 'SyncGroupResponse'; readonly to: string; readonly error: GroupError; readonly generation: number; readonly assignment: readonly TopicPartition[] }
  | { readonly type: 'HeartbeatResponse'; readonly to: string; readonly error: GroupError; readonly generation: number }
  | { readonly type: 'LeaveGroupResponse'; readonly to: string; readonly error: GroupError }
  | {
      readonly type: 'ConsumerGroupHeartbeatResponse';
      readonly to: string;
      readonly error: ConsumerGroupHeartbeatError;
      readonly memberId: string;
      readonly memberEpoch: number;
      readonly heartbeatIntervalMs: number;
      /** The partitions the member may own at memberEpoch (null with an error). */
      readonly assignment: readonly TopicPartition[] | null;
    }
  | {
      readonly type: 'OffsetCommitResponse';
      readonly to: string;
      readonly error: CommitError;
      readonly generation: number;
      readonly offsets: Readonly<Record<TopicPartition, number>>;
      readonly seq: number;
    }
  | {
      readonly type: 'OffsetFetchResponse';
      readonly to: string;
      /** NONE, or a routing error (§1.10): then `committed` is empty and the client retries. */
      readonly error?: GroupError;
      /** -1 where nothing is committed (§1.11, OffsetFetch). */
      readonly committed: Readonly<Record<TopicPartition, number>>;
      readonly logStartOffsets: Readonly<Record<TopicPartition, number>>;
      readonly logEndOffsets: Readonly<Record<TopicPartition, number>>;
    }
  | {
      readonly type: 'FetchResponse';
      readonly to: string;
      readonly records: readonly LogRecord[];
      readonly seq: number;
      /**
       * Partition count of each subscribed topic, standing for the metadata refresh (Metadata
       * request); present only once a topic grew (AddPartitions), to keep the common path small.
       */
      readonly partitionCounts?: Readonly<Record<string, number>>;
    };

export type Message = Request | Response;

/**
 * Nodes of the simulated cluster besides the members. Members address their group's coordinator
 * as COORDINATOR; the simulator routes that to the node FindCoordinator last named (the first
 * coordinator is `coordinator`, later ones after MoveCoordinator `coordinator@1`, `coordinator@2`...).
 */
export const COORDINATOR = 'coordinator';
const COORDINATOR_AT = `${COORDINATOR}@`;
export const isCoordinatorNode = (node: string): boolean => node === COORDINATOR || node.startsWith(COORDINATOR_AT);
/**
 * Message types the Drop command can make the network lose (its slot is resolved modulo this list).
 * The KIP-848 member's own messages come last, so the classic entries keep their slots.
 */
export const DROPPABLE: readonly Message['type'][] = [
  'OffsetCommitResponse',
  'OffsetCommit',
  'JoinGroupResponse',
  'SyncGroupResponse',
  'SyncGroup',
  'JoinGroup',
  'HeartbeatResponse',
  'Heartbeat',
  'OffsetFetchResponse',
  'FetchResponse',
  'FindCoordinatorResponse',
  'LeaveGroup',
  // The classic protocol's messages end here (CLASSIC_DROPPABLE).
  'ConsumerGroupHeartbeatResponse',
  'ConsumerGroupHeartbeat',
  'Fetch',
];
/** How many entries of DROPPABLE the classic rows draw from (their generated scenarios predate the KIP-848 ones). */
export const CLASSIC_DROPPABLE = 12;
export const BROKER = 'broker';
