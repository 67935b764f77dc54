/**
 * Symmetry reduction: states that differ only by a permutation of interchangeable member slots
 * get one fingerprint: the least, over the permutations, of the hash of the state with every
 * process name renamed and each slot's section moved to its new place (fingerprint.ts,
 * StateHasher; renameSlots renames the names it hashes).
 *
 * What is sound here, and why (a permutation must commute with every step of the simulator
 * and of the checked claims):
 * - Slots of one group in `assign` mode are interchangeable: they run the same config, a
 *   process name (`c<slot>#<incarnation>`) is only an identity (channels, timers, commits with
 *   generation -1 and no member id), and no step orders anything by it (the simulator orders
 *   deliveries by send sequence and timers by due time and arming order; the invariants treat
 *   members as opaque names).
 * - Slots of a `subscribe` group are NOT interchangeable: the coordinator names a member
 *   `<process name>~<join sequence>` (coordinator.logic.ts) and both assignors sort members by
 *   that id (kafka-protocol.md §3.1), so the member from the lower slot gets the first
 *   partitions (and range gives it the extra one). Swapping two slots' states changes who gets
 *   which partition, so the swapped state has different futures. No reduction there.
 * - Partitions are NOT interchangeable either: range and roundrobin deal partitions in
 *   number order, and the default partitioner pins each key to one partition.
 * - Slots of different groups are never permuted (different coordinators and offsets).
 * The quiescence tail that confirms a counterexample restarts the lowest free slot of an empty
 * group; in an assign group any free slot gives a state equal up to renaming, so confirming the
 * representative's path is as good as confirming any member of its class.
 */
import { slotTable, type SimConfig } from '../sim/config.ts';

/** Every permutation of slots (as `perm[slot] = new slot`) that only moves slots inside their class. */
export const symmetryPermutations = (config: SimConfig): number[][] => {
  const rows = slotTable(config);
  const identity = rows.map((r) => r.slot);
  let perms: number[][] = [identity];
  for (const g of config.groups) {
    if (g.mode !== 'assign') continue;
    const cls = rows.filter((r) => r.group.name === g.name).map((r) => r.slot);
    if (cls.length < 2) continue;
    const next: number[][] = [];
    for (const p of perms) {
      for (const order of permutations(cls)) {
        const q = p.slice();
        cls.forEach((s, i) => (q[s] = order[i] as number));
        next.push(q);
      }
    }
    perms = next;
  }
  return perms;
};

const permutations = (xs: readonly number[]): number[][] =>
  xs.length <= 1 ? [xs.slice()] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));

const NAME = /c(\d+)#/g;

/** Renames every process name `c<slot>#` by a slot permutation. */
export const renameSlots = (text: string, perm: readonly number[]): string => text.replace(NAME, (_, d: string) => `c${perm[Number(d)]}#`);
