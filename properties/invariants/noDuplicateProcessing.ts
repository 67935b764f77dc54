/**
 * noDuplicateProcessing: within one group, each record is processed at most once, i.e.
 * exactly-once processing (kafka-protocol.md §5.2 :duplicate, here per processing rather than per
 * stored value; §4.4 `position == total_consumed` means no duplicates on a clean run).
 *
 * Scope: per (group, tp, offset), over `Processed` events; the group of a member comes from its
 * `Started` event, as the history goes (support.ts GroupDirectory). One violation per record
 * processed more than once, naming every Processed event and member. Kafka's consumer groups
 * only promise at-least-once, so under crashes and rebalances this claim is expected to fail;
 * duplicatesBounded states how much re-processing a policy allows.
 *
 * Monitor state, per (group, tp): the processed offsets as ranges (support.ts OffsetSet), the
 * records already processed twice, and the first processing (event index, member) of each record
 * that can still plausibly be processed again: one at or above the group's last accepted commit
 * on tp (a restart resumes there), or processed within the horizon (CheckContext.horizon; far
 * longer than a zombie keeps processing). Older details below the commit are dropped. If such a
 * record is processed again anyway (a seek below the commit, a commit that went back), it is still
 * reported, with its true count, but its first processing is missing from events and members and
 * evidence.firstProcessingForgotten is true. Member → group is kept for members heard of within
 * the horizon; a member silent for longer is forgotten (its later processing would count for
 * UNKNOWN_GROUP).
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, GroupDirectory, horizonOf, MemberClock, names, type OffsetSet, offsetSetAdd } from './support.ts';

const NAME = 'noDuplicateProcessing';
/** Details are pruned when a partition holds this many (then twice what survived). */
const PRUNE_MIN = 1024;

/** A record processed at least twice. */
interface Dup {
  readonly offset: number;
  readonly events: number[];
  readonly members: string[];
  /** True when the first processing was below the retention floor when this one came. */
  readonly forgotten: boolean;
}

interface Partition {
  readonly group: string;
  readonly tp: TopicPartition;
  readonly done: OffsetSet;
  /** offset → [index, member] of its first processing, while it may still matter. */
  readonly first: Map<number, readonly [number, string]>;
  pruneAt: number;
  readonly dups: Map<number, Dup>;
  /** Last accepted commit of the group on tp. */
  committed: number | undefined;
}

const pkey = (group: string, tp: TopicPartition): string => `${group}\u0000${tp}`;

class NoDuplicateMonitor extends StateMonitor<{ readonly parts: Map<string, Partition> }> {
  private groups = new GroupDirectory();
  private clock: MemberClock;

  constructor(private readonly horizon: number) {
    super({ parts: new Map() });
    this.clock = new MemberClock(horizon);
  }

  private part(group: string, tp: TopicPartition): Partition {
    const k = pkey(group, tp);
    let p = this.s.parts.get(k);
    if (p === undefined) {
      p = { group, tp, done: [], first: new Map(), pruneAt: PRUNE_MIN, dups: new Map(), committed: undefined };
      this.s.parts.set(k, p);
    }
    return p;
  }

  /** Drops details below the commit and older than the horizon (amortised: when `first` has grown). */
  private prune(p: Partition, i: number): void {
    const floor = p.committed;
    if (floor !== undefined) {
      const old = i - this.horizon;
      for (const [o, [at]] of p.first) if (o < floor && at < old) p.first.delete(o);
    }
    p.pruneAt = Math.max(PRUNE_MIN, 2 * p.first.size);
  }

  step(e: HistoryEvent, i: number): void {
    this.clock.touch(e, i);
    for (const m of this.clock.sweep(i)) this.groups.forget(m);
    this.groups.observe(e);
    if (e.type === 'Processed') {
      const p = this.part(this.groups.groupOf(e.member), e.tp);
      if (offsetSetAdd(p.done, e.offset)) {
        p.first.set(e.offset, [i, e.member]);
        if (p.first.size >= p.pruneAt) this.prune(p, i);
        return;
      }
      let d = p.dups.get(e.offset);
      if (d === undefined) {
        const f = p.first.get(e.offset);
        d = f === undefined ? { offset: e.offset, events: [], members: [], forgotten: true } : { offset: e.offset, events: [f[0]], members: [f[1]], forgotten: false };
        p.dups.set(e.offset, d);
      }
      d.events.push(i);
      d.members.push(e.member);
    } else if (e.type === 'CommitResult' && e.error === 'NONE') {
      for (const [tp, offset] of Object.entries(e.offsets)) this.part(e.group, tp).committed = offset;
    }
  }

  finish(): readonly Violation[] {
    const out: Violation[] = [];
    for (const { group, tp, dups } of this.s.parts.values()) {
      for (const d of dups.values()) {
        const count = d.events.length + (d.forgotten ? 1 : 0);
        const members = [...new Set(d.members)];
        out.push({
          invariant: NAME,
          kind: 'duplicate',
          message: `Record ${tp}@${d.offset} was processed ${count} times in group ${group}, by ${names(members)}.`,
          events: [...d.events],
          evidence: d.forgotten ? { group, tp, offset: d.offset, members, count, firstProcessingForgotten: true } : { group, tp, offset: d.offset, members, count },
        });
      }
    }
    return byFirstEvent(out);
  }
}

/** Records processed more than once by one group. */
export const noDuplicateProcessing = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim: 'Within one group, each record (partition and offset) is processed at most once.',
  reference: 'kafka-protocol.md §5.2 (duplicate), §4.4 position == total_consumed',
  monitor: (ctx) => new NoDuplicateMonitor(horizonOf(ctx)),
});
