/**
 * Unit tests of the history invariants: for each, small hand-written histories that violate it
 * (checking kind, event indices and count) and one that satisfies it.
 *
 * Method: histories are built with `history(...)`, which stamps `t` with the event's index, and
 * the short event constructors in the Helpers section at the bottom.
 */
import { describe, expect, it } from 'vitest';
import type { CommitError, DistributiveOmit, History, HistoryEvent, PositionSource } from '../../models/history.ts';
import type { CheckContext, Violation } from '../../src/check/invariant.ts';
import {
  atLeastOnce,
  committedNotAheadOfProcessed,
  concurrentProcessing,
  duplicatesBounded,
  fencedCommitRejected,
  INVARIANTS,
  invariantByName,
  noDuplicateProcessing,
  orderedWithinOwnership,
  processingOnlyOwned,
  singleOwnerPerPartition,
} from './index.ts';
import { offsetRanges } from './support.ts';

describe('singleOwnerPerPartition', () => {
  it('reports two members that received one partition in one generation (client view)', () => {
    const h = history(
      assigned('c1', 1, ['t-0', 't-1']),
      assigned('c2', 1, ['t-1']),
      assigned('c3', 1, ['t-2']),
    );
    const v = violations(singleOwnerPerPartition.check(h, {}));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      kind: 'split-ownership',
      events: [0, 1],
      evidence: { group: 'G', generation: 1, tp: 't-1', owners: ['c1', 'c2'], view: 'client' },
    });
  });

  it('reports the coordinator view and every case', () => {
    const h = history(
      { type: 'GroupStable', group: 'G', generation: 3, assignment: { c1: ['t-0', 't-1'], c2: ['t-0'] } },
      { type: 'GroupStable', group: 'G', generation: 4, assignment: { c1: ['t-1'], c2: ['t-0', 't-1'] } },
      assigned('c1', 4, ['t-1']),
      assigned('c2', 4, ['t-1']),
    );
    const v = violations(singleOwnerPerPartition.check(h, {}));
    expect(v.map((x) => [x.events, x.evidence['view'], x.evidence['tp'], x.evidence['generation']])).toEqual([
      [[0], 'coordinator', 't-0', 3],
      [[1], 'coordinator', 't-1', 4],
      [[2, 3], 'client', 't-1', 4],
    ]);
  });

  it('holds when a partition moves to another member in a later generation', () => {
    const h = history(
      { type: 'GroupStable', group: 'G', generation: 1, assignment: { c1: ['t-0', 't-1'] } },
      assigned('c1', 1, ['t-0', 't-1']),
      revoked('c1', ['t-0', 't-1']),
      { type: 'GroupStable', group: 'G', generation: 2, assignment: { c1: ['t-0'], c2: ['t-1'] } },
      assigned('c1', 2, ['t-0']),
      assigned('c2', 2, ['t-1']),
      { ...assigned('d1', 2, ['t-1']), group: 'OTHER' },
    );
    expect(singleOwnerPerPartition.check(h, {})).toEqual([]);
  });
});

describe('fencedCommitRejected', () => {
  it('(a) reports stored commits of an old generation and of a non-member', () => {
    const h = history(
      generationStarted(1, ['c1', 'c2']),
      generationStarted(2, ['c2']),
      offsetsStored('c1', 1, { 't-0': 4 }),
      offsetsStored('c1', 2, { 't-0': 4 }),
      offsetsStored('c2', 2, { 't-1': 7 }),
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => [x.kind, x.events])).toEqual([
      ['zombie-commit', [1, 2]],
      ['zombie-commit', [1, 3]],
    ]);
    expect(v[0]?.evidence).toMatchObject({ group: 'G', member: 'c1', generation: 1, groupGeneration: 2 });
  });

  it('(a) reports a stored commit of a removed member, and a generation -1 commit to a non-empty group', () => {
    const h = history(
      generationStarted(1, ['c1']),
      { type: 'MemberRemoved', group: 'G', member: 'c1', reason: 'session-timeout' },
      offsetsStored('c1', 1, { 't-0': 1 }),
      offsetsStored('admin', -1, { 't-0': 0 }),
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => x.events)).toEqual([
      [0, 1, 2],
      [0, 3],
    ]);
  });

  it('(a) accepts generation -1 commits while the group does not exist or is Empty', () => {
    const h = history(
      offsetsStored('admin', -1, { 't-0': 0 }),
      generationStarted(1, ['c1']),
      offsetsStored('c1', 1, { 't-0': 3 }),
      generationStarted(2, []),
      offsetsStored('admin', -1, { 't-0': 5 }),
    );
    expect(fencedCommitRejected.check(h, {})).toEqual([]);
  });

  it('(b) reports an accepted commit sent after a later generation had been joined', () => {
    const h = history(
      joined('c1', 1),
      commitRequested('c1', 1, 1, { 't-0': 2 }),
      joined('c2', 2),
      commitRequested('c1', 1, 2, { 't-0': 3 }),
      commitResult('c1', 1, 1, { 't-0': 2 }, 'NONE'),
      commitResult('c1', 1, 2, { 't-0': 3 }, 'NONE'),
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      kind: 'zombie-commit',
      events: [2, 3, 5],
      evidence: { view: 'client', member: 'c1', generation: 1, laterGeneration: 2, seq: 2 },
    });
  });

  it('holds when the stale commit is rejected and the rest is current', () => {
    const h = history(
      generationStarted(1, ['c1']),
      joined('c1', 1),
      commitRequested('c1', 1, 1, { 't-0': 2 }),
      offsetsStored('c1', 1, { 't-0': 2 }),
      commitResult('c1', 1, 1, { 't-0': 2 }, 'NONE'),
      generationStarted(2, ['c1', 'c2']),
      joined('c2', 2),
      commitRequested('c1', 1, 2, { 't-0': 3 }),
      commitResult('c1', 1, 2, { 't-0': 3 }, 'ILLEGAL_GENERATION'),
      joined('c1', 2),
      commitRequested('c1', 2, 3, { 't-0': 3 }),
      offsetsStored('c1', 2, { 't-0': 3 }),
      commitResult('c1', 2, 3, { 't-0': 3 }, 'NONE'),
    );
    expect(fencedCommitRejected.check(h, {})).toEqual([]);
  });
});

describe('orderedWithinOwnership', () => {
  it('reports a skip, a rewind and gaps inside one poll', () => {
    const h = history(
      assigned('c1', 1, ['t-0']),
      positioned('c1', 't-0', 5),
      polled('c1', 't-0', [5, 6]),
      polled('c1', 't-0', [8, 9]),
      polled('c1', 't-0', [9]),
      polled('c1', 't-0', [10, 12, 11]),
    );
    const v = violations(orderedWithinOwnership.check(h, {}));
    expect(v.map((x) => [x.kind, x.events, x.evidence['expected'], x.evidence['got']])).toEqual([
      ['poll-skip', [2, 3], 7, 8],
      ['nonmonotonic-poll', [3, 4], 10, 9],
      ['poll-skip', [5], 11, 12],
      ['nonmonotonic-poll', [5], 13, 11],
    ]);
    expect(v[0]?.evidence).toMatchObject({ member: 'c1', tp: 't-0' });
  });

  it('reports a poll that does not start at the position', () => {
    const h = history(assigned('c1', 1, ['t-0']), positioned('c1', 't-0', 3), polled('c1', 't-0', [0, 1]));
    const v = violations(orderedWithinOwnership.check(h, {}));
    expect(v.map((x) => [x.kind, x.events])).toEqual([['nonmonotonic-poll', [1, 2]]]);
  });

  it('holds across revokes, seeks, fresh episodes and assign-mode members', () => {
    const h = history(
      started('c1'),
      started('a1', 'G', 'assign'),
      assigned('c1', 1, ['t-0']),
      positioned('c1', 't-0', 0),
      polled('c1', 't-0', [0, 1]),
      polled('c1', 't-0', [2]),
      revoked('c1', ['t-0']),
      assigned('c1', 2, ['t-0']),
      polled('c1', 't-0', [1]), // no position yet in this episode: just sets the expectation
      polled('c1', 't-0', [2, 3]),
      positioned('c1', 't-0', 10, 'seek'),
      polled('c1', 't-0', [10]),
      positioned('a1', 't-1', 4),
      polled('a1', 't-1', [4, 5]),
      polled('a1', 't-1', [6]),
      polled('c9', 't-0', [50]), // not an owner: not judged here
    );
    expect(orderedWithinOwnership.check(h, {})).toEqual([]);
  });
});

describe('committedNotAheadOfProcessed', () => {
  it('reports an accepted commit past the processed records', () => {
    const h = history(
      positioned('c1', 't-0', 0),
      processed('c1', 't-0', 0),
      processed('c1', 't-0', 1),
      commitRequested('c1', 1, 1, { 't-0': 5 }),
      commitResult('c1', 1, 1, { 't-0': 5 }, 'NONE'),
    );
    const v = violations(committedNotAheadOfProcessed.check(h, {}));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      kind: 'commit-ahead',
      events: [0, 2, 3, 4],
      evidence: { member: 'c1', tp: 't-0', committed: 5, processedUpTo: 2 },
    });
  });

  it('judges by the state at the request (commit before process) and reports every partition', () => {
    const h = history(
      positioned('c1', 't-0', 0),
      positioned('c1', 't-1', 7),
      commitRequested('c1', 1, 1, { 't-0': 2, 't-1': 9 }),
      processed('c1', 't-0', 0),
      processed('c1', 't-0', 1),
      processed('c1', 't-1', 7),
      processed('c1', 't-1', 8),
      commitResult('c1', 1, 1, { 't-0': 2, 't-1': 9 }, 'NONE'),
      commitResult('c1', 1, 2, { 't-2': 1 }, 'NONE'), // no request, never positioned on t-2
    );
    const v = violations(committedNotAheadOfProcessed.check(h, {}));
    expect(v.map((x) => [x.events, x.evidence['tp'], x.evidence['processedUpTo']])).toEqual([
      [[0, 2, 7], 't-0', 0],
      [[1, 2, 7], 't-1', 7],
      [[8], 't-2', null],
    ]);
  });

  it('holds for commits at the position or right after processing, and ignores rejected commits', () => {
    const h = history(
      positioned('c1', 't-0', 5, 'committed'),
      commitRequested('c1', 1, 1, { 't-0': 5 }),
      commitResult('c1', 1, 1, { 't-0': 5 }, 'NONE'),
      processed('c1', 't-0', 5),
      processed('c1', 't-0', 6),
      commitRequested('c1', 1, 2, { 't-0': 7 }),
      commitResult('c1', 1, 2, { 't-0': 7 }, 'NONE'),
      commitRequested('c1', 1, 3, { 't-0': 99 }),
      commitResult('c1', 1, 3, { 't-0': 99 }, 'ILLEGAL_GENERATION'),
    );
    expect(committedNotAheadOfProcessed.check(h, {})).toEqual([]);
  });
});

describe('atLeastOnce', () => {
  it("is 'unknown' when the run did not settle", () => {
    const base = [started('c1'), produced('t-0', 0)] as const;
    expect(atLeastOnce.check(history(...base), {})).toBe('unknown');
    expect(atLeastOnce.check(history(...base, { type: 'Quiesced', settled: false }), {})).toBe('unknown');
  });

  it('tells lost writes (below the final commit) from unseen records', () => {
    const h = history(
      started('c1'),
      produced('t-0', 0),
      produced('t-0', 1),
      produced('t-0', 2),
      produced('t-0', 3),
      processed('c1', 't-0', 0),
      processed('c1', 't-0', 2),
      commitResult('c1', 1, 1, { 't-0': 1 }, 'NONE'),
      commitResult('c1', 1, 2, { 't-0': 3 }, 'NONE'),
      commitResult('c1', 1, 3, { 't-0': 4 }, 'REBALANCE_IN_PROGRESS'),
      { type: 'Quiesced', settled: true },
    );
    const v = violations(atLeastOnce.check(h, {}));
    expect(v.map((x) => [x.kind, x.events, x.evidence['offsets'], x.evidence['committed']])).toEqual([
      ['lost-write', [2], [1], 3],
      ['unseen', [4], [3], 3],
    ]);
    expect(v[0]?.evidence).toMatchObject({ group: 'G', tp: 't-0', offset: 1 });
  });

  it('checks each group on its own', () => {
    const h = history(
      started('a1', 'A'),
      started('b1', 'B'),
      produced('t-0', 0),
      produced('t-0', 1),
      processed('a1', 't-0', 0),
      processed('a1', 't-0', 1),
      processed('b1', 't-0', 0),
      { type: 'Quiesced', settled: true },
    );
    const v = violations(atLeastOnce.check(h, {}));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'unseen', events: [3], evidence: { group: 'B', tp: 't-0', offsets: [1], committed: null } });
  });

  it('scopes older records by the lowest position the group took', () => {
    const h = history(
      produced('t-0', 0),
      produced('t-0', 1),
      produced('t-0', 2),
      produced('t-1', 0),
      started('c1'),
      positioned('c1', 't-0', 1, 'reset-earliest'),
      processed('c1', 't-0', 2),
      { type: 'Quiesced', settled: true },
    );
    const v = violations(atLeastOnce.check(h, {}));
    expect(v.map((x) => [x.kind, x.events, x.evidence['tp'], x.evidence['offsets']])).toEqual([
      ['unseen', [1], 't-0', [1]],
    ]);
  });

  it('condenses many missing offsets into one violation with at most 50 events', () => {
    const many = Array.from({ length: 60 }, (_, i) => produced('t-0', i));
    const v = violations(atLeastOnce.check(history(started('c1'), ...many, { type: 'Quiesced', settled: true }), {}));
    expect(v).toHaveLength(1);
    expect(v[0]?.events).toHaveLength(50);
    expect(v[0]?.evidence['offsets']).toHaveLength(60);
    expect(v[0]?.message).toContain('0-59');
  });

  it('holds when every in-scope record was processed', () => {
    const h = history(
      produced('t-0', 0), // before the group started and below its positions: out of scope
      started('c1'),
      started('c2'),
      positioned('c1', 't-0', 1, 'reset-latest'),
      produced('t-0', 1),
      produced('t-0', 2),
      processed('c1', 't-0', 1),
      processed('c2', 't-0', 2),
      commitResult('c2', 1, 1, { 't-0': 3 }, 'NONE'),
      { type: 'Quiesced', settled: true },
    );
    expect(atLeastOnce.check(h, {})).toEqual([]);
  });
});

describe('noDuplicateProcessing', () => {
  it('reports every record processed more than once in one group', () => {
    const h = history(
      started('c1'),
      started('c2'),
      processed('c1', 't-0', 0),
      processed('c2', 't-0', 0),
      processed('c1', 't-0', 1),
      processed('c1', 't-0', 1),
      processed('c1', 't-0', 2),
      processed('c1', 't-0', 1),
    );
    const v = violations(noDuplicateProcessing.check(h, {}));
    expect(v.map((x) => [x.kind, x.events, x.evidence['members']])).toEqual([
      ['duplicate', [2, 3], ['c1', 'c2']],
      ['duplicate', [4, 5, 7], ['c1']],
    ]);
    expect(v[1]?.evidence).toMatchObject({ group: 'G', tp: 't-0', offset: 1, count: 3 });
  });

  it('holds when each group processes each record once', () => {
    const h = history(
      started('a1', 'A'),
      started('b1', 'B'),
      processed('a1', 't-0', 0),
      processed('b1', 't-0', 0),
      processed('a1', 't-1', 0),
    );
    expect(noDuplicateProcessing.check(h, {})).toEqual([]);
  });
});

describe('duplicatesBounded', () => {
  const handoff = history(
    started('c1'),
    started('c2'),
    assigned('c1', 1, ['t-0']),
    processed('c1', 't-0', 0),
    processed('c1', 't-0', 1),
    processed('c1', 't-0', 2),
    { type: 'Crashed', member: 'c1' },
    assigned('c2', 2, ['t-0']),
    processed('c2', 't-0', 0),
    processed('c2', 't-0', 1),
    processed('c2', 't-0', 2),
    processed('c2', 't-0', 3),
    revoked('c2', ['t-0']),
    assigned('c2', 3, ['t-0']),
    processed('c2', 't-0', 3),
  );

  it('reports an episode that re-processed more than the bound', () => {
    const v = violations(duplicatesBounded.check(handoff, { duplicateBound: 1 }));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      kind: 'excess-duplicate',
      events: [8, 9, 10],
      evidence: { member: 'c2', tp: 't-0', reprocessed: [0, 1, 2], bound: 1 },
    });
  });

  it('reports every episode over the bound, including one still open at the end', () => {
    const v = violations(duplicatesBounded.check(handoff, { duplicateBound: 0 }));
    expect(v.map((x) => [x.events, x.evidence['reprocessed']])).toEqual([
      [[8, 9, 10], [0, 1, 2]],
      [[14], [3]],
    ]);
  });

  it('holds within the bound, and claims nothing without one', () => {
    expect(duplicatesBounded.check(handoff, { duplicateBound: 3 })).toEqual([]);
    expect(duplicatesBounded.check(handoff, {})).toEqual([]);
  });
});

describe('concurrentProcessing', () => {
  it('reports each start while another member of the group is processing the partition', () => {
    const h = history(
      started('c1'),
      started('c2'),
      processStarted('c1', 't-0', 0),
      processStarted('c2', 't-0', 0),
      processed('c1', 't-0', 0),
      processStarted('c1', 't-0', 1),
    );
    const v = violations(concurrentProcessing.check(h, {}));
    expect(v.map((x) => [x.kind, x.events, x.evidence['members'], x.evidence['offsets']])).toEqual([
      ['concurrent-processing', [2, 3], ['c1', 'c2'], [0, 0]],
      ['concurrent-processing', [3, 5], ['c2', 'c1'], [0, 1]],
    ]);
    expect(v[0]?.evidence).toMatchObject({ group: 'G', tp: 't-0' });
  });

  it('holds for handoffs, crashes, other partitions and other groups', () => {
    const h = history(
      started('c1'),
      started('c2'),
      started('d1', 'OTHER'),
      processStarted('c1', 't-0', 0),
      processStarted('d1', 't-0', 0),
      processStarted('c2', 't-1', 0),
      processed('c1', 't-0', 0),
      processStarted('c2', 't-0', 1),
      processed('c2', 't-0', 1),
      processStarted('c1', 't-0', 2),
      { type: 'Crashed', member: 'c1' },
      processStarted('c2', 't-0', 2),
    );
    expect(concurrentProcessing.check(h, {})).toEqual([]);
  });
});

describe('processingOnlyOwned', () => {
  it('reports processing before any ownership and after a revoke', () => {
    const h = history(
      started('c1'),
      processStarted('c1', 't-0', 0),
      assigned('c1', 1, ['t-0']),
      processStarted('c1', 't-0', 0),
      revoked('c1', ['t-0']),
      processStarted('c1', 't-0', 1),
    );
    const v = violations(processingOnlyOwned.check(h, {}));
    expect(v.map((x) => [x.kind, x.events, x.evidence['ownershipEndedAt']])).toEqual([
      ['processing-unowned', [1], null],
      ['processing-unowned', [4, 5], 4],
    ]);
    expect(v[1]?.evidence).toMatchObject({ member: 'c1', tp: 't-0', offset: 1 });
  });

  it('treats positioned partitions as owned by assign-mode members, and only those', () => {
    const h = history(
      started('a1', 'G', 'assign'),
      positioned('a1', 't-0', 0),
      processStarted('a1', 't-0', 0),
      processStarted('a1', 't-1', 0),
      { type: 'Left', member: 'a1', group: 'G' },
      processStarted('a1', 't-0', 1),
    );
    const v = violations(processingOnlyOwned.check(h, {}));
    expect(v.map((x) => x.events)).toEqual([[3], [4, 5]]);
  });

  it('holds while processing stays inside ownership', () => {
    const h = history(
      started('c1'),
      assigned('c1', 1, ['t-0', 't-1']),
      processStarted('c1', 't-0', 0),
      processStarted('c1', 't-1', 0),
      revoked('c1', ['t-1']),
      processStarted('c1', 't-0', 1),
    );
    expect(processingOnlyOwned.check(h, {})).toEqual([]);
  });
});

describe('registry', () => {
  it('lists the invariants in order with unique names matching their files', () => {
    expect(INVARIANTS.map((i) => i.name)).toEqual([
      'singleOwnerPerPartition',
      'fencedCommitRejected',
      'orderedWithinOwnership',
      'committedNotAheadOfProcessed',
      'atLeastOnce',
      'noDuplicateProcessing',
      'duplicatesBounded',
      'concurrentProcessing',
      'processingOnlyOwned',
      'cooperativeHandoff',
      'assignmentBalanced',
      'assignmentSticky',
      'groupSettles',
      'stableWithinBound',
    ]);
    for (const inv of INVARIANTS) expect(invariantByName(inv.name)).toBe(inv);
  });

  it('names the valid invariants when asked for an unknown one', () => {
    expect(() => invariantByName('noSuchClaim')).toThrow(/noSuchClaim.*singleOwnerPerPartition.*processingOnlyOwned/);
  });

  it('returns [] on an empty history (eventually-claims: unknown)', () => {
    const ctx: CheckContext = { duplicateBound: 0 };
    for (const inv of INVARIANTS) {
      expect(inv.check([], ctx)).toEqual(inv.expectation === 'eventually' ? 'unknown' : []);
    }
  });

  it('renders offsets as ranges', () => {
    expect(offsetRanges([9, 3, 4, 5, 11, 12])).toBe('3-5, 9, 11-12');
  });
});

// Helpers

type Body = DistributiveOmit<HistoryEvent, 't'>;

/** A history whose `t` is each event's index. */
function history(...events: readonly Body[]): History {
  return events.map((e, t) => ({ ...e, t }) as HistoryEvent);
}

/** Narrows a check result to its violations (fails the test on 'unknown'). */
function violations(result: readonly Violation[] | 'unknown'): readonly Violation[] {
  if (result === 'unknown') throw new Error("expected violations, got 'unknown'");
  return result;
}

// Event constructors are function declarations so describe bodies can use them (hoisting).

function started(member: string, group = 'G', mode: 'subscribe' | 'assign' = 'subscribe'): Body {
  return { type: 'Started', member, group, topics: ['t'], mode, policy: 'commit-after-batch' };
}
function produced(tp: string, offset: number): Body {
  return { type: 'Produced', tp, offset, key: `k${offset}`, value: offset };
}
function joined(member: string, generation: number): Body {
  return { type: 'Joined', member, group: 'G', generation, leader: false };
}
function assigned(member: string, generation: number, partitions: string[]): Extract<Body, { type: 'Assigned' }> {
  return { type: 'Assigned', member, group: 'G', generation, partitions };
}
function revoked(member: string, partitions: string[]): Body {
  return { type: 'Revoked', member, group: 'G', partitions, reason: 'rebalance' };
}
function positioned(member: string, tp: string, offset: number, source: PositionSource = 'committed'): Body {
  return { type: 'Positioned', member, tp, offset, source };
}
function polled(member: string, tp: string, offsets: number[]): Body {
  return { type: 'Polled', member, tp, offsets };
}
function processStarted(member: string, tp: string, offset: number): Body {
  return { type: 'ProcessStarted', member, tp, offset };
}
function processed(member: string, tp: string, offset: number): Body {
  return { type: 'Processed', member, tp, offset };
}
function commitRequested(member: string, generation: number, seq: number, offsets: Record<string, number>): Body {
  return { type: 'CommitRequested', member, group: 'G', generation, offsets, seq };
}
function commitResult(
  member: string,
  generation: number,
  seq: number,
  offsets: Record<string, number>,
  error: CommitError,
): Body {
  return { type: 'CommitResult', member, group: 'G', generation, offsets, seq, error };
}
function generationStarted(generation: number, members: string[]): Body {
  const protocol = members.length > 0 ? 'range' : null;
  return { type: 'GenerationStarted', group: 'G', generation, members, leader: members[0] ?? null, protocol };
}
function offsetsStored(member: string, generation: number, offsets: Record<string, number>): Body {
  return { type: 'OffsetsStored', group: 'G', member, generation, offsets };
}

describe('groupSettles', () => {
  it('holds when the quiescence tail settled, fails (livelock) when it did not, unknown without one', async () => {
    const { groupSettles } = await import('./groupSettles.ts');
    const settled = [{ type: 'Quiesce', t: 5 }, { type: 'Quiesced', t: 9, settled: true }] as const;
    const stuck = [{ type: 'Started', t: 0, member: 'a', group: 'G', topics: ['t'], mode: 'subscribe', policy: 'commit-per-message' }, { type: 'Quiesce', t: 5 }, { type: 'Quiesced', t: 9, settled: false }] as const;
    expect(groupSettles.check(settled, {})).toEqual([]);
    const v = groupSettles.check(stuck, {});
    expect(v).not.toBe('unknown');
    expect(v === 'unknown' ? [] : v.map((x) => [x.kind, x.events])).toEqual([['livelock', [1, 2]]]);
    expect(groupSettles.check([], {})).toBe('unknown');
  });
});
