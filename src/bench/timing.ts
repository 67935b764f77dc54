/**
 * Timing helpers of the benchmark: performance.now(), warm-up, repeats and medians.
 * Results are only ever compared with baselines measured in the same process.
 */

export interface Sample {
  /** Units of work done in one repeat (events, runs). */
  readonly units: number;
  readonly ms: number;
  /** CPU time of this process during the repeat (user + system, all threads). */
  readonly cpuMs: number;
}

export interface Rate {
  /** Median units per second over the repeats. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly repeats: number;
  /** Units of work of one repeat. */
  readonly units: number;
  /**
   * Median units per CPU second of this process: on a shared machine, time spent waiting for
   * a core is not counted, so this is the steadier figure (for single-threaded work only).
   */
  readonly cpuMedian: number;
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

const sample = (work: () => number): Sample => {
  const c0 = process.cpuUsage();
  const { value, ms } = timed(work);
  const c = process.cpuUsage(c0);
  return { units: value, ms, cpuMs: (c.user + c.system) / 1000 };
};

const rateOf = (samples: readonly Sample[]): Rate => {
  const rates = samples.map((s) => (s.units / s.ms) * 1000);
  return {
    median: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    repeats: samples.length,
    units: samples[0]?.units ?? 0,
    cpuMedian: median(samples.map((s) => (s.units / Math.max(s.cpuMs, 1e-3)) * 1000)),
  };
};

/** Runs `work` `warmup` times untimed, then `repeats` times timed; rates in units per second. */
export const measureRate = (work: () => number, opts: { warmup: number; repeats: number }): Rate => {
  for (let i = 0; i < opts.warmup; i++) work();
  const samples: Sample[] = [];
  for (let i = 0; i < opts.repeats; i++) samples.push(sample(work));
  return rateOf(samples);
};

/**
 * Several workloads measured in turn within each repeat, so that load from other processes falls
 * on all of them alike and their ratios stay meaningful. The order rotates from one repeat to the
 * next (A B C, B C A, C A B, ...): a workload that leaves garbage behind (XState's actors) would
 * otherwise always tax the one measured after it with its garbage collection.
 */
export const measureRates = <K extends string>(works: Readonly<Record<K, () => number>>, opts: { warmup: number; repeats: number }): Record<K, Rate> => {
  const keys = Object.keys(works) as K[];
  for (let i = 0; i < opts.warmup; i++) for (const k of keys) works[k]();
  const samples = new Map<K, Sample[]>(keys.map((k) => [k, []]));
  for (let i = 0; i < opts.repeats; i++) {
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(i + j) % keys.length] as K;
      samples.get(k)?.push(sample(works[k]));
    }
  }
  return Object.fromEntries(keys.map((k) => [k, rateOf(samples.get(k) ?? [])])) as Record<K, Rate>;
};

/** Progress on stderr, only for a person watching a terminal (stdout stays the report). */
export const progress = (msg: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
};

export const progressDone = (): void => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
};
