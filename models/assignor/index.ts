/**
 * The assignor registry and the coordinator's protocol vote (kafka-protocol.md §1.5, §3.1).
 * Not here: KIP-848 server-side assignors.
 */
import type { AssignorName } from '../types.ts';
import { rangeAssign } from './range.ts';
import { roundRobinAssign } from './roundRobin.ts';
import { cooperativeStickyAssign, stickyAssign } from './sticky.ts';
import type { Assignment, Assignor, AssignorMember } from './types.ts';

export type { Assignment, Assignor, AssignorMember } from './types.ts';
export { rangeAssign } from './range.ts';
export { roundRobinAssign } from './roundRobin.ts';
export { cooperativeStickyAssign, cooperativeStickyPlan, minimalMoves, resolveClaims, stickyAssign } from './sticky.ts';

export const ASSIGNORS: Readonly<Record<AssignorName, Assignor>> = Object.freeze({
  range: rangeAssign,
  roundrobin: roundRobinAssign,
  sticky: stickyAssign,
  'cooperative-sticky': cooperativeStickyAssign,
});

export function assign(
  name: AssignorName,
  members: readonly AssignorMember[],
  partitionsPerTopic: Readonly<Record<string, number>>,
): Assignment {
  return ASSIGNORS[name](members, partitionsPerTopic);
}

/**
 * The classic coordinator's `selectProtocol` (§1.5). `preferences` holds one list per member, most
 * preferred first. The candidates are the protocols every member supports; each member votes for its
 * most preferred candidate; the plurality wins. Kafka breaks ties by hash-map order, which is
 * arbitrary; here a tie goes to the tied protocol that comes first in the first member's list, so the
 * result is deterministic. Returns null when there are no members or no protocol common to all
 * (a joiner would get INCONSISTENT_GROUP_PROTOCOL).
 */
export function selectProtocol(preferences: readonly (readonly string[])[]): string | null {
  const [first, ...rest] = preferences;
  if (first === undefined) return null;
  const candidates = first.filter((p) => rest.every((list) => list.includes(p)));
  if (candidates.length === 0) return null;
  const votes = new Map<string, number>();
  for (const list of preferences) {
    const vote = list.find((p) => candidates.includes(p));
    if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
  }
  let winner: string | null = null;
  let most = 0;
  // `candidates` keeps the first member's order, and only a strictly larger count replaces the winner.
  for (const p of candidates) {
    const count = votes.get(p) ?? 0;
    if (count > most) [winner, most] = [p, count];
  }
  return winner;
}
