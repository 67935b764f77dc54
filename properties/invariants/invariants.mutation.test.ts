/**
 * Tests of the history invariants written against the mutants StrykerJS left alive in
 * invariants.test.ts (reports/mutation.md): the exact violation messages a reader of a report
 * sees, the registry's metadata, the shared helpers of support.ts, and the scope rules each
 * invariant's doc comment states but no example exercised (first Started, several Positioned,
 * Revoked not closing a processing interval, ProcessStarted not counting as processing...).
 *
 * Method as in invariants.test.ts: hand-written histories, `t` = index; each test names the rule
 * of kafka-protocol.md it pins.
 */
import { describe, expect, it } from 'vitest';
import type { CommitError, DistributiveOmit, History, HistoryEvent, PositionSource } from '../../models/history.ts';
import type { Violation } from '../../src/check/invariant.ts';
import {
  atLeastOnce,
  committedNotAheadOfProcessed,
  concurrentProcessing,
  duplicatesBounded,
  fencedCommitRejected,
  groupSettles,
  INVARIANTS,
  invariantByName,
  noDuplicateProcessing,
  orderedWithinOwnership,
  processingOnlyOwned,
  singleOwnerPerPartition,
} from './index.ts';
import { byFirstEvent, groupOf, indices, memberGroups, names, offsetRanges, OwnershipTracker, UNKNOWN_GROUP } from './support.ts';

// ---------------------------------------------------------------- registry

describe('registry metadata (what reports print beside each verdict)', () => {
  // The registry grows (index.ts); these claims are about the invariants this file knows.
  const expected: Record<string, ['always' | 'eventually', string]> = {
    singleOwnerPerPartition: ['always', 'kafka-protocol.md Appendix S1; §4.4 AssignmentValidationTest.test_valid_assignment'],
    fencedCommitRejected: ['always', 'kafka-protocol.md §1.3, §1.11, Appendix S3'],
    orderedWithinOwnership: ['always', 'kafka-protocol.md §4.2 C3, §5.2 (poll-skip, nonmonotonic-poll), Appendix O1'],
    committedNotAheadOfProcessed: ['always', 'kafka-protocol.md Appendix O2, §4.2 C4'],
    atLeastOnce: ['eventually', 'kafka-protocol.md Appendix A1, §5.2 (lost-write, unseen), §4.4'],
    noDuplicateProcessing: ['always', 'kafka-protocol.md §5.2 (duplicate), §4.4 position == total_consumed'],
    duplicatesBounded: ['always', 'kafka-protocol.md §2.5, §2.6, §2.10'],
    concurrentProcessing: ['always', 'kafka-protocol.md §2.10, §1.12'],
    processingOnlyOwned: ['always', 'kafka-protocol.md §4.2 C1, C2'],
  };

  it('every invariant states a one-sentence claim and the notes section it comes from', () => {
    for (const inv of INVARIANTS) {
      expect(inv.claim, inv.name).toMatch(/^[A-Z].{30,}\.$/s);
      expect(inv.reference, inv.name).toMatch(/^kafka-protocol\.md (§\d|Appendix [A-Z]\d)/);
      expect(['always', 'eventually'], inv.name).toContain(inv.expectation);
    }
  });

  it('only settle-dependent claims are eventually-claims, and each cites its sections', () => {
    for (const [name, [expectation, reference]] of Object.entries(expected)) {
      const inv = invariantByName(name);
      expect([inv.expectation, inv.reference], name).toEqual([expectation, reference]);
    }
  });

  it('lists every valid name, comma-separated, when asked for an unknown one', () => {
    expect(() => invariantByName('nope')).toThrow(`Unknown invariant 'nope'. Valid names: ${INVARIANTS.map((i) => i.name).join(', ')}.`);
    expect(() => invariantByName('nope')).toThrow('Valid names: singleOwnerPerPartition, fencedCommitRejected, orderedWithinOwnership, ');
  });
});

// ---------------------------------------------------------------- support.ts

describe('support: memberGroups (Started is authoritative, else the first event that names a group)', () => {
  it('takes the group of Started even when another event of the member came first', () => {
    const h = history(joined('c1', 1, 'EARLY'), started('c1', 'G'), started('c1', 'LATER'));
    expect([...memberGroups(h)]).toEqual([['c1', 'G']]);
  });

  it('falls back to the first group-carrying event of a member without Started, and ignores events without a group', () => {
    const h = history(
      positioned('x', 't-0', 0), // has a member but no group
      joined('x', 1, 'A'),
      { type: 'CommitRequested', member: 'x', group: 'B', generation: 1, offsets: {}, seq: 1 },
      started('s', 'S'),
      joined('s', 1, 'OTHER'),
      { type: 'GroupStable', group: 'Z', generation: 1, assignment: {} }, // a group but no member
    );
    expect(new Map(memberGroups(h))).toEqual(new Map([['s', 'S'], ['x', 'A']]));
    expect(groupOf(memberGroups(h), 'x')).toBe('A');
    expect(groupOf(memberGroups(h), 'nobody')).toBe('(unknown group)');
    expect(UNKNOWN_GROUP).toBe('(unknown group)');
  });
});

describe('support: OwnershipTracker (episodes of §4.2 C1/C2)', () => {
  it('reports what each event started and ended, with ids in start order', () => {
    const o = new OwnershipTracker();
    const nothing = { ended: [], started: [] };
    expect(step(o, started('c1'), 0)).toEqual(nothing);
    expect(step(o, assigned('c1', 1, ['t-0', 't-1']), 1)).toEqual({
      ended: [],
      started: [
        { id: 0, member: 'c1', tp: 't-0', start: 1 },
        { id: 1, member: 'c1', tp: 't-1', start: 1 },
      ],
    });
    // A re-announced partition continues its episode; only the new one starts.
    expect(step(o, assigned('c1', 2, ['t-1', 't-2']), 2)).toEqual({ ended: [], started: [{ id: 2, member: 'c1', tp: 't-2', start: 2 }] });
    expect(step(o, assigned('c1', 2, ['t-1']), 3)).toEqual(nothing);
    expect(step(o, positioned('c1', 't-5', 0), 4)).toEqual(nothing); // subscribe members own by Assigned only
    expect(step(o, revoked('c1', ['t-0', 't-9']), 5)).toEqual({ ended: [{ id: 0, member: 'c1', tp: 't-0', start: 1 }], started: [] });
    expect(step(o, revoked('c1', ['t-0']), 6)).toEqual(nothing);
    expect(o.lastEnded('c1', 't-0')).toBe(5);
    expect(o.lastEnded('c1', 't-1')).toBeUndefined();
    expect(o.lastEnded('c9', 't-0')).toBeUndefined();
    expect(step(o, processed('c1', 't-1', 0), 7)).toEqual(nothing);
    expect(step(o, { type: 'Crashed', member: 'c1' }, 8)).toEqual({
      ended: [
        { id: 1, member: 'c1', tp: 't-1', start: 1 },
        { id: 2, member: 'c1', tp: 't-2', start: 2 },
      ],
      started: [],
    });
    expect(o.lastEnded('c1', 't-1')).toBe(8);
    expect(step(o, { type: 'Left', member: 'c1', group: 'G' }, 9)).toEqual(nothing);
    expect(step(o, { type: 'Crashed', member: 'never-owned' }, 10)).toEqual(nothing);
    expect(o.openEpisodes()).toEqual([]);
  });

  it('opens assign-mode episodes at Positioned, once, and closes them at Left', () => {
    const o = new OwnershipTracker();
    step(o, started('a1', 'G', 'assign'), 0);
    expect(step(o, positioned('a1', 't-0', 3), 1)).toEqual({ ended: [], started: [{ id: 0, member: 'a1', tp: 't-0', start: 1 }] });
    expect(step(o, positioned('a1', 't-0', 9, 'seek'), 2)).toEqual({ ended: [], started: [] });
    expect(o.current('a1', 't-0')).toEqual({ id: 0, member: 'a1', tp: 't-0', start: 1 });
    step(o, positioned('a1', 't-1', 0), 3);
    expect(o.openEpisodes().map((e) => e.tp).sort()).toEqual(['t-0', 't-1']);
    expect(step(o, { type: 'Left', member: 'a1', group: 'G' }, 4).ended.map((e) => e.tp)).toEqual(['t-0', 't-1']);
    expect(o.current('a1', 't-0')).toBeUndefined();
    expect(o.lastEnded('a1', 't-1')).toBe(4);
  });

  it('keeps episodes of different members apart', () => {
    const o = new OwnershipTracker();
    step(o, assigned('c1', 1, ['t-0']), 0);
    step(o, assigned('c2', 1, ['t-1']), 1);
    expect(step(o, revoked('c2', ['t-0']), 2)).toEqual({ ended: [], started: [] });
    expect(step(o, { type: 'Crashed', member: 'c2' }, 3).ended.map((e) => [e.member, e.tp])).toEqual([['c2', 't-1']]);
    expect(o.current('c1', 't-0')?.id).toBe(0);
    expect(o.openEpisodes()).toHaveLength(1);
    // A member that never owned anything revokes nothing (a revoke after a crash, say).
    expect(step(o, revoked('c9', ['t-0']), 4)).toEqual({ ended: [], started: [] });
    expect(o.lastEnded('c9', 't-0')).toBeUndefined();
  });
});

describe('support: formatting helpers', () => {
  it('indices sorts ascending, drops duplicates and undefined', () => {
    expect(indices(12, undefined, 3, 12, 100, 7)).toEqual([3, 7, 12, 100]);
  });

  it('byFirstEvent orders by first event index, stably, with event-less violations first', () => {
    const v = (message: string, events: number[]): Violation => ({ invariant: 'x', kind: 'duplicate', message, events, evidence: {} });
    expect(byFirstEvent([v('b', [10]), v('none', []), v('a', [2, 50]), v('c', [10, 1])]).map((x) => x.message)).toEqual(['none', 'a', 'b', 'c']);
    expect(byFirstEvent([v('one', [1]), v('zero', [0]), v('none', [])]).map((x) => x.message)).toEqual(['none', 'zero', 'one']);
    expect(byFirstEvent([v('none', []), v('zero', [0])]).map((x) => x.message)).toEqual(['none', 'zero']);
  });

  it('offsetRanges condenses runs, including repeated offsets', () => {
    expect(offsetRanges([])).toBe('');
    expect(offsetRanges([4])).toBe('4');
    expect(offsetRanges([5, 4, 4, 6, 9, 10, 20])).toBe('4-6, 9-10, 20');
    expect(offsetRanges([1, 3])).toBe('1, 3');
  });

  it('names reads as a sentence', () => {
    expect(names([])).toBe('');
    expect(names(['a'])).toBe('a');
    expect(names(['a', 'b'])).toBe('a and b');
    expect(names(['a', 'b', 'c', 'd'])).toBe('a, b, c and d');
  });
});

// ---------------------------------------------------------------- messages and scope rules

describe('singleOwnerPerPartition messages (Appendix S1)', () => {
  it('names every owner and the view the ownership comes from', () => {
    const v = violations(
      singleOwnerPerPartition.check(
        history(
          assigned('c1', 1, ['t-1']),
          assigned('c2', 1, ['t-1']),
          assigned('c3', 1, ['t-1']),
          { type: 'GroupStable', group: 'G', generation: 2, assignment: { c1: ['t-0'], c2: ['t-0'] } },
        ),
        {},
      ),
    );
    expect(v.map((x) => [x.message, x.events])).toEqual([
      ['Partition t-1 has 3 owners in group G generation 1: c1, c2 and c3 all received it in Assigned.', [0, 1, 2]],
      ['Partition t-0 has 2 owners in group G generation 2: c1 and c2 all were given it by GroupStable.', [3]],
    ]);
  });

  it('lists each event that gave a member the partition once, and every such event', () => {
    const h = history(
      assigned('c1', 1, ['t-0']),
      { type: 'GroupStable', group: 'G', generation: 1, assignment: { c1: ['t-0'], c2: ['t-0'] } },
      assigned('c2', 1, ['t-0']),
      assigned('c1', 1, ['t-0']),
      { type: 'GroupStable', group: 'G', generation: 1, assignment: { c1: ['t-0'] } },
    );
    const v = violations(singleOwnerPerPartition.check(h, {}));
    expect(v.map((x) => [x.evidence['view'], x.events, x.evidence['owners']])).toEqual([
      ['client', [0, 2, 3], ['c1', 'c2']],
      ['coordinator', [1, 4], ['c1', 'c2']],
    ]);
  });
});

describe('fencedCommitRejected messages and scope (§1.3, §1.11, Appendix S3)', () => {
  it('(a) explains each reason a stored commit was a zombie commit', () => {
    const h = history(
      offsetsStored('c0', 0, { 't-0': 1 }), // 0: no generation yet (§1.11 rule 2)
      generationStarted(1, ['c1', 'c2']), // 1
      offsetsStored('c1', 2, { 't-0': 4, 't-1': 2 }), // 2: wrong generation
      offsetsStored('c9', 1, {}), // 3: not a member
      { type: 'MemberRemoved', group: 'G', member: 'c2', reason: 'leave' }, // 4
      { type: 'MemberRemoved', group: 'G', member: 'c2', reason: 'session-timeout' }, // 5: only the first removal counts
      offsetsStored('c2', 1, { 't-1': 3 }), // 6: removed
      offsetsStored('admin', -1, { 't-0': 0 }), // 7: -1 while the group has members (rule 6)
      generationStarted(2, []), // 8
      offsetsStored('c1', 2, { 't-0': 5 }), // 9: not a member of an empty generation
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => [x.message, x.events])).toEqual([
      ['The coordinator of group G stored offsets t-0@1 from c0 with generation 0 although no generation of the group had started.', [0]],
      ['The coordinator of group G stored offsets t-0@4, t-1@2 from c1 with generation 2 although the group was in generation 1.', [1, 2]],
      // An empty commit reads "no offsets" (not "offsets no offsets").
      [expect.stringMatching(/stored no offsets from c9 with generation 1 although c9 is not a member of that generation \(members: c1 and c2\)\.$/), [1, 3]],
      ['The coordinator of group G stored offsets t-1@3 from c2 with generation 1 although c2 had been removed from the group.', [1, 4, 6]],
      ['The coordinator of group G stored offsets t-0@0 from admin with generation -1 although the group was not Empty in generation 1 (members: c1 and c2).', [1, 7]],
      ['The coordinator of group G stored offsets t-0@5 from c1 with generation 2 although c1 is not a member of that generation (members: none).', [8, 9]],
    ]);
    expect(v[0]?.evidence).toEqual({ view: 'coordinator', group: 'G', member: 'c0', generation: 0, groupGeneration: null, offsets: { 't-0': 1 } });
  });

  it('(a) removals are per group and per generation: a re-joined member commits again', () => {
    const h = history(
      generationStarted(1, ['c1']),
      { type: 'MemberRemoved', group: 'OTHER', member: 'c1', reason: 'leave' },
      offsetsStored('c1', 1, { 't-0': 1 }),
      { type: 'MemberRemoved', group: 'G', member: 'c1', reason: 'session-timeout' },
      generationStarted(2, ['c1']),
      offsetsStored('c1', 2, { 't-0': 2 }),
    );
    expect(fencedCommitRejected.check(h, {})).toEqual([]);
  });

  it('(b) explains the client view, and judges by the highest generation joined before the request', () => {
    const h = history(
      joined('c2', 3), // 0
      joined('c3', 2), // 1: lower, does not replace the best
      joined('c4', 3), // 2: equal, does not replace the best either
      commitRequested('c1', 1, 7, { 't-0': 2 }), // 3
      commitResult('c1', 1, 7, { 't-0': 2 }, 'NONE'), // 4
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => [x.message, x.events])).toEqual([
      ['The commit seq 7 of c1 in group G (offsets t-0@2, generation 1) was accepted although c2 had already joined generation 3 before it was sent.', [0, 3, 4]],
    ]);
    expect(v[0]?.evidence).toEqual({
      view: 'client',
      group: 'G',
      member: 'c1',
      generation: 1,
      laterGeneration: 3,
      joinedMember: 'c2',
      seq: 7,
      offsets: { 't-0': 2 },
    });
  });

  it('(b) ignores generation -1 and generation 0 requests only when no later generation was joined, and results without a request', () => {
    const h = history(
      joined('c1', 0), // 0
      commitRequested('c1', 0, 1, { 't-0': 1 }), // 1: current generation 0
      commitResult('c1', 0, 1, { 't-0': 1 }, 'NONE'),
      joined('c2', 1), // 3
      commitRequested('a1', -1, 1, { 't-0': 1 }), // manual assign() commit: not judged by (b)
      commitResult('a1', -1, 1, { 't-0': 1 }, 'NONE'),
      commitResult('c9', 0, 5, { 't-0': 1 }, 'NONE'), // no matching request
      commitRequested('c1', 0, 2, { 't-0': 2 }), // 7: stale by now
      commitResult('c1', 0, 2, { 't-0': 2 }, 'NONE'), // 8
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => x.events)).toEqual([[3, 7, 8]]);
  });

  it('(b) a request in a group nobody has joined yet is not stale', () => {
    const h = history(commitRequested('c1', 1, 1, { 't-0': 1 }), commitResult('c1', 1, 1, { 't-0': 1 }, 'NONE'));
    expect(fencedCommitRejected.check(h, {})).toEqual([]);
  });

  it('(b) matches results to requests by member and seq, per group', () => {
    const h = history(
      joined('c1', 1),
      commitRequested('c1', 1, 1, { 't-0': 1 }),
      { ...joined('d1', 5), group: 'OTHER' } as Body,
      commitResult('c1', 1, 1, { 't-0': 1 }, 'NONE'),
    );
    expect(fencedCommitRejected.check(h, {})).toEqual([]);
  });
});

describe('orderedWithinOwnership messages (§4.2 C3, §5.2)', () => {
  it('says whether the poll skipped or went back, and whether inside one poll or across polls', () => {
    const h = history(
      assigned('c1', 1, ['t-0']),
      positioned('c1', 't-0', 5),
      polled('c1', 't-0', [7]), // skip across polls
      polled('c1', 't-0', [3]), // back across polls
      polled('c1', 't-0', [4, 6, 6]), // skip, then back, inside one poll
      polled('c1', 't-0', [6]), // back by one: nonmonotonic, not a skip
    );
    const v = violations(orderedWithinOwnership.check(h, {}));
    expect(v.map((x) => [x.kind, x.message, x.evidence['internal']])).toEqual([
      ['poll-skip', 'Member c1 expected offset 5 of t-0 but skipped ahead to 7 in its next poll, within one ownership.', false],
      ['nonmonotonic-poll', 'Member c1 expected offset 8 of t-0 but went back to 3 in its next poll, within one ownership.', false],
      ['poll-skip', 'Member c1 expected offset 5 of t-0 but skipped ahead to 6 inside one poll, within one ownership.', true],
      ['nonmonotonic-poll', 'Member c1 expected offset 7 of t-0 but went back to 6 inside one poll, within one ownership.', true],
      ['nonmonotonic-poll', 'Member c1 expected offset 7 of t-0 but went back to 6 in its next poll, within one ownership.', false],
    ]);
  });

  it('keeps one expectation per partition of a member', () => {
    const h = history(
      assigned('c1', 1, ['t-0', 't-1']),
      positioned('c1', 't-0', 5),
      positioned('c1', 't-1', 0),
      polled('c1', 't-0', [7]),
      polled('c1', 't-1', [0, 1]),
      polled('c1', 't-0', [8]),
    );
    expect(violations(orderedWithinOwnership.check(h, {})).map((x) => [x.kind, x.events])).toEqual([['poll-skip', [1, 3]]]);
  });

  it('does not judge a poll outside ownership, not even its gaps (Jepsen allows them under subscribe, §5.2)', () => {
    const h = history(polled('c9', 't-0', [50, 52]), assigned('c1', 1, ['t-0']), revoked('c1', ['t-0']), polled('c1', 't-0', [3, 1]));
    expect(orderedWithinOwnership.check(h, {})).toEqual([]);
  });

  it('judges only owners: a Positioned or Polled outside an episode sets no expectation', () => {
    const h = history(
      positioned('c1', 't-0', 50), // not owned yet: ignored
      polled('c1', 't-0', [60]), // not owned: ignored
      assigned('c1', 1, ['t-0']),
      polled('c1', 't-0', []), // an empty poll says nothing
      polled('c1', 't-0', [3]), // the first poll of the episode sets the expectation
      polled('c1', 't-0', [4]),
      assigned('c2', 1, ['t-1']),
      positioned('c2', 't-1', 0),
      polled('c2', 't-1', [0]),
    );
    expect(orderedWithinOwnership.check(h, {})).toEqual([]);
  });
});

describe('committedNotAheadOfProcessed messages and bound (Appendix O2, §4.2 C4)', () => {
  it('explains what the member had processed when it sent the commit', () => {
    const h = history(
      positioned('c1', 't-0', 4), // 0
      commitRequested('c1', 1, 1, { 't-0': 5 }), // 1: position 4, nothing processed
      commitResult('c1', 1, 1, { 't-0': 5 }, 'NONE'), // 2
      processed('c2', 't-1', 8), // 3: processed, never positioned
      commitRequested('c2', 1, 1, { 't-1': 10 }), // 4
      commitResult('c2', 1, 1, { 't-1': 10 }, 'NONE'), // 5
      commitResult('c3', 1, 1, { 't-2': 1 }, 'NONE'), // 6: no request, no knowledge
    );
    const v = violations(committedNotAheadOfProcessed.check(h, {}));
    expect(v.map((x) => [x.message, x.events])).toEqual([
      [
        'Member c1 of group G had commit seq 1 of offset 5 on t-0 accepted in generation 1 although it had only processed up to offset 4 (position 4, last processed none).',
        [0, 1, 2],
      ],
      [
        'Member c2 of group G had commit seq 1 of offset 10 on t-1 accepted in generation 1 although it had only processed up to offset 9 (position unknown, last processed 8).',
        [3, 4, 5],
      ],
      ['Member c3 of group G had commit seq 1 of offset 1 on t-2 accepted in generation 1 although it had neither a position nor a processed record there.', [6]],
    ]);
  });

  it('uses the highest processed offset since the latest position; a lower or repeated one changes nothing', () => {
    const h = history(
      positioned('c1', 't-0', 0), // 0
      processed('c1', 't-0', 3), // 1
      processed('c1', 't-0', 1), // 2: lower, ignored
      processed('c1', 't-0', 3), // 3: repeated, ignored (the evidence keeps event 1)
      commitRequested('c1', 1, 1, { 't-0': 5 }), // 4
      commitResult('c1', 1, 1, { 't-0': 5 }, 'NONE'), // 5
      positioned('c1', 't-0', 10, 'seek'), // 6: a new position resets the progress
      commitRequested('c1', 1, 2, { 't-0': 11 }), // 7
      commitResult('c1', 1, 2, { 't-0': 11 }, 'NONE'), // 8
      commitRequested('c1', 1, 3, { 't-0': 10 }), // 9: at the position: fine
      commitResult('c1', 1, 3, { 't-0': 10 }, 'NONE'),
    );
    const v = violations(committedNotAheadOfProcessed.check(h, {}));
    expect(v.map((x) => [x.events, x.evidence['processedUpTo']])).toEqual([
      [[0, 1, 4, 5], 4],
      [[6, 7, 8], 10],
    ]);
  });

  it('without a request, judges by the progress when the result arrives', () => {
    const h = history(
      positioned('c1', 't-0', 0),
      processed('c1', 't-0', 0),
      processed('c1', 't-0', 1),
      commitResult('c1', 1, 1, { 't-0': 2 }, 'NONE'),
      commitResult('c2', 1, 1, { 't-0': 1 }, 'NONE'),
    );
    const v = violations(committedNotAheadOfProcessed.check(h, {}));
    expect(v.map((x) => [x.evidence['member'], x.events])).toEqual([['c2', [4]]]);
  });
});

describe('atLeastOnce messages and scope (Appendix A1, §5.2)', () => {
  it('words one record and many, lost and unseen, committed or not', () => {
    const h = history(
      started('c1'),
      produced('t-0', 0),
      produced('t-0', 1),
      produced('t-0', 2),
      produced('t-0', 3),
      produced('t-1', 0),
      produced('t-1', 1),
      processed('c1', 't-0', 1),
      commitResult('c1', 1, 1, { 't-0': 3 }, 'NONE'),
      { type: 'Quiesced', settled: true },
    );
    const v = violations(atLeastOnce.check(h, {}));
    expect(v.map((x) => [x.kind, x.message])).toEqual([
      ['lost-write', 'Group G never processed 2 records of t-0 at offsets 0, 2, below its final committed offset 3.'],
      ['unseen', 'Group G never processed 1 record of t-0 at offset 3, at or above its final committed offset 3.'],
      ['unseen', 'Group G never processed 2 records of t-1 at offsets 0-1, and it never committed that partition.'],
    ]);
  });

  it('sorts the missing offsets and their events, whatever order they were produced in', () => {
    const h = history(started('c1'), produced('t-0', 10), produced('t-0', 2), produced('t-0', 7), { type: 'Quiesced', settled: true });
    const v = violations(atLeastOnce.check(h, {}));
    expect(v.map((x) => [x.events, x.evidence['offsets'], x.evidence['offset']])).toEqual([[[1, 2, 3], [2, 7, 10], 2]]);
  });

  it('scopes by the first Started of the group, not a later one', () => {
    const h = history(started('c1'), produced('t-0', 0), started('c2'), { type: 'Quiesced', settled: true });
    expect(violations(atLeastOnce.check(h, {})).map((x) => x.evidence['offsets'])).toEqual([[0]]);
  });

  it('a record produced at the same index as nothing else: scope is strictly after the first Started', () => {
    // Produced before Started is out of scope unless positioned at or below it.
    const h = history(produced('t-0', 0), started('c1'), positioned('c1', 't-0', 1), { type: 'Quiesced', settled: true });
    expect(atLeastOnce.check(h, {})).toEqual([]);
  });

  it('takes the lowest Positioned of the group as the floor, whichever member and order', () => {
    const h = history(
      produced('t-0', 0),
      produced('t-0', 1),
      produced('t-0', 2),
      produced('t-0', 3),
      produced('t-0', 4),
      started('c1'),
      started('c2'),
      positioned('c1', 't-0', 3),
      positioned('c2', 't-0', 1),
      positioned('c1', 't-0', 4),
      positioned('c9', 't-0', 0), // not in any group: no effect
      processed('c1', 't-0', 3),
      processed('c1', 't-0', 4),
      { type: 'Quiesced', settled: true },
    );
    expect(violations(atLeastOnce.check(h, {})).map((x) => x.evidence['offsets'])).toEqual([[1, 2]]);
  });

  it('counts the first Produced of a record for the scope', () => {
    const h = history(produced('t-0', 0), started('c1'), produced('t-0', 0), { type: 'Quiesced', settled: true });
    expect(atLeastOnce.check(h, {})).toEqual([]);
  });

  it("checks the partitions of every topic the group's members subscribed to, and no others", () => {
    const h = history(
      started('c1', 'G', 'subscribe', ['t']),
      started('c2', 'G', 'subscribe', ['u']),
      produced('t-0', 0),
      produced('u-0', 0),
      produced('v-0', 0),
      { type: 'Quiesced', settled: true },
    );
    expect(violations(atLeastOnce.check(h, {})).map((x) => x.evidence['tp'])).toEqual(['t-0', 'u-0']);
  });

  it('only accepted commits of the group decide lost or unseen; the last one wins', () => {
    const h = history(
      started('c1'),
      produced('t-0', 0),
      commitResult('c1', 1, 1, { 't-0': 5 }, 'NONE'),
      commitResult('c1', 1, 2, { 't-0': 0 }, 'NONE'),
      commitResult('c1', 1, 3, { 't-0': 9 }, 'ILLEGAL_GENERATION'),
      { ...commitResult('d1', 1, 1, { 't-0': 9 }, 'NONE'), group: 'OTHER' } as Body,
      { type: 'Quiesced', settled: true },
    );
    expect(violations(atLeastOnce.check(h, {})).map((x) => [x.kind, x.evidence['committed']])).toEqual([['unseen', 0]]);
  });

  it("is 'unknown' unless some Quiesced event settled", () => {
    expect(atLeastOnce.check(history(started('c1'), { type: 'Quiesced', settled: false }, produced('t-0', 0)), {})).toBe('unknown');
    expect(atLeastOnce.check(history(started('c1'), { type: 'Quiesced', settled: false }, { type: 'Quiesced', settled: true }), {})).toEqual([]);
  });
});

describe('groupSettles (Appendix L1)', () => {
  const quiesce = (t: number) => ({ type: 'Quiesce', t }) as HistoryEvent;
  const quiesced = (t: number, settled: boolean) => ({ type: 'Quiesced', t, settled }) as HistoryEvent;
  const other = (t: number) => ({ type: 'Crashed', t, member: 'c1' }) as HistoryEvent;

  it('reports a livelock with the time the tail began and ended', () => {
    expect(groupSettles.check([other(0), quiesce(500), other(700), quiesced(9500, false)], {})).toEqual([
      {
        invariant: 'groupSettles',
        kind: 'livelock',
        message: 'The groups did not settle: quiescence began at t=500 ms and ended unsettled at t=9500 ms.',
        events: [1, 3],
        evidence: { quiesceStart: 500, end: 9500 },
      },
    ]);
  });

  it('without a Quiesce marker (or with it first) the events and message still say what is known', () => {
    expect(groupSettles.check([quiesced(40, false)], {})).toEqual([
      expect.objectContaining({ message: 'The groups did not settle: quiescence began at t=? ms and ended unsettled at t=40 ms.', events: [0], evidence: { quiesceStart: null, end: 40 } }),
    ]);
    expect(violations(groupSettles.check([quiesce(0), quiesced(10, false)], {})).map((v) => [v.events, v.evidence, v.message])).toEqual([
      [[0, 1], { quiesceStart: 0, end: 10 }, 'The groups did not settle: quiescence began at t=0 ms and ended unsettled at t=10 ms.'],
    ]);
  });

  it('the last Quiesced decides, even when other events follow it', () => {
    expect(groupSettles.check([quiesce(0), quiesced(5, false), quiesced(9, true)], {})).toEqual([]);
    expect(violations(groupSettles.check([quiesce(0), quiesced(5, true), quiesced(9, false), other(10)], {})).map((v) => v.events)).toEqual([[0, 2]]);
    expect(groupSettles.check([quiesced(0, true), other(3)], {})).toEqual([]);
    expect(groupSettles.check([other(0), other(1)], {})).toBe('unknown');
  });
});

describe('noDuplicateProcessing messages (§5.2 duplicate)', () => {
  it('counts the processings and names the members', () => {
    const h = history(started('c1'), started('c2'), processed('c1', 't-0', 4), processed('c2', 't-0', 4), processed('c1', 't-0', 4));
    const v = violations(noDuplicateProcessing.check(h, {}));
    expect(v.map((x) => [x.message, x.events])).toEqual([['Record t-0@4 was processed 3 times in group G, by c1 and c2.', [2, 3, 4]]]);
  });
});

describe('duplicatesBounded messages and counting (§2.5, §2.10)', () => {
  it('says when the episode ended, or that it was still open', () => {
    const h = history(
      started('c1'),
      started('c2'),
      assigned('c1', 1, ['t-0']),
      processed('c1', 't-0', 0),
      processed('c1', 't-0', 1),
      revoked('c1', ['t-0']),
      assigned('c2', 2, ['t-0']),
      processed('c2', 't-0', 0),
      processed('c2', 't-0', 1),
      { type: 'Crashed', member: 'c2' },
      assigned('c1', 3, ['t-0']),
      processed('c1', 't-0', 1),
    );
    const v = violations(duplicatesBounded.check(h, { duplicateBound: 0 }));
    expect(v.map((x) => x.message)).toEqual([
      'Member c2 of group G re-processed 2 already-processed records of t-0 (offsets 0-1) in one ownership starting at event 6 before its ownership ended at event 9, above the bound of 0.',
      'Member c1 of group G re-processed 1 already-processed records of t-0 (offsets 1) in one ownership starting at event 10 by the end of the history, above the bound of 0.',
    ]);
  });

  it('counts Processed events only: ProcessStarted and other events with an offset are not processing', () => {
    const h = history(
      started('c1'),
      assigned('c1', 1, ['t-0']),
      processStarted('c1', 't-0', 0),
      polled('c1', 't-0', [0]),
      processed('c1', 't-0', 0),
      processStarted('c1', 't-0', 1),
      processed('c1', 't-0', 1),
    );
    expect(duplicatesBounded.check(h, { duplicateBound: 0 })).toEqual([]);
  });

  it('does not count re-processing outside an episode, but it marks the record processed', () => {
    const h = history(
      started('c1'),
      started('c2'),
      processed('c1', 't-0', 0), // no episode: not counted
      processed('c1', 't-0', 0), // no episode, already processed: still not counted
      assigned('c2', 1, ['t-0']),
      processed('c2', 't-0', 0), // counted: the group had processed it
    );
    const v = violations(duplicatesBounded.check(h, { duplicateBound: 0 }));
    expect(v.map((x) => [x.events, x.evidence['episodeStart']])).toEqual([[[5], 4]]);
  });
});

describe('concurrentProcessing messages and intervals (§2.10, §1.12)', () => {
  it('names the busy members with their offsets, singular and plural', () => {
    const h = history(
      started('c1'),
      started('c2'),
      started('c3'),
      processStarted('c1', 't-0', 4),
      processStarted('c2', 't-0', 5),
      processStarted('c3', 't-0', 6),
    );
    const v = violations(concurrentProcessing.check(h, {}));
    expect(v.map((x) => x.message)).toEqual([
      'Member c2 of group G started processing t-0@5 while c1 (offset 4) was still processing that partition.',
      'Member c3 of group G started processing t-0@6 while c1 (offset 4) and c2 (offset 5) were still processing that partition.',
    ]);
  });

  it('a Revoked does not close the interval: the handler may still run (§2.10)', () => {
    const h = history(
      started('c1'),
      started('c2'),
      assigned('c1', 1, ['t-0']),
      processStarted('c1', 't-0', 0),
      revoked('c1', ['t-0']),
      polled('c1', 't-0', [1]),
      processStarted('c2', 't-0', 0),
    );
    expect(violations(concurrentProcessing.check(h, {})).map((x) => x.events)).toEqual([[3, 6]]);
  });

  it('Left closes every interval of the member, and only its own', () => {
    const h = history(
      started('c1'),
      started('c2'),
      started('c3'),
      processStarted('c1', 't-0', 0),
      processStarted('c1', 't-1', 0),
      processStarted('c3', 't-2', 0),
      { type: 'Left', member: 'c1', group: 'G' },
      processStarted('c2', 't-0', 1),
      processStarted('c2', 't-1', 1),
      processStarted('c2', 't-2', 1),
    );
    expect(violations(concurrentProcessing.check(h, {})).map((x) => x.events)).toEqual([[5, 9]]);
  });

  it('a member starting again on its own partition is not concurrent with itself', () => {
    const h = history(started('c1'), processStarted('c1', 't-0', 0), processStarted('c1', 't-0', 1), processed('c2', 't-0', 0));
    expect(concurrentProcessing.check(h, {})).toEqual([]);
  });
});

describe('processingOnlyOwned messages (§4.2 C1, C2)', () => {
  it('says whether the member never owned the partition or since when it no longer does', () => {
    const h = history(
      started('c1'),
      processStarted('c1', 't-0', 0),
      assigned('c1', 1, ['t-1']),
      revoked('c1', ['t-1']),
      processStarted('c1', 't-1', 7),
    );
    const v = violations(processingOnlyOwned.check(h, {}));
    expect(v.map((x) => x.message)).toEqual([
      'Member c1 of group G started processing t-0@0 although it never owned that partition.',
      'Member c1 of group G started processing t-1@7 although its ownership had ended at event 3.',
    ]);
  });
});

// ---------------------------------------------------------------- helpers (as in invariants.test.ts)

type Body = DistributiveOmit<HistoryEvent, 't'>;

/** Feeds one event, stamped with t = i, to the tracker. */
function step(o: OwnershipTracker, e: Body, i: number) {
  return o.apply({ ...e, t: i } as HistoryEvent, i);
}

function history(...events: readonly Body[]): History {
  return events.map((e, t) => ({ ...e, t }) as HistoryEvent);
}

function violations(result: readonly Violation[] | 'unknown'): readonly Violation[] {
  if (result === 'unknown') throw new Error("expected violations, got 'unknown'");
  return result;
}

function started(member: string, group = 'G', mode: 'subscribe' | 'assign' = 'subscribe', topics: string[] = ['t']): Body {
  return { type: 'Started', member, group, topics, mode, policy: 'commit-after-batch' };
}
function produced(tp: string, offset: number): Body {
  return { type: 'Produced', tp, offset, key: `k${offset}`, value: offset };
}
function joined(member: string, generation: number, group = 'G'): Body {
  return { type: 'Joined', member, group, generation, leader: false };
}
function assigned(member: string, generation: number, partitions: string[]): Body {
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
function commitResult(member: string, generation: number, seq: number, offsets: Record<string, number>, error: CommitError): Body {
  return { type: 'CommitResult', member, group: 'G', generation, offsets, seq, error };
}
function generationStarted(generation: number, members: string[]): Body {
  return { type: 'GenerationStarted', group: 'G', generation, members, leader: members[0] ?? null, protocol: members.length > 0 ? 'range' : null };
}
function offsetsStored(member: string, generation: number, offsets: Record<string, number>): Body {
  return { type: 'OffsetsStored', group: 'G', member, generation, offsets };
}
