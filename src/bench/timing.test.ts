import { describe, expect, it } from 'vitest';
import { isSteady, measureRates } from './timing.ts';

const W = { window: 3, tolerance: 0.05, maxPasses: 40 };

describe('warm-up until steady', () => {
  it('is not steady while a recent pass beats the earlier best by more than the tolerance', () => {
    expect(isSteady([100, 80, 60], W)).toBe(false); // too few passes for a window and a best before it
    expect(isSteady([100, 80, 70, 60, 50], W)).toBe(false);
    expect(isSteady([100, 60, 61, 59, 62], W)).toBe(true); // 59 is within 5% of 60
    expect(isSteady([100, 60, 61, 56, 62], W)).toBe(false); // 56 is 6.7% faster than 60
    expect(isSteady([100, 60, 70, 80, 90], W)).toBe(true); // slower passes (noise) count as settled
  });

  it('warms each work up until its own pass times settle, and reports the cold rate and the passes', () => {
    // Fake works: `units` per call, and a busy loop whose length halves over the first four
    // passes of `slow` (a stand-in for tiering up: 4M, 2M, 1M, then 500k iterations), then stays.
    const spin = (n: number): number => {
      let x = 0;
      for (let i = 0; i < n; i++) x = (x + i * 7) % 1000003;
      return x;
    };
    let slowCalls = 0;
    let fastCalls = 0;
    const sink: number[] = [];
    const rates = measureRates(
      {
        slow: () => {
          sink.push(spin(4_000_000 >> Math.min(slowCalls, 3)));
          slowCalls++;
          return 1000;
        },
        fast: () => {
          sink.push(spin(500_000));
          fastCalls++;
          return 1000;
        },
      },
      { warmup: 2, repeats: 3, steady: { window: 3, tolerance: 0.3, maxPasses: 30 } },
    );
    // After 5 passes the last three include 500k-iteration passes and the best before them took
    // 2M iterations (4x as long): not steady yet. A fixed warm-up of 2 passes would stop there.
    expect(rates.slow.warmupPasses).toBeGreaterThanOrEqual(6);
    expect(rates.slow.settled).toBe(true);
    expect(rates.slow.cold).toBeLessThan(rates.slow.median);
    expect(rates.fast.warmupPasses).toBeGreaterThanOrEqual(4);
    expect(slowCalls).toBe((rates.slow.warmupPasses as number) + 3);
    expect(fastCalls).toBe((rates.fast.warmupPasses as number) + 3);
    expect(sink.length).toBe(slowCalls + fastCalls);
  });

  it('stops at the pass bound when the rate never settles, and says so', () => {
    let n = 1;
    const r = measureRates({ w: () => n++ }, { warmup: 1, repeats: 1, steady: { window: 3, tolerance: 0, maxPasses: 5 } });
    expect(r.w.warmupPasses).toBeLessThanOrEqual(5);
    expect(r.w.repeats).toBe(1);
  });
});
