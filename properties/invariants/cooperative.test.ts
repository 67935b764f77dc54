/**
 * Unit tests of the assignor and handoff invariants (assignmentBalanced, assignmentSticky,
 * cooperativeHandoff) and of the witness cooperativeRevokeInProgress, on small hand-written
 * histories: each violating history checks kind and event indices, each passing one the
 * exemptions (held-back partitions, session expiry, a late SyncGroup answer, eager revoke).
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../models/history.ts';
import type { Violation } from '../../src/check/invariant.ts';
import { cooperativeRevokeInProgress } from '../witnesses/index.ts';
import { assignmentBalanced, assignmentSticky, cooperativeHandoff, INVARIANTS } from './index.ts';

type Body = HistoryEvent extends infer E ? (E extends HistoryEvent ? Omit<E, 't'> : never) : never;
const history = (...events: Body[]): HistoryEvent[] => events.map((e, t) => ({ ...e, t }) as HistoryEvent);
const violations = (r: readonly Violation[] | 'unknown'): readonly Violation[] => (r === 'unknown' ? [] : r);

const started = (member: string): Body => ({ type: 'Started', member, group: 'G', topics: ['t'], mode: 'subscribe', policy: 'commit-after-batch' });
const joined = (member: string, generation: number): Body => ({ type: 'Joined', member, group: 'G', generation, leader: false });
const assigned = (member: string, generation: number, partitions: string[]): Body => ({ type: 'Assigned', member, group: 'G', generation, partitions });
const revoked = (member: string, partitions: string[], reason: 'rebalance' | 'lost' | 'close' = 'rebalance'): Body => ({ type: 'Revoked', member, group: 'G', partitions, reason });
const removed = (member: string): Body => ({ type: 'MemberRemoved', group: 'G', member, reason: 'session-timeout' });
const processed = (member: string, tp: string, offset: number): Body => ({ type: 'Processed', member, tp, offset });

type Claim = [id: string, owned: string[], generation: number];
const ran = (assignor: string, claims: Claim[], target: Record<string, string[]>, assignment: Record<string, string[]> = target, topics = ['t']): Body => ({
  type: 'AssignorRan',
  member: 'a',
  generation: 5,
  assignor,
  members: claims.map(([memberId, owned, ownedGeneration]) => ({ memberId, topics, owned, ownedGeneration })),
  target,
  assignment,
});

describe('registry', () => {
  it('registers the three invariants once each', () => {
    for (const name of ['assignmentBalanced', 'assignmentSticky', 'cooperativeHandoff']) expect(INVARIANTS.filter((i) => i.name === name)).toHaveLength(1);
  });
});

describe('assignmentBalanced', () => {
  it('reports a sticky target whose sizes differ by two', () => {
    const h = history(ran('sticky', [['a', [], -1], ['b', [], -1]], { a: ['t-0', 't-1', 't-2'], b: ['t-3'] }));
    const v = violations(assignmentBalanced.check(h, {}));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'unbalanced-assignment', events: [0], evidence: { scope: 'total', sizes: { a: 3, b: 1 } } });
  });
  it('judges cooperative-sticky by its target, not the held-back round', () => {
    const h = history(ran('cooperative-sticky', [['a', ['t-0', 't-1', 't-2'], 1], ['b', [], -1]], { a: ['t-0', 't-1'], b: ['t-2'] }, { a: ['t-0', 't-1'], b: [] }));
    expect(violations(assignmentBalanced.check(h, {}))).toEqual([]);
  });
  it('checks range per topic only, and nothing when subscriptions differ', () => {
    const perTopic = ran('range', [['a', [], -1], ['b', [], -1]], { a: ['t-0', 't-1', 'u-0'], b: ['t-2'] }, undefined, ['t', 'u']);
    expect(violations(assignmentBalanced.check(history(perTopic), {}))).toEqual([]);
    const skewed = ran('range', [['a', [], -1], ['b', [], -1]], { a: ['t-0', 't-1', 't-2'], b: [] });
    expect(violations(assignmentBalanced.check(history(skewed), {}))[0]).toMatchObject({ evidence: { scope: 'topic t' } });
    const unequal: Body = { ...(ran('roundrobin', [['a', [], -1]], { a: ['t-0', 't-1', 't-2'], b: [] }) as Extract<Body, { type: 'AssignorRan' }>), members: [{ memberId: 'a', topics: ['t'], owned: [], ownedGeneration: -1 }, { memberId: 'b', topics: ['u'], owned: [], ownedGeneration: -1 }] };
    expect(violations(assignmentBalanced.check(history(unequal), {}))).toEqual([]);
  });
});

describe('assignmentSticky', () => {
  it('reports a plan that moves two owned partitions where one had to move', () => {
    const h = history(ran('sticky', [['a', ['t-0', 't-1'], 4], ['b', ['t-2'], 4], ['c', [], -1]], { a: ['t-2'], b: ['t-0'], c: ['t-1'] }));
    const v = violations(assignmentSticky.check(h, {}));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'excess-movement', events: [0], evidence: { bound: 1 } });
  });
  it('accepts the minimal move, and does not count claims dropped by the generation rule', () => {
    const minimal = ran('sticky', [['a', ['t-0', 't-1'], 4], ['b', ['t-2'], 4], ['c', [], -1]], { a: ['t-0'], b: ['t-2'], c: ['t-1'] });
    expect(violations(assignmentSticky.check(history(minimal), {}))).toEqual([]);
    // t-0 claimed by a and b at generation 4: nobody's; giving it to c moves nothing.
    const doubled = ran('cooperative-sticky', [['a', ['t-0', 't-1'], 4], ['b', ['t-0', 't-2'], 4], ['c', [], -1]], { a: ['t-1'], b: ['t-2'], c: ['t-0'] });
    expect(violations(assignmentSticky.check(history(doubled), {}))).toEqual([]);
  });
  it('says nothing about assignors that promise no stickiness', () => {
    const h = history(ran('roundrobin', [['a', ['t-0', 't-1'], 4], ['b', ['t-2'], 4]], { a: ['t-2'], b: ['t-0', 't-1'] }));
    expect(violations(assignmentSticky.check(h, {}))).toEqual([]);
  });
});

describe('cooperativeHandoff', () => {
  it('reports a partition assigned while its previous owner has not revoked it', () => {
    const h = history(started('a'), started('b'), assigned('a', 1, ['t-0', 't-1']), assigned('b', 2, ['t-1']), revoked('a', ['t-1']));
    const v = violations(cooperativeHandoff.check(h, {}));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'unrevoked-handoff', events: [2, 3], evidence: { tp: 't-1', owner: 'a', receiver: 'b', generation: 2 } });
  });
  it('a crash does not end ownership; the session expiry does', () => {
    const crashed: Body = { type: 'Crashed', member: 'a' };
    expect(violations(cooperativeHandoff.check(history(started('a'), started('b'), assigned('a', 1, ['t-0']), crashed, assigned('b', 2, ['t-0'])), {}))).toHaveLength(1);
    expect(violations(cooperativeHandoff.check(history(started('a'), started('b'), assigned('a', 1, ['t-0']), crashed, removed('a'), assigned('b', 2, ['t-0'])), {}))).toEqual([]);
  });
  it('accepts the two-phase handoff, an eager revoke, and a retained partition re-announced', () => {
    const twoPhase = history(started('a'), started('b'), assigned('a', 1, ['t-0', 't-1']), assigned('a', 2, ['t-0', 't-1']), revoked('a', ['t-1']), assigned('a', 3, ['t-0']), assigned('b', 3, ['t-1']));
    expect(violations(cooperativeHandoff.check(twoPhase, {}))).toEqual([]);
    const eager = history(started('a'), started('b'), assigned('a', 1, ['t-0']), revoked('a', ['t-0']), assigned('b', 2, ['t-0']));
    expect(violations(cooperativeHandoff.check(eager, {}))).toEqual([]);
  });
  it('ignores a SyncGroup answer a removed member receives late, until it joins again', () => {
    const late = history(started('a'), started('b'), removed('a'), assigned('a', 1, ['t-0']), assigned('b', 2, ['t-0']));
    expect(violations(cooperativeHandoff.check(late, {}))).toEqual([]);
    const back = history(started('a'), started('b'), removed('a'), joined('a', 3), assigned('a', 3, ['t-0']), joined('b', 3), assigned('b', 3, ['t-0']));
    expect(violations(cooperativeHandoff.check(back, {}))).toHaveLength(1);
  });

  it('client-only histories: a generation the owner did not join ended its ownership (rule 6); with coordinator events it does not', () => {
    const crashed = history(started('a'), started('b'), joined('a', 1), assigned('a', 1, ['t-0']), { type: 'Crashed', member: 'a' }, joined('b', 2), assigned('b', 2, ['t-0']));
    expect(violations(cooperativeHandoff.check(crashed, {}))).toEqual([]);
    const gen = (generation: number, members: string[]): Body => ({ type: 'GenerationStarted', group: 'G', generation, members, leader: members[0] ?? null, protocol: 'range' });
    const kept = history(started('a'), started('b'), gen(1, ['a']), joined('a', 1), assigned('a', 1, ['t-0']), gen(2, ['a', 'b']), joined('b', 2), assigned('b', 2, ['t-0']));
    expect(violations(cooperativeHandoff.check(kept, {}))).toHaveLength(1);
  });
});

describe('witness cooperativeRevokeInProgress', () => {
  it('counts processing between joining with partitions and applying the new assignment', () => {
    const h = history(started('a'), assigned('a', 1, ['t-0']), joined('a', 2), processed('a', 't-0', 0), processed('a', 't-0', 1), assigned('a', 2, ['t-0']), processed('a', 't-0', 2));
    expect(cooperativeRevokeInProgress.count(h)).toBe(2);
  });
  it('an eager member revoked everything before joining: nothing to count', () => {
    const h = history(started('a'), assigned('a', 1, ['t-0']), revoked('a', ['t-0']), joined('a', 2), processed('a', 't-0', 0));
    expect(cooperativeRevokeInProgress.count(h)).toBe(0);
  });
});

describe('cooperativeHandoff: generations', () => {
  it('a new generation without the owner ends its ownership (the coordinator dropped it)', () => {
    const gen = (generation: number, members: string[]): Body => ({ type: 'GenerationStarted', group: 'G', generation, members, leader: members[0] ?? null, protocol: 'range' });
    const h = history(started('a'), started('b'), gen(1, ['a']), assigned('a', 1, ['t-0']), gen(2, ['b']), assigned('b', 2, ['t-0']));
    expect(violations(cooperativeHandoff.check(h, {}))).toEqual([]);
    const kept = history(started('a'), started('b'), gen(1, ['a']), assigned('a', 1, ['t-0']), gen(2, ['a', 'b']), assigned('b', 2, ['t-0']));
    expect(violations(cooperativeHandoff.check(kept, {}))).toHaveLength(1);
  });
});

describe('cooperativeHandoff: a stale join answer read after the removal (rule 4)', () => {
  const epoch = (member: string, e: number, assigned: string[]): Body => ({ type: 'MemberEpochAssigned', group: 'G', member, epoch: e, assigned, pendingRevocation: [] });

  it('KIP-848: a Joined no newer than the group was at the removal does not end it; its Assigned starts no ownership', () => {
    // b joins at epoch 1 and pauses before reading the answer; removed at its session timeout
    // (group at epoch 2), a gets everything at epoch 3; b resumes and reads the old answer.
    const h = history(started('a'), started('b'), epoch('b', 1, ['t-0']), epoch('a', 2, []), removed('b'), epoch('a', 3, ['t-0']), joined('a', 3), assigned('a', 3, ['t-0']), joined('b', 1), assigned('b', 1, ['t-0']), revoked('b', ['t-0'], 'lost'));
    expect(violations(cooperativeHandoff.check(h, {}))).toEqual([]);
    // Without the removal the same answer is a handoff violation (the exemption is rule 4's alone).
    const notRemoved = h.filter((e) => e.type !== 'MemberRemoved');
    expect(violations(cooperativeHandoff.check(notRemoved, {}))).toMatchObject([{ kind: 'unrevoked-handoff', evidence: { tp: 't-0', owner: 'a', receiver: 'b', generation: 1 } }]);
  });

  it('classic: a stale Joined of a dropped member is ignored, a real re-join in a newer generation is checked', () => {
    const gen = (g: number, members: string[]): Body => ({ type: 'GenerationStarted', group: 'G', generation: g, members, leader: members[0] ?? null, protocol: 'range' });
    const before = [started('a'), started('b'), gen(1, ['b']), joined('b', 1), assigned('b', 1, ['t-0']), gen(2, ['a']), joined('a', 2), assigned('a', 2, ['t-0'])];
    expect(violations(cooperativeHandoff.check(history(...before, joined('b', 1), assigned('b', 1, ['t-0'])), {}))).toEqual([]);
    const fresh = violations(cooperativeHandoff.check(history(...before, gen(3, ['a', 'b']), joined('b', 3), assigned('b', 3, ['t-0'])), {}));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ kind: 'unrevoked-handoff', events: [7, 10], evidence: { tp: 't-0', owner: 'a', receiver: 'b', generation: 3 } });
  });

  it('the boundaries of rule 4: a Joined of exactly the generation the group had reached is stale; the highest generation counts, not the last reported', () => {
    // b is removed while the group is still at its own epoch 1: the answer of epoch 1 it reads
    // on resuming is no newer than that, so it is stale.
    const same = history(started('a'), started('b'), epoch('b', 1, ['t-0']), removed('b'), epoch('a', 2, ['t-0']), joined('a', 2), assigned('a', 2, ['t-0']), joined('b', 1), assigned('b', 1, ['t-0']));
    expect(violations(cooperativeHandoff.check(same, {}))).toEqual([]);
    // Member epochs lag the group's: a's epoch 2 is reported after b's 3. The removal is judged
    // against 3, so b's in-flight answer of epoch 3 is stale too.
    const lagging = history(started('a'), started('b'), epoch('b', 3, ['t-0']), epoch('a', 2, []), removed('b'), epoch('a', 4, ['t-0']), joined('a', 4), assigned('a', 4, ['t-0']), joined('b', 3), assigned('b', 3, ['t-0']));
    expect(violations(cooperativeHandoff.check(lagging, {}))).toEqual([]);
  });

  it('with no generation reported before the removal, any later Joined is a real re-join', () => {
    const h = history(started('a'), started('b'), joined('a', 1), assigned('a', 1, ['t-0']), removed('b'), joined('b', 1), assigned('b', 1, ['t-0']));
    expect(violations(cooperativeHandoff.check(h, {}))).toMatchObject([{ kind: 'unrevoked-handoff', evidence: { tp: 't-0', owner: 'a', receiver: 'b' } }]);
  });

  it('rule 5: a static member replaced by its restart owns nothing any more, and its stale answers start nothing', () => {
    const replaced: Body = { type: 'StaticMemberReplaced', group: 'G', generation: 1, instance: 'i-a', previous: 'a', member: 'a2' };
    const base = [started('a'), epoch('a', 1, ['t-0']), joined('a', 1), assigned('a', 1, ['t-0']), started('a2'), replaced, joined('a2', 1), assigned('a2', 1, ['t-0'])];
    expect(violations(cooperativeHandoff.check(history(...base), {}))).toEqual([]);
    expect(violations(cooperativeHandoff.check(history(...base, joined('a', 1), assigned('a', 1, ['t-0'])), {}))).toEqual([]);
    // Without the replacement a still owns t-0 when a2 is given it.
    expect(violations(cooperativeHandoff.check(history(...base.filter((e) => e.type !== 'StaticMemberReplaced')), {}))).toMatchObject([{ kind: 'unrevoked-handoff', evidence: { tp: 't-0', owner: 'a', receiver: 'a2' } }]);
  });
});

