/**
 * orderedWithinOwnership: inside one ownership episode, a member's polled offsets of a
 * partition are contiguous and increasing (kafka-protocol.md §4.2 C3, Appendix O1; the
 * anomaly names are Jepsen's, §5.2: 'poll-skip' forward, 'nonmonotonic-poll' backward).
 *
 * Scope: tracked per (member, partition, ownership episode); episodes are defined in
 * support.ts (OwnershipTracker). Per (member, tp) we keep the expected next offset:
 * 1. a `Positioned` inside the episode (initial position or a seek) sets it to its offset;
 * 2. each `Polled` must start at it and be consecutive inside (offsets[k+1] = offsets[k] + 1);
 *    afterwards it is the last polled offset + 1;
 * 3. a `Polled` while nothing is expected (no Positioned yet in the episode) just sets it;
 * 4. it is forgotten when the episode ends or a new one starts.
 * A first offset above the expected one is a 'poll-skip', below it a 'nonmonotonic-poll';
 * a gap or reversal inside one `Polled` counts the same way (Jepsen's int-poll-skip /
 * int-nonmonotonic-poll) with evidence.internal = true. Polls and positions outside any
 * episode are not judged here (processingOnlyOwned reports unowned processing).
 *
 * Monitor state: the open episodes and one expected offset per open (member, tp), for members
 * heard of within the horizon (CheckContext.horizon); a member silent for longer is forgotten,
 * so its polls after the silence are outside any episode, as for a member that never owned.
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { type AnomalyKind, defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, horizonOf, indices, MemberClock, OwnershipTracker } from './support.ts';

const NAME = 'orderedWithinOwnership';

interface Expected {
  readonly offset: number;
  /** Index of the event that set it (Positioned or the previous Polled). */
  readonly index: number;
}

function violation(
  member: string,
  tp: TopicPartition,
  expected: number,
  got: number,
  events: number[],
  internal: boolean,
): Violation {
  const kind: AnomalyKind = got > expected ? 'poll-skip' : 'nonmonotonic-poll';
  const how = got > expected ? `skipped ahead to ${got}` : `went back to ${got}`;
  const where = internal ? 'inside one poll' : 'in its next poll';
  return {
    invariant: NAME,
    kind,
    message: `Member ${member} expected offset ${expected} of ${tp} but ${how} ${where}, within one ownership.`,
    events,
    evidence: { member, tp, expected, got, internal },
  };
}

interface State {
  readonly out: Violation[];
  /** member → tp → expected next offset, only inside open episodes. */
  readonly expected: Map<string, Map<TopicPartition, Expected>>;
}

class OrderedMonitor extends StateMonitor<State> {
  private ownership = new OwnershipTracker();
  private clock: MemberClock;

  constructor(horizon: number) {
    super({ out: [], expected: new Map() });
    this.clock = new MemberClock(horizon);
  }

  private forget(member: string, tp: TopicPartition): void {
    const byTp = this.s.expected.get(member);
    if (byTp === undefined) return;
    byTp.delete(tp);
    if (byTp.size === 0) this.s.expected.delete(member);
  }

  private remember(member: string, tp: TopicPartition, value: Expected): void {
    let byTp = this.s.expected.get(member);
    if (byTp === undefined) this.s.expected.set(member, (byTp = new Map()));
    byTp.set(tp, value);
  }

  step(e: HistoryEvent, i: number): void {
    this.clock.touch(e, i);
    for (const m of this.clock.sweep(i)) {
      this.ownership.forget(m);
      this.s.expected.delete(m);
    }
    const change = this.ownership.apply(e, i);
    for (const ep of change.ended) this.forget(ep.member, ep.tp);
    for (const ep of change.started) this.forget(ep.member, ep.tp);

    if (e.type === 'Positioned') {
      if (this.ownership.current(e.member, e.tp) !== undefined) this.remember(e.member, e.tp, { offset: e.offset, index: i });
    } else if (e.type === 'Polled') {
      if (e.offsets.length === 0 || this.ownership.current(e.member, e.tp) === undefined) return;
      const out = this.s.out;
      const first = e.offsets[0]!;
      const before = this.s.expected.get(e.member)?.get(e.tp);
      if (before !== undefined && first !== before.offset) {
        out.push(violation(e.member, e.tp, before.offset, first, indices(before.index, i), false));
      }
      for (let k = 0; k + 1 < e.offsets.length; k++) {
        const want = e.offsets[k]! + 1;
        const got = e.offsets[k + 1]!;
        if (got !== want) out.push(violation(e.member, e.tp, want, got, [i], true));
      }
      this.remember(e.member, e.tp, { offset: e.offsets[e.offsets.length - 1]! + 1, index: i });
    }
  }

  finish(): readonly Violation[] {
    return byFirstEvent([...this.s.out]);
  }
}

/** Polled offsets jump or go back inside one ownership episode. */
export const orderedWithinOwnership = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim:
    "Inside one ownership episode, a member's polled offsets of a partition are contiguous and increasing, starting from its position.",
  reference: 'kafka-protocol.md §4.2 C3, §5.2 (poll-skip, nonmonotonic-poll), Appendix O1',
  monitor: (ctx) => new OrderedMonitor(horizonOf(ctx)),
});
