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
 *    A `Joined` of a generation (member epoch) no newer than the highest its group had reached
 *    when m was removed is itself a stale answer, not a new join, and does not end the removal:
 *    a KIP-848 member paused past its session timeout reads, on resuming, the heartbeat answer
 *    that joined it before it was removed, whose epoch and assignment come together (the Java
 *    client reconciles it: AbstractMembershipManager.onHeartbeatSuccess ignores an answer only
 *    while LEAVING or not in the group; its next heartbeat finds it fenced, §3.3). A real
 *    re-join gets a newer generation: the coordinator bumps it to admit the member (§1.3, §3.3);
 * 5. a `StaticMemberReplaced` ends the previous incarnation's ownerships (the new one takes its
 *    place, KIP-345 §1.9; the fenced zombie is fencedCommitRejected's and concurrentProcessing's);
 * 6. in a group whose history has no coordinator events (real clients: no `GenerationStarted`),
 *    an `Assigned` of generation g does not conflict with an owner whose last `Joined` was of an
 *    older generation, since a join phase that completed without a member removed it (§1.6.1).
 *    This stands in for the `MemberRemoved` of a crashed member that such a history lacks. Where
 *    the coordinator's events are recorded, rules 2 and 3 decide and this one is not used.
 * A violation is an `Assigned` of b listing tp while another member a of the same group owns tp;
 * it names a's `Assigned` that started the ownership and b's `Assigned`.
 *
 * Monitor state: per group and partition its current owners (with the index that started each),
 * and the members removed since their last Joined; a member's group is the one its events have
 * named so far (support.ts GroupDirectory).
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, GroupDirectory } from './support.ts';

const NAME = 'cooperativeHandoff';

interface State {
  readonly out: Violation[];
  /** group -> tp -> (owner -> index of the Assigned that started it) */
  readonly owners: Map<string, Map<TopicPartition, Map<string, number>>>;
  readonly removed: Set<string>;
  /** member -> generation of its last Joined */
  readonly joined: Map<string, number>;
  /** group -> highest generation or member epoch its coordinator has reported */
  readonly highest: Map<string, number>;
  /** removed member -> its group's highest generation when it was removed (rule 4) */
  readonly removedAt: Map<string, number>;
  /** groups with at least one GenerationStarted: rule 6 is not used for them */
  readonly coordinatorView: Set<string>;
}

class CooperativeHandoffMonitor extends StateMonitor<State> {
  private groups = new GroupDirectory();

  constructor() {
    super({ out: [], owners: new Map(), removed: new Set(), joined: new Map(), coordinatorView: new Set(), highest: new Map(), removedAt: new Map() });
  }

  private ownersOf(group: string, tp: TopicPartition): Map<string, number> {
    let byTp = this.s.owners.get(group);
    if (byTp === undefined) this.s.owners.set(group, (byTp = new Map()));
    let who = byTp.get(tp);
    if (who === undefined) byTp.set(tp, (who = new Map()));
    return who;
  }

  private seen(group: string, generation: number): void {
    if (generation > (this.s.highest.get(group) ?? -1)) this.s.highest.set(group, generation);
  }

  private markRemoved(member: string, group: string): void {
    this.s.removed.add(member);
    this.s.removedAt.set(member, this.s.highest.get(group) ?? -1);
  }

  private releaseAll(member: string): void {
    const byTp = this.s.owners.get(this.groups.groupOf(member));
    if (byTp !== undefined) for (const who of byTp.values()) who.delete(member);
  }

  step(e: HistoryEvent, i: number): void {
    this.groups.observe(e);
    const { removed, owners, out, joined } = this.s;
    switch (e.type) {
      case 'Joined':
        if (removed.has(e.member) && e.generation <= (this.s.removedAt.get(e.member) ?? -1)) return; // rule 4: a stale answer
        removed.delete(e.member);
        joined.set(e.member, e.generation);
        return;
      case 'StaticMemberReplaced':
        this.seen(e.group, e.generation);
        this.markRemoved(e.previous, e.group);
        this.releaseAll(e.previous);
        return;
      case 'MemberRemoved':
        this.markRemoved(e.member, e.group);
        this.releaseAll(e.member);
        return;
      case 'RebalanceStarted':
      case 'GroupStable':
      case 'GroupLoaded':
        this.seen(e.group, e.generation);
        return;
      case 'MemberEpochAssigned':
        this.seen(e.group, e.epoch);
        return;
      case 'GenerationStarted': {
        this.s.coordinatorView.add(e.group);
        this.seen(e.group, e.generation);
        const byTp = owners.get(e.group);
        if (byTp === undefined) return;
        const kept = new Set(e.members);
        for (const who of byTp.values()) {
          for (const m of [...who.keys()]) {
            if (kept.has(m)) continue;
            who.delete(m);
            this.markRemoved(m, e.group);
          }
        }
        return;
      }
      case 'Left':
        this.releaseAll(e.member);
        joined.delete(e.member);
        return;
      case 'Revoked':
        for (const tp of e.partitions) this.ownersOf(e.group, tp).delete(e.member);
        return;
      case 'Assigned': {
        if (removed.has(e.member)) return;
        for (const tp of e.partitions) {
          const who = this.ownersOf(e.group, tp);
          for (const [other, since] of who) {
            if (other === e.member) continue;
            const otherJoined = joined.get(other);
            if (!this.s.coordinatorView.has(e.group) && otherJoined !== undefined && otherJoined < e.generation) continue; // rule 6
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
  }

  finish(): readonly Violation[] {
    return byFirstEvent([...this.s.out]);
  }
}

export const cooperativeHandoff = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim: 'A partition is assigned to a member only after every other member of its group has revoked it, lost it, left or been removed.',
  reference: 'kafka-protocol.md §3.2, Appendix S2; KIP-429',
  monitor: () => new CooperativeHandoffMonitor(),
});
