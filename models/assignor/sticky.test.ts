/**
 * Tests of the sticky and cooperative-sticky assignors (kafka-protocol.md §3.1, §3.2): the claim
 * rules of KAFKA-14639, worked examples, and fast-check properties of their two promises
 * (balance within one, and moving no more partitions than balance requires) and of the
 * cooperative round (a partition another member still claims is never handed out).
 */
import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { createActor } from 'xstate';
import { leaderMachine } from '../leader/leader.machine.ts';
import type { Effect } from '../effects.ts';
import { cooperativeStickyPlan, minimalMoves, resolveClaims, stickyAssign } from './sticky.ts';
import type { AssignorMember } from './types.ts';

const T = ['t'];
const member = (memberId: string, owned: string[] = [], ownedGeneration = 1, topics = T): AssignorMember => ({ memberId, topics, owned, ownedGeneration });
const tps = (n: number) => Array.from({ length: n }, (_, p) => `t-${p}`);

describe('resolveClaims (KAFKA-14639, §6 #1)', () => {
  const all = new Set(tps(4));
  it('keeps an uncontested claim whatever its generation', () => {
    expect(resolveClaims([member('a', ['t-0'], 1), member('b', [], -1)], all)).toEqual(new Map([['t-0', 'a']]));
  });
  it('gives a contested partition to the highest generation and drops equal-generation double claims', () => {
    const owners = resolveClaims([member('a', ['t-0', 't-1'], 3), member('b', ['t-0'], 5), member('c', ['t-1'], 3)], all);
    expect(owners.get('t-0')).toBe('b');
    expect(owners.has('t-1')).toBe(false);
  });
  it('ignores claims on partitions that do not exist or topics the member left', () => {
    expect(resolveClaims([member('a', ['t-9', 'u-0'])], all).size).toBe(0);
  });
});

describe('sticky (§3.1)', () => {
  it('a newcomer takes one partition from the member that has most; everyone else keeps theirs', () => {
    const plan = stickyAssign([member('a', ['t-0', 't-1', 't-2']), member('b', ['t-3']), member('c')], { t: 4 });
    expect(plan).toEqual({ a: ['t-0', 't-1'], b: ['t-3'], c: ['t-2'] });
  });
  it('a member that leaves: its partitions go to the least loaded, nothing else moves', () => {
    const plan = stickyAssign([member('b', ['t-1', 't-4']), member('c', ['t-2', 't-5'])], { t: 6 });
    expect(plan).toEqual({ b: ['t-0', 't-1', 't-4'], c: ['t-2', 't-3', 't-5'] });
  });
  it('minimalMoves: the largest owners get the larger quotas', () => {
    expect(minimalMoves([3, 1, 0], 4)).toBe(1);
    expect(minimalMoves([4, 0, 0], 6)).toBe(2);
    expect(minimalMoves([2, 2, 0], 5)).toBe(0);
    expect(minimalMoves([], 3)).toBe(0);
  });
});

describe('cooperative-sticky (KIP-429, §3.2)', () => {
  it('holds back a partition that moves: nobody gets it this round', () => {
    const { target, assignment } = cooperativeStickyPlan([member('a', ['t-0', 't-1', 't-2']), member('b')], { t: 3 });
    expect(target).toEqual({ a: ['t-0', 't-1'], b: ['t-2'] });
    expect(assignment).toEqual({ a: ['t-0', 't-1'], b: [] });
  });
  it('in the follow-up round the revoked partition is free and goes out', () => {
    const { assignment } = cooperativeStickyPlan([member('a', ['t-0', 't-1'], 2), member('b', [], -1)], { t: 3 });
    expect(assignment).toEqual({ a: ['t-0', 't-1'], b: ['t-2'] });
  });
  it('holds back a partition claimed by a stale member too, not only by its valid owner', () => {
    const { assignment } = cooperativeStickyPlan([member('a', ['t-0'], 1), member('b', ['t-0'], 4), member('c', [], -1)], { t: 3 });
    for (const [m, list] of Object.entries(assignment)) if (m !== 'b') expect(list).not.toContain('t-0');
  });
});

// Claims drawn from a partition set; a member claims each partition it "owns" under one
// generation; double claims are allowed, to exercise the resolution rules.
const scenarioArb = fc
  .record({ members: fc.integer({ min: 1, max: 6 }), partitions: fc.integer({ min: 0, max: 12 }) })
  .chain(({ members, partitions }) =>
    fc.record({
      partitions: fc.constant(partitions),
      members: fc.tuple(
        ...Array.from({ length: members }, (_, i) =>
          fc.record({
            memberId: fc.constant(`m${i}`),
            topics: fc.constant(T),
            owned: partitions === 0 ? fc.constant([] as string[]) : fc.uniqueArray(fc.nat({ max: partitions - 1 }).map((p) => `t-${p}`), { maxLength: partitions }),
            ownedGeneration: fc.integer({ min: -1, max: 3 }),
          }),
        ),
      ),
    }),
  );

describe('sticky properties', () => {
  fcTest.prop([scenarioArb], { seed: 4201 })('balance: sizes differ by at most one (identical subscriptions)', ({ members, partitions }) => {
    const sizes = Object.values(stickyAssign(members, { t: partitions })).map((l) => l.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
  fcTest.prop([scenarioArb], { seed: 4202 })('stickiness: no more valid claims move than balance requires', ({ members, partitions }) => {
    const plan = stickyAssign(members, { t: partitions });
    const owners = resolveClaims(members, new Set(tps(partitions)));
    const moved = [...owners].filter(([tp, m]) => !(plan[m] ?? []).includes(tp)).length;
    const counts = members.map((m) => [...owners.values()].filter((o) => o === m.memberId).length);
    expect(moved).toBeLessThanOrEqual(minimalMoves(counts, partitions));
  });
  fcTest.prop([scenarioArb], { seed: 4203 })(
    'cooperative round: never hands out a partition another member claims; otherwise it is the target',
    ({ members, partitions }) => {
      const { target, assignment } = cooperativeStickyPlan(members, { t: partitions });
      for (const m of members) {
        const mine = assignment[m.memberId] ?? [];
        for (const tp of mine) for (const other of members) if (other.memberId !== m.memberId) expect(other.owned).not.toContain(tp);
        const heldBack = (target[m.memberId] ?? []).filter((tp) => !mine.includes(tp));
        for (const tp of heldBack) expect(members.some((o) => o.memberId !== m.memberId && (o.owned ?? []).includes(tp))).toBe(true);
      }
    },
  );
  fcTest.prop([scenarioArb], { seed: 4204 })('two rounds settle: after everyone revokes what it lost, nothing is held back', ({ members, partitions }) => {
    const first = cooperativeStickyPlan(members, { t: partitions }).assignment;
    const again = members.map((m) => ({ ...m, owned: first[m.memberId] ?? [], ownedGeneration: 4 }));
    const second = cooperativeStickyPlan(again, { t: partitions });
    expect(second.assignment).toEqual(second.target);
    expect(Object.values(second.assignment).flat().sort()).toEqual(tps(partitions).sort());
  });
});

describe('the leader records what the assignor saw and decided', () => {
  it('AssignorRan carries the claims, the target and the assignment sent', () => {
    const actor = createActor(leaderMachine, { input: { assignors: ['cooperative-sticky'] } });
    const out: Effect[] = [];
    actor.on('*', (e) => out.push(e));
    actor.start();
    actor.send({ type: 'Elected', generation: 3, protocol: 'cooperative-sticky', members: [member('a', ['t-0', 't-1'], 2), { memberId: 'b', topics: T }], partitionsPerTopic: { t: 2 } });
    expect(out[0]).toEqual({
      type: 'Observe',
      event: {
        type: 'AssignorRan',
        generation: 3,
        assignor: 'cooperative-sticky',
        members: [
          { memberId: 'a', topics: T, owned: ['t-0', 't-1'], ownedGeneration: 2 },
          { memberId: 'b', topics: T, owned: [], ownedGeneration: -1 },
        ],
        target: { a: ['t-0'], b: ['t-1'] },
        assignment: { a: ['t-0'], b: [] },
      },
    });
    expect(out[1]).toEqual({ type: 'AssignmentComputed', generation: 3, assignments: { a: ['t-0'], b: [] } });
  });
});

describe('the leader records only sticky runs', () => {
  it('range and round-robin runs emit the plan alone (their histories are unchanged)', () => {
    const actor = createActor(leaderMachine, { input: { assignors: ['range'] } });
    const out: Effect[] = [];
    actor.on('*', (e) => out.push(e));
    actor.start();
    actor.send({ type: 'Elected', generation: 1, protocol: 'range', members: [member('a')], partitionsPerTopic: { t: 1 } });
    expect(out.map((e) => e.type)).toEqual(['AssignmentComputed']);
  });
});
