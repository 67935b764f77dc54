/**
 * Bug-zoo variants of the group leader (models/zoo.ts).
 */
import { enqueueActions } from 'xstate';
import { computeAssignment, leaderMachine } from './leader.machine.ts';

/** An assignor that also gives the first partition of every topic to every member (split ownership). */
export const assignFirstPartitionToAll = leaderMachine.provide({
  actions: {
    assign: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'Elected') return;
      const good = computeAssignment(context, event);
      const firsts = Object.keys(event.partitionsPerTopic).map((t) => `${t}-0`);
      const assignments = Object.fromEntries(Object.entries(good).map(([m, tps]) => [m, [...new Set([...tps, ...firsts])]]));
      enqueue.assign({ generation: event.generation, lastAssignment: assignments });
      enqueue.emit({ type: 'AssignmentComputed', generation: event.generation, assignments });
    }),
  },
});
