/**
 * Shared types of the client-side assignors (kafka-protocol.md §3.1): the group leader runs one of
 * them over every member's subscription and the topic metadata, and sends the result in SyncGroup.
 * Owned partitions and their generation travel in the subscription (KIP-429 `ownedPartitions`, the
 * sticky assignors' user data with a generation, KIP-341); range and round-robin ignore them.
 * Not here: rack ids.
 */
import type { TopicPartition } from '../types.ts';

/** One member as the leader sees it in the JoinGroup response: its id and subscribed topics. */
export interface AssignorMember {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** The partitions the member says it owns (KIP-429 `ownedPartitions`); absent means none. */
  readonly owned?: readonly TopicPartition[];
  /** The generation in which it received them (KAFKA-12984); -1 or absent when unknown. */
  readonly ownedGeneration?: number;
}

/** memberId -> its partitions, sorted by topic then partition; every member is present, possibly with []. */
export type Assignment = Record<string, TopicPartition[]>;

/**
 * A pure assignor. Topics missing from `partitionsPerTopic` are skipped, as Kafka skips topics it has
 * no metadata for. The result does not depend on the order of `members`.
 */
export type Assignor = (
  members: readonly AssignorMember[],
  partitionsPerTopic: Readonly<Record<string, number>>,
) => Assignment;

/** Code-unit order, like Java's `String.compareTo` (never `localeCompare`, which depends on the locale). */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** An empty list per member; throws if two members share an id. */
export function emptyAssignment(members: readonly AssignorMember[]): Assignment {
  const ids = new Set<string>();
  for (const { memberId } of members) {
    if (ids.has(memberId)) throw new Error(`Member id '${memberId}' appears twice in the assignor input`);
    ids.add(memberId);
  }
  // fromEntries defines own properties, so even a member id such as `__proto__` stays an ordinary key.
  return Object.fromEntries([...ids].map((id): [string, TopicPartition[]] => [id, []]));
}

/** The topics anyone subscribes to and has metadata for, sorted; throws on a bad partition count. */
export function subscribedTopics(
  members: readonly AssignorMember[],
  partitionsPerTopic: Readonly<Record<string, number>>,
): string[] {
  const topics = new Set(members.flatMap((m) => m.topics));
  for (const t of topics) {
    const n = Object.hasOwn(partitionsPerTopic, t) ? partitionsPerTopic[t] : undefined;
    if (n !== undefined && !(Number.isInteger(n) && n >= 0)) throw new Error(`Topic '${t}' has partition count ${n}; expected an integer >= 0`);
  }
  return [...topics].filter((t) => Object.hasOwn(partitionsPerTopic, t)).sort(compareStrings);
}
