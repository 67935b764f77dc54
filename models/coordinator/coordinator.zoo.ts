/**
 * Bug-zoo variants of the group coordinator: each is one small, named change of one action,
 * reproducing a real bug or a classic mistake (kafka-protocol.md §6). Switched on by the
 * simulation config's `variant` (models/zoo.ts), never by editing coordinator.machine.ts.
 */
import type { Effect } from '../effects.ts';
import { coordinatorAction, coordinatorMachine, only } from './coordinator.machine.ts';

/** Stores every commit, whatever its generation, member id or group state: no fencing (§1.11 ignored). */
export const acceptStaleCommits = coordinatorMachine.provide({
  actions: {
    offsetCommit: coordinatorAction(
      only('OffsetCommit', (ctx, req) => {
        const out: Effect[] = [
          { type: 'StoreOffsets', group: ctx.group, offsets: req.offsets },
          { type: 'Observe', event: { type: 'OffsetsStored', group: ctx.group, member: ctx.members[req.memberId]?.clientId ?? req.from, generation: req.generation, offsets: req.offsets } },
          { type: 'Send', to: req.from, message: { type: 'OffsetCommitResponse', to: req.from, error: 'NONE', generation: req.generation, offsets: req.offsets, seq: req.seq } },
        ];
        return { ctx, out };
      }),
    ),
  },
});
