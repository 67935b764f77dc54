/**
 * atLeastOnce (eventually): after the run settles, every record appended after a group's first
 * member started has been processed by some member of that group (kafka-protocol.md Appendix A1;
 * Jepsen's :lost-write and :unseen, §5.2; system test `position ≤ total_consumed`, §4.4).
 *
 * Groups are those named by `Started` events (member → group from them); each is checked on its
 * own, so two groups reading one topic must each process every record.
 *
 * Scope rule. A `Produced` record (tp, offset) at history index p is in scope for group G iff
 *   (1) p is after G's first `Started` event, or
 *   (2) some member of G ever had a `Positioned` on tp (any source, any time) with an offset
 *       ≤ the record's offset, i.e. offset ≥ the smallest Positioned offset of G on tp.
 * Records before G started and below everything G ever positioned at are out of scope: G never
 * claimed them (e.g. a 'latest' reset, or a committed position from an earlier run).
 * Only partitions of the topics G's members named in their `Started` events are checked.
 * Consequence to know: records produced after G started but skipped by an
 * 'auto.offset.reset=latest' position (KAFKA-12261, §2.8) are reported: the tool shows that
 * 'latest' is not at-least-once for a group that starts before its producers.
 *
 * A record is processed if any member of G has a `Processed` event for (tp, offset). A missing
 * record is a 'lost-write' if its offset is below G's final committed offset for tp (the last
 * `CommitResult` with error 'NONE' of group G carrying tp, in history order: A1), or below an
 * indeterminate commit after it (a `CommitResult` 'REQUEST_TIMED_OUT', or a `CommitRequested`
 * that never got a result: it may have been applied, Jepsen's `info` ops), 'unseen' otherwise.
 * Indeterminate commits only move records from 'unseen' to 'lost-write': whether a record is
 * missing never depends on a commit, so an ambiguous commit can neither hide a loss nor make one. Violations are condensed: one per (group, tp, kind), listing every missing offset
 * in evidence.offsets, with events = the Produced indices (at most 50).
 *
 * Returns 'unknown' when the history has no `Quiesced` event with settled === true: a run
 * that did not settle may still deliver the records, so nothing can be concluded.
 *
 * Monitor state, bounded by groups × partitions plus the records not yet processed: per
 * partition the produced offsets as ranges (support.ts OffsetSet) and the Produced index of each
 * record that some subscribed group has not processed yet; per (group, partition) the processed
 * offsets as ranges, the lowest position and the last commit. A record processed by every group
 * subscribed to its topic *so far* keeps only its offset. If a group subscribes to that topic
 * later (a new group, or a member naming a new topic), such a record is in scope for it only by
 * rule (2), and if it is missing its Produced index is not in events
 * (evidence.forgottenEvents counts them). The end is linear in the partitions of each group's
 * topics, not groups × partitions. Member → group is kept for members heard of within the
 * horizon (CheckContext.horizon): a member silent for longer is forgotten, and were it to come
 * back, its Positioned and Processed events would count for no group.
 */
import type { HistoryEvent } from '../../models/history.ts';
import { tpParse, type TopicPartition } from '../../models/types.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { GroupDirectory, horizonOf, MemberClock, type OffsetSet, offsetRanges, offsetSetAdd, offsetSetForEachMissing, offsetSetHas } from './support.ts';

const NAME = 'atLeastOnce';
const EVENTS_MAX = 50;

interface Missing {
  readonly offsets: number[];
  readonly events: number[];
  forgotten: number;
}

interface ProducedLog {
  /** Rank of the partition's first Produced (report order). */
  readonly rank: number;
  readonly offsets: OffsetSet;
  /** offset → index of its first Produced, while some subscribed group has not processed it. */
  readonly pending: Map<number, number>;
}

interface GroupPart {
  readonly processed: OffsetSet;
  minPositioned: number | undefined;
  committed: number | undefined;
  /** The highest indeterminate commit since the last definite one (it may have been applied). */
  maybe: number | undefined;
}

interface State {
  settled: boolean;
  /** group → index of its first Started (report order) */
  readonly firstStarted: Map<string, number>;
  /** group → topics its members named in Started */
  readonly groupTopics: Map<string, Set<string>>;
  /** topic → groups subscribed to it */
  readonly topicGroups: Map<string, string[]>;
  /** topic → its partitions that have records */
  readonly topicTps: Map<string, TopicPartition[]>;
  readonly produced: Map<TopicPartition, ProducedLog>;
  /** group → tp → what the group did on tp */
  readonly groupParts: Map<string, Map<TopicPartition, GroupPart>>;
  /** member \0 seq → commits not answered yet (one per in-flight request). */
  readonly unanswered: Map<string, { readonly group: string; readonly offsets: Readonly<Record<TopicPartition, number>> }>;
}

class AtLeastOnceMonitor extends StateMonitor<State> {
  private groups = new GroupDirectory();
  private clock: MemberClock;

  constructor(horizon: number) {
    super({
      settled: false,
      firstStarted: new Map(),
      groupTopics: new Map(),
      topicGroups: new Map(),
      topicTps: new Map(),
      produced: new Map(),
      groupParts: new Map(),
      unanswered: new Map(),
    });
    this.clock = new MemberClock(horizon);
  }

  private gpart(group: string, tp: TopicPartition): GroupPart {
    let byTp = this.s.groupParts.get(group);
    if (byTp === undefined) this.s.groupParts.set(group, (byTp = new Map()));
    let g = byTp.get(tp);
    if (g === undefined) byTp.set(tp, (g = { processed: [], minPositioned: undefined, committed: undefined, maybe: undefined }));
    return g;
  }

  step(e: HistoryEvent, i: number): void {
    this.clock.touch(e, i);
    for (const m of this.clock.sweep(i)) this.groups.forget(m);
    this.groups.observe(e);
    const s = this.s;
    switch (e.type) {
      case 'Quiesced':
        if (e.settled) s.settled = true;
        return;
      case 'Started': {
        if (!s.firstStarted.has(e.group)) s.firstStarted.set(e.group, i);
        let topics = s.groupTopics.get(e.group);
        if (topics === undefined) s.groupTopics.set(e.group, (topics = new Set()));
        for (const t of e.topics) {
          if (topics.has(t)) continue;
          topics.add(t);
          let gs = s.topicGroups.get(t);
          if (gs === undefined) s.topicGroups.set(t, (gs = []));
          gs.push(e.group);
        }
        return;
      }
      case 'Produced': {
        let log = s.produced.get(e.tp);
        if (log === undefined) {
          s.produced.set(e.tp, (log = { rank: s.produced.size, offsets: [], pending: new Map() }));
          const topic = tpParse(e.tp).topic;
          let tps = s.topicTps.get(topic);
          if (tps === undefined) s.topicTps.set(topic, (tps = []));
          tps.push(e.tp);
        }
        if (offsetSetAdd(log.offsets, e.offset)) log.pending.set(e.offset, i);
        return;
      }
      case 'Positioned': {
        const group = this.groups.get(e.member);
        if (group === undefined) return;
        const g = this.gpart(group, e.tp);
        if (g.minPositioned === undefined || e.offset < g.minPositioned) g.minPositioned = e.offset;
        return;
      }
      case 'Processed': {
        const group = this.groups.get(e.member);
        if (group === undefined) return;
        if (!offsetSetAdd(this.gpart(group, e.tp).processed, e.offset)) return;
        const log = s.produced.get(e.tp);
        if (log === undefined || !log.pending.has(e.offset)) return;
        const subscribed = s.topicGroups.get(tpParse(e.tp).topic);
        if (subscribed === undefined) return;
        const all = subscribed.every((g) => {
          const p = s.groupParts.get(g)?.get(e.tp);
          return p !== undefined && offsetSetHas(p.processed, e.offset);
        });
        if (all) log.pending.delete(e.offset);
        return;
      }
      case 'CommitRequested':
        s.unanswered.set(`${e.member}\u0000${e.seq}`, { group: e.group, offsets: e.offsets });
        return;
      case 'CommitResult':
        s.unanswered.delete(`${e.member}\u0000${e.seq}`);
        if (e.error === 'NONE') {
          for (const [tp, offset] of Object.entries(e.offsets)) {
            const g = this.gpart(e.group, tp);
            g.committed = offset;
            g.maybe = undefined;
          }
        } else if (e.error === 'REQUEST_TIMED_OUT') {
          for (const [tp, offset] of Object.entries(e.offsets)) {
            const g = this.gpart(e.group, tp);
            g.maybe = Math.max(g.maybe ?? offset, offset);
          }
        }
        return;
      default:
        return;
    }
  }

  finish(): readonly Violation[] | 'unknown' {
    const s = this.s;
    if (!s.settled) return 'unknown';
    // Requests never answered may have been applied too (computed here: finish() does not mutate).
    const pendingMaybe = new Map<string, number>(); // group \0 tp → highest unanswered commit
    for (const { group, offsets } of s.unanswered.values()) {
      for (const [tp, offset] of Object.entries(offsets)) {
        const k = `${group}\u0000${tp}`;
        pendingMaybe.set(k, Math.max(pendingMaybe.get(k) ?? offset, offset));
      }
    }
    const out: Violation[] = [];
    for (const [group, started] of s.firstStarted) {
      const tps: TopicPartition[] = [];
      for (const topic of s.groupTopics.get(group) ?? []) tps.push(...(s.topicTps.get(topic) ?? []));
      tps.sort((a, b) => s.produced.get(a)!.rank - s.produced.get(b)!.rank);
      for (const tp of tps) {
        const log = s.produced.get(tp)!;
        const g = s.groupParts.get(group)?.get(tp);
        const floor = g?.minPositioned;
        const definite = g?.committed;
        const pending = pendingMaybe.get(`${group}\u0000${tp}`);
        const maybe = g?.maybe === undefined ? pending : pending === undefined ? g.maybe : Math.max(g.maybe, pending);
        const commit = definite === undefined ? maybe : maybe === undefined ? definite : Math.max(definite, maybe);
        const lost: Missing = { offsets: [], events: [], forgotten: 0 };
        const unseen: Missing = { offsets: [], events: [], forgotten: 0 };
        offsetSetForEachMissing(log.offsets, g?.processed ?? [], (offset) => {
          const index = log.pending.get(offset);
          // A forgotten record was produced before this group subscribed (see the header).
          const inScope = (index !== undefined && index > started) || (floor !== undefined && offset >= floor);
          if (!inScope) return;
          const bucket = commit !== undefined && offset < commit ? lost : unseen;
          bucket.offsets.push(offset);
          if (index === undefined) bucket.forgotten++;
          else bucket.events.push(index);
        });
        for (const [kind, missing] of [['lost-write', lost], ['unseen', unseen]] as const) {
          if (missing.offsets.length === 0) continue;
          const offsets = missing.offsets; // ascending already
          const events = [...missing.events].sort((a, b) => a - b).slice(0, EVENTS_MAX);
          const n = offsets.length;
          const where =
            kind === 'lost-write'
              ? `below its final committed offset ${commit}${maybe !== undefined && maybe === commit && definite !== commit ? ' (a commit whose outcome is unknown)' : ''}`
              : commit === undefined
                ? 'and it never committed that partition'
                : `at or above its final committed offset ${commit}`;
          const evidence: Record<string, unknown> = { group, tp, offset: offsets[0], offsets, committed: commit ?? null };
          if (missing.forgotten > 0) evidence.forgottenEvents = missing.forgotten;
          out.push({
            invariant: NAME,
            kind,
            message: `Group ${group} never processed ${n} record${n === 1 ? '' : 's'} of ${tp} at offset${n === 1 ? '' : 's'} ${offsetRanges(offsets)}, ${where}.`,
            events,
            evidence,
          });
        }
      }
    }
    return out;
  }
}

/** Never-processed records of a settled run, per group. */
export const atLeastOnce = defineInvariant({
  name: NAME,
  expectation: 'eventually',
  claim:
    "After the run settles, every record appended after a group's first member started (or at or above a position a member of the group took on its partition) has been processed by some member of that group.",
  reference: 'kafka-protocol.md Appendix A1, §5.2 (lost-write, unseen), §4.4',
  monitor: (ctx) => new AtLeastOnceMonitor(horizonOf(ctx)),
});
