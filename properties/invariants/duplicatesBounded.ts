/**
 * duplicatesBounded: inside one ownership episode, a member re-processes at most
 * ctx.duplicateBound records that its group had already processed, per partition
 * (kafka-protocol.md §2.5, §2.10: re-processing after a handoff is the price of at-least-once;
 * its size depends on the commit policy, §2.6).
 *
 * Scope: per (member, tp, ownership episode); episodes as in support.ts (OwnershipTracker).
 * Inside an episode, every `Processed` event of the member on tp whose (group, tp, offset) had
 * already been processed by anyone in the group before (in history order) counts once, so a
 * record processed twice within the episode counts too. A violation when the count exceeds the
 * bound, reported when the episode ends (or at the end of the history). `Processed` events
 * outside any episode are not counted but do mark the record as processed for later episodes.
 * With ctx.duplicateBound undefined no bound is claimed and the result is [].
 *
 * Monitor state: per (group, tp) the processed offsets as ranges (support.ts OffsetSet: a few
 * numbers for a partition processed in order), the open episodes, and the re-processed records
 * of open episodes only. A member silent for longer than the horizon (CheckContext.horizon) is
 * forgotten: its open episodes are judged then, as they would be at the end of the history.
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, type Episode, GroupDirectory, horizonOf, MemberClock, type OffsetSet, offsetRanges, offsetSetAdd, OwnershipTracker } from './support.ts';

const NAME = 'duplicatesBounded';

interface Reprocessed {
  readonly offsets: number[];
  readonly events: number[];
}

interface State {
  readonly out: Violation[];
  /** group → tp → processed offsets */
  readonly done: Map<string, Map<TopicPartition, OffsetSet>>;
  /** episode id → re-processed records */
  readonly counts: Map<number, Reprocessed>;
}

class DuplicatesBoundedMonitor extends StateMonitor<State> {
  private groups = new GroupDirectory();
  private ownership = new OwnershipTracker();
  private clock: MemberClock;

  constructor(
    private readonly bound: number,
    horizon: number,
  ) {
    super({ out: [], done: new Map(), counts: new Map() });
    this.clock = new MemberClock(horizon);
  }

  /** The violation of episode `ep` ended at `end` (undefined: still open), if it has one. */
  private judge(ep: Episode, end: number | undefined): Violation | undefined {
    const r = this.s.counts.get(ep.id);
    if (r === undefined || r.events.length <= this.bound) return undefined;
    const group = this.groups.groupOf(ep.member);
    const until = end === undefined ? 'by the end of the history' : `before its ownership ended at event ${end}`;
    return {
      invariant: NAME,
      kind: 'excess-duplicate',
      message: `Member ${ep.member} of group ${group} re-processed ${r.events.length} already-processed records of ${ep.tp} (offsets ${offsetRanges(r.offsets)}) in one ownership starting at event ${ep.start} ${until}, above the bound of ${this.bound}.`,
      events: [...r.events],
      evidence: { group, member: ep.member, tp: ep.tp, reprocessed: [...r.offsets], bound: this.bound, episodeStart: ep.start },
    };
  }

  step(e: HistoryEvent, i: number): void {
    this.clock.touch(e, i);
    for (const m of this.clock.sweep(i)) {
      for (const ep of this.ownership.forget(m)) {
        const v = this.judge(ep, undefined);
        if (v !== undefined) this.s.out.push(v);
        this.s.counts.delete(ep.id);
      }
      this.groups.forget(m);
    }
    this.groups.observe(e);
    const change = this.ownership.apply(e, i);
    for (const ep of change.ended) {
      const v = this.judge(ep, i);
      if (v !== undefined) this.s.out.push(v);
      this.s.counts.delete(ep.id);
    }
    if (e.type !== 'Processed') return;
    const group = this.groups.groupOf(e.member);
    let byTp = this.s.done.get(group);
    if (byTp === undefined) this.s.done.set(group, (byTp = new Map()));
    let offsets = byTp.get(e.tp);
    if (offsets === undefined) byTp.set(e.tp, (offsets = []));
    const fresh = offsetSetAdd(offsets, e.offset);
    const ep = this.ownership.current(e.member, e.tp);
    if (ep !== undefined && !fresh) {
      let r = this.s.counts.get(ep.id);
      if (r === undefined) this.s.counts.set(ep.id, (r = { offsets: [], events: [] }));
      r.offsets.push(e.offset);
      r.events.push(i);
    }
  }

  finish(): readonly Violation[] {
    const out = [...this.s.out];
    for (const ep of this.ownership.openEpisodes()) {
      const v = this.judge(ep, undefined);
      if (v !== undefined) out.push(v);
    }
    return byFirstEvent(out);
  }
}

/** A monitor that claims nothing (no bound given): constant state, no violations. */
class NoBoundMonitor extends StateMonitor<object> {
  constructor() {
    super({});
  }
  step(): void {}
  finish(): readonly Violation[] {
    return [];
  }
}

/** Episodes that re-processed more already-processed records than the policy allows. */
export const duplicatesBounded = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim:
    'Inside one ownership episode of a partition, a member re-processes at most the policy\'s bound of records that its group had already processed.',
  reference: 'kafka-protocol.md §2.5, §2.6, §2.10',
  monitor: (ctx) => (ctx.duplicateBound === undefined ? new NoBoundMonitor() : new DuplicatesBoundedMonitor(ctx.duplicateBound, horizonOf(ctx))),
});
