/**
 * Tests of the group leader's role (kafka-protocol.md §1.5, §3.1): on Elected it runs the assignor
 * the coordinator selected and emits AssignmentComputed for its member's SyncGroup. The assignors
 * themselves are tested in models/assignor/assignor.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Effect } from '../effects.ts';
import type { AssignorName } from '../types.ts';
import { leaderMachine, type LeaderEvent } from './leader.machine.ts';

const MEMBERS = [
  { memberId: 'a~1', topics: ['t'] },
  { memberId: 'b~2', topics: ['t'] },
];

function leader(assignors: readonly AssignorName[]) {
  const actor = createActor(leaderMachine, { input: { assignors } });
  const out: Effect[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  return {
    send(ev: LeaderEvent): Effect[] {
      out.length = 0;
      actor.send(ev);
      return [...out];
    },
    snapshot: () => actor.getSnapshot(),
  };
}

const elected = (protocol: string | null, members = MEMBERS, partitionsPerTopic: Record<string, number> = { t: 3 }, generation = 4): LeaderEvent => ({
  type: 'Elected',
  generation,
  protocol,
  members,
  partitionsPerTopic,
});

describe('leader: Elected -> AssignmentComputed (§1.5, §3.1)', () => {
  it.each([
    // range: contiguous ranges, the first sorted members get the extra partition
    ['range', { 'a~1': ['t-0', 't-1'], 'b~2': ['t-2'] }],
    // roundrobin: partitions dealt in turn over the sorted members
    ['roundrobin', { 'a~1': ['t-0', 't-2'], 'b~2': ['t-1'] }],
  ] as const)('runs the selected protocol %s, whatever the member prefers', (protocol, expected) => {
    // The member prefers the other assignor; the coordinator's choice wins.
    const l = leader(protocol === 'range' ? ['roundrobin', 'range'] : ['range', 'roundrobin']);
    expect(l.send(elected(protocol))).toEqual([{ type: 'AssignmentComputed', generation: 4, assignments: expected }]);
    expect(l.snapshot().value).toBe('Leading');
    expect(l.snapshot().context.generation).toBe(4);
    expect(l.snapshot().context.lastAssignment).toEqual(expected);
  });

  it.each([
    ['an unknown protocol', 'uniform'],
    ['no protocol', null],
  ] as const)('with %s it falls back to the member’s first preference', (_what, protocol) => {
    const l = leader(['roundrobin', 'range']);
    expect(l.send(elected(protocol))).toEqual([{ type: 'AssignmentComputed', generation: 4, assignments: { 'a~1': ['t-0', 't-2'], 'b~2': ['t-1'] } }]);
  });

  it('every member is present in the result, even with nothing to own', () => {
    const members = [
      { memberId: 'a~1', topics: ['t'] },
      { memberId: 'b~2', topics: ['t'] },
      { memberId: 'c~3', topics: ['t'] },
      { memberId: 'd~4', topics: ['missing'] }, // a topic without metadata is skipped
    ];
    const [effect] = leader(['range']).send(elected('range', members, { t: 2 }));
    expect(effect?.type).toBe('AssignmentComputed');
    const assignments = effect?.type === 'AssignmentComputed' ? effect.assignments : {};
    expect(Object.keys(assignments).sort()).toEqual(['a~1', 'b~2', 'c~3', 'd~4']);
    expect(assignments).toEqual({ 'a~1': ['t-0'], 'b~2': ['t-1'], 'c~3': [], 'd~4': [] });
  });

  it('only the subscribed topics are assigned, not every topic in the metadata', () => {
    const [effect] = leader(['range']).send(elected('range', MEMBERS, { t: 1, other: 4 }));
    expect(effect).toEqual({ type: 'AssignmentComputed', generation: 4, assignments: { 'a~1': ['t-0'], 'b~2': [] } });
  });

  it('a later election recomputes for its generation; Demoted returns to Follower', () => {
    const l = leader(['range']);
    l.send(elected('range'));
    const again = l.send(elected('range', [{ memberId: 'a~1', topics: ['t'] }], { t: 3 }, 5));
    expect(again).toEqual([{ type: 'AssignmentComputed', generation: 5, assignments: { 'a~1': ['t-0', 't-1', 't-2'] } }]);
    expect(l.send({ type: 'Demoted' })).toEqual([]);
    expect(l.snapshot().value).toBe('Follower');
    expect(l.send({ type: 'Demoted' })).toEqual([]); // a follower ignores it
  });
});
