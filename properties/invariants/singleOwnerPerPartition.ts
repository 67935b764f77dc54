/**
 * singleOwnerPerPartition: within one group and one generation, no partition is assigned to
 * two members (kafka-protocol.md Appendix S1; the system test AssignmentValidationTest,
 * §4.4, asserts every partition is owned by exactly one member after each rebalance).
 *
 * It is checked from two views, reported separately (evidence.view):
 * - client: per (group, generation, tp), the set of members whose `Assigned` listed tp;
 * - coordinator: per (group, generation, tp), the members a `GroupStable.assignment` gives tp
 *   (several GroupStable events of one generation are merged).
 *
 * Static membership (KIP-345, §1.9): after a `StaticMemberReplaced`, the new incarnation holds
 * the previous one's place in the same generation, so in the client view both names count as one
 * owner (the instance). That the previous incarnation is fenced is fencedCommitRejected's claim.
 *
 * - coordinator-epochs (KIP-848 groups, kafka-protocol.md §3.3 and Appendix S1): at every
 *   `MemberEpochAssigned`, the member's assigned ∪ pendingRevocation must be disjoint from every
 *   other current member's (a `MemberRemoved` frees the member's partitions). Member epochs differ
 *   between members, so this view is per instant rather than per generation: the coordinator may
 *   give a partition to a new member only once its previous owner no longer holds it.
 *
 * It is not a claim about real time: two *clients* may process one partition at once during
 * the zombie window (§2.10); that is concurrentProcessing's report.
 *
 * Monitor state: the owners of each (group, generation, tp) announced within the horizon
 * (CheckContext.horizon), and every (group, generation, tp) with two owners. An entry with one
 * owner, last announced more than `horizon` events ago, is dropped: a second owner announced
 * after such a silence (one generation's assignment is announced within one rebalance) would
 * not be compared with the first.
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, horizonOf, indices, names } from './support.ts';

const NAME = 'singleOwnerPerPartition';

interface Owners {
  readonly group: string;
  readonly generation: number;
  readonly tp: TopicPartition;
  /** member → indices of the events that gave it tp, in history order. */
  readonly members: Map<string, number[]>;
}

type View = 'client' | 'coordinator';


function record(
  table: Map<string, Owners>,
  group: string,
  generation: number,
  tp: TopicPartition,
  member: string,
  index: number,
): void {
  const key = `${group}\u0000${generation}\u0000${tp}`;
  let owners = table.get(key);
  if (owners === undefined) table.set(key, (owners = { group, generation, tp, members: new Map() }));
  const at = owners.members.get(member);
  if (at === undefined) owners.members.set(member, [index]);
  else if (at[at.length - 1] !== index) at.push(index);
}

function violations(table: ReadonlyMap<string, Owners>, view: View): Violation[] {
  const out: Violation[] = [];
  for (const { group, generation, tp, members } of table.values()) {
    if (members.size < 2) continue;
    const owners = [...members.keys()];
    const events = indices(...[...members.values()].flat());
    const source = view === 'client' ? 'received it in Assigned' : 'were given it by GroupStable';
    out.push({
      invariant: NAME,
      kind: 'split-ownership',
      message: `Partition ${tp} has ${owners.length} owners in group ${group} generation ${generation}: ${names(owners)} all ${source}.`,
      events,
      evidence: { group, generation, tp, owners, view },
    });
  }
  return out;
}

interface State {
  readonly client: Map<string, Owners>;
  readonly coordinator: Map<string, Owners>;
  nextSweep: number;
  /** incarnation → the first incarnation of its static instance (group \0 member); one entry per static restart. */
  readonly instanceOf: Map<string, string>;
  /** coordinator-epochs view: KIP-848 group → member → its owned partitions and the event that set them */
  readonly epochs: Map<string, Map<string, { owned: readonly TopicPartition[]; index: number; epoch: number }>>;
  /** violations of the coordinator-epochs view, found as they happen */
  readonly epochOut: Violation[];
}

/** Drops single-owner entries last announced before `before`. */
function sweep(table: Map<string, Owners>, before: number): void {
  for (const [key, { members }] of table) {
    if (members.size !== 1) continue;
    const [at] = members.values();
    if (at![at!.length - 1]! < before) table.delete(key);
  }
}

/**
 * State: the owners of each (group, generation, partition) seen in Assigned / GroupStable, with
 * the indices of the events that named them (one or two per owner in practice).
 */
class SingleOwnerMonitor extends StateMonitor<State> {
  constructor(private readonly horizon: number) {
    super({ client: new Map(), coordinator: new Map(), nextSweep: horizon, instanceOf: new Map(), epochs: new Map(), epochOut: [] });
  }

  step(e: HistoryEvent, i: number): void {
    if (i >= this.s.nextSweep) {
      this.s.nextSweep = i + Math.max(1, this.horizon >> 2);
      sweep(this.s.client, i - this.horizon);
      sweep(this.s.coordinator, i - this.horizon);
    }
    if (e.type === 'MemberRemoved') {
      this.s.epochs.get(e.group)?.delete(e.member);
    } else if (e.type === 'MemberEpochAssigned') {
      this.epochAssigned(e, i);
    } else if (e.type === 'StaticMemberReplaced') {
      // KIP-848: the replaced incarnation's partitions pass to the new one (replaceMember).
      this.s.epochs.get(e.group)?.delete(e.previous);
      this.s.instanceOf.set(`${e.group}\u0000${e.member}`, this.s.instanceOf.get(`${e.group}\u0000${e.previous}`) ?? e.previous);
    } else if (e.type === 'Assigned') {
      const owner = this.s.instanceOf.get(`${e.group}\u0000${e.member}`) ?? e.member;
      for (const tp of e.partitions) record(this.s.client, e.group, e.generation, tp, owner, i);
    } else if (e.type === 'GroupStable') {
      for (const [member, tps] of Object.entries(e.assignment)) {
        for (const tp of tps) record(this.s.coordinator, e.group, e.generation, tp, member, i);
      }
    }
  }

  /** The coordinator-epochs view: the member's assigned ∪ pending revocation must be disjoint from every other current member's. */
  private epochAssigned(e: Extract<HistoryEvent, { type: 'MemberEpochAssigned' }>, i: number): void {
    let members = this.s.epochs.get(e.group);
    if (members === undefined) this.s.epochs.set(e.group, (members = new Map()));
    const owned = [...e.assigned, ...e.pendingRevocation];
    for (const [other, held] of members) {
      if (other === e.member) continue;
      for (const tp of owned.filter((x) => held.owned.includes(x))) {
        this.s.epochOut.push({
          invariant: NAME,
          kind: 'split-ownership',
          message: `Partition ${tp} has 2 owners in group ${e.group}: the coordinator gave it to ${e.member} at epoch ${e.epoch} while ${other} still held it (epoch ${held.epoch}).`,
          events: indices(held.index, i),
          evidence: { group: e.group, generation: e.epoch, tp, owners: [other, e.member], view: 'coordinator-epochs' },
        });
      }
    }
    members.set(e.member, { owned, index: i, epoch: e.epoch });
  }

  finish(): readonly Violation[] {
    return byFirstEvent([...violations(this.s.client, 'client'), ...violations(this.s.coordinator, 'coordinator'), ...this.s.epochOut]);
  }
}

/** Split ownership of a partition inside one generation, from the client and coordinator views. */
export const singleOwnerPerPartition = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim:
    'Within one group and one generation, no partition is assigned to two members, neither in what the members received (Assigned) nor in what the coordinator settled on (GroupStable); under KIP-848, no partition is held by two members at any instant in what the coordinator recorded (MemberEpochAssigned).',
  reference: 'kafka-protocol.md Appendix S1; §4.4 AssignmentValidationTest.test_valid_assignment',
  monitor: (ctx) => new SingleOwnerMonitor(horizonOf(ctx)),
});
