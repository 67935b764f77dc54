/**
 * The timer queue against a plain reference (a list scanned for the earliest live timer) on
 * random operation sequences: same pops in the same order, same sizes. The heap, the per-owner
 * index and the dead flags are hot-path machinery (issue 7) and must not change any run.
 */
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerQueue } from './timers.ts';

type Op =
  | { readonly op: 'set'; readonly owner: number; readonly name: number; readonly at: number }
  | { readonly op: 'cancel'; readonly owner: number; readonly name: number }
  | { readonly op: 'cancelOwner'; readonly owner: number }
  | { readonly op: 'pop' }
  | { readonly op: 'postponeTop'; readonly by: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), owner: fc.nat(3), name: fc.nat(2), at: fc.nat(20) }),
  fc.record({ op: fc.constant('cancel' as const), owner: fc.nat(3), name: fc.nat(2) }),
  fc.record({ op: fc.constant('cancelOwner' as const), owner: fc.nat(3) }),
  fc.record({ op: fc.constant('pop' as const) }),
  fc.record({ op: fc.constant('postponeTop' as const), by: fc.nat(10) }),
);

/** The obvious implementation: live timers in a list, the earliest (at, seq) found by a scan. */
class Reference {
  private live: { at: number; seq: number; owner: string; name: string }[] = [];
  private seq = 0;
  set(owner: string, name: string, at: number): void {
    this.cancel(owner, name);
    this.live.push({ at, seq: ++this.seq, owner, name });
  }
  cancel(owner: string, name: string): void {
    this.live = this.live.filter((t) => t.owner !== owner || t.name !== name);
  }
  cancelOwner(owner: string): void {
    this.live = this.live.filter((t) => t.owner !== owner);
  }
  peek() {
    return this.live.reduce<(typeof this.live)[number] | undefined>((m, t) => (m === undefined || t.at < m.at || (t.at === m.at && t.seq < m.seq) ? t : m), undefined);
  }
  pop() {
    const top = this.peek();
    if (top !== undefined) this.live = this.live.filter((t) => t !== top);
    return top;
  }
  get size(): number {
    return this.live.length;
  }
}

describe('TimerQueue', () => {
  test.prop([fc.array(opArb, { maxLength: 80 })], { seed: 17, numRuns: 300 })('behaves as a scanned list of live timers', (ops) => {
    const q = new TimerQueue();
    const ref = new Reference();
    const show = (t: { at: number; owner: string; name: string } | undefined) => (t === undefined ? null : `${t.owner}/${t.name}@${t.at}`);
    for (const o of ops) {
      switch (o.op) {
        case 'set':
          q.set(`o${o.owner}`, `n${o.name}`, o.at);
          ref.set(`o${o.owner}`, `n${o.name}`, o.at);
          break;
        case 'cancel':
          q.cancel(`o${o.owner}`, `n${o.name}`);
          ref.cancel(`o${o.owner}`, `n${o.name}`);
          break;
        case 'cancelOwner':
          q.cancelOwner(`o${o.owner}`);
          ref.cancelOwner(`o${o.owner}`);
          break;
        case 'pop':
          expect(show(q.pop())).toBe(show(ref.pop()));
          break;
        case 'postponeTop': {
          const a = q.pop();
          const b = ref.pop();
          expect(show(a)).toBe(show(b));
          if (a !== undefined && b !== undefined) {
            q.postpone(a, a.at + o.by);
            ref.set(b.owner, b.name, b.at + o.by);
          }
          break;
        }
      }
      expect(q.size).toBe(ref.size);
      expect(show(q.peek())).toBe(show(ref.peek()));
    }
    const rest: (string | null)[] = [];
    for (let t = q.pop(); t !== undefined; t = q.pop()) rest.push(show(t));
    const restRef: (string | null)[] = [];
    for (let t = ref.pop(); t !== undefined; t = ref.pop()) restRef.push(show(t));
    expect(rest).toEqual(restRef);
  });

  it('a cancelled owner keeps no timer, and its later timers work again', () => {
    const q = new TimerQueue();
    q.set('a', 'x', 1);
    q.set('a', 'y', 2);
    q.set('b', 'x', 3);
    q.cancelOwner('a');
    expect(q.size).toBe(1);
    q.set('a', 'x', 0);
    expect([q.pop(), q.pop(), q.pop()].map((t) => t && `${t.owner}:${t.name}@${t.at}`)).toEqual(['a:x@0', 'b:x@3', undefined]);
    expect(q.size).toBe(0);
  });
});

describe('resumeEarly (a paused owner resumed by the quiescence tail)', () => {
  it('brings the postponed timers back to the resume time in their original order, and leaves later ones', () => {
    const q = new TimerQueue();
    q.set('c1', 'request', 100);
    q.set('c1', 'heartbeat', 50);
    q.set('c1', 'autocommit', 10_000); // armed for the pause's end itself: not postponed
    q.set('c1', 'maxpoll', 20_000);
    q.set('c0', 'heartbeat', 10_000);
    // c1 is paused until 10 000: its due timers are postponed as they fall due.
    for (const name of ['heartbeat', 'request']) {
      const top = q.pop();
      expect(top?.name).toBe(name);
      q.postpone(top as NonNullable<typeof top>, 10_000);
    }
    q.resumeEarly('c1', 300);
    const order: string[] = [];
    for (let t = q.pop(); t !== undefined; t = q.pop()) order.push(`${t.owner}:${t.name}@${t.at}`);
    expect(order).toEqual(['c1:heartbeat@300', 'c1:request@300', 'c1:autocommit@10000', 'c0:heartbeat@10000', 'c1:maxpoll@20000']);
  });

  it('survives clone()', () => {
    const q = new TimerQueue();
    q.set('c1', 'request', 5);
    const top = q.pop();
    q.postpone(top as NonNullable<typeof top>, 1000);
    const copy = q.clone();
    copy.resumeEarly('c1', 10);
    expect(copy.peek()?.at).toBe(10);
    expect(q.peek()?.at).toBe(1000);
  });
});
