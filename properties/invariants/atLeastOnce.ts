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
 */
import type { History } from '../../models/history.ts';
import { tpParse, type TopicPartition } from '../../models/types.ts';
import type { Invariant, Violation } from '../../src/check/invariant.ts';
import { memberGroups, offsetRanges } from './support.ts';

const NAME = 'atLeastOnce';

/** An indeterminate commit may have been applied: it raises what the group may have committed. */
const raiseMaybe = (maybe: Map<TopicPartition, number>, offsets: Readonly<Record<TopicPartition, number>>): void => {
  for (const [tp, offset] of Object.entries(offsets)) maybe.set(tp, Math.max(maybe.get(tp) ?? offset, offset));
};
const EVENTS_MAX = 50;

interface Missing {
  readonly offsets: number[];
  readonly events: number[];
}

/** Never-processed records of a settled run, per group. */
export const atLeastOnce: Invariant = {
  name: NAME,
  expectation: 'eventually',
  claim:
    "After the run settles, every record appended after a group's first member started (or at or above a position a member of the group took on its partition) has been processed by some member of that group.",
  reference: 'kafka-protocol.md Appendix A1, §5.2 (lost-write, unseen), §4.4',
  check: (history: History) => {
    if (!history.some((e) => e.type === 'Quiesced' && e.settled)) return 'unknown';

    const groups = memberGroups(history);
    const firstStarted = new Map<string, number>(); // group → index of its first Started
    const produced = new Map<TopicPartition, Map<number, number>>(); // tp → offset → first Produced index
    const minPositioned = new Map<string, Map<TopicPartition, number>>(); // group → tp → min offset
    const processed = new Map<string, Map<TopicPartition, Set<number>>>(); // group → tp → offsets
    const committed = new Map<string, Map<TopicPartition, number>>(); // group → tp → final commit
    // group → tp → highest offset of an indeterminate commit since the final definite one.
    const maybeCommitted = new Map<string, Map<TopicPartition, number>>();
    const unanswered = new Map<string, { group: string; offsets: Readonly<Record<TopicPartition, number>> }>(); // member \0 seq
    const groupTopics = new Map<string, Set<string>>(); // group → topics its members subscribed to

    const inner = <K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> => {
      let m = outer.get(key);
      if (m === undefined) outer.set(key, (m = new Map()));
      return m;
    };

    for (let i = 0; i < history.length; i++) {
      const e = history[i]!;
      if (e.type === 'Started') {
        if (!firstStarted.has(e.group)) firstStarted.set(e.group, i);
        let topics = groupTopics.get(e.group);
        if (topics === undefined) groupTopics.set(e.group, (topics = new Set()));
        for (const t of e.topics) topics.add(t);
      } else if (e.type === 'Produced') {
        const byOffset = inner(produced, e.tp);
        if (!byOffset.has(e.offset)) byOffset.set(e.offset, i);
      } else if (e.type === 'Positioned') {
        const group = groups.get(e.member);
        if (group === undefined) continue;
        const byTp = inner(minPositioned, group);
        const min = byTp.get(e.tp);
        if (min === undefined || e.offset < min) byTp.set(e.tp, e.offset);
      } else if (e.type === 'Processed') {
        const group = groups.get(e.member);
        if (group === undefined) continue;
        const byTp = inner(processed, group);
        let offsets = byTp.get(e.tp);
        if (offsets === undefined) byTp.set(e.tp, (offsets = new Set()));
        offsets.add(e.offset);
      } else if (e.type === 'CommitRequested') {
        unanswered.set(`${e.member}\u0000${e.seq}`, { group: e.group, offsets: e.offsets });
      } else if (e.type === 'CommitResult') {
        unanswered.delete(`${e.member}\u0000${e.seq}`);
        if (e.error === 'NONE') {
          const byTp = inner(committed, e.group);
          const maybe = inner(maybeCommitted, e.group);
          for (const [tp, offset] of Object.entries(e.offsets)) {
            byTp.set(tp, offset);
            maybe.delete(tp);
          }
        } else if (e.error === 'REQUEST_TIMED_OUT') {
          raiseMaybe(inner(maybeCommitted, e.group), e.offsets);
        }
      }
    }
    for (const { group, offsets } of unanswered.values()) raiseMaybe(inner(maybeCommitted, group), offsets);

    const out: Violation[] = [];
    for (const [group, started] of firstStarted) {
      for (const [tp, byOffset] of produced) {
        if (groupTopics.get(group)?.has(tpParse(tp).topic) !== true) continue;
        const floor = minPositioned.get(group)?.get(tp);
        const seen = processed.get(group)?.get(tp);
        const definite = committed.get(group)?.get(tp);
        const maybe = maybeCommitted.get(group)?.get(tp);
        const commit = definite === undefined ? maybe : maybe === undefined ? definite : Math.max(definite, maybe);
        const lost: Missing = { offsets: [], events: [] };
        const unseen: Missing = { offsets: [], events: [] };
        for (const [offset, index] of byOffset) {
          const inScope = index > started || (floor !== undefined && offset >= floor);
          if (!inScope || seen?.has(offset) === true) continue;
          const bucket = commit !== undefined && offset < commit ? lost : unseen;
          bucket.offsets.push(offset);
          bucket.events.push(index);
        }
        for (const [kind, missing] of [['lost-write', lost], ['unseen', unseen]] as const) {
          if (missing.offsets.length === 0) continue;
          const offsets = [...missing.offsets].sort((a, b) => a - b);
          const events = [...missing.events].sort((a, b) => a - b).slice(0, EVENTS_MAX);
          const n = offsets.length;
          const where =
            kind === 'lost-write'
              ? `below its final committed offset ${commit}${maybe !== undefined && maybe === commit && definite !== commit ? ' (a commit whose outcome is unknown)' : ''}`
              : commit === undefined
                ? 'and it never committed that partition'
                : `at or above its final committed offset ${commit}`;
          out.push({
            invariant: NAME,
            kind,
            message: `Group ${group} never processed ${n} record${n === 1 ? '' : 's'} of ${tp} at offset${n === 1 ? '' : 's'} ${offsetRanges(offsets)}, ${where}.`,
            events,
            evidence: { group, tp, offset: offsets[0], offsets, committed: commit ?? null },
          });
        }
      }
    }
    return out;
  },
};
