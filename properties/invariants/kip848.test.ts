/**
 * Unit tests of the invariants' KIP-848 readings (group.protocol=consumer, kafka-protocol.md §3.3):
 * singleOwnerPerPartition's per-instant coordinator view over `MemberEpochAssigned`, and
 * fencedCommitRejected's member-epoch rules. Each has a violating and a passing history; the
 * passing ones are the protocol's normal moves, which the classic readings would have flagged.
 */
import { describe, expect, it } from 'vitest';
import type { DistributiveOmit, History, HistoryEvent } from '../../models/history.ts';
import type { Violation } from '../../src/check/invariant.ts';
import { fencedCommitRejected, singleOwnerPerPartition } from './index.ts';

describe('singleOwnerPerPartition under KIP-848 (coordinator-epochs view)', () => {
  it('reports a partition given to a new member while its previous owner still has it pending revocation', () => {
    const h = history(
      epochAssigned('c1', 1, ['t-0', 't-1'], []),
      epochAssigned('c1', 1, ['t-0'], ['t-1']),
      epochAssigned('c2', 2, ['t-1'], []),
    );
    const v = violations(singleOwnerPerPartition.check(h, {}));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      kind: 'split-ownership',
      events: [1, 2],
      evidence: { group: 'G', tp: 't-1', owners: ['c1', 'c2'], view: 'coordinator-epochs' },
    });
  });

  it('holds when the partition moves once the owner released it, or was removed; epochs may differ', () => {
    const h = history(
      epochAssigned('c1', 1, ['t-0', 't-1'], []),
      epochAssigned('c2', 2, [], []), // waits: t-1 is not released yet
      epochAssigned('c1', 1, ['t-0'], ['t-1']),
      epochAssigned('c1', 2, ['t-0'], []), // released
      epochAssigned('c2', 2, ['t-1'], []),
      { type: 'MemberRemoved', group: 'G', member: 'c2', reason: 'session-timeout' },
      epochAssigned('c1', 3, ['t-0', 't-1'], []),
    );
    expect(violations(singleOwnerPerPartition.check(h, {}))).toEqual([]);
  });
});

describe('static membership under KIP-848 (StaticMemberReplaced)', () => {
  it('the replaced incarnation hands its partitions to the new one: one owner, and its later commits are zombie commits', () => {
    const h = history(
      epochAssigned('c0#1', 1, ['t-0'], []),
      epochAssigned('c0#1', -2, ['t-0'], []), // left temporarily, keeps t-0
      { type: 'StaticMemberReplaced', group: 'G', generation: 1, instance: 'c0', previous: 'c0#1', member: 'c0#2' },
      epochAssigned('c0#2', 1, ['t-0'], []),
      stored('c0#2', 1),
      stored('c0#1', 1),
    );
    expect(violations(singleOwnerPerPartition.check(h, {}))).toEqual([]);
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => x.events)).toEqual([[5]]);
    // Without the replacement, the same partition at two members is split ownership.
    const split = history(epochAssigned('c0#1', 1, ['t-0'], []), epochAssigned('c0#2', 1, ['t-0'], []));
    expect(violations(singleOwnerPerPartition.check(split, {}))).toHaveLength(1);
  });
});

describe('fencedCommitRejected under KIP-848 (member epochs)', () => {
  it('holds for a member still revoking at its old epoch after another member joined a later one', () => {
    const h = history(
      epochAssigned('c1', 1, ['t-0'], []),
      joined('c1', 1),
      epochAssigned('c2', 2, [], []),
      joined('c2', 2),
      epochAssigned('c1', 1, [], ['t-0']),
      { type: 'CommitRequested', member: 'c1', group: 'G', generation: 1, offsets: { 't-0': 4 }, seq: 1 },
      stored('c1', 1),
      { type: 'CommitResult', member: 'c1', group: 'G', generation: 1, offsets: { 't-0': 4 }, seq: 1, error: 'NONE' },
    );
    expect(violations(fencedCommitRejected.check(h, {}))).toEqual([]);
  });

  it('reports a commit stored with an epoch the member has left, and one of a removed member', () => {
    const h = history(
      epochAssigned('c1', 1, ['t-0'], []),
      epochAssigned('c1', 2, ['t-0'], []),
      stored('c1', 1),
      { type: 'MemberRemoved', group: 'G', member: 'c1', reason: 'session-timeout' },
      stored('c1', 2),
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => [x.kind, x.events, x.evidence['memberEpoch']])).toEqual([
      ['zombie-commit', [1, 2], 2],
      ['zombie-commit', [4], null],
    ]);
    expect(v[0]?.message).toContain('its member epoch was 2');
    expect(v[1]?.message).toContain('is not a member of the group');
  });

  it('rule (c) under KIP-848: a commit stored while the group is between coordinators is reported; after the load, epochs carry on', () => {
    const h = history(
      epochAssigned('c1', 1, ['t-0'], []),
      epochAssigned('c2', 1, [], []),
      { type: 'CoordinatorMoved', group: 'G', coordinator: 1 },
      stored('c1', 1), // the unloaded coordinator must answer NOT_COORDINATOR, not store
      { type: 'GroupLoaded', group: 'G', coordinator: 1, generation: 1, members: ['c1'] },
      stored('c1', 1), // the loaded group kept c1's epoch: accepted
      stored('c2', 1), // c2 is not in the loaded group
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => [x.events, x.evidence['view']])).toEqual([
      [[2, 3], 'failover'],
      [[6], 'coordinator'],
    ]);
    expect(v[0]?.message).toContain('after its coordinator moved and before the new one loaded it');
  });

  it('accepts an epoch -1 commit only while the group has no members', () => {
    const h = history(
      epochAssigned('c1', 1, ['t-0'], []),
      { type: 'MemberRemoved', group: 'G', member: 'c1', reason: 'leave' },
      stored('admin', -1),
      epochAssigned('c2', 2, ['t-0'], []),
      stored('admin', -1),
    );
    const v = violations(fencedCommitRejected.check(h, {}));
    expect(v.map((x) => x.events)).toEqual([[4]]);
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

function epochAssigned(member: string, epoch: number, assigned: string[], pendingRevocation: string[]): Body {
  return { type: 'MemberEpochAssigned', group: 'G', member, epoch, assigned, pendingRevocation };
}

function joined(member: string, generation: number): Body {
  return { type: 'Joined', member, group: 'G', generation, leader: false };
}

function stored(member: string, generation: number): Body {
  return { type: 'OffsetsStored', group: 'G', member, generation, offsets: { 't-0': 4 } };
}
