/**
 * Parallel search gives the same results as the search in one thread: the sample phases and the
 * shrinking of each counterexample run as separate tasks on worker threads (bundled by esbuild),
 * and none of it may depend on which worker ran what, or on how many there are.
 */
import { describe, expect, it } from 'vitest';
import { MATRIX, rowById } from './matrix.ts';
import { estimatedCost, searchRows } from './parallel.ts';
import type { RowResult } from './search.ts';

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
    const two = await searchRows(rows, { ...opts, workers: 2, onRowDone: (r) => done.push(r.row) });
    expect(comparable(two)).toBe(comparable(one));
    expect(new Set(done)).toEqual(new Set(rows.map((r) => r.id)));
    const three = await searchRows(rows, { ...opts, workers: 3 });
    expect(comparable(three)).toBe(comparable(one));
  }, 120_000);

  it('estimates two groups with faults as the costliest configuration and clean ones as cheaper', () => {
    const cost = new Map(MATRIX.map((r) => [r.id, estimatedCost(r)]));
    expect(Math.max(...cost.values())).toBe(cost.get('two-groups'));
    expect(cost.get('batch-clean')).toBeLessThan(cost.get('batch') as number);
  });
});
