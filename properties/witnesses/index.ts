/**
 * Witnesses ("sometimes" properties, Stateright/Antithesis style): states a meaningful search
 * must reach. Each counts how often its situation occurs in one history; the search sums them
 * over runs, and the test suite fails when the default search never reaches one, because a
 * green matrix over runs that never got there would prove nothing (issue 5, item 3).
 */
import type { History } from '../../models/history.ts';

export interface Witness {
  readonly name: string;
  /** The situation, as a sentence. */
  readonly situation: string;
  /** How many times the situation occurs in the history. */
  readonly count: (history: History) => number;
}

/** A commit is in flight (requested, not yet answered) when its group's rebalance starts. */
export const commitInFlightDuringRebalance: Witness = {
  name: 'commitInFlightDuringRebalance',
  situation: 'a commit is in flight when a rebalance of its group starts',
  count: (h) => {
    const open = new Map<string, string>(); // member#seq -> group
    let n = 0;
    for (const e of h) {
      if (e.type === 'CommitRequested') {
        open.set(`${e.member}#${e.seq}`, e.group);
      } else if (e.type === 'CommitResult') {
        open.delete(`${e.member}#${e.seq}`);
      } else if (e.type === 'Crashed') {
        for (const k of [...open.keys()]) if (k.startsWith(`${e.member}#`)) open.delete(k);
      } else if (e.type === 'RebalanceStarted') {
        for (const g of open.values()) if (g === e.group) n++;
      }
    }
    return n;
  },
};

/** A member processes a record after the coordinator removed it (a zombie, kafka-protocol.md §2.10). */
export const zombieProcessing: Witness = {
  name: 'zombieProcessing',
  situation: 'a member processes a record after the coordinator removed it from the group',
  count: (h) => {
    const removed = new Set<string>();
    let n = 0;
    for (const e of h) {
      if (e.type === 'MemberRemoved' && e.reason !== 'leave') removed.add(e.member);
      else if ((e.type === 'Joined' || e.type === 'Revoked') && removed.has(e.member)) removed.delete(e.member);
      else if (e.type === 'Processed' && removed.has(e.member)) n++;
    }
    return n;
  },
};

/** A rebalance starts while some member of the group is paused (stop-the-world). */
export const rebalanceWithPausedMember: Witness = {
  name: 'rebalanceWithPausedMember',
  situation: 'a rebalance starts while a member of the group is paused',
  count: (h) => {
    const group = new Map<string, string>();
    const paused = new Set<string>();
    let n = 0;
    for (const e of h) {
      if (e.type === 'Started') group.set(e.member, e.group);
      else if (e.type === 'Paused') paused.add(e.member);
      else if (e.type === 'Resumed' || e.type === 'Crashed') paused.delete(e.member);
      else if (e.type === 'RebalanceStarted' && [...paused].some((m) => group.get(m) === e.group)) n++;
    }
    return n;
  },
};

/** The coordinator rejects a commit (fencing is exercised, §1.11). */
export const commitRejected: Witness = {
  name: 'commitRejected',
  situation: 'the coordinator rejects a commit',
  // A commit the client failed itself (`local`, §2.7) never reached the coordinator.
  count: (h) => h.reduce((n, e) => n + (e.type === 'CommitResult' && e.error !== 'NONE' && e.error !== 'REQUEST_TIMED_OUT' && e.local === undefined ? 1 : 0), 0),
};

/**
 * A classic member failed a commit itself, sending nothing, because it was not STABLE: a
 * cooperative member's commitSync during its background re-join (kafka-protocol.md §2.7,
 * ConsumerCoordinator.sendOffsetCommitRequest: RebalanceInProgressException).
 */
export const commitFailedLocally: Witness = {
  name: 'commitFailedLocally',
  situation: 'a member fails a commit locally (not STABLE), no OffsetCommit sent',
  count: (h) => h.reduce((n, e) => n + (e.type === 'CommitResult' && e.local !== undefined ? 1 : 0), 0),
};

/**
 * An ambiguous commit (issue 3, item 7): the coordinator stored the commit, but the member saw
 * no answer (a lost response, request.timeout.ms): its CommitResult is REQUEST_TIMED_OUT although
 * an OffsetsStored of the same member and offsets lies between its request and that result.
 */
export const ambiguousCommit: Witness = {
  name: 'ambiguousCommit',
  situation: 'a commit is stored by the coordinator while its member sees it time out',
  count: (h) => {
    const same = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean => {
      const ka = Object.keys(a);
      return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
    };
    const open = new Map<string, { offsets: Readonly<Record<string, number>>; stored: boolean }>(); // member#seq
    let n = 0;
    for (const e of h) {
      if (e.type === 'CommitRequested') open.set(`${e.member}#${e.seq}`, { offsets: e.offsets, stored: false });
      else if (e.type === 'OffsetsStored') {
        for (const [k, c] of open) if (!c.stored && k.startsWith(`${e.member}#`) && same(c.offsets, e.offsets)) c.stored = true;
      } else if (e.type === 'CommitResult') {
        const c = open.get(`${e.member}#${e.seq}`);
        open.delete(`${e.member}#${e.seq}`);
        if (c?.stored === true && e.error === 'REQUEST_TIMED_OUT') n++;
      }
    }
    return n;
  },
};

/**
 * The coordinator moves while its group rebalances (between RebalanceStarted and the next
 * GroupStable): the rebalance is lost and the rebuilt group is the last Stable one (§1.2).
 */
export const coordinatorMovedMidRebalance: Witness = {
  name: 'coordinatorMovedMidRebalance',
  situation: 'the coordinator moves while its group is rebalancing',
  count: (h) => {
    const rebalancing = new Set<string>();
    let n = 0;
    for (const e of h) {
      if (e.type === 'RebalanceStarted') rebalancing.add(e.group);
      else if (e.type === 'GroupStable') rebalancing.delete(e.group);
      else if (e.type === 'CoordinatorMoved' && rebalancing.has(e.group)) n++;
    }
    return n;
  },
};

/** A member crashes while records it polled are not yet processed (the window of loss and replay). */
export const crashMidBatch: Witness = {
  name: 'crashMidBatch',
  situation: 'a member crashes with polled records not yet processed',
  count: (h) => {
    const pending = new Map<string, number>();
    let n = 0;
    for (const e of h) {
      if (e.type === 'Polled') pending.set(e.member, (pending.get(e.member) ?? 0) + e.offsets.length);
      else if (e.type === 'Processed') pending.set(e.member, (pending.get(e.member) ?? 0) - 1);
      else if (e.type === 'Revoked') pending.set(e.member, 0);
      else if (e.type === 'Crashed' && (pending.get(e.member) ?? 0) > 0) n++;
    }
    return n;
  },
};

/**
 * A restarted static member takes over its old place without a rebalance (KIP-345, §1.9): after a
 * `StaticMemberReplaced`, the new incarnation is `Assigned` in the same generation.
 */
export const staticRejoinWithoutRebalance: Witness = {
  name: 'staticRejoinWithoutRebalance',
  situation: 'a restarted static member gets its old assignment back in the same generation (no rebalance)',
  count: (h) => {
    const replacedIn = new Map<string, number>();
    let n = 0;
    for (const e of h) {
      if (e.type === 'StaticMemberReplaced') replacedIn.set(e.member, e.generation);
      else if (e.type === 'Assigned' && replacedIn.get(e.member) === e.generation) {
        replacedIn.delete(e.member);
        n++;
      }
    }
    return n;
  },
};

/** An older incarnation of a static member is fenced (FENCED_INSTANCE_ID, §1.9). */
export const fencedInstance: Witness = {
  name: 'fencedInstance',
  situation: 'an old incarnation of a static member is fenced (FENCED_INSTANCE_ID)',
  count: (h) => h.reduce((n, e) => n + (e.type === 'Fenced' ? 1 : 0), 0),
};

/**
 * max.poll.interval.ms expires and the member's later commit is rejected (§2.3): it left the
 * group, and a commit it makes before rejoining gets an error.
 */
export const pollTimeoutLeave: Witness = {
  name: 'pollTimeoutLeave',
  situation: 'a member exceeds max.poll.interval.ms, leaves, and its next commit is rejected',
  count: (h) => {
    const timedOut = new Set<string>();
    let n = 0;
    for (const e of h) {
      if (e.type === 'PollTimeoutExpired') timedOut.add(e.member);
      else if (e.type === 'Joined') timedOut.delete(e.member);
      else if (e.type === 'CommitResult' && timedOut.has(e.member) && e.error !== 'NONE') {
        timedOut.delete(e.member);
        n++;
      }
    }
    return n;
  },
};

/** Partitions are added to a topic and a rebalance of a group follows (the leader saw the metadata change). */
export const partitionsAddedRebalance: Witness = {
  name: 'partitionsAddedRebalance',
  situation: 'partitions are added and a rebalance follows',
  count: (h) => {
    let pending = false;
    let n = 0;
    for (const e of h) {
      if (e.type === 'PartitionsAdded') pending = true;
      else if (e.type === 'RebalanceStarted' && pending) {
        pending = false;
        n++;
      }
    }
    return n;
  },
};

/**
 * A partition first positioned after partitions were added is reset to latest past records
 * already in it: auto.offset.reset=latest skipped them (KAFKA-12261, §2.8).
 */
export const newPartitionSkipped: Witness = {
  name: 'newPartitionSkipped',
  situation: 'a partition added while the group ran is positioned at latest past records produced to it',
  count: (h) => {
    const positionedBefore = new Set<string>();
    let added = false;
    let n = 0;
    for (const e of h) {
      if (e.type === 'PartitionsAdded') added = true;
      else if (e.type === 'Positioned') {
        if (added && !positionedBefore.has(e.tp) && e.source === 'reset-latest' && e.offset > 0) n++;
        positionedBefore.add(e.tp);
      }
    }
    return n;
  },
};

/**
 * A member processes a record while its own rebalance is in progress: it joined a new generation
 * still owning partitions and has not yet applied that generation's assignment (KIP-429: a
 * cooperative member keeps consuming through the rebalance, §2.4). Eager members revoke
 * everything before JoinGroup, so they never get here.
 */
export const cooperativeRevokeInProgress: Witness = {
  name: 'cooperativeRevokeInProgress',
  situation: 'a member processes a record after joining a new generation and before applying its assignment (cooperative rebalance)',
  count: (h) => {
    const owned = new Map<string, Set<string>>();
    const rebalancing = new Set<string>();
    let n = 0;
    for (const e of h) {
      if (e.type === 'Assigned') {
        const set = owned.get(e.member) ?? new Set<string>();
        for (const tp of e.partitions) set.add(tp);
        owned.set(e.member, set);
        rebalancing.delete(e.member);
      } else if (e.type === 'Revoked') {
        for (const tp of e.partitions) owned.get(e.member)?.delete(tp);
        if (e.reason !== 'rebalance') rebalancing.delete(e.member);
      } else if (e.type === 'Crashed' || e.type === 'Left') {
        owned.delete(e.member);
        rebalancing.delete(e.member);
      } else if (e.type === 'Joined' && (owned.get(e.member)?.size ?? 0) > 0) {
        rebalancing.add(e.member);
      } else if (e.type === 'Processed' && rebalancing.has(e.member)) {
        n++;
      }
    }
    return n;
  },
};

export const WITNESSES: readonly Witness[] = [
  commitInFlightDuringRebalance,
  zombieProcessing,
  rebalanceWithPausedMember,
  commitRejected,
  commitFailedLocally,
  crashMidBatch,
  ambiguousCommit,
  coordinatorMovedMidRebalance,
  staticRejoinWithoutRebalance,
  fencedInstance,
  pollTimeoutLeave,
  partitionsAddedRebalance,
  newPartitionSkipped,
  cooperativeRevokeInProgress,
];
