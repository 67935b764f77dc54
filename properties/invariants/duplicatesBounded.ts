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
 */
import type { History } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import type { CheckContext, Invariant, Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, type Episode, groupOf, memberGroups, offsetRanges, OwnershipTracker } from './support.ts';

const NAME = 'duplicatesBounded';

interface Reprocessed {
  readonly offsets: number[];
  readonly events: number[];
}

/** Episodes that re-processed more already-processed records than the policy allows. */
export const duplicatesBounded: Invariant = {
  name: NAME,
  expectation: 'always',
  claim:
    'Inside one ownership episode of a partition, a member re-processes at most the policy\'s bound of records that its group had already processed.',
  reference: 'kafka-protocol.md §2.5, §2.6, §2.10',
  check: (history: History, ctx: CheckContext) => {
    const bound = ctx.duplicateBound;
    if (bound === undefined) return [];
    const groups = memberGroups(history);
    const ownership = new OwnershipTracker();
    const done = new Map<string, Map<TopicPartition, Set<number>>>(); // group → tp → processed offsets
    const counts = new Map<number, Reprocessed>(); // episode id → re-processed records
    const out: Violation[] = [];

    const close = (ep: Episode, end: number | undefined): void => {
      const r = counts.get(ep.id);
      counts.delete(ep.id);
      if (r === undefined || r.events.length <= bound) return;
      const group = groupOf(groups, ep.member);
      const until = end === undefined ? 'by the end of the history' : `before its ownership ended at event ${end}`;
      out.push({
        invariant: NAME,
        kind: 'excess-duplicate',
        message: `Member ${ep.member} of group ${group} re-processed ${r.events.length} already-processed records of ${ep.tp} (offsets ${offsetRanges(r.offsets)}) in one ownership starting at event ${ep.start} ${until}, above the bound of ${bound}.`,
        events: r.events,
        evidence: { group, member: ep.member, tp: ep.tp, reprocessed: r.offsets, bound, episodeStart: ep.start },
      });
    };

    for (let i = 0; i < history.length; i++) {
      const e = history[i]!;
      const change = ownership.apply(e, i);
      for (const ep of change.ended) close(ep, i);
      if (e.type !== 'Processed') continue;
      const group = groupOf(groups, e.member);
      let byTp = done.get(group);
      if (byTp === undefined) done.set(group, (byTp = new Map()));
      let offsets = byTp.get(e.tp);
      if (offsets === undefined) byTp.set(e.tp, (offsets = new Set()));
      const ep = ownership.current(e.member, e.tp);
      if (ep !== undefined && offsets.has(e.offset)) {
        let r = counts.get(ep.id);
        if (r === undefined) counts.set(ep.id, (r = { offsets: [], events: [] }));
        r.offsets.push(e.offset);
        r.events.push(i);
      }
      offsets.add(e.offset);
    }
    for (const ep of ownership.openEpisodes()) close(ep, undefined);
    return byFirstEvent(out);
  },
};
