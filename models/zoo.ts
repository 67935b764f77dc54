/**
 * The bug zoo: faulty variants of the reference models, each a small, named, documented change
 * that reproduces a real bug or a classic mistake (kafka-protocol.md §6). A variant lives beside
 * the model it breaks (`*.zoo.ts`) and is switched on by the simulation config's `variant`
 * field, so a counterexample file replays it too.
 *
 * Each entry names the guarantee-matrix configuration it runs under and the invariant that must
 * catch it: `npm test` asserts the default search finds it and shrinks it.
 */
import { acceptStaleCommits } from './coordinator/coordinator.zoo.ts';
import { commitOffsetNotNext } from './consumer/consumer.zoo.ts';
import { assignFirstPartitionToAll } from './leader/leader.zoo.ts';
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
  {
    id: 'coordinator-accepts-stale-commits',
    title: 'The coordinator accepts commits from any generation and any member id',
    reference: 'classic mistake; kafka-protocol.md §1.11 rule 5, Appendix S3',
    configuration: 'per-message',
    caughtBy: 'fencedCommitRejected',
    machines: { coordinator: acceptStaleCommits },
  },
  {
    id: 'consumer-commits-offset-not-next',
    title: 'The per-message loop commits the offset of the record it processed, not offset + 1',
    reference: 'classic mistake; kafka-protocol.md §1.11 (a committed offset names the next record to read)',
    configuration: 'per-message-clean',
    caughtBy: 'noDuplicateProcessing',
    machines: { consumer: commitOffsetNotNext },
  },
  {
    id: 'leader-assigns-partition-twice',
    title: 'The leader gives the first partition of every topic to every member',
    reference: 'classic mistake; kafka-protocol.md Appendix S1, §4.4 AssignmentValidationTest',
    configuration: 'per-message-clean',
    caughtBy: 'singleOwnerPerPartition',
    machines: { leader: assignFirstPartitionToAll },
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
