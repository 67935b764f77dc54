/**
 * KafkaJS 2.2.4 consumers, each a process, against librdkafka's mock cluster: real verdicts of
 * the same invariants the model is judged by. Each scenario is bounded (hardTimeoutMs) and every
 * process it started must be gone afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Command } from '../sim/command.ts';
import { killAll, spawnedPids, survivingPids } from './processes.ts';
import { runRealScenario } from './runScenario.ts';
import { configWith, explain, verdicts } from './testSupport.ts';

const SAFETY = ['singleOwnerPerPartition', 'fencedCommitRejected', 'orderedWithinOwnership', 'committedNotAheadOfProcessed', 'processingOnlyOwned'] as const;

afterAll(async () => {
  await killAll();
  expect(survivingPids(spawnedPids)).toEqual([]);
});

describe('KafkaJS on the mock cluster', () => {
  it('commit per message, crash and restart: every record is processed (atLeastOnce holds)', async () => {
    const commands: Command[] = [
      { type: 'Start', consumer: 0 },
      { type: 'Produce', topic: 0, key: 1, count: 3 },
      { type: 'Produce', topic: 0, key: 2, count: 2 },
      { type: 'Wait', ms: 2000 },
      { type: 'Crash', consumer: 0 },
      { type: 'Start', consumer: 0 },
      { type: 'Produce', topic: 0, key: 3, count: 2 },
      { type: 'Wait', ms: 1000 },
    ];
    const r = await runRealScenario(configWith('commit-per-message', {}, 1), commands, { client: 'kafkajs', hardTimeoutMs: 45_000, quiesceMaxMs: 15_000 });
    const v = verdicts(r.history, { duplicateBound: 1 });
    const why = explain(r, v);
    expect(r.aborted, why).toBe(false);
    expect(r.settled, why).toBe(true);
    expect(r.history.filter((e) => e.type === 'Produced'), why).toHaveLength(7);
    expect(r.history.some((e) => e.type === 'Crashed' && e.member === 'c0#1'), why).toBe(true);
    expect(r.history.some((e) => e.type === 'Assigned' && e.member === 'c0#2'), why).toBe(true);
    expect(v.validity.atLeastOnce, why).toBe(true);
    expect(v.validity.duplicatesBounded, why).toBe(true);
    for (const name of SAFETY) expect(v.validity[name], `${name}\n${why}`).toBe(true);
    expect(survivingPids(r.pids)).toEqual([]);
  }, 60_000);

  it('two consumers rebalance, then one leaves: one owner per partition and generation, nothing lost', async () => {
    const commands: Command[] = [
      { type: 'Start', consumer: 0 },
      { type: 'Produce', topic: 0, key: 1, count: 4 },
      { type: 'Produce', topic: 0, key: 4, count: 4 },
      { type: 'Start', consumer: 1 },
      { type: 'Produce', topic: 0, key: 0, count: 3 },
      { type: 'Produce', topic: 0, key: 2, count: 3 },
      { type: 'Wait', ms: 2000 },
      { type: 'Leave', consumer: 1 },
      { type: 'Produce', topic: 0, key: 3, count: 3 },
      { type: 'Wait', ms: 2000 },
    ];
    const r = await runRealScenario(configWith('commit-after-batch'), commands, { client: 'kafkajs', hardTimeoutMs: 60_000, quiesceMaxMs: 20_000 });
    const v = verdicts(r.history);
    const why = explain(r, v);
    expect(r.aborted, why).toBe(false);
    expect(r.settled, why).toBe(true);
    // The rebalance happened: both members were given partitions in one generation.
    const gens = (m: string): number[] => r.history.flatMap((e) => (e.type === 'Assigned' && e.member === m && e.partitions.length > 0 ? [e.generation] : []));
    expect(gens('c0#1').some((g) => gens('c1#1').includes(g)), why).toBe(true);
    expect(r.history.some((e) => e.type === 'Left' && e.member === 'c1#1'), why).toBe(true);
    expect(v.validity.singleOwnerPerPartition, why).toBe(true);
    expect(v.validity.fencedCommitRejected, why).toBe(true);
    expect(v.validity.atLeastOnce, why).toBe(true);
    expect(survivingPids(r.pids)).toEqual([]);
  }, 75_000);
});
