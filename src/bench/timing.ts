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
  /** Untimed passes before the timed repeats (measureRates with `steady`: until the rate settled). */
  readonly warmupPasses?: number;
  /** Units per second of the very first pass (cold: interpreted and baseline-compiled code). */
  readonly cold?: number;
  /** The warm-up reached `steady`'s criterion before its pass bound. */
  readonly settled?: boolean;
  /** Units per wall second and per CPU second of each timed repeat (for pooling forks' samples). */
  readonly perRepeat?: { readonly wall: readonly number[]; readonly cpu: readonly number[] };
}

/**
 * The rates of several processes (forks) measuring the same work, pooled: medians over every
 * repeat of every fork, the cold rate and warm-up passes as medians over the forks.
 */
export const poolRates = (rates: readonly Rate[]): Rate => {
  const wall = rates.flatMap((r) => r.perRepeat?.wall ?? [r.median]);
  const cpu = rates.flatMap((r) => r.perRepeat?.cpu ?? [r.cpuMedian]);
  const colds = rates.flatMap((r) => (r.cold === undefined ? [] : [r.cold]));
  const passes = rates.flatMap((r) => (r.warmupPasses === undefined ? [] : [r.warmupPasses]));
  return {
    median: median(wall),
    min: Math.min(...wall),
    max: Math.max(...wall),
    repeats: wall.length,
    units: rates[0]?.units ?? 0,
    cpuMedian: median(cpu),
    ...(colds.length === 0 ? {} : { cold: median(colds) }),
    ...(passes.length === 0 ? {} : { warmupPasses: median(passes) }),
    ...(rates.some((r) => r.settled !== undefined) ? { settled: rates.every((r) => r.settled !== false) } : {}),
    perRepeat: { wall, cpu },
  };
};

/**
 * Warm-up until the rate settles, JMH-style: V8 tiers a hot path up over several passes
 * (Ignition, Sparkplug, Maglev, TurboFan, with deopts and re-optimisation on the way), and the
 * simulator's handlers take 5-13 passes over 200 scenarios to reach their steady rate (issue 7
 * notes). A work is steady once none of its last `window` passes ran more than `tolerance`
 * faster than its best pass before them.
 */
export interface SteadyWarmup {
  readonly window: number;
  readonly tolerance: number;
  /** Bound on warm-up passes per work (also when not steady by then: `settled` false). */
  readonly maxPasses: number;
  /** Bound on a work's warm-up time in ms (same effect as maxPasses; default none). */
  readonly maxMs?: number;
  /**
   * Warm-up time in ms before the criterion is applied at all (default 0): with short passes,
   * V8's gradual tier-up gains less per pass than the noise, and the criterion alone stops early.
   */
  readonly minMs?: number;
}

/** True once the last `window` of `ms` (pass times) hold no pass more than `tolerance` faster than the best before them. */
export const isSteady = (ms: readonly number[], w: SteadyWarmup): boolean => {
  if (ms.length < w.window + 1) return false;
  const before = Math.min(...ms.slice(0, ms.length - w.window));
  const last = Math.min(...ms.slice(ms.length - w.window));
  return last >= before * (1 - w.tolerance);
};

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
  const cpu = samples.map((s) => (s.units / Math.max(s.cpuMs, 1e-3)) * 1000);
  return {
    perRepeat: { wall: rates, cpu },
    median: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    repeats: samples.length,
    units: samples[0]?.units ?? 0,
    cpuMedian: median(cpu),
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
export const measureRates = <K extends string>(
  works: Readonly<Record<K, () => number>>,
  opts: { warmup: number; repeats: number; steady?: SteadyWarmup },
): Record<K, Rate> => {
  const keys = Object.keys(works) as K[];
  // Warm-up passes, timed only to decide when to stop: at least `warmup` of them, and with
  // `steady` until every work's rate settled (or its bound).
  const warm = new Map<K, { ms: number[]; cold: number; total: number }>(keys.map((k) => [k, { ms: [], cold: 0, total: 0 }]));
  const steady = opts.steady;
  const done = (k: K): boolean => {
    const { ms, total } = warm.get(k) as { ms: number[]; total: number };
    if (ms.length < opts.warmup) return false;
    if (steady === undefined) return true;
    if (ms.length >= steady.maxPasses || total >= (steady.maxMs ?? Infinity)) return true;
    return total >= (steady.minMs ?? 0) && isSteady(ms, steady);
  };
  while (!keys.every(done)) {
    for (const k of keys) {
      if (done(k)) continue;
      const w = warm.get(k) as { ms: number[]; cold: number; total: number };
      const { value, ms } = timed(works[k]);
      if (w.ms.length === 0) w.cold = (value / ms) * 1000;
      w.ms.push(ms);
      w.total += ms;
    }
  }
  const samples = new Map<K, Sample[]>(keys.map((k) => [k, []]));
  for (let i = 0; i < opts.repeats; i++) {
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(i + j) % keys.length] as K;
      samples.get(k)?.push(sample(works[k]));
    }
  }
  return Object.fromEntries(
    keys.map((k) => {
      const w = warm.get(k) as { ms: number[]; cold: number };
      const extra = w.ms.length === 0 ? {} : { warmupPasses: w.ms.length, cold: w.cold, ...(steady === undefined ? {} : { settled: isSteady(w.ms, steady) }) };
      return [k, { ...rateOf(samples.get(k) ?? []), ...extra }];
    }),
  ) as Record<K, Rate>;
};

/** Progress on stderr, only for a person watching a terminal (stdout stays the report). */
export const progress = (msg: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
};

export const progressDone = (): void => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
};
