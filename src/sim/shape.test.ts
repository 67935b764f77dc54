/**
 * One hidden class per kind of object the step function reads on every step (issue 7, stop 13):
 * configs through fixedShape() (src/sim/config.ts) and consumer contexts through draft()
 * (models/consumer/consumer.logic.ts), classic and KIP-848 alike. V8 gives objects built by the
 * same literal the same hidden class; the same keys in the same order is what these tests can
 * see of it without V8's natives (a key missing, added later or in another order is a new class).
 */
import { describe, expect, it } from 'vitest';
import { MATRIX } from '../check/matrix.ts';
import { fixedShape, memberConsumerConfig, parseSimConfig } from './config.ts';
import { Simulation, simulate } from './simulate.ts';
import { CompiledActor } from './compiled.ts';

const keysOf = (o: object): string => Object.keys(o).join(',');

describe('fixedShape', () => {
  const rows = MATRIX.map((r) => r.config);

  it('gives every matrix config, group and consumer config one key list, whatever the optional fields', () => {
    // The matrix's rows were built by spreads and differ in their optional fields: several key lists.
    expect(new Set(rows.flatMap((c) => c.groups.map(keysOf))).size).toBeGreaterThan(1);
    const shaped = rows.map(fixedShape);
    expect(new Set(shaped.map(keysOf)).size).toBe(1);
    expect(new Set(shaped.flatMap((c) => c.groups.map(keysOf))).size).toBe(1);
    expect(new Set(shaped.flatMap((c) => c.groups.map((g) => keysOf(g.consumer)))).size).toBe(1);
    expect(new Set(shaped.flatMap((c) => c.topics.map(keysOf))).size).toBe(1);
    // A mixed group's members get their own assignors in the same literal.
    const mixed = shaped.flatMap((c) => c.groups).filter((g) => g.assignorsByMember !== undefined);
    expect(mixed.length).toBeGreaterThan(0);
    for (const g of mixed) expect(keysOf(memberConsumerConfig(g, 1))).toBe(keysOf(g.consumer));
  });

  it('is the same config: equal as JSON (undefined fields are not written) and as a value', () => {
    for (const c of rows) {
      const s = fixedShape(c);
      expect(JSON.parse(JSON.stringify(s))).toEqual(JSON.parse(JSON.stringify(c)));
      expect(s).toEqual(c);
    }
    const parsed = parseSimConfig({ groups: [{ name: 'g9', consumer: { requestTimeoutMs: 700 } }] });
    expect(fixedShape(parsed).groups[0]?.consumer.requestTimeoutMs).toBe(700);
  });

  it('is memoised, and a shaped config shapes to itself', () => {
    const c = rows[0]!;
    const s = fixedShape(c);
    expect(fixedShape(c)).toBe(s);
    expect(fixedShape(s)).toBe(s);
    expect(s).not.toBe(c);
  });

  it('is what a simulation and its clones run on; the history is the same as before', () => {
    const row = MATRIX.find((r) => r.id === 'coop-mixed')!;
    const sim = new Simulation(row.config, [], undefined, 'compiled');
    expect(sim.config).toBe(fixedShape(row.config));
    expect(sim.clone().config).toBe(sim.config);
    const commands = [{ type: 'Start', consumer: 0 }, { type: 'Start', consumer: 1 }, { type: 'Produce', topic: 0, key: 1, count: 3 }, { type: 'Wait', ms: 3000 }] as const;
    // The run is a function of the config's values: a structural copy (a plain JSON round trip) gives the same history.
    const copy = JSON.parse(JSON.stringify(row.config)) as typeof row.config;
    expect(JSON.stringify(simulate(copy, commands).history)).toBe(JSON.stringify(simulate(row.config, commands).history));
  });
});

describe('consumer contexts', () => {
  it('have one key list for classic and KIP-848 members (kip848 undefined for classic ones)', () => {
    const seen = new Map<string, Set<string>>();
    const send = CompiledActor.prototype.send;
    CompiledActor.prototype.send = function (this: CompiledActor, ev) {
      const out = send.call(this, ev);
      const ctx = this.context as object;
      if ('memberId' in ctx && 'buffer' in ctx) {
        const kind = (ctx as { kip848?: unknown }).kip848 === undefined ? 'classic' : 'kip848';
        let keys = seen.get(kind);
        if (keys === undefined) seen.set(kind, (keys = new Set()));
        keys.add(keysOf(ctx));
      }
      return out;
    };
    try {
      for (const id of ['coop-mixed', 'consumer-batch']) {
        const row = MATRIX.find((r) => r.id === id)!;
        simulate(row.config, [{ type: 'Start', consumer: 0 }, { type: 'Start', consumer: 1 }, { type: 'Produce', topic: 0, key: 1, count: 3 }, { type: 'Wait', ms: 3000 }, { type: 'Crash', consumer: 0 }, { type: 'Wait', ms: 8000 }]);
      }
    } finally {
      CompiledActor.prototype.send = send;
    }
    expect([...seen.keys()].sort()).toEqual(['classic', 'kip848']);
    const all = new Set([...seen.values()].flatMap((s) => [...s]));
    expect(all.size).toBe(1);
    expect([...all][0]?.endsWith(',kip848')).toBe(true);
  });
});
