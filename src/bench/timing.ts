/**
 * Timing helpers of the benchmark: performance.now(), warm-up, repeats and medians.
 * Results are only ever compared with baselines measured in the same process.
 */

export interface Sample {
  /** Units of work done in one repeat (events, runs). */
  readonly units: number;
  readonly ms: number;
}

export interface Rate {
  /** Median units per second over the repeats. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly repeats: number;
  /** Units of work of one repeat. */
  readonly units: number;
}

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Times one call. */
export const timed = <T>(f: () => T): { value: T; ms: number } => {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
};

/** Runs `work` `warmup` times untimed, then `repeats` times timed; rates in units per second. */
export const measureRate = (work: () => number, opts: { warmup: number; repeats: number }): Rate => {
  for (let i = 0; i < opts.warmup; i++) work();
  const samples: Sample[] = [];
  for (let i = 0; i < opts.repeats; i++) {
    const { value, ms } = timed(work);
    samples.push({ units: value, ms });
  }
  const rates = samples.map((s) => (s.units / s.ms) * 1000);
  return { median: median(rates), min: Math.min(...rates), max: Math.max(...rates), repeats: samples.length, units: samples[0]?.units ?? 0 };
};

/** Progress on stderr, only for a person watching a terminal (stdout stays the report). */
export const progress = (msg: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
};

export const progressDone = (): void => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
};
