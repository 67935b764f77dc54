/**
 * committedNotAheadOfProcessed: an accepted commit never runs ahead of what the committing
 * member processed (kafka-protocol.md Appendix O2 "committed ≤ position of the committer",
 * tightened from position to processing; §4.2 C4).
 *
 * Scope: per (member, tp). For an accepted commit (`CommitResult` with error 'NONE') of offset
 * c on tp by member m, with bound = max(startPosition, lastProcessed + 1):
 * - startPosition is the offset of m's latest `Positioned` on tp;
 * - lastProcessed is the highest offset of m's `Processed` events on tp since that Positioned
 *   (all of them if m never had a Positioned on tp);
 * - both are taken at the matching `CommitRequested` (same member and seq), because what the
 *   application had processed when it asked is what the commit may cover. A result with no
 *   matching request, or a tp the request did not carry, uses the state at the result.
 * A violation when c > bound. Decided here: if m had neither a Positioned nor a Processed on tp
 * by then, the bound is undefined and any accepted commit of tp is a violation (C4: the
 * committer must have a position), with evidence.processedUpTo = null.
 *
 * Indeterminate commits count as accepted (Jepsen's `info` ops: they may have been applied): a
 * `CommitResult` with error 'REQUEST_TIMED_OUT', and a `CommitRequested` that never got a result
 * (judged at the end of the history). A commit ahead of processing whose response was lost is
 * stored by the coordinator all the same, so leaving it out would miss the loss it causes; a
 * correct client never asks for one, so counting it raises no false alarm.
 *
 * This is what flags the at-most-once policy (commit-before-process): its commits are accepted
 * before the records they cover are processed.
 */
import type { History } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import type { Invariant, Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, indices } from './support.ts';

const NAME = 'committedNotAheadOfProcessed';

interface Progress {
  readonly startPosition: number | undefined;
  readonly positionedAt: number | undefined;
  readonly lastProcessed: number | undefined;
  readonly processedAt: number | undefined;
}

const NOTHING: Progress = {
  startPosition: undefined,
  positionedAt: undefined,
  lastProcessed: undefined,
  processedAt: undefined,
};

/** The highest offset a commit may carry, or undefined when nothing is known. */
function bound(p: Progress): number | undefined {
  const fromProcessed = p.lastProcessed === undefined ? undefined : p.lastProcessed + 1;
  if (p.startPosition === undefined) return fromProcessed;
  if (fromProcessed === undefined) return p.startPosition;
  return Math.max(p.startPosition, fromProcessed);
}

/** Accepted commits ahead of the committer's processing. */
export const committedNotAheadOfProcessed: Invariant = {
  name: NAME,
  expectation: 'always',
  claim:
    "An accepted commit of offset c on a partition by a member satisfies c ≤ max(the member's latest position, its highest processed offset since then + 1), measured when it sent the commit.",
  reference: 'kafka-protocol.md Appendix O2, §4.2 C4',
  check: (history: History) => {
    const out: Violation[] = [];
    const progress = new Map<string, Map<TopicPartition, Progress>>(); // member → tp → progress
    const requests = new Map<
      string,
      { index: number; snapshot: ReadonlyMap<TopicPartition, Progress>; event: Extract<History[number], { type: 'CommitRequested' }>; answered: boolean }
    >();

    const get = (member: string, tp: TopicPartition): Progress => progress.get(member)?.get(tp) ?? NOTHING;
    const set = (member: string, tp: TopicPartition, p: Progress): void => {
      let byTp = progress.get(member);
      if (byTp === undefined) progress.set(member, (byTp = new Map()));
      byTp.set(tp, p);
    };

    for (let i = 0; i < history.length; i++) {
      const e = history[i]!;
      if (e.type === 'Positioned') {
        set(e.member, e.tp, { startPosition: e.offset, positionedAt: i, lastProcessed: undefined, processedAt: undefined });
      } else if (e.type === 'Processed') {
        const p = get(e.member, e.tp);
        if (p.lastProcessed === undefined || e.offset > p.lastProcessed) {
          set(e.member, e.tp, { ...p, lastProcessed: e.offset, processedAt: i });
        }
      } else if (e.type === 'CommitRequested') {
        const snapshot = new Map<TopicPartition, Progress>();
        for (const tp of Object.keys(e.offsets)) snapshot.set(tp, get(e.member, tp));
        requests.set(`${e.member}\u0000${e.seq}`, { index: i, snapshot, event: e, answered: false });
      } else if (e.type === 'CommitResult') {
        const request = requests.get(`${e.member}\u0000${e.seq}`);
        if (request !== undefined) request.answered = true;
        if (e.error !== 'NONE' && e.error !== 'REQUEST_TIMED_OUT') continue;
        const verb = e.error === 'NONE' ? 'accepted' : 'sent (its outcome unknown: it timed out, so it may have been applied)';
        for (const [tp, committed] of Object.entries(e.offsets)) {
          const p = request?.snapshot.get(tp) ?? get(e.member, tp);
          judge(e.member, e.group, e.seq, e.generation, tp, committed, p, verb, request?.index, i);
        }
      }
    }
    // Requests never answered may have been applied too.
    for (const r of requests.values()) {
      if (r.answered) continue;
      const e = r.event;
      for (const [tp, committed] of Object.entries(e.offsets)) {
        judge(e.member, e.group, e.seq, e.generation, tp, committed, r.snapshot.get(tp) ?? NOTHING, 'sent and never answered (it may have been applied)', r.index, undefined);
      }
    }
    return byFirstEvent(out);

    function judge(member: string, group: string, seq: number, generation: number, tp: TopicPartition, committed: number, p: Progress, verb: string, requestAt: number | undefined, resultAt: number | undefined): void {
      const processedUpTo = bound(p);
      if (processedUpTo !== undefined && committed <= processedUpTo) return;
      const known =
        processedUpTo === undefined
          ? 'it had neither a position nor a processed record there'
          : `it had only processed up to offset ${processedUpTo} (position ${p.startPosition ?? 'unknown'}, last processed ${p.lastProcessed ?? 'none'})`;
      out.push({
        invariant: NAME,
        kind: 'commit-ahead',
        message: `Member ${member} of group ${group} had commit seq ${seq} of offset ${committed} on ${tp} ${verb} in generation ${generation} although ${known}.`,
        events: indices(p.positionedAt, p.processedAt, requestAt, resultAt),
        evidence: { member, tp, committed, processedUpTo: processedUpTo ?? null, generation, seq },
      });
    }
  },
};
