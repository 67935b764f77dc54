/**
 * Parallel search gives the same results as the search in one thread: the sample phases and the
 * shrinking of each counterexample run as separate tasks on worker threads (bundled by esbuild),
 * and none of it may depend on which worker ran what, or on how many there are.
 */
import { describe, expect, it } from 'vitest';
import { MATRIX, rowById } from './matrix.ts';
import { estimatedCost, searchRows, shrinkCost, type ParallelStats } from './parallel.ts';
import { sampleChunks, sampleRow, type RowResult } from './search.ts';

/** Everything but the timings. */
const comparable = (rs: readonly RowResult[]) =>
  JSON.stringify(rs.map((r) => ({ ...r, elapsedMs: 0, cells: r.cells.map((c) => ({ ...c, counterexample: c.counterexample && { ...c.counterexample, timeToFirstMs: 0 } })) })));

describe('searchRows', () => {
  it('returns identical results on 1, 2 and 3 workers, counterexamples (shrunk on other workers) included', async () => {
    const rows = ['assign', 'before-process', 'per-message-clean'].map((id) => rowById(id));
    const opts = { seed: 7, numRuns: 40 };
    const one = await searchRows(rows, { ...opts, workers: 1 });
    const shrunk = one.flatMap((r) => r.cells.filter((c) => c.counterexample !== null && c.counterexample.shrinks > 0));
    expect(shrunk.length).toBeGreaterThan(1);
    const done: string[] = [];
    const stats: ParallelStats = { tasks: 0, workerCpuMs: [], workerBusyMs: [] };
    const two = await searchRows(rows, { ...opts, workers: 2, onRowDone: (r) => done.push(r.row), stats });
    expect(comparable(two)).toBe(comparable(one));
    expect(new Set(done)).toEqual(new Set(rows.map((r) => r.id)));
    // Every sample chunk and every shrink is one task, and both workers got some.
    expect(stats.tasks).toBe(rows.length * sampleChunks(opts.numRuns).length + shrunk.length + one.flatMap((r) => r.cells.filter((c) => c.counterexample !== null && c.counterexample.shrinks === 0)).length);
    expect(stats.workerBusyMs.every((ms) => ms > 0)).toBe(true);
    const three = await searchRows(rows, { ...opts, workers: 3 });
    expect(comparable(three)).toBe(comparable(one));
  }, 120_000);

  it('merges the sample chunks into the same phase as one chunk of all runs', () => {
    const strip = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'elapsedMs' || k === 'firstMs' ? 0 : v));
    for (const id of ['batch', 'coop-batch']) {
      const row = rowById(id);
      const whole = sampleRow(row, { seed: 3, numRuns: 40 }, 40);
      expect(whole.tallies.some((t) => t.tally.first !== null)).toBe(true);
      expect(strip(sampleRow(row, { seed: 3, numRuns: 40 }, 7))).toBe(strip(whole));
    }
    expect(sampleChunks(60, 25)).toEqual([[0, 25], [25, 25], [50, 10]]);
    expect(sampleChunks(0, 25)).toEqual([[0, 0]]);
  });

  it('estimates two groups with faults as the costliest configuration and clean ones as cheaper', () => {
    const cost = new Map(MATRIX.map((r) => [r.id, estimatedCost(r)]));
    expect(Math.max(...cost.values())).toBe(cost.get('two-groups'));
    expect(cost.get('batch-clean')).toBeLessThan(cost.get('batch') as number);
  });

  it('ranks the shrink of a rarely seen violation above an equally long one seen in most runs', () => {
    const task = (violated: number, events: number, commands: number) =>
      ({
        kind: 'shrink',
        rowId: 'batch',
        invariant: 'atLeastOnce',
        seed: 1,
        numRuns: 300,
        shrink: true,
        tally: { violated, unknown: 0, firstRun: 0, firstMs: 0, firstEvents: events, first: { commands: Array.from({ length: commands }, () => ({ type: 'Wait', ms: 0 })), choices: [] } },
      }) as Parameters<typeof shrinkCost>[0];
    // coop-mixed's atLeastOnce at seed 1: 1 violated run in 300, 344 events, 23 commands (4.3 s to shrink);
    // before-process's committedNotAheadOfProcessed: 250 in 300, 176 events, 23 commands (13 ms).
    expect(shrinkCost(task(1, 344, 23))).toBeGreaterThan(shrinkCost(task(250, 176, 23)) * 100);
    expect(shrinkCost(task(10, 200, 20))).toBeGreaterThan(shrinkCost(task(10, 100, 20)));
    expect(shrinkCost(task(10, 100, 20))).toBeGreaterThan(shrinkCost(task(10, 100, 10)));
  });
});
