/**
 * The simulator's contract: a run is a pure function of (config, commands, choices); commands
 * that are not enabled are skipped; choices only reorder what the network and clock allow.
 */
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { scenarioArb } from '../gen/command.arb.ts';
import { defaultSimConfig } from './config.ts';
import { simulate } from './simulate.ts';
import { TimerQueue } from './timers.ts';

const config = defaultSimConfig('commit-per-message');

describe('simulate: determinism', () => {
  test.prop([scenarioArb(config)], { seed: 11, numRuns: 60 })('the same inputs give a byte-identical history', ({ commands, choices }) => {
    const a = simulate(config, commands, choices);
    const b = simulate(config, commands, choices);
    expect(JSON.stringify(b.history)).toBe(JSON.stringify(a.history));
    expect(b.stats).toEqual(a.stats);
  });

  test.prop([scenarioArb(config)], { seed: 12, numRuns: 60 })('event times never go backwards', ({ commands, choices }) => {
    const { history } = simulate(config, commands, choices);
    for (let i = 1; i < history.length; i++) expect(history[i]!.t).toBeGreaterThanOrEqual(history[i - 1]!.t);
  });

  it('choices change the interleaving, not just nothing', () => {
    const commands = [
      { type: 'Start', consumer: 0 },
      { type: 'Start', consumer: 1 },
      { type: 'Produce', topic: 0, key: 0, count: 3 },
      { type: 'Wait', ms: 3000 },
    ] as const;
    const histories = new Set([[], [1, 1, 1, 1], [2, 0, 2, 0, 2], [5, 3, 1, 4, 2]].map((ch) => JSON.stringify(simulate(config, commands, ch).history)));
    expect(histories.size).toBeGreaterThan(1);
  });
});

describe('simulate: commands', () => {
  it('skips commands that are not enabled and applies the others', () => {
    const r = simulate(config, [
      { type: 'Crash', consumer: 0 },
      { type: 'Start', consumer: 0 },
      { type: 'Start', consumer: 0 },
      { type: 'Leave', consumer: 1 },
      { type: 'Pause', consumer: 0, ms: 100 },
      { type: 'Pause', consumer: 0, ms: 100 },
    ]);
    expect(r.applied).toEqual([false, true, false, false, true, false]);
    expect(r.stats.commandsSkipped).toBe(4);
  });

  it('slots are resolved modulo the number of consumer slots', () => {
    const r = simulate(config, [{ type: 'Start', consumer: 4 }]);
    expect(r.history[0]).toMatchObject({ type: 'Started', member: 'c1#1' });
  });

  it('Produce partitions by key: the same key always lands in the same partition, offsets increasing', () => {
    const r = simulate(config, [{ type: 'Produce', topic: 0, key: 1, count: 3 }, { type: 'Produce', topic: 0, key: 1, count: 2 }]);
    const produced = r.history.filter((e) => e.type === 'Produced');
    expect(new Set(produced.map((e) => (e.type === 'Produced' ? e.tp : '')))).toEqual(new Set(['accounts-2']));
    expect(produced.map((e) => (e.type === 'Produced' ? e.offset : -1))).toEqual([0, 1, 2, 3, 4]);
  });

  it('a crashed consumer sends nothing more and a restarted slot is a new incarnation', () => {
    const r = simulate(config, [{ type: 'Start', consumer: 0 }, { type: 'Wait', ms: 500 }, { type: 'Crash', consumer: 0 }, { type: 'Start', consumer: 0 }]);
    const crashedAt = r.history.findIndex((e) => e.type === 'Crashed');
    expect(r.history.slice(crashedAt + 1).some((e) => 'member' in e && e.member === 'c0#1' && e.type !== 'MemberRemoved')).toBe(false);
    expect(r.history.some((e) => e.type === 'Started' && e.member === 'c0#2')).toBe(true);
  });

  it('a paused consumer neither receives nor acts until it resumes', () => {
    const r = simulate(config, [{ type: 'Start', consumer: 0 }, { type: 'Wait', ms: 500 }, { type: 'Pause', consumer: 0, ms: 3000 }, { type: 'Produce', topic: 0, key: 0, count: 1 }, { type: 'Wait', ms: 5000 }]);
    const paused = r.history.find((e) => e.type === 'Paused')!;
    const resumed = r.history.find((e) => e.type === 'Resumed')!;
    expect(resumed.t - paused.t).toBe(3000);
    const acts = r.history.filter((e) => 'member' in e && e.member === 'c0#1' && e.t > paused.t && e.t < resumed.t && e.type !== 'Resumed');
    expect(acts).toEqual([]);
  });

  it('cuts a runaway run short at eventsMax and marks it as not settled', () => {
    const r = simulate({ ...config, eventsMax: 50 }, [{ type: 'Start', consumer: 0 }, { type: 'Wait', ms: 60_000 }, { type: 'Start', consumer: 1 }]);
    expect(r.exhausted).toBe(true);
    expect(r.settled).toBe(false);
    expect(r.stats.events).toBe(51);
    expect(r.applied).toEqual([true, false, false]);
    expect(r.history.at(-1)).toMatchObject({ type: 'Quiesced', settled: false });
  });
});

describe('TimerQueue', () => {
  it('pops in (time, arming order), re-arming replaces, cancel removes', () => {
    const q = new TimerQueue();
    q.set('a', 'x', 10);
    q.set('b', 'y', 5);
    q.set('c', 'z', 10);
    q.set('a', 'x', 20);
    q.set('d', 'w', 1);
    q.cancel('d', 'w');
    expect([q.pop(), q.pop(), q.pop(), q.pop()].map((t) => t && `${t.owner}:${t.at}`)).toEqual(['b:5', 'c:10', 'a:20', undefined]);
  });
});
