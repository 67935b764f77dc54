import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deepCopy } from './invariant.ts';

/** Plain data of the kinds monitors keep: nested objects, arrays, Maps and Sets of them. */
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 3 }), tie('value'), { maxKeys: 4 }),
    fc.array(fc.tuple(fc.string({ maxLength: 3 }), tie('value')), { maxLength: 3 }).map((kv) => new Map(kv)),
    fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }).map((xs) => new Set(xs)),
  ),
})).value;

describe('deepCopy (StateMonitor.clone)', () => {
  it('gives what structuredClone gives, and shares nothing with the original', () => {
    fc.assert(
      fc.property(plain, (v) => {
        const copy = deepCopy(v, new Map());
        expect(copy).toEqual(structuredClone(v));
        if (typeof v === 'object' && v !== null) expect(copy).not.toBe(v);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('keeps references shared inside the value shared in the copy, and cycles', () => {
    const shared = { n: 1 };
    const cyclic: { self?: unknown; list: unknown[] } = { list: [shared, shared] };
    cyclic.self = cyclic;
    const v = { a: shared, m: new Map([['k', shared]]), c: cyclic };
    const copy = deepCopy(v, new Map());
    expect(copy.a).not.toBe(shared);
    expect(copy.m.get('k')).toBe(copy.a);
    expect(copy.c.list[0]).toBe(copy.a);
    expect(copy.c.list[1]).toBe(copy.a);
    expect(copy.c.self).toBe(copy.c);
    copy.a.n = 2;
    expect(shared.n).toBe(1);
  });

  it('copies class instances as structuredClone does (plain objects)', () => {
    class P {
      x = 1;
    }
    const copy = deepCopy({ p: new P() }, new Map());
    expect(copy.p).toEqual({ x: 1 });
    expect(copy.p instanceof P).toBe(false);
  });
});
