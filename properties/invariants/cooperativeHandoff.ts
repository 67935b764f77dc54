/**
 * cooperativeHandoff: a partition reaches a member of a group only after every other member of
 * that group has let go of it (kafka-protocol.md §3.2 and Appendix S2: "a partition in member A's
 * owned set appears in another member's assignment only after A reported it revoked"). Eager
 * members meet it by revoking everything before JoinGroup (§2.4); cooperative members by the
 * two-phase protocol (KIP-429), in which the leader holds a moving partition back for one round.
 *
 * Ownership as the group sees it, per member m and partition tp:
 * 1. starts at an `Assigned` of m listing tp (a partition m already owns continues);
 * 2. ends at a `Revoked` of m listing tp (any reason: rebalance, lost, close), at a `Left` of m,
 *    at a `MemberRemoved` of m (session expiry, leave, rejoin or sync timeout), or at a
 *    `GenerationStarted` of m's group that does not list m, since from then on the coordinator no
 *    longer counts m's claims (the second form also covers histories joined from episodes,
 *    src/history/concat.ts, and coordinators that report generations but not removals);
 * 3. a `Crashed` does not end it: the group still counts the member until its session expires;
 * 4. after its removal, an `Assigned` of m (a SyncGroup answer still in flight) starts no
 *    ownership until m's next `Joined`: the coordinator has already given the partitions out.
 * A violation is an `Assigned` of b listing tp while another member a of the same group owns tp;
 * it names a's `Assigned` that started the ownership and b's `Assigned`.
 */
import type { History } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import type { Invariant, Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, groupOf, memberGroups } from './support.ts';

const NAME = 'cooperativeHandoff';

export const cooperativeHandoff: Invariant = {
  name: NAME,
  expectation: 'always',
  claim: 'A partition is assigned to a member only after every other member of its group has revoked it, lost it, left or been removed.',
  reference: 'kafka-protocol.md §3.2, Appendix S2; KIP-429',
  check: (history: History) => {
    const groups = memberGroups(history);
    /** group -> tp -> (owner -> index of the Assigned that started it) */
    const owners = new Map<string, Map<TopicPartition, Map<string, number>>>();
    const removed = new Set<string>();
    const ownersOf = (group: string, tp: TopicPartition): Map<string, number> => {
      let byTp = owners.get(group);
      if (byTp === undefined) owners.set(group, (byTp = new Map()));
      let who = byTp.get(tp);
      if (who === undefined) byTp.set(tp, (who = new Map()));
      return who;
    };
    const releaseAll = (member: string): void => {
      const byTp = owners.get(groupOf(groups, member));
      if (byTp !== undefined) for (const who of byTp.values()) who.delete(member);
    };
    const out: Violation[] = [];
    history.forEach((e, i) => {
      switch (e.type) {
        case 'Joined':
          removed.delete(e.member);
          return;
        case 'MemberRemoved':
          removed.add(e.member);
          releaseAll(e.member);
          return;
        case 'GenerationStarted': {
          const byTp = owners.get(e.group);
          if (byTp === undefined) return;
          const kept = new Set(e.members);
          for (const who of byTp.values()) {
            for (const m of [...who.keys()]) {
              if (kept.has(m)) continue;
              who.delete(m);
              removed.add(m);
            }
          }
          return;
        }
        case 'Left':
          releaseAll(e.member);
          return;
        case 'Revoked':
          for (const tp of e.partitions) ownersOf(e.group, tp).delete(e.member);
          return;
        case 'Assigned': {
          if (removed.has(e.member)) return;
          for (const tp of e.partitions) {
            const who = ownersOf(e.group, tp);
            for (const [other, since] of who) {
              if (other === e.member) continue;
              out.push({
                invariant: NAME,
                kind: 'unrevoked-handoff',
                message: `Partition ${tp} of group ${e.group} was assigned to ${e.member} in generation ${e.generation} while ${other} still owned it (assigned at event ${since}, never revoked).`,
                events: [since, i],
                evidence: { group: e.group, tp, generation: e.generation, owner: other, receiver: e.member },
              });
            }
            if (!who.has(e.member)) who.set(e.member, i);
          }
          return;
        }
        default:
          return;
      }
    });
    return byFirstEvent(out);
  },
};
