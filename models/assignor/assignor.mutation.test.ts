/**
 * Tests of the assignors' shared helpers written against the mutants StrykerJS left alive in
 * assignor.test.ts (reports/mutation.md): the member and topic order is Java's String.compareTo
 * order (kafka-protocol.md §3.1 sorts members by member id and topics by name), and topics are
 * visited in that order whatever order the subscriptions list them in.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assign } from './index.ts';
import { compareStrings, subscribedTopics } from './types.ts';

describe('compareStrings (Java String.compareTo order, §3.1)', () => {
  it('is 0 on equal strings, negative and positive otherwise, by UTF-16 code unit, not by locale', () => {
    expect(compareStrings('c1', 'c1')).toBe(0);
    expect(compareStrings('c1', 'c2')).toBe(-1);
    expect(compareStrings('c2', 'c1')).toBe(1);
    expect(compareStrings('Z', 'a')).toBe(-1); // 'a'.localeCompare('Z') would say otherwise
    expect(compareStrings('é', 'f')).toBe(1);
  });

  it('is a consistent comparator: antisymmetric, and 0 exactly on equality', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), (a, b) => {
        expect(compareStrings(a, b)).toBe(-compareStrings(b, a) || 0);
        expect(compareStrings(a, b) === 0).toBe(a === b);
        expect(compareStrings(a, a)).toBe(0);
      }),
      { seed: 3105 },
    );
  });
});

describe('topic order (§3.1)', () => {
  it('subscribedTopics sorts the topics, whatever order members list them in', () => {
    expect(subscribedTopics([{ memberId: 'm', topics: ['t2', 't0', 't1'] }], { t0: 1, t1: 1, t2: 1 })).toEqual(['t0', 't1', 't2']);
  });

  it('subscribedTopics leaves out topics without metadata, as Kafka skips them, but still checks the counts it has', () => {
    expect(subscribedTopics([{ memberId: 'm', topics: ['t1', 'gone'] }, { memberId: 'n', topics: ['t0'] }], { t0: 0, t1: 2, unused: 5 })).toEqual(['t0', 't1']);
    expect(() => subscribedTopics([{ memberId: 'm', topics: ['t0'] }], { t0: 1.5 })).toThrow("Topic 't0' has partition count 1.5; expected an integer >= 0");
  });

  it('range: member lists stay sorted by topic when subscriptions list topics out of order', () => {
    const members = [{ memberId: 'C0', topics: ['t1', 't0'] }];
    expect(assign('range', members, { t0: 2, t1: 1 })).toEqual({ C0: ['t0-0', 't0-1', 't1-0'] });
  });

  it('roundrobin deals topics in name order, so the turn carries over from t0 to t1', () => {
    const members = [
      { memberId: 'C0', topics: ['t1', 't0'] },
      { memberId: 'C1', topics: ['t1', 't0'] },
    ];
    expect(assign('roundrobin', members, { t0: 1, t1: 2 })).toEqual({ C0: ['t0-0', 't1-1'], C1: ['t1-0'] });
  });
});
