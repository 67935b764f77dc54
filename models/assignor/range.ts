/**
 * Kafka's RangeAssignor (kafka-protocol.md §3.1): per topic, the partitions in numeric order are cut
 * into contiguous ranges over the members subscribed to that topic, sorted by member id; the first
 * `n % m` members get one extra. Imbalance accumulates across topics, by design.
 * Not modelled: static membership (Kafka sorts by group.instance.id when set) and rack awareness (KIP-881).
 */
import { tpKey } from '../types.ts';
import { compareStrings, emptyAssignment, subscribedTopics, type Assignor } from './types.ts';

export const rangeAssign: Assignor = (members, partitionsPerTopic) => {
  const assignment = emptyAssignment(members);
  for (const topic of subscribedTopics(members, partitionsPerTopic)) {
    const n = partitionsPerTopic[topic] ?? 0;
    const subscribers = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort(compareStrings);
    const quota = Math.floor(n / subscribers.length);
    const extra = n % subscribers.length;
    subscribers.forEach((memberId, i) => {
      const start = quota * i + Math.min(i, extra);
      const length = quota + (i < extra ? 1 : 0);
      for (let p = start; p < start + length; p++) assignment[memberId]?.push(tpKey(topic, p));
    });
  }
  // Topics were visited in sorted order and partitions ascending, so each list is already sorted.
  return assignment;
};
