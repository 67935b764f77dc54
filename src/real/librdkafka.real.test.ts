/**
 * node-rdkafka (librdkafka 2.12) consumers, each a process, against librdkafka's mock cluster:
 * real verdicts of the same invariants the model is judged by. Each scenario is bounded
 * (hardTimeoutMs) and every process it started must be gone afterwards.
 *
 * The loss construction is deterministic by timing margins, not by luck: one record, processing
 * takes 3 s (real), the auto-commit timer fires every 100 ms, and the crash comes 1.5 s after the
 * produce. The record is handed over (and, by default, its offset + 1 stored) within a few
 * hundred ms, so the timer has committed it long before the crash, and its processing cannot have
 * finished. With enable.auto.offset.store=false and offsetsStore() after processing (the fix the
 * librdkafka docs give), the same run loses nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Command } from '../sim/command.ts';
import { killAll, spawnedPids, survivingPids } from './processes.ts';
import { runRealScenario } from './runScenario.ts';
import { configWith, explain, verdicts } from './testSupport.ts';

afterAll(async () => {
  await killAll();
  expect(survivingPids(spawnedPids)).toEqual([]);
});

const crashDuringSlowProcessing: Command[] = [
  { type: 'Start', consumer: 0 },
  { type: 'Produce', topic: 0, key: 1, count: 1 },
  { type: 'Wait', ms: 3000 },
  { type: 'Crash', consumer: 0 },
  { type: 'Start', consumer: 0 },
];
const slow = { processingMs: 6000, autoCommitIntervalMs: 200 } as const;

describe('librdkafka on the mock cluster', () => {
  it.concurrent('default auto-commit (timer over the offset store), crash during slow processing: the record is lost', async () => {
    const r = await runRealScenario(configWith('auto-commit-timer', slow, 1), crashDuringSlowProcessing, { client: 'librdkafka', hardTimeoutMs: 45_000, quiesceMaxMs: 15_000 });
    const v = verdicts(r.history);
    const why = explain(r, v);
    expect(r.settled, why).toBe(true);
    expect(v.validity.atLeastOnce, why).toBe(false);
    expect(v.violations.atLeastOnce?.[0]?.kind, why).toBe('lost-write');
    expect(v.violations.atLeastOnce?.[0]?.evidence, why).toMatchObject({ tp: 'accounts-2', offsets: [0] });
    // Nobody ever finished processing it: the crash came first, and the restart began after it.
    expect(r.history.some((e) => e.type === 'Processed'), why).toBe(false);
    expect(survivingPids(r.pids)).toEqual([]);
  }, 60_000);

  it.concurrent('auto-commit with enable.auto.offset.store=false and offsetsStore() after processing: nothing is lost', async () => {
    const r = await runRealScenario(configWith('auto-commit-java', slow, 1), crashDuringSlowProcessing, { client: 'librdkafka', hardTimeoutMs: 45_000, quiesceMaxMs: 15_000 });
    const v = verdicts(r.history);
    const why = explain(r, v);
    expect(r.settled, why).toBe(true);
    expect(v.validity.atLeastOnce, why).toBe(true);
    expect(v.validity.committedNotAheadOfProcessed, why).toBe(true);
    // The record was processed by the second incarnation.
    expect(r.history.some((e) => e.type === 'Processed' && e.member === 'c0#2' && e.tp === 'accounts-2' && e.offset === 0), why).toBe(true);
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
    const r = await runRealScenario(configWith('commit-per-message'), commands, { client: 'librdkafka', hardTimeoutMs: 60_000, quiesceMaxMs: 20_000 });
    const v = verdicts(r.history, { duplicateBound: 1 });
    const why = explain(r, v);
    expect(r.aborted, why).toBe(false);
    expect(r.settled, why).toBe(true);
    const gens = (m: string): number[] => r.history.flatMap((e) => (e.type === 'Assigned' && e.member === m && e.partitions.length > 0 ? [e.generation] : []));
    expect(gens('c0#1').some((g) => gens('c1#1').includes(g)), why).toBe(true);
    expect(r.history.some((e) => e.type === 'Left' && e.member === 'c1#1'), why).toBe(true);
    expect(v.validity.singleOwnerPerPartition, why).toBe(true);
    expect(v.validity.fencedCommitRejected, why).toBe(true);
    expect(v.validity.atLeastOnce, why).toBe(true);
    expect(survivingPids(r.pids)).toEqual([]);
  }, 75_000);

  it('a run that hits its hard timeout is abandoned, unsettled, and leaves no process behind', async () => {
    const commands: Command[] = [
      { type: 'Start', consumer: 0 },
      { type: 'Pause', consumer: 0, ms: 60_000 },
      { type: 'Wait', ms: 60_000 },
    ];
    const r = await runRealScenario(configWith('commit-per-message', {}, 1), commands, { client: 'librdkafka', hardTimeoutMs: 8000, awaitAssignment: false });
    expect(r.aborted).toBe(true);
    expect(r.settled).toBe(false);
    expect(r.history.at(-1)).toMatchObject({ type: 'Quiesced', settled: false });
    expect(r.realMs).toBeLessThan(20_000);
    expect(survivingPids(r.pids)).toEqual([]);
  }, 30_000);
});
