/**
 * Indeterminate commits and coordinator failover in the invariants (issue 3, item 7): a commit
 * whose answer never came (`CommitResult` 'REQUEST_TIMED_OUT', or no `CommitResult` at all) may
 * have been applied, as Jepsen's `info` ops may have happened. The checker must raise no false
 * loss because of such a commit, and must not miss a loss that such a commit causes, both on a
 * simulator-style history (coordinator events present) and on a real-client history (client
 * events only, docs/history.md).
 *
 * Method: hand-made histories, `t` = index, the event constructors in the Helpers section.
 */
import { describe, expect, it } from 'vitest';
import type { CommitError, DistributiveOmit, History, HistoryEvent } from '../../models/history.ts';
import type { Violation } from '../../src/check/invariant.ts';
import { atLeastOnce, committedNotAheadOfProcessed, fencedCommitRejected, INVARIANTS } from './index.ts';

const G = 'G';

/**
 * c1 processes t-0@0..2 and commits 3; the response is lost, so c1 sees REQUEST_TIMED_OUT; then c1
 * crashes. c2 takes over at the committed offset 3 (the commit *was* applied) and processes 3.
 * `coordinator` adds what the simulator would record on the coordinator's side.
 */
const appliedButTimedOut = (coordinator: boolean): History =>
  history(
    started('c1'),
    produced('t-0', 0),
    produced('t-0', 1),
    produced('t-0', 2),
    produced('t-0', 3),
    ...(coordinator ? [generationStarted(1, ['c1'])] : []),
    joined('c1', 1),
    assigned('c1', 1, ['t-0']),
    positioned('c1', 't-0', 0),
    processed('c1', 't-0', 0),
    processed('c1', 't-0', 1),
    processed('c1', 't-0', 2),
    commitRequested('c1', 1, 1, { 't-0': 3 }),
    ...(coordinator ? [offsetsStored('c1', 1, { 't-0': 3 })] : []),
    commitResult('c1', 1, 1, { 't-0': 3 }, 'REQUEST_TIMED_OUT'),
    { type: 'Crashed', member: 'c1' },
    started('c2'),
    ...(coordinator ? [generationStarted(2, ['c2'])] : []),
    joined('c2', 2),
    assigned('c2', 2, ['t-0']),
    positioned('c2', 't-0', 3),
    processed('c2', 't-0', 3),
    commitRequested('c2', 2, 1, { 't-0': 4 }),
    ...(coordinator ? [offsetsStored('c2', 2, { 't-0': 4 })] : []),
    commitResult('c2', 2, 1, { 't-0': 4 }, 'NONE'),
    { type: 'Quiesced', settled: true },
  );

/**
 * A client that commits ahead of what it processed (3 after processing only 0), sees the commit
 * time out, and crashes: the commit was applied, so c2 starts at 3 and records 1 and 2 are lost.
 */
const aheadAndTimedOut = (coordinator: boolean, answered: boolean): History =>
  history(
    started('c1'),
    produced('t-0', 0),
    produced('t-0', 1),
    produced('t-0', 2),
    produced('t-0', 3),
    ...(coordinator ? [generationStarted(1, ['c1'])] : []),
    joined('c1', 1),
    assigned('c1', 1, ['t-0']),
    positioned('c1', 't-0', 0),
    processed('c1', 't-0', 0),
    commitRequested('c1', 1, 1, { 't-0': 3 }),
    ...(coordinator ? [offsetsStored('c1', 1, { 't-0': 3 })] : []),
    ...(answered ? [commitResult('c1', 1, 1, { 't-0': 3 }, 'REQUEST_TIMED_OUT')] : []),
    { type: 'Crashed', member: 'c1' },
    started('c2'),
    joined('c2', 2),
    assigned('c2', 2, ['t-0']),
    positioned('c2', 't-0', 3),
    processed('c2', 't-0', 3),
    { type: 'Quiesced', settled: true },
  );

describe('an ambiguous commit that was applied raises no false loss', () => {
  it.each([
    ['simulator history (coordinator events)', true],
    ['real-client history (client events only)', false],
  ])('%s: every invariant holds', (_name, coordinator) => {
    const h = appliedButTimedOut(coordinator);
    // The hand-made history has no Quiesce carrying liveness bounds: stableWithinBound cannot judge it.
    for (const inv of INVARIANTS) expect(inv.check(h, { duplicateBound: 0 }), inv.name).toEqual(inv.name === 'stableWithinBound' ? 'unknown' : []);
  });

  it('the same run with the commit seen as failed instead also holds: the outcome does not matter to a correct client', () => {
    const h = appliedButTimedOut(false).map((e) => (e.type === 'CommitResult' && e.seq === 1 && e.member === 'c1' ? { ...e, error: 'COORDINATOR_NOT_AVAILABLE' as const } : e));
    expect(atLeastOnce.check(h, {})).toEqual([]);
    expect(committedNotAheadOfProcessed.check(h, {})).toEqual([]);
  });
});

describe('an ambiguous commit that causes a loss is caught (no missed loss)', () => {
  it.each([
    ['simulator history, timed out', true, true],
    ['real-client history, timed out', false, true],
    ['real-client history, never answered', false, false],
  ])('%s: committedNotAheadOfProcessed flags the commit, atLeastOnce the lost records', (_name, coordinator, answered) => {
    const h = aheadAndTimedOut(coordinator, answered);
    const ahead = violations(committedNotAheadOfProcessed.check(h, {}));
    expect(ahead).toHaveLength(1);
    expect(ahead[0]).toMatchObject({ kind: 'commit-ahead', evidence: { member: 'c1', tp: 't-0', committed: 3, processedUpTo: 1, seq: 1 } });
    expect(ahead[0]?.message).toMatch(answered ? /timed out, so it may have been applied/ : /never answered/);
    const lost = violations(atLeastOnce.check(h, {}));
    // Records 1 and 2 are below the commit that may have been applied: lost writes, not merely unseen.
    expect(lost.map((v) => [v.kind, v.evidence['offsets'], v.evidence['committed']])).toEqual([['lost-write', [1, 2], 3]]);
  });

  it('a definite rejection of the same commit is not flagged by committedNotAheadOfProcessed (it was not applied)', () => {
    const h = aheadAndTimedOut(false, true).map((e) => (e.type === 'CommitResult' ? { ...e, error: 'ILLEGAL_GENERATION' as const } : e));
    expect(committedNotAheadOfProcessed.check(h, {})).toEqual([]);
  });
});

describe('fencedCommitRejected with indeterminate results and failover', () => {
  const stale = (error: CommitError): History =>
    history(
      joined('c1', 1),
      joined('c2', 2),
      commitRequested('c1', 1, 1, { 't-0': 5 }),
      commitResult('c1', 1, 1, { 't-0': 5 }, error),
    );

  it('(b) a stale commit seen accepted is a zombie commit; the same commit timed out is not (a correct coordinator rejects it)', () => {
    expect(violations(fencedCommitRejected.check(stale('NONE'), {})).map((v) => v.kind)).toEqual(['zombie-commit']);
    expect(fencedCommitRejected.check(stale('REQUEST_TIMED_OUT'), {})).toEqual([]);
  });

  it('(c) a commit stored between CoordinatorMoved and GroupLoaded was written by a stale coordinator', () => {
    const h = history(
      generationStarted(1, ['c1']),
      { type: 'CoordinatorMoved', group: G, coordinator: 1 },
      offsetsStored('c1', 1, { 't-0': 2 }),
      { type: 'GroupLoaded', group: G, coordinator: 1, generation: 1, members: ['c1'] },
      offsetsStored('c1', 1, { 't-0': 3 }),
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => [x.kind, x.events, x.evidence['view']])).toEqual([['zombie-commit', [1, 2], 'failover']]);
  });

  it('a group rebuilt at an older generation (a rebalance lost in the failover, §1.2) accepts that generation again', () => {
    const h = history(
      generationStarted(1, ['c1', 'c2']),
      joined('c1', 1),
      joined('c2', 1),
      { type: 'RebalanceStarted', group: G, generation: 1 },
      generationStarted(2, ['c1']),
      joined('c1', 2),
      { type: 'CoordinatorMoved', group: G, coordinator: 1 },
      { type: 'GroupLoaded', group: G, coordinator: 1, generation: 1, members: ['c1', 'c2'] },
      commitRequested('c2', 1, 1, { 't-0': 4 }),
      offsetsStored('c2', 1, { 't-0': 4 }),
      commitResult('c2', 1, 1, { 't-0': 4 }, 'NONE'),
    );
    expect(fencedCommitRejected.check(h, {})).toEqual([]);
    // Without the GroupLoaded event, the same commit is (rightly) a zombie commit in both views.
    const noLoad = h.filter((e) => e.type !== 'GroupLoaded' && e.type !== 'CoordinatorMoved');
    expect(violations(fencedCommitRejected.check(noLoad, {})).map((v) => v.evidence['view'])).toEqual(['coordinator', 'client']);
  });
});

// Helpers

type Body = DistributiveOmit<HistoryEvent, 't'>;

function history(...events: readonly Body[]): History {
  return events.map((e, t) => ({ ...e, t }) as HistoryEvent);
}

function violations(result: readonly Violation[] | 'unknown'): readonly Violation[] {
  if (result === 'unknown') throw new Error("expected violations, got 'unknown'");
  return result;
}

function started(member: string): Body {
  return { type: 'Started', member, group: G, topics: ['t'], mode: 'subscribe', policy: 'commit-after-batch' };
}
function produced(tp: string, offset: number): Body {
  return { type: 'Produced', tp, offset, key: `k${offset}`, value: offset };
}
function joined(member: string, generation: number): Body {
  return { type: 'Joined', member, group: G, generation, leader: false };
}
function assigned(member: string, generation: number, partitions: string[]): Body {
  return { type: 'Assigned', member, group: G, generation, partitions };
}
function positioned(member: string, tp: string, offset: number): Body {
  return { type: 'Positioned', member, tp, offset, source: 'committed' };
}
function processed(member: string, tp: string, offset: number): Body {
  return { type: 'Processed', member, tp, offset };
}
function commitRequested(member: string, generation: number, seq: number, offsets: Record<string, number>): Body {
  return { type: 'CommitRequested', member, group: G, generation, offsets, seq };
}
function commitResult(member: string, generation: number, seq: number, offsets: Record<string, number>, error: CommitError): Body {
  return { type: 'CommitResult', member, group: G, generation, offsets, seq, error };
}
function generationStarted(generation: number, members: string[]): Body {
  return { type: 'GenerationStarted', group: G, generation, members, leader: members[0] ?? null, protocol: members.length > 0 ? 'range' : null };
}
function offsetsStored(member: string, generation: number, offsets: Record<string, number>): Body {
  return { type: 'OffsetsStored', group: G, member, generation, offsets };
}
