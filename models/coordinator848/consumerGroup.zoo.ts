/**
 * Bug-zoo variants of the KIP-848 consumer-group coordinator: each is one small, named change of
 * one action, switched on by the simulation config's `variant` (models/zoo.ts), never by editing
 * consumerGroup.machine.ts.
 */
import { consumerGroupAction, consumerGroupMachine, when } from './consumerGroup.machine.ts';
import { consumerGroupHeartbeat, nextAssignment, notCoordinator, offsetCommit, validateOffsetCommit, type NextAssignment } from './consumerGroup.logic.ts';

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

/**
 * The KIP-848 counterpart of coordinator-stores-after-unload: a coordinator that lost the group's
 * partition keeps writing commits (a stale coordinator epoch). After Unload its Dead group still
 * validates an OffsetCommit against the member epochs it had in memory and stores it, then answers
 * NOT_COORDINATOR as routing demands (kafka-protocol.md §1.2, §1.10). The member retries at the new
 * coordinator and sees nothing wrong; the stale write lands in the store.
 */
export const consumerGroupStoresAfterUnload = consumerGroupMachine.provide({
  actions: {
    notCoordinator: consumerGroupAction((ctx, e) => {
      if (e.type !== 'OffsetCommit') return e.type === 'ConsumerGroupHeartbeat' ? notCoordinator(ctx, e) : { ctx, out: [] };
      const answer = notCoordinator(ctx, e);
      if (validateOffsetCommit(ctx, e) !== 'NONE') return answer;
      const stored = offsetCommit(ctx, e).out.filter((x) => x.type === 'StoreOffsets' || x.type === 'Observe');
      return { ctx, out: [...stored, ...answer.out] };
    }),
  },
});
