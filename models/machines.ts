/**
 * The set of machines a simulation runs: the reference models, or a bug-zoo variant of one of
 * them (models/zoo.ts). Variants are made with XState's `machine.provide({ actions, guards })`,
 * so a faulty variant never edits the reference model.
 */
import { consumerMachine } from './consumer/consumer.machine.ts';
import { coordinatorMachine } from './coordinator/coordinator.machine.ts';
import { leaderMachine } from './leader/leader.machine.ts';
import { consumer848Machine } from './consumer848/consumer848.machine.ts';
import { consumerGroupMachine } from './coordinator848/consumerGroup.machine.ts';

export interface Machines {
  readonly consumer: typeof consumerMachine;
  readonly coordinator: typeof coordinatorMachine;
  readonly leader: typeof leaderMachine;
  /** The KIP-848 member and coordinator, for groups with protocol 'consumer'. */
  readonly consumer848: typeof consumerMachine;
  readonly coordinator848: typeof consumerGroupMachine;
}

export const REFERENCE_MACHINES: Machines = {
  consumer: consumerMachine,
  coordinator: coordinatorMachine,
  leader: leaderMachine,
  consumer848: consumer848Machine,
  coordinator848: consumerGroupMachine,
};
