/**
 * draft() (consumer.logic.ts) replaces `{ ...ctx }` on the hot path (issue 7): it must copy every
 * field, in the same key order, and keep the field a KIP-848 context adds (consumer848's `kip848`).
 * A field added to ConsumerContext but not to draft() is a type error; these catch the rest.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { draft, initialConsumerContext, poll, withCtx, type ConsumerContext } from './consumer.logic.ts';
import { testConsumerConfig } from './testConfig.ts';
import { consumer848Machine } from '../consumer848/consumer848.machine.ts';

const input = { name: 'c1#1', group: 'g1', topics: ['t'], mode: 'subscribe' as const, partitions: [], config: testConsumerConfig() };

describe('draft', () => {
  it('copies every field of a classic context, in order, into a new object', () => {
    const ctx: ConsumerContext = { ...initialConsumerContext({ ...input, groupInstanceId: 'c1' }), generation: 4, positions: { 't-0': 3 } };
    const d = draft(ctx);
    expect(d).not.toBe(ctx);
    expect(Object.keys(d)).toEqual(Object.keys(ctx));
    expect(JSON.stringify(d)).toBe(JSON.stringify(ctx));
    expect(d).toStrictEqual(ctx);
  });

  it('keeps the kip848 field of a KIP-848 member context, so a classic handler run on it loses nothing', () => {
    const actor = createActor(consumer848Machine, { input });
    const ctx = actor.getSnapshot().context as ConsumerContext & { kip848: unknown };
    expect(ctx.kip848).toBeDefined();
    const d = draft(ctx);
    expect(Object.keys(d)).toEqual(Object.keys(ctx));
    expect(d).toStrictEqual(ctx);
    const polled = poll(ctx).ctx as ConsumerContext & { kip848: unknown };
    expect(Object.keys(polled)).toEqual(Object.keys(ctx));
    expect(polled.kip848).toBe(ctx.kip848);
  });

  it('withCtx changes only the patched fields and keeps the key order', () => {
    const ctx = initialConsumerContext(input);
    const next = withCtx(ctx, { fetchSeq: 9, stable: true });
    expect(Object.keys(next)).toEqual(Object.keys(ctx));
    expect(next).toStrictEqual({ ...ctx, fetchSeq: 9, stable: true });
    expect(ctx.fetchSeq).toBe(0);
  });
});
