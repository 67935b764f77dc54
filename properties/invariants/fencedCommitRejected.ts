/**
 * fencedCommitRejected: a commit from a member whose generation has ended is never accepted
 * (kafka-protocol.md §1.3 generation rules, §1.11 OffsetCommit acceptance, Appendix S3).
 *
 * Two rules, each a 'zombie-commit':
 *
 * (a) Coordinator view. For an `OffsetsStored` of group G, let L be the latest
 *     `GenerationStarted` of G before it.
 *     - generation g ≥ 0: a violation if there is no L (the group does not exist, §1.11 rule 2),
 *       if L.generation ≠ g, if the member is not in L.members, or if a `MemberRemoved` of that
 *       member in G came after L (a removed member gets UNKNOWN_MEMBER_ID, §1.11, S3; the
 *       last clause is our reading of S3 "never from a removed member").
 *     A `StaticMemberReplaced` (KIP-345, §1.9) of G in L's generation makes the new incarnation a
 *     member of L and counts as the removal of the previous one, which is fenced from then on.
 *     - generation g < 0 (manual `assign()` commits): accepted only while the group does not
 *       exist or is Empty, i.e. a violation unless there is no L or L.members is [] (§1.11 rule 4).
 *
 * (b) Client view (needs no coordinator events). A `CommitResult` with error 'NONE' whose
 *     matching `CommitRequested` (same member and seq) was sent after a `Joined` of any member
 *     of the same group with a generation greater than the request's: the join phase of a later
 *     generation had completed, so the request's generation was already stale (§1.3) and §1.11
 *     rule 5 requires ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID. Only requests with
 *     generation ≥ 0 are checked; a result with no matching request is ignored.
 *
 * (c) Coordinator failover (kafka-protocol.md §1.2, §1.10). Between a `CoordinatorMoved` of G and
 *     the next `GroupLoaded` of G no coordinator owns the group: the old one unloaded it and
 *     answers NOT_COORDINATOR, the new one answers COORDINATOR_LOAD_IN_PROGRESS. An
 *     `OffsetsStored` of G in that window is a commit stored by a coordinator of a stale epoch.
 *
 * Failover: a `GroupLoaded` makes its generation and members the group's current ones for (a)
 * (the rebuilt group may be a generation *older* than the last GenerationStarted: a rebalance
 * in progress is lost, §1.2), and clears what (b) knows of later joins of that group.
 *
 * Indeterminate results: (b) judges only results 'NONE'. A 'REQUEST_TIMED_OUT' result may or may
 * not have been applied; a correct coordinator rejects a stale commit whatever the client saw, so
 * flagging it would be a false alarm. Where the coordinator's side is in the history, (a) and (c)
 * judge what it actually stored.
 *
 * KIP-848 groups (the coordinator reports `MemberEpochAssigned`; kafka-protocol.md §1.11, §3.3) have
 * no generations: each member has its own epoch, and a member still revoking keeps its old one while
 * others move on. There the rules read:
 *
 * (a') For an `OffsetsStored` of member m with epoch e ≥ 0: a violation unless m's latest
 *      `MemberEpochAssigned` has epoch e and no `MemberRemoved` of m came after it (an unknown
 *      member gets UNKNOWN_MEMBER_ID, any other epoch STALE_MEMBER_EPOCH). With e < 0: a violation
 *      unless the group has no members.
 * (b') Rule (b) does not apply: a later join says nothing about another member's epoch. Commits of
 *      a group are skipped once its coordinator has reported a `MemberEpochAssigned` (the history
 *      has no client-side mark of the protocol, so a client-only history of KIP-848 members would
 *      still be judged by rule (b)).
 * (c') Rule (c) holds as it is: no commit is stored between a `CoordinatorMoved` and the next
 *      `GroupLoaded`. Every change of a KIP-848 group is persisted with the answer that reveals it
 *      (ConsumerGroupCurrentMemberAssignment records, kafka-protocol.md §3.3), so the loaded group
 *      keeps its members and their epochs: a `GroupLoaded` keeps the epochs of the members it
 *      lists (and forgets any other), and (a') goes on from there.
 *
 * KIP-848 groups (the coordinator reports `MemberEpochAssigned`; kafka-protocol.md §1.11, §3.3) have
 * no generations: each member has its own epoch, and a member still revoking keeps its old one while
 * others move on. There the rules read:
 *
 * (a') For an `OffsetsStored` of member m with epoch e ≥ 0: a violation unless m's latest
 *      `MemberEpochAssigned` has epoch e and no `MemberRemoved` of m came after it (an unknown
 *      member gets UNKNOWN_MEMBER_ID, any other epoch STALE_MEMBER_EPOCH). With e < 0: a violation
 *      unless the group has no members.
 * (b') Rule (b) does not apply: a later join says nothing about another member's epoch. Commits of
 *      a group are skipped once its coordinator has reported a `MemberEpochAssigned` (the history
 *      has no client-side mark of the protocol, so a client-only history of KIP-848 members would
 *      still be judged by rule (b)).
 *
 * What is not checked: CompletingRebalance (REBALANCE_IN_PROGRESS) is invisible in the history.
 * Known limit: a history with client events only cannot show a failover that lost a rebalance, so
 * (b) may then flag a commit the rebuilt coordinator rightly accepted (record `GroupLoaded`).
 *
 * Monitor state: per group its latest GenerationStarted (with the members removed since) and its
 * highest Joined; per (member, seq) only the *stale* requests (those rule (b) can flag). A
 * request sent in the newest joined generation cannot be flagged, so it is not kept: without
 * this, a per-message committer would keep one entry per commit.
 */
import type { HistoryEvent } from '../../models/history.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, indices, names } from './support.ts';

const NAME = 'fencedCommitRejected';

interface Generation {
  readonly generation: number;
  /** Grows when a static member is replaced within the generation. */
  readonly members: Set<string>;
  readonly index: number;
  /** member → index of a MemberRemoved after this GenerationStarted. */
  readonly removed: Map<string, number>;
}

interface LaterJoin {
  readonly generation: number;
  readonly member: string;
  readonly index: number;
}

interface PendingRequest {
  readonly index: number;
  readonly generation: number;
  /** The highest-generation Joined of the group before the request, if newer than it. */
  readonly laterJoin: LaterJoin | undefined;
}

/** `offsets t-0@3, t-1@5`, or `no offsets` for an empty commit. */
const fmtOffsets = (offsets: Readonly<Record<string, number>>): string => {
  const list = Object.entries(offsets).map(([tp, o]) => `${tp}@${o}`);
  return list.length === 0 ? 'no offsets' : `offsets ${list.join(', ')}`;
};

/** Rule (c): an OffsetsStored between a CoordinatorMoved of its group and the next GroupLoaded. */
const failoverViolation = (e: Extract<HistoryEvent, { type: 'OffsetsStored' }>, movedAt: number, i: number, epochName: string): Violation => ({
  invariant: NAME,
  kind: 'zombie-commit',
  message: `Group ${e.group} stored ${fmtOffsets(e.offsets)} from ${e.member} with ${epochName} ${e.generation} after its coordinator moved and before the new one loaded it: a coordinator of a stale epoch wrote it.`,
  events: indices(movedAt, i),
  evidence: { view: 'failover', group: e.group, member: e.member, generation: e.generation, offsets: e.offsets },
});

interface State {
  readonly out: Violation[];
  /** group → latest GenerationStarted */
  readonly latest: Map<string, Generation>;
  /** group → highest-generation Joined so far */
  readonly maxJoined: Map<string, LaterJoin>;
  /** member \0 seq → stale request (laterJoin set) */
  readonly requests: Map<string, PendingRequest>;
  /** group → index of its CoordinatorMoved, until its GroupLoaded */
  readonly moved: Map<string, number>;
  /** KIP-848 group → member → its current epoch and the event that set it */
  readonly epochs: Map<string, Map<string, { epoch: number; index: number }>>;
}

class FencedCommitMonitor extends StateMonitor<State> {
  constructor() {
    super({ out: [], latest: new Map(), maxJoined: new Map(), requests: new Map(), moved: new Map(), epochs: new Map() });
  }

  step(e: HistoryEvent, i: number): void {
    const { out, latest, maxJoined, requests, moved, epochs } = this.s;
    if (e.type === 'MemberEpochAssigned') {
      let members = epochs.get(e.group);
      if (members === undefined) epochs.set(e.group, (members = new Map()));
      members.set(e.member, { epoch: e.epoch, index: i });
    } else if (e.type === 'OffsetsStored' && epochs.has(e.group)) {
      const movedAt = moved.get(e.group);
      if (movedAt !== undefined) {
        // Rule (c), for a KIP-848 group.
        out.push(failoverViolation(e, movedAt, i, 'member epoch'));
        return;
      }
      // Rule (a').
      const members = epochs.get(e.group) as Map<string, { epoch: number; index: number }>;
      const current = members.get(e.member);
      let reason: string | undefined;
      if (e.generation >= 0 && current === undefined) reason = `${e.member} is not a member of the group`;
      else if (e.generation >= 0 && current !== undefined && current.epoch !== e.generation) reason = `its member epoch was ${current.epoch}`;
      else if (e.generation < 0 && members.size > 0) reason = `the group had members (${names([...members.keys()])})`;
      if (reason !== undefined) {
        out.push({
          invariant: NAME,
          kind: 'zombie-commit',
          message: `The coordinator of group ${e.group} stored ${fmtOffsets(e.offsets)} from ${e.member} with member epoch ${e.generation} although ${reason}.`,
          events: indices(current?.index, i),
          evidence: { view: 'coordinator', group: e.group, member: e.member, generation: e.generation, memberEpoch: current?.epoch ?? null, offsets: e.offsets },
        });
      }
    } else if (e.type === 'GenerationStarted') {
      latest.set(e.group, { generation: e.generation, members: new Set(e.members), index: i, removed: new Map() });
    } else if (e.type === 'CoordinatorMoved') {
      moved.set(e.group, i);
    } else if (e.type === 'GroupLoaded') {
      moved.delete(e.group);
      // A KIP-848 group comes back with its members' epochs (rule (c')): only those it lists remain.
      const members = epochs.get(e.group);
      if (members !== undefined) for (const m of [...members.keys()]) if (!e.members.includes(m)) members.delete(m);
      latest.set(e.group, { generation: e.generation, members: new Set(e.members), index: i, removed: new Map() });
      maxJoined.delete(e.group);
    } else if (e.type === 'MemberRemoved') {
      epochs.get(e.group)?.delete(e.member);
      const gen = latest.get(e.group);
      if (gen !== undefined && !gen.removed.has(e.member)) gen.removed.set(e.member, i);
    } else if (e.type === 'StaticMemberReplaced') {
      // KIP-848: the replaced incarnation is no longer a member (its id is unknown from now on).
      epochs.get(e.group)?.delete(e.previous);
      const gen = latest.get(e.group);
      if (gen !== undefined && gen.generation === e.generation) {
        gen.members.add(e.member);
        if (!gen.removed.has(e.previous)) gen.removed.set(e.previous, i);
      }
    } else if (e.type === 'OffsetsStored') {
      // Rule (a).
      const gen = latest.get(e.group);
      const what = fmtOffsets(e.offsets);
      let reason: string | undefined;
      let removedAt: number | undefined;
      const movedAt = moved.get(e.group);
      if (movedAt !== undefined) {
        // Rule (c).
        out.push(failoverViolation(e, movedAt, i, 'generation'));
        return;
      }
      if (e.generation >= 0) {
        if (gen === undefined) {
          reason = 'no generation of the group had started';
        } else if (gen.generation !== e.generation) {
          reason = `the group was in generation ${gen.generation}`;
        } else if (!gen.members.has(e.member)) {
          reason = `${e.member} is not a member of that generation (members: ${names([...gen.members]) || 'none'})`;
        } else if (gen.removed.has(e.member)) {
          removedAt = gen.removed.get(e.member);
          reason = `${e.member} had been removed from the group`;
        }
      } else if (gen !== undefined && gen.members.size > 0) {
        reason = `the group was not Empty in generation ${gen.generation} (members: ${names([...gen.members])})`;
      }
      if (reason !== undefined) {
        out.push({
          invariant: NAME,
          kind: 'zombie-commit',
          message: `The coordinator of group ${e.group} stored ${what} from ${e.member} with generation ${e.generation} although ${reason}.`,
          events: indices(gen?.index, removedAt, i),
          evidence: {
            view: 'coordinator',
            group: e.group,
            member: e.member,
            generation: e.generation,
            groupGeneration: gen?.generation ?? null,
            offsets: e.offsets,
          },
        });
      }
    } else if (e.type === 'Joined') {
      const best = maxJoined.get(e.group);
      if (best === undefined || e.generation > best.generation) {
        maxJoined.set(e.group, { generation: e.generation, member: e.member, index: i });
      }
    } else if (e.type === 'CommitRequested') {
      const best = maxJoined.get(e.group);
      const laterJoin = e.generation >= 0 && best !== undefined && best.generation > e.generation ? best : undefined;
      const k = `${e.member}\u0000${e.seq}`;
      if (laterJoin === undefined) requests.delete(k);
      else requests.set(k, { index: i, generation: e.generation, laterJoin });
    } else if (e.type === 'CommitResult') {
      // Rule (b).
      const request = requests.get(`${e.member}\u0000${e.seq}`);
      if (e.error !== 'NONE' || request === undefined || request.laterJoin === undefined || epochs.has(e.group)) return;
      const join = request.laterJoin;
      out.push({
        invariant: NAME,
        kind: 'zombie-commit',
        message: `The commit seq ${e.seq} of ${e.member} in group ${e.group} (${fmtOffsets(e.offsets)}, generation ${request.generation}) was accepted although ${join.member} had already joined generation ${join.generation} before it was sent.`,
        events: indices(join.index, request.index, i),
        evidence: {
          view: 'client',
          group: e.group,
          member: e.member,
          generation: request.generation,
          laterGeneration: join.generation,
          joinedMember: join.member,
          seq: e.seq,
          offsets: e.offsets,
        },
      });
    }
  }

  finish(): readonly Violation[] {
    return byFirstEvent([...this.s.out]);
  }
}

/** Accepted commits of fenced members, from the coordinator's and the clients' views. */
export const fencedCommitRejected = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim:
    'A commit from a member whose generation has ended (a later join phase completed, or the member was removed) is never accepted.',
  reference: 'kafka-protocol.md §1.3, §1.11, Appendix S3',
  monitor: () => new FencedCommitMonitor(),
});
