/**
 * One valid example of every history event type, for tests and documentation (docs/history.md
 * shows the same lines, and a test checks that they still validate). Typed as a record over
 * every event type, so adding a type to models/history.ts fails the typecheck until it has one.
 */
import type { HistoryEvent, HistoryEventType } from '../../models/history.ts';

type ExampleOf = { readonly [K in HistoryEventType]: Extract<HistoryEvent, { type: K }> };

export const EVENT_EXAMPLES: ExampleOf = {
  Produced: { type: 'Produced', t: 0, tp: 'accounts-0', offset: 0, key: 'acct-0', value: 1 },
  Started: { type: 'Started', t: 0, member: 'c0#1', group: 'g1', topics: ['accounts'], mode: 'subscribe', policy: 'commit-after-batch' },
  Crashed: { type: 'Crashed', t: 250, member: 'c0#1' },
  Paused: { type: 'Paused', t: 300, member: 'c1#1', ms: 8000 },
  Resumed: { type: 'Resumed', t: 8300, member: 'c1#1' },
  LeaveRequested: { type: 'LeaveRequested', t: 9000, member: 'c1#1' },
  SeekRequested: { type: 'SeekRequested', t: 400, member: 'c0#1', tp: 'accounts-0', offset: 2 },
  Stalled: { type: 'Stalled', t: 420, member: 'c0#1', ms: 12_000 },
  PartitionsAdded: { type: 'PartitionsAdded', t: 500, topic: 'accounts', partitions: 4 },
  Quiesce: { type: 'Quiesce', t: 10_000, stableWithinMs: { g1: 28_900 } },
  Quiesced: { type: 'Quiesced', t: 16_000, settled: true },
  CoordinatorMoved: { type: 'CoordinatorMoved', t: 500, group: 'g1', coordinator: 1 },
  MessageDropped: { type: 'MessageDropped', t: 320, from: 'coordinator', to: 'c0#1', message: 'OffsetCommitResponse' },
  Joined: { type: 'Joined', t: 5, member: 'c0#1', group: 'g1', generation: 1, leader: true },
  Assigned: { type: 'Assigned', t: 7, member: 'c0#1', group: 'g1', generation: 1, partitions: ['accounts-0', 'accounts-1'] },
  Revoked: { type: 'Revoked', t: 6000, member: 'c0#1', group: 'g1', partitions: ['accounts-1'], reason: 'rebalance' },
  Positioned: { type: 'Positioned', t: 9, member: 'c0#1', tp: 'accounts-0', offset: 0, source: 'committed' },
  Polled: { type: 'Polled', t: 12, member: 'c0#1', tp: 'accounts-0', offsets: [0, 1, 2] },
  ProcessStarted: { type: 'ProcessStarted', t: 12, member: 'c0#1', tp: 'accounts-0', offset: 0 },
  Processed: { type: 'Processed', t: 112, member: 'c0#1', tp: 'accounts-0', offset: 0 },
  CommitRequested: { type: 'CommitRequested', t: 312, member: 'c0#1', group: 'g1', generation: 1, offsets: { 'accounts-0': 3 }, seq: 1 },
  CommitResult: { type: 'CommitResult', t: 315, member: 'c0#1', group: 'g1', generation: 1, offsets: { 'accounts-0': 3 }, seq: 1, error: 'NONE' },
  Left: { type: 'Left', t: 9100, member: 'c1#1', group: 'g1' },
  PollTimeoutExpired: { type: 'PollTimeoutExpired', t: 10_500, member: 'c0#1', group: 'g1' },
  Fenced: { type: 'Fenced', t: 9200, member: 'c1#1', group: 'g1' },
  AssignorRan: {
    type: 'AssignorRan',
    t: 6,
    member: 'c0#1',
    generation: 2,
    assignor: 'cooperative-sticky',
    members: [
      { memberId: 'c0#1~1', topics: ['accounts'], owned: ['accounts-0', 'accounts-1'], ownedGeneration: 1 },
      { memberId: 'c1#1~2', topics: ['accounts'], owned: [], ownedGeneration: -1 },
    ],
    target: { 'c0#1~1': ['accounts-0'], 'c1#1~2': ['accounts-1'] },
    assignment: { 'c0#1~1': ['accounts-0'], 'c1#1~2': [] },
  },
  RebalanceStarted: { type: 'RebalanceStarted', t: 6000, group: 'g1', generation: 1 },
  GenerationStarted: { type: 'GenerationStarted', t: 5, group: 'g1', generation: 1, members: ['c0#1'], leader: 'c0#1', protocol: 'range' },
  GroupStable: { type: 'GroupStable', t: 7, group: 'g1', generation: 1, assignment: { 'c0#1': ['accounts-0', 'accounts-1'] } },
  MemberRemoved: { type: 'MemberRemoved', t: 6000, group: 'g1', member: 'c0#1', reason: 'session-timeout' },
  MemberEpochAssigned: { type: 'MemberEpochAssigned', t: 313, group: 'g1', member: 'c0#1', epoch: 1, assigned: ['accounts-0'], pendingRevocation: [] },
  OffsetsStored: { type: 'OffsetsStored', t: 314, group: 'g1', member: 'c0#1', generation: 1, offsets: { 'accounts-0': 3 } },
  GroupLoaded: { type: 'GroupLoaded', t: 1000, group: 'g1', coordinator: 1, generation: 1, members: ['c0#1'] },
  StaticMemberReplaced: { type: 'StaticMemberReplaced', t: 9000, group: 'g1', generation: 1, instance: 'c1', previous: 'c1#1', member: 'c1#2' },
};
