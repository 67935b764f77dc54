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
 * Monitor state: per (member, tp) one Progress; per (member, seq) the snapshot of a request
 * until its first `CommitResult`, which answers it (a later result with the same seq, which
 * neither the simulator nor the clients record, would be judged by the state at that result).
 * Both are kept for members heard of within the horizon (CheckContext.horizon): a member silent
 * for longer is forgotten, as if it had no position or request any more.
 *
 * Indeterminate commits count as accepted (Jepsen's `info` ops: they may have been applied): a
 * `CommitResult` with error 'REQUEST_TIMED_OUT', and a `CommitRequested` that never got a result
 * (judged at the end of the history; a request of a member forgotten by the horizon is not). A
 * commit ahead of processing whose response was lost is stored by the coordinator all the same,
 * so leaving it out would miss the loss it causes; a correct client never asks for one, so
 * counting it raises no false alarm.
 *
 * This is what flags the at-most-once policy (commit-before-process): its commits are accepted
 * before the records they cover are processed.
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent, horizonOf, indices, MemberClock } from './support.ts';

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

/** The violation of one (possibly) accepted commit of tp, or undefined when it is within bound. */
function judge(member: string, group: string, seq: number, generation: number, tp: TopicPartition, committed: number, p: Progress, verb: string, requestAt: number | undefined, resultAt: number | undefined): Violation | undefined {
  const processedUpTo = bound(p);
  if (processedUpTo !== undefined && committed <= processedUpTo) return undefined;
  const known =
    processedUpTo === undefined
      ? 'it had neither a position nor a processed record there'
      : `it had only processed up to offset ${processedUpTo} (position ${p.startPosition ?? 'unknown'}, last processed ${p.lastProcessed ?? 'none'})`;
  return {
    invariant: NAME,
    kind: 'commit-ahead',
    message: `Member ${member} of group ${group} had commit seq ${seq} of offset ${committed} on ${tp} ${verb} in generation ${generation} although ${known}.`,
    events: indices(p.positionedAt, p.processedAt, requestAt, resultAt),
    evidence: { member, tp, committed, processedUpTo: processedUpTo ?? null, generation, seq },
  };
}

interface PendingRequest {
  readonly index: number;
  readonly snapshot: ReadonlyMap<TopicPartition, Progress>;
  readonly group: string;
  readonly generation: number;
  readonly offsets: Readonly<Record<TopicPartition, number>>;
}

interface State {
  readonly out: Violation[];
  /** member → tp → progress */
  readonly progress: Map<string, Map<TopicPartition, Progress>>;
  /** member → seq → the request awaiting its result */
  readonly requests: Map<string, Map<number, PendingRequest>>;
}

class CommittedNotAheadMonitor extends StateMonitor<State> {
  private clock: MemberClock;

  constructor(horizon: number) {
    super({ out: [], progress: new Map(), requests: new Map() });
    this.clock = new MemberClock(horizon);
  }

  private get(member: string, tp: TopicPartition): Progress {
    return this.s.progress.get(member)?.get(tp) ?? NOTHING;
  }

  private set(member: string, tp: TopicPartition, p: Progress): void {
    let byTp = this.s.progress.get(member);
    if (byTp === undefined) this.s.progress.set(member, (byTp = new Map()));
    byTp.set(tp, p);
  }

  step(e: HistoryEvent, i: number): void {
    this.clock.touch(e, i);
    for (const m of this.clock.sweep(i)) {
      this.s.progress.delete(m);
      this.s.requests.delete(m);
    }
    if (e.type === 'Positioned') {
      this.set(e.member, e.tp, { startPosition: e.offset, positionedAt: i, lastProcessed: undefined, processedAt: undefined });
    } else if (e.type === 'Processed') {
      const p = this.get(e.member, e.tp);
      if (p.lastProcessed === undefined || e.offset > p.lastProcessed) {
        this.set(e.member, e.tp, { ...p, lastProcessed: e.offset, processedAt: i });
      }
    } else if (e.type === 'CommitRequested') {
      const snapshot = new Map<TopicPartition, Progress>();
      for (const tp of Object.keys(e.offsets)) snapshot.set(tp, this.get(e.member, tp));
      let mine = this.s.requests.get(e.member);
      if (mine === undefined) this.s.requests.set(e.member, (mine = new Map()));
      mine.set(e.seq, { index: i, snapshot, group: e.group, generation: e.generation, offsets: e.offsets });
    } else if (e.type === 'CommitResult') {
      const mine = this.s.requests.get(e.member);
      const request = mine?.get(e.seq);
      if (mine !== undefined && request !== undefined) {
        mine.delete(e.seq);
        if (mine.size === 0) this.s.requests.delete(e.member);
      }
      if (e.error !== 'NONE' && e.error !== 'REQUEST_TIMED_OUT') return;
      const verb = e.error === 'NONE' ? 'accepted' : 'sent (its outcome unknown: it timed out, so it may have been applied)';
      for (const [tp, committed] of Object.entries(e.offsets)) {
        const p = request?.snapshot.get(tp) ?? this.get(e.member, tp);
        const v = judge(e.member, e.group, e.seq, e.generation, tp, committed, p, verb, request?.index, i);
        if (v !== undefined) this.s.out.push(v);
      }
    }
  }

  finish(): readonly Violation[] {
    const out = [...this.s.out];
    // Requests never answered may have been applied too.
    for (const [member, mine] of this.s.requests) {
      for (const [seq, r] of mine) {
        for (const [tp, committed] of Object.entries(r.offsets)) {
          const v = judge(member, r.group, seq, r.generation, tp, committed, r.snapshot.get(tp) ?? NOTHING, 'sent and never answered (it may have been applied)', r.index, undefined);
          if (v !== undefined) out.push(v);
        }
      }
    }
    return byFirstEvent(out);
  }
}

/** Accepted commits ahead of the committer's processing. */
export const committedNotAheadOfProcessed = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim:
    "An accepted commit of offset c on a partition by a member satisfies c ≤ max(the member's latest position, its highest processed offset since then + 1), measured when it sent the commit.",
  reference: 'kafka-protocol.md Appendix O2, §4.2 C4',
  monitor: (ctx) => new CommittedNotAheadMonitor(horizonOf(ctx)),
});
