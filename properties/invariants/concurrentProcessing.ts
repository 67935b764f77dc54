/**
 * concurrentProcessing: two members of one group processing one partition at the same time.
 *
 * This is a report, not a bug in Kafka: the classic protocol's ownership is a coordinator-side
 * notion, and during the zombie window an expired member keeps processing until a response tells
 * it otherwise while the new owner already processes the same partition (kafka-protocol.md §2.10,
 * §1.12 "No real-time exclusivity"). Beside zombie-commit (fencedCommitRejected) it shows how
 * often and how long that window opens.
 *
 * Scope: per (group, tp). A `ProcessStarted` of member m on tp opens m's processing interval on
 * tp; a `Processed` of m on tp, or a `Crashed`/`Left` of m, closes it (a `Revoked` does not: the
 * application may still be inside its handler). One violation per `ProcessStarted` that begins
 * while other members of the same group have an open interval on tp, naming all of them.
 *
 * Monitor state: the open intervals and the groups of members heard of within the horizon
 * (CheckContext.horizon); a member silent for longer is forgotten, which closes its intervals.
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, GroupDirectory, horizonOf, indices, MemberClock, names } from './support.ts';

const NAME = 'concurrentProcessing';

interface Open {
  readonly offset: number;
  readonly index: number;
}

interface State {
  readonly out: Violation[];
  /** group \0 tp → member → open interval (emptied entries are removed). */
  readonly open: Map<string, Map<string, Open>>;
  /** member → keys it has open. */
  readonly byMember: Map<string, Set<string>>;
}

const key = (group: string, tp: TopicPartition): string => `${group}\u0000${tp}`;

/** State: the open processing intervals only (at most one per member and partition). */
class ConcurrentMonitor extends StateMonitor<State> {
  private groups = new GroupDirectory();
  private clock: MemberClock;

  constructor(horizon: number) {
    super({ out: [], open: new Map(), byMember: new Map() });
    this.clock = new MemberClock(horizon);
  }

  private closeOne(member: string, k: string): void {
    const intervals = this.s.open.get(k);
    if (intervals !== undefined) {
      intervals.delete(member);
      if (intervals.size === 0) this.s.open.delete(k);
    }
    const mine = this.s.byMember.get(member);
    if (mine !== undefined) {
      mine.delete(k);
      if (mine.size === 0) this.s.byMember.delete(member);
    }
  }

  step(e: HistoryEvent, i: number): void {
    this.clock.touch(e, i);
    for (const m of this.clock.sweep(i)) {
      for (const k of [...(this.s.byMember.get(m) ?? [])]) this.closeOne(m, k);
      this.groups.forget(m);
    }
    this.groups.observe(e);
    const { open, byMember } = this.s;
    if (e.type === 'ProcessStarted') {
      const group = this.groups.groupOf(e.member);
      const k = key(group, e.tp);
      let intervals = open.get(k);
      if (intervals === undefined) open.set(k, (intervals = new Map()));
      const others = [...intervals].filter(([member]) => member !== e.member);
      if (others.length > 0) {
        const members = [...others.map(([member]) => member), e.member];
        const offsets = [...others.map(([, o]) => o.offset), e.offset];
        const busy = others.map(([member, o]) => `${member} (offset ${o.offset})`);
        this.s.out.push({
          invariant: NAME,
          kind: 'concurrent-processing',
          message: `Member ${e.member} of group ${group} started processing ${e.tp}@${e.offset} while ${names(busy)} ${others.length === 1 ? 'was' : 'were'} still processing that partition.`,
          events: indices(...others.map(([, o]) => o.index), i),
          evidence: { group, tp: e.tp, members, offsets },
        });
      }
      intervals.set(e.member, { offset: e.offset, index: i });
      let mine = byMember.get(e.member);
      if (mine === undefined) byMember.set(e.member, (mine = new Set()));
      mine.add(k);
    } else if (e.type === 'Processed') {
      this.closeOne(e.member, key(this.groups.groupOf(e.member), e.tp));
    } else if (e.type === 'Crashed' || e.type === 'Left') {
      for (const k of [...(byMember.get(e.member) ?? [])]) this.closeOne(e.member, k);
    }
  }

  finish(): readonly Violation[] {
    return byFirstEvent([...this.s.out]);
  }
}

/** Overlapping processing of one partition by two members of one group. */
export const concurrentProcessing = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim:
    "No two members of one group process one partition at the same time; Kafka's classic protocol allows this during the zombie window (§2.10), so a violation is a report, not a bug.",
  reference: 'kafka-protocol.md §2.10, §1.12',
  monitor: (ctx) => new ConcurrentMonitor(horizonOf(ctx)),
});
