/**
 * noDuplicateProcessing: within one group, each record is processed at most once, i.e.
 * exactly-once processing (kafka-protocol.md §5.2 :duplicate, here per processing rather than per
 * stored value; §4.4 `position == total_consumed` means no duplicates on a clean run).
 *
 * Scope: per (group, tp, offset), over `Processed` events; the group of a member comes from its
 * `Started` event (support.ts memberGroups). One violation per record processed more than once,
 * naming every Processed event and member. Kafka's consumer groups only promise at-least-once,
 * so under crashes and rebalances this claim is expected to fail; duplicatesBounded states how
 * much re-processing a policy allows.
 *
 * Monitor state, per (group, tp): the processed offsets as ranges (support.ts OffsetSet), the
 * first processing (event index, member) of each record at or above the *retention floor*, and
 * the records already seen twice. The floor is the lowest offset the group can still re-process
 * without a position below its commit: min(the group's last accepted commit on tp, the lowest
 * next offset of each member still working on tp (its latest Positioned, raised past each record
 * it processes; dropped when it crashes, leaves, or has tp revoked with no record in its hands)).
 * With no accepted commit the floor is -∞ and everything is kept. Below the floor only the offset
 * stays known; if such a record is processed again anyway (a seek below the commit, a commit that
 * went back), it is still reported with its true count, but its first processing's index and
 * member are missing from events/members and evidence.firstProcessingForgotten is true.
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, GroupDirectory, names, type OffsetSet, offsetSetAdd } from './support.ts';

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
  /** offset → [index, member] of its first processing, for offsets at or above the floor. */
  readonly first: Map<number, readonly [number, string]>;
  pruneAt: number;
  readonly dups: Map<number, Dup>;
  /** Last accepted commit of the group on tp. */
  committed: number | undefined;
  /** member → lowest offset it may process next. */
  readonly next: Map<string, number>;
}

interface State {
  /** group \0 tp → partition state */
  readonly parts: Map<string, Partition>;
  /** member → keys of the partitions where it has a `next` */
  readonly working: Map<string, Set<string>>;
  /** member \0 tp → a ProcessStarted without its Processed; true once tp was revoked meanwhile */
  readonly inHand: Map<string, boolean>;
}

const pkey = (group: string, tp: TopicPartition): string => `${group}\u0000${tp}`;

class NoDuplicateMonitor extends StateMonitor<State> {
  private groups = new GroupDirectory();

  constructor() {
    super({ parts: new Map(), working: new Map(), inHand: new Map() });
  }

  private part(group: string, tp: TopicPartition): Partition {
    const k = pkey(group, tp);
    let p = this.s.parts.get(k);
    if (p === undefined) {
      p = { group, tp, done: [], first: new Map(), pruneAt: PRUNE_MIN, dups: new Map(), committed: undefined, next: new Map() };
      this.s.parts.set(k, p);
    }
    return p;
  }

  private setNext(member: string, p: Partition, offset: number): void {
    p.next.set(member, offset);
    let mine = this.s.working.get(member);
    if (mine === undefined) this.s.working.set(member, (mine = new Set()));
    mine.add(pkey(p.group, p.tp));
  }

  private stopWorking(member: string, k: string): void {
    this.s.parts.get(k)?.next.delete(member);
    const mine = this.s.working.get(member);
    if (mine === undefined) return;
    mine.delete(k);
    if (mine.size === 0) this.s.working.delete(member);
  }

  /** Drops first-processing details below the floor (amortised: only when `first` has grown). */
  private prune(p: Partition): void {
    if (p.committed === undefined) return;
    let floor = p.committed;
    for (const o of p.next.values()) if (o < floor) floor = o;
    for (const o of p.first.keys()) if (o < floor) p.first.delete(o);
    p.pruneAt = Math.max(PRUNE_MIN, 2 * p.first.size);
  }

  step(e: HistoryEvent, i: number): void {
    this.groups.observe(e);
    switch (e.type) {
      case 'Processed': {
        const p = this.part(this.groups.groupOf(e.member), e.tp);
        const hk = `${e.member}\u0000${e.tp}`;
        const revokedMeanwhile = this.s.inHand.get(hk) === true;
        this.s.inHand.delete(hk);
        if (offsetSetAdd(p.done, e.offset)) {
          p.first.set(e.offset, [i, e.member]);
          if (p.first.size >= p.pruneAt) this.prune(p);
        } else {
          let d = p.dups.get(e.offset);
          if (d === undefined) {
            const f = p.first.get(e.offset);
            d = f === undefined ? { offset: e.offset, events: [], members: [], forgotten: true } : { offset: e.offset, events: [f[0]], members: [f[1]], forgotten: false };
            p.dups.set(e.offset, d);
          }
          d.events.push(i);
          d.members.push(e.member);
        }
        if (revokedMeanwhile) this.stopWorking(e.member, pkey(p.group, p.tp));
        else if (p.next.has(e.member)) p.next.set(e.member, e.offset + 1);
        return;
      }
      case 'ProcessStarted':
        this.s.inHand.set(`${e.member}\u0000${e.tp}`, false);
        return;
      case 'Positioned':
        this.setNext(e.member, this.part(this.groups.groupOf(e.member), e.tp), e.offset);
        return;
      case 'CommitResult':
        if (e.error !== 'NONE') return;
        for (const [tp, offset] of Object.entries(e.offsets)) this.part(e.group, tp).committed = offset;
        return;
      case 'Revoked': {
        const group = this.groups.groupOf(e.member);
        for (const tp of e.partitions) {
          const hk = `${e.member}\u0000${tp}`;
          if (this.s.inHand.has(hk)) this.s.inHand.set(hk, true); // stop after the record in its hands
          else this.stopWorking(e.member, pkey(group, tp));
        }
        return;
      }
      case 'Crashed':
      case 'Left':
        for (const k of [...(this.s.working.get(e.member) ?? [])]) this.stopWorking(e.member, k);
        return;
      default:
        return;
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
  monitor: () => new NoDuplicateMonitor(),
});
