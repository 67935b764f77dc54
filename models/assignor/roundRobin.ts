/**
 * Kafka's RoundRobinAssignor (kafka-protocol.md §3.1): every subscribed topic-partition (topics sorted
 * by name, partitions ascending) is dealt in turn to the members sorted by member id, skipping members
 * not subscribed to that partition's topic. The turn carries over from one topic to the next.
 * Balanced within one partition when all subscriptions are identical; not sticky.
 * Not modelled: static membership (Kafka sorts by group.instance.id when set).
 */
import { tpKey } from '../types.ts';
import { compareStrings, emptyAssignment, subscribedTopics, type Assignor } from './types.ts';

export const roundRobinAssign: Assignor = (members, partitionsPerTopic) => {
  const assignment = emptyAssignment(members);
  const sorted = [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
  let turn = 0;
  for (const topic of subscribedTopics(members, partitionsPerTopic)) {
    const n = partitionsPerTopic[topic] ?? 0;
    for (let p = 0; p < n; p++) {
      // Someone subscribes to `topic` (subscribedTopics says so), so this loop ends within one lap.
      while (!sorted[turn % sorted.length]?.topics.includes(topic)) turn++;
      const member = sorted[turn % sorted.length];
      if (member !== undefined) assignment[member.memberId]?.push(tpKey(topic, p));
      turn++;
    }
  }
  return assignment;
};
