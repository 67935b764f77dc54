/**
 * The registry of history invariants, in a fixed order (house-style §3.1: readonly, ordered,
 * unique names). Each invariant lives in the file named after it; support.ts is shared code.
 */
import type { Invariant } from '../../src/check/invariant.ts';
import { assignmentBalanced } from './assignmentBalanced.ts';
import { assignmentSticky } from './assignmentSticky.ts';
import { atLeastOnce } from './atLeastOnce.ts';
import { committedNotAheadOfProcessed } from './committedNotAheadOfProcessed.ts';
import { concurrentProcessing } from './concurrentProcessing.ts';
import { cooperativeHandoff } from './cooperativeHandoff.ts';
import { duplicatesBounded } from './duplicatesBounded.ts';
import { fencedCommitRejected } from './fencedCommitRejected.ts';
import { groupSettles } from './groupSettles.ts';
import { noDuplicateProcessing } from './noDuplicateProcessing.ts';
import { orderedWithinOwnership } from './orderedWithinOwnership.ts';
import { processingOnlyOwned } from './processingOnlyOwned.ts';
import { singleOwnerPerPartition } from './singleOwnerPerPartition.ts';
import { stableWithinBound } from './stableWithinBound.ts';

export {
  assignmentBalanced,
  assignmentSticky,
  atLeastOnce,
  committedNotAheadOfProcessed,
  concurrentProcessing,
  cooperativeHandoff,
  duplicatesBounded,
  fencedCommitRejected,
  groupSettles,
  noDuplicateProcessing,
  orderedWithinOwnership,
  processingOnlyOwned,
  singleOwnerPerPartition,
  stableWithinBound,
};

/** Every history invariant, in report order. */
export const INVARIANTS: readonly Invariant[] = Object.freeze([
  singleOwnerPerPartition,
  fencedCommitRejected,
  orderedWithinOwnership,
  committedNotAheadOfProcessed,
  atLeastOnce,
  noDuplicateProcessing,
  duplicatesBounded,
  concurrentProcessing,
  processingOnlyOwned,
  cooperativeHandoff,
  assignmentBalanced,
  assignmentSticky,
  groupSettles,
  stableWithinBound,
]);

/**
 * The invariant called `name`.
 * @throws Error naming the valid invariants when there is none by that name.
 */
export function invariantByName(name: string): Invariant {
  const found = INVARIANTS.find((inv) => inv.name === name);
  if (found === undefined) {
    throw new Error(`Unknown invariant '${name}'. Valid names: ${INVARIANTS.map((inv) => inv.name).join(', ')}.`);
  }
  return found;
}
