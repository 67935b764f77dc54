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
  count: (h) => h.reduce((n, e) => n + (e.type === 'CommitResult' && e.error !== 'NONE' ? 1 : 0), 0),
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
  crashMidBatch,
  cooperativeRevokeInProgress,
];
