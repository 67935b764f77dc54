/**
 * The bug zoo: faulty variants of the reference models, each a small, named, documented change
 * that reproduces a real bug or a classic mistake (kafka-protocol.md §6). A variant lives beside
 * the model it breaks (`*.zoo.ts`) and is switched on by the simulation config's `variant`
 * field, so a counterexample file replays it too.
 *
 * Each entry names the guarantee-matrix configuration it runs under (one where the reference
 * models hold the invariant) and the invariant that must catch it: properties/zoo.prop.test.ts
 * asserts the default search finds it and shrinks it. reports/zoo.md tabulates the entries with
 * their measured counterexamples and says how to add one.
 */
import {
  acceptStaleCommits,
  dropsCommitsWhileRebalancing,
  expiryKeepsMember,
  staticCommitTrustsInstanceId,
  joinWaitsForLeaderOnly,
  neverExpiresSessions,
  noGenerationBump,
  storesAfterUnload,
  syncGivesLeaderShareToAll,
} from './coordinator/coordinator.zoo.ts';
import {
  closeRevokesMidBatch,
  commitOffsetNotNext,
  commitPositionPerMessage,
  continueBatchAfterFailedCommit,
  ignoreRebalanceHeartbeat,
  ignoresPartitionChanges,
  javaAutoCommitLatestPoll,
  perMessageNeverCommits,
  pollSkipsFirstRecord,
  redeliverLastOfFullBatch,
  resetToLatest,
  resumeAfterCommitted,
  resumeFromStalePosition,
} from './consumer/consumer.zoo.ts';
import { acceptsStaleMemberEpoch, assignsUnreleasedPartitions, consumerGroupStoresAfterUnload } from './coordinator848/consumerGroup.zoo.ts';
import { assignFirstPartitionToAll, rangeDropsExtraPartition, rangeInclusiveEnd, stickyByUnion } from './leader/leader.zoo.ts';
import { skipsSecondRebalance } from './consumer/cooperative.zoo.ts';
import { cooperativeWithoutRevokePhase, stickyIgnoresClaims, stickyKeepsAllClaims } from './leader/cooperative.zoo.ts';
import { REFERENCE_MACHINES, type Machines } from './machines.ts';

export interface ZooEntry {
  readonly id: string;
  readonly title: string;
  /** The real bug or the classic mistake it reproduces. */
  readonly reference: string;
  /** The guarantee-matrix configuration (src/check/matrix.ts) it runs under. */
  readonly configuration: string;
  /** The invariant that must catch it. */
  readonly caughtBy: string;
  readonly machines: Partial<Machines>;
}

export const ZOO: readonly ZooEntry[] = [
  // ------------------------------------------------------------------ coordinator
  {
    id: 'coordinator-accepts-stale-commits',
    title: 'The coordinator accepts commits from any generation and any member id',
    reference: 'classic mistake; kafka-protocol.md §1.11 rule 5, Appendix S3',
    configuration: 'per-message',
    caughtBy: 'fencedCommitRejected',
    machines: { coordinator: acceptStaleCommits },
  },
  {
    id: 'coordinator-stores-after-unload',
    title: 'A coordinator that unloaded the group still stores the commits sent to it (stale coordinator epoch)',
    reference: 'classic mistake (a zombie leader writing); kafka-protocol.md §1.2 onGroupUnloaded, §1.10 NOT_COORDINATOR',
    configuration: 'failover',
    caughtBy: 'fencedCommitRejected',
    machines: { coordinator: storesAfterUnload },
  },
  {
    id: 'coordinator-expiry-keeps-member',
    title: 'Session expiry logs the removal and starts a rebalance but leaves the member in the group',
    reference: 'classic mistake; kafka-protocol.md §1.7, §1.11 rule 5, Appendix S3',
    configuration: 'per-message',
    caughtBy: 'fencedCommitRejected',
    machines: { coordinator: expiryKeepsMember },
  },
  {
    id: 'coordinator-never-expires-sessions',
    title: 'A session timeout never removes the member: a crashed member keeps its partitions',
    reference: 'classic mistake; kafka-protocol.md §1.7, Appendix L1 (cf. KAFKA-12890: a member that is never expired stalls the group)',
    configuration: 'per-message',
    caughtBy: 'groupSettles',
    machines: { coordinator: neverExpiresSessions },
  },
  {
    id: 'coordinator-no-generation-bump',
    title: 'The join phase completes without bumping the generation (after the first)',
    reference: 'classic mistake; kafka-protocol.md §1.3, Appendix S1',
    configuration: 'per-message-clean',
    caughtBy: 'singleOwnerPerPartition',
    machines: { coordinator: noGenerationBump },
  },
  {
    id: 'coordinator-join-waits-for-leader-only',
    title: 'The join phase completes once the leader has re-joined, without waiting for the followers',
    reference: 'classic mistake; kafka-protocol.md §1.6.1 (hasAllMembersJoined), §2.10',
    configuration: 'per-message-clean',
    caughtBy: 'concurrentProcessing',
    machines: { coordinator: joinWaitsForLeaderOnly },
  },
  {
    id: 'coordinator-sync-gives-leader-share-to-all',
    title: "The leader's SyncGroup gives every member the leader's own share of the plan",
    reference: 'classic mistake; kafka-protocol.md §1.6.3, Appendix S1',
    configuration: 'per-message-clean',
    caughtBy: 'singleOwnerPerPartition',
    machines: { coordinator: syncGivesLeaderShareToAll },
  },
  {
    id: 'coordinator-drops-commits-while-rebalancing',
    title: 'Commits accepted in PreparingRebalance are acknowledged but never written',
    reference: 'KAFKA-13636 (offsets of a rebalancing group purged); kafka-protocol.md §6 #13, §1.11 rule 7',
    configuration: 'per-message-clean',
    caughtBy: 'noDuplicateProcessing',
    machines: { coordinator: dropsCommitsWhileRebalancing },
  },
  // ------------------------------------------------------------------ KIP-848 consumer-group coordinator
  {
    id: 'consumer-group-assigns-unreleased-partitions',
    title: 'The KIP-848 coordinator gives a partition to its new owner before the previous owner has released it',
    reference: 'classic mistake; kafka-protocol.md §3.3 (single-owner enforcement, currentPartitionEpoch), Appendix S1',
    configuration: 'consumer-per-message-clean',
    caughtBy: 'singleOwnerPerPartition',
    machines: { coordinator848: assignsUnreleasedPartitions },
  },
  {
    id: 'consumer-group-accepts-stale-member-epoch',
    title: 'The KIP-848 coordinator accepts commits from a known member whatever their member epoch',
    reference: 'classic mistake; kafka-protocol.md §1.11 (KIP-848 groups: STALE_MEMBER_EPOCH), Appendix S3',
    configuration: 'consumer-per-message',
    caughtBy: 'fencedCommitRejected',
    machines: { coordinator848: acceptsStaleMemberEpoch },
  },
  {
    id: 'consumer-group-stores-after-unload',
    title: 'A KIP-848 coordinator that unloaded the group still stores the commits sent to it (stale coordinator epoch)',
    reference: 'classic mistake (a zombie leader writing); kafka-protocol.md §1.2, §1.10 NOT_COORDINATOR, §3.3',
    configuration: 'consumer-failover',
    caughtBy: 'fencedCommitRejected',
    machines: { coordinator848: consumerGroupStoresAfterUnload },
  },
  // ------------------------------------------------------------------ consumer
  {
    id: 'consumer-commits-offset-not-next',
    title: 'The per-message loop commits the offset of the record it processed, not offset + 1',
    reference: 'classic mistake; kafka-protocol.md §1.11 (a committed offset names the next record to read)',
    configuration: 'per-message-clean',
    caughtBy: 'noDuplicateProcessing',
    machines: { consumer: commitOffsetNotNext },
  },
  {
    id: 'consumer-continues-batch-after-failed-commit',
    title: 'The per-message loop swallows CommitFailedException and processes the rest of the batch',
    reference: 'classic mistake; kafka-protocol.md §2.7, §2.10',
    configuration: 'per-message',
    caughtBy: 'duplicatesBounded',
    machines: { consumer: continueBatchAfterFailedCommit },
  },
  {
    id: 'consumer-ignores-rebalance-heartbeat',
    title: 'The heartbeat handler treats REBALANCE_IN_PROGRESS as success and never re-joins',
    reference: 'classic mistake; kafka-protocol.md §2.2, §1.6.1, Appendix L1',
    configuration: 'per-message-clean',
    caughtBy: 'groupSettles',
    machines: { consumer: ignoreRebalanceHeartbeat },
  },
  {
    id: 'consumer-close-revokes-mid-batch',
    title: 'close() from a shutdown hook revokes at once while the poll loop is still processing the batch',
    reference: 'classic mistake; kafka-protocol.md §2.4, §4.2 C1',
    configuration: 'per-message-clean',
    caughtBy: 'processingOnlyOwned',
    machines: { consumer: closeRevokesMidBatch },
  },
  {
    id: 'consumer-resets-to-latest',
    title: 'Every assignment starts at the log end, ignoring the committed offset',
    reference: 'KAFKA-12261 (auto.offset.reset=latest loses records); kafka-protocol.md §2.8',
    configuration: 'per-message-clean',
    caughtBy: 'atLeastOnce',
    machines: { consumer: resetToLatest },
  },
  {
    id: 'consumer-resumes-after-committed',
    title: 'A new owner resumes at the committed offset + 1, skipping the record at the committed offset',
    reference: 'classic mistake; kafka-protocol.md §1.11, §2.8',
    configuration: 'per-message-clean',
    caughtBy: 'atLeastOnce',
    machines: { consumer: resumeAfterCommitted },
  },
  {
    id: 'consumer-resumes-from-stale-position',
    title: 'A partition that comes back resumes after the last record this consumer processed, not at the committed offset',
    reference: 'librdkafka #4686 (resumed partition restarts from an old position); kafka-protocol.md §6 #15',
    configuration: 'per-message-clean',
    caughtBy: 'noDuplicateProcessing',
    machines: { consumer: resumeFromStalePosition },
  },
  {
    id: 'consumer-commits-position-per-message',
    title: 'The per-message loop commits the fetch position (end of the batch) after each record',
    reference: 'classic mistake; kafka-protocol.md §2.6, §2.8, Appendix O2',
    configuration: 'per-message-clean',
    caughtBy: 'committedNotAheadOfProcessed',
    machines: { consumer: commitPositionPerMessage },
  },
  {
    id: 'consumer-java-autocommit-latest-poll',
    title: 'Java auto-commit commits the positions of the batch still being processed when the interval elapses',
    reference: "Jepsen's retracted 'latest poll' reading of Java auto-commit; kafka-protocol.md §5.3, §2.6",
    configuration: 'auto-java',
    caughtBy: 'committedNotAheadOfProcessed',
    machines: { consumer: javaAutoCommitLatestPoll },
  },
  {
    id: 'consumer-poll-skips-first-record',
    title: 'The fetch hand-off drops the record at the position from every fetch answer',
    reference: 'classic mistake; kafka-protocol.md §2.8, §5.2 poll-skip, Appendix O1',
    configuration: 'per-message-clean',
    caughtBy: 'orderedWithinOwnership',
    machines: { consumer: pollSkipsFirstRecord },
  },
  {
    id: 'consumer-redelivers-last-of-full-batch',
    title: 'After a full batch the position is the last record returned, which the next poll returns again',
    reference: 'classic mistake; kafka-protocol.md §2.8, §5.2 nonmonotonic-poll, Appendix O1',
    configuration: 'per-message-clean',
    caughtBy: 'orderedWithinOwnership',
    machines: { consumer: redeliverLastOfFullBatch },
  },
  {
    id: 'consumer-per-message-never-commits',
    title: 'The per-message loop never reaches its commit (only close() commits)',
    reference: 'classic mistake; kafka-protocol.md §2.6, Appendix A2',
    configuration: 'per-message-clean',
    caughtBy: 'noDuplicateProcessing',
    machines: { consumer: perMessageNeverCommits },
  },
  // ------------------------------------------------------------------ leader (assignors)
  {
    id: 'leader-assigns-partition-twice',
    title: 'The leader gives the first partition of every topic to every member',
    reference: 'classic mistake; kafka-protocol.md Appendix S1, §4.4 AssignmentValidationTest',
    configuration: 'per-message-clean',
    caughtBy: 'singleOwnerPerPartition',
    machines: { leader: assignFirstPartitionToAll },
  },
  {
    id: 'leader-sticky-by-union',
    title: "The leader adds each member's previous partitions to its fresh share without taking them from their new owner",
    reference: 'KAFKA-7026 (sticky assignor gave a partition to two consumers from stale ownership); kafka-protocol.md §6 #6, Appendix S1',
    configuration: 'per-message-clean',
    caughtBy: 'singleOwnerPerPartition',
    machines: { leader: stickyByUnion },
  },
  {
    id: 'leader-range-inclusive-end',
    title: "The range assignor's ranges end one partition late, overlapping the next member's",
    reference: 'classic mistake; kafka-protocol.md §3.1 RangeAssignor, Appendix S1',
    configuration: 'per-message-clean',
    caughtBy: 'singleOwnerPerPartition',
    machines: { leader: rangeInclusiveEnd },
  },
  {
    id: 'coordinator-static-commit-trusts-instance-id',
    title: "OffsetCommit validates a static member by its group.instance.id only: a restarted member's zombie incarnation is not fenced",
    reference: 'classic mistake; kafka-protocol.md §1.9 (FENCED_INSTANCE_ID), §1.11 rule 5',
    configuration: 'static',
    caughtBy: 'fencedCommitRejected',
    machines: { coordinator: staticCommitTrustsInstanceId },
  },
  {
    id: 'consumer-ignores-partition-changes',
    title: 'The leader never rejoins when partitions are added: the new partitions stay unowned',
    reference: 'classic mistake; kafka-protocol.md §2.8 (ConsumerCoordinator.rejoinNeededOrPending metadata check)',
    configuration: 'add-partitions',
    caughtBy: 'groupSettles',
    machines: { consumer: ignoresPartitionChanges },
  },
  {
    id: 'leader-range-drops-extra-partition',
    title: 'The range assignor gives every member floor(n / m) partitions and forgets the n % m extra ones',
    reference: 'classic mistake; kafka-protocol.md §3.1 RangeAssignor ("first n % m members get one extra"), Appendix L1',
    configuration: 'per-message-clean',
    caughtBy: 'groupSettles',
    machines: { leader: rangeDropsExtraPartition },
  },
  // ------------------------------------------------------------------ cooperative rebalancing (KIP-429)
  {
    id: 'leader-cooperative-without-revoke-phase',
    title: 'cooperative-sticky hands a moving partition straight to its new owner instead of holding it back for a second rebalance',
    reference: 'KAFKA-14639 (a partition revoked and assigned in the same cooperative round); kafka-protocol.md §6 #1, §3.2, Appendix S2',
    configuration: 'coop-batch',
    caughtBy: 'cooperativeHandoff',
    machines: { leader: cooperativeWithoutRevokePhase },
  },
  {
    id: 'leader-sticky-keeps-all-claims',
    title: 'A sticky assignor that keeps every claimed partition and only deals the free ones: newcomers get nothing',
    reference: 'classic mistake; kafka-protocol.md §3.1 (StickyAssignor: maximal balance first, then stickiness)',
    configuration: 'coop-batch',
    caughtBy: 'assignmentBalanced',
    machines: { leader: stickyKeepsAllClaims },
  },
  {
    id: 'leader-sticky-ignores-claims',
    title: "A sticky assignor that cannot read the members' claims and deals balanced ranges by member id each round",
    reference: 'KAFKA-14016 (cooperative rebalance revokes more than necessary); kafka-protocol.md §6 #5, §3.1',
    configuration: 'coop-batch',
    caughtBy: 'assignmentSticky',
    machines: { leader: stickyIgnoresClaims },
  },
  {
    id: 'consumer-skips-second-rebalance',
    title: 'A cooperative member revokes the partitions it lost but never re-joins, so nobody receives them',
    reference: 'classic mistake; kafka-protocol.md §2.4 (cooperative: revoke, then requestRejoin), §3.2 step 3-4, Appendix L1',
    configuration: 'coop-batch',
    caughtBy: 'groupSettles',
    machines: { consumer: skipsSecondRebalance },
  },
];

export const zooEntry = (id: string): ZooEntry | undefined => ZOO.find((z) => z.id === id);

/** The machines of a variant (or the reference models when `variant` is undefined). */
export const machinesFor = (variant: string | undefined): Machines => {
  if (variant === undefined) return REFERENCE_MACHINES;
  const z = zooEntry(variant);
  if (z === undefined) throw new Error(`unknown variant "${variant}"; known: ${ZOO.map((x) => x.id).join(', ')}`);
  return { ...REFERENCE_MACHINES, ...z.machines };
};
