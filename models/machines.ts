/**
 * The set of machines a simulation runs: the reference models, or a bug-zoo variant of one of
 * them (models/zoo.ts). Variants are made with XState's `machine.provide({ actions, guards })`,
 * so a faulty variant never edits the reference model.
 */
import { consumerMachine } from './consumer/consumer.machine.ts';
import { coordinatorMachine } from './coordinator/coordinator.machine.ts';
import { leaderMachine } from './leader/leader.machine.ts';

export interface Machines {
  readonly consumer: typeof consumerMachine;
  readonly coordinator: typeof coordinatorMachine;
  readonly leader: typeof leaderMachine;
}

export const REFERENCE_MACHINES: Machines = { consumer: consumerMachine, coordinator: coordinatorMachine, leader: leaderMachine };
