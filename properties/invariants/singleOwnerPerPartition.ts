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
 * - coordinator-epochs (KIP-848 groups, kafka-protocol.md §3.3 and Appendix S1): at every
 *   `MemberEpochAssigned`, the member's assigned ∪ pendingRevocation must be disjoint from every
 *   other current member's (a `MemberRemoved` frees the member's partitions). Member epochs differ
 *   between members, so this view is per instant rather than per generation: the coordinator may
 *   give a partition to a new member only once its previous owner no longer holds it.
 *
 * It is not a claim about real time: two *clients* may process one partition at once during
 * the zombie window (§2.10); that is concurrentProcessing's report.
 */
import type { History } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import type { Invariant, Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, indices, names } from './support.ts';

const NAME = 'singleOwnerPerPartition';

interface Owners {
  readonly group: string;
  readonly generation: number;
  readonly tp: TopicPartition;
  /** member → indices of the events that gave it tp, in history order. */
  readonly members: Map<string, number[]>;
}

type View = 'client' | 'coordinator';

/** The coordinator-epochs view (KIP-848): per group, member → its owned partitions and the event that set them. */
function epochViolations(history: History): Violation[] {
  const out: Violation[] = [];
  const groups = new Map<string, Map<string, { owned: readonly TopicPartition[]; index: number; epoch: number }>>();
  for (let i = 0; i < history.length; i++) {
    const e = history[i]!;
    if (e.type === 'MemberRemoved') groups.get(e.group)?.delete(e.member);
    if (e.type !== 'MemberEpochAssigned') continue;
    let members = groups.get(e.group);
    if (members === undefined) groups.set(e.group, (members = new Map()));
    const owned = [...e.assigned, ...e.pendingRevocation];
    for (const [other, held] of members) {
      if (other === e.member) continue;
      for (const tp of owned.filter((x) => held.owned.includes(x))) {
        out.push({
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
  return out;
}

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

/** Split ownership of a partition inside one generation, from the client and coordinator views. */
export const singleOwnerPerPartition: Invariant = {
  name: NAME,
  expectation: 'always',
  claim:
    'Within one group and one generation, no partition is assigned to two members, neither in what the members received (Assigned) nor in what the coordinator settled on (GroupStable); under KIP-848, no partition is held by two members at any instant in what the coordinator recorded (MemberEpochAssigned).',
  reference: 'kafka-protocol.md Appendix S1; §4.4 AssignmentValidationTest.test_valid_assignment',
  check: (history: History) => {
    const client = new Map<string, Owners>();
    const coordinator = new Map<string, Owners>();
    for (let i = 0; i < history.length; i++) {
      const e = history[i]!;
      if (e.type === 'Assigned') {
        for (const tp of e.partitions) record(client, e.group, e.generation, tp, e.member, i);
      } else if (e.type === 'GroupStable') {
        for (const [member, tps] of Object.entries(e.assignment)) {
          for (const tp of tps) record(coordinator, e.group, e.generation, tp, member, i);
        }
      }
    }
    return byFirstEvent([...violations(client, 'client'), ...violations(coordinator, 'coordinator'), ...epochViolations(history)]);
  },
};
