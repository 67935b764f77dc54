/**
 * Bug-zoo variants of the cooperative consumer (KIP-429, kafka-protocol.md §2.4, §3.2; models/zoo.ts).
 */
import { consumerAction, consumerMachine } from './consumer.machine.ts';
import { applyAssignment } from './consumer.logic.ts';

/**
 * The member revokes what it lost but does not re-join afterwards (§2.4: "if anything was revoked
 * it rejoins at once", `requestRejoin` in onJoinComplete). The partitions the leader held back for
 * the second rebalance then belong to nobody while the group looks Stable, until some other event
 * starts a rebalance: the group never settles with every partition owned.
 */
export const skipsSecondRebalance = consumerMachine.provide({
  actions: {
    applyAssignment: consumerAction((c) => {
      const r = applyAssignment(c);
      return { ctx: { ...r.ctx, rejoinNeeded: c.rejoinNeeded }, out: r.out };
    }),
  },
});
