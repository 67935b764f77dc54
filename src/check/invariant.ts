/**
 * The shape of a claim over a history (house-style §3.7): a named, pure function that returns
 * every violation it finds, each with the indices of the history events that show it.
 * Anomaly kinds reuse Jepsen's words where one exists (kafka-protocol.md §5.2).
 */
import type { History } from '../../models/history.ts';

export type Expectation = 'always' | 'eventually';
export type Validity = true | false | 'unknown';

export type AnomalyKind =
  | 'split-ownership' // two members own one partition in one generation
  | 'zombie-commit' // a fenced member's commit was accepted
  | 'nonmonotonic-poll' // Jepsen: a consumer went back inside one ownership
  | 'poll-skip' // Jepsen: a consumer jumped forward inside one ownership
  | 'commit-ahead' // a committed offset ran ahead of what the committer processed
  | 'lost-write' // Jepsen: a record below the committed offset was never processed
  | 'unseen' // Jepsen: a record was never processed by the end of a settled run
  | 'duplicate' // Jepsen: a record was processed more than once by one group
  | 'excess-duplicate' // more re-processing in one ownership than the policy allows
  | 'concurrent-processing' // two members processed one partition at the same time
  | 'processing-unowned' // a member processed a partition not in its own assignment
  | 'livelock' // the groups never settled after the faults stopped
  | 'unbalanced-assignment' // an assignor that promises balance gave sizes differing by more than one
  | 'excess-movement' // a sticky assignor moved more owned partitions than balance requires
  | 'unrevoked-handoff'; // a partition was assigned to a member while another still owned it

export interface Violation {
  readonly invariant: string;
  readonly kind: AnomalyKind;
  /** One sentence naming the members, partition and offsets involved. */
  readonly message: string;
  /** Indices into the history of the events that show the violation, ascending. */
  readonly events: readonly number[];
  /** Small JSON evidence: partition, generation, owners, offsets... */
  readonly evidence: Readonly<Record<string, unknown>>;
}

export interface CheckContext {
  /**
   * Re-processing allowed inside one ownership for the policy under check (duplicatesBounded);
   * undefined means no bound is claimed.
   */
  readonly duplicateBound?: number;
}

export interface Invariant {
  /** camelCase claim, e.g. `singleOwnerPerPartition`. */
  readonly name: string;
  readonly expectation: Expectation;
  /** The sentence a reviewer agrees with. */
  readonly claim: string;
  /** Where the rule comes from (notes section, KIP, Jepsen). */
  readonly reference: string;
  /**
   * Pure: [] means the claim holds on this history. 'unknown' is returned by eventually-claims
   * when the run did not settle, so nothing can be concluded.
   */
  readonly check: (history: History, ctx: CheckContext) => readonly Violation[] | 'unknown';
}
