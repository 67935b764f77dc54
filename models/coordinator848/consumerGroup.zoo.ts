/**
 * Bug-zoo variants of the KIP-848 consumer-group coordinator: each is one small, named change of
 * one action, switched on by the simulation config's `variant` (models/zoo.ts), never by editing
 * consumerGroup.machine.ts.
 */
import { consumerGroupAction, consumerGroupMachine, when } from './consumerGroup.machine.ts';
import { consumerGroupHeartbeat, nextAssignment, offsetCommit, type NextAssignment } from './consumerGroup.logic.ts';

/**
 * Reconciliation forgets the single-owner rule: a member gets every partition of its target that
 * it does not have to revoke, even when another member still owns it, pending revocation
 * (kafka-protocol.md §3.3: pending assignment excludes partitions whose current owner epoch is not
 * -1; ConsumerGroup.addPartitionEpochs would throw). The new owner starts on a partition while the
 * old one is still finishing its batch and has not committed it.
 */
const grantUnreleased: NextAssignment = (m, targetEpoch, target, _taken, ownedNow) => nextAssignment(m, targetEpoch, target, new Set(), ownedNow);

export const assignsUnreleasedPartitions = consumerGroupMachine.provide({
  actions: {
    heartbeat: consumerGroupAction(when('ConsumerGroupHeartbeat', (c, e) => consumerGroupHeartbeat(c, e, grantUnreleased))),
  },
});

/**
 * OffsetCommit checks that the member is known but not its epoch (§1.11, KIP-848 groups: an epoch
 * other than the member's current one gets STALE_MEMBER_EPOCH). A commit sent at an epoch the
 * member has since left, e.g. while its acknowledging heartbeat was in flight, is stored.
 */
export const acceptsStaleMemberEpoch = consumerGroupMachine.provide({
  actions: {
    offsetCommit: consumerGroupAction(
      when('OffsetCommit', (c, e) =>
        offsetCommit(c, e, (ctx, req) => {
          const m = ctx.members[req.memberId];
          return m === undefined && !(req.generation < 0 && Object.keys(ctx.members).length === 0) ? 'UNKNOWN_MEMBER_ID' : 'NONE';
        }),
      ),
    ),
  },
});
