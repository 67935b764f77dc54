/**
 * The measured workloads: simulator throughput over a fixed scenario corpus, the sample phase of
 * a check, the fast-check generation baseline, the XState baselines and the time to the first
 * counterexample of every expected failure of the matrix. All seeds are fixed.
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { MATRIX, rowById, type MatrixRow } from '../check/matrix.ts';
import { searchRow } from '../check/search.ts';
import { scenarioArb, type Scenario } from '../gen/command.arb.ts';
import { simulate } from '../sim/simulate.ts';
import { machinesFor, ZOO } from '../../models/zoo.ts';
import { CONTEXT_COPY } from '../../models/contextCopy.ts';
import { searchRows, type ParallelStats } from '../check/parallel.ts';
import { threadCpuMs } from '../check/threadCpu.ts';
import { checkDriversAgree, runActorSend, runPureTransition, scriptOf } from './machineBaseline.ts';
import { measureRate, measureRates, median, poolRates, progress, timed, type Rate, type SteadyWarmup } from './timing.ts';

export interface BenchParams {
  readonly quick: boolean;
  /** Scenarios in each simulator corpus. */
  readonly corpusRuns: number;
  readonly repeats: number;
  /** Runs of the sample phase measured for the check throughput. */
  readonly checkRuns: number;
  readonly checkRow: string;
  /** fast-check runs of the generation baseline, per repeat. */
  readonly fcRuns: number;
  /** Poll-loop cycles of the actor.send and transition() scripts. */
  readonly sendCycles: number;
  readonly transitionCycles: number;
  readonly ttfSeeds: readonly number[];
  readonly ttfRuns: number;
  /** Also shrink one counterexample per cell (skipped by --quick: shrinking dominates its time). */
  readonly shrink: boolean;
  /** State budget and repeats of the exhaustive-search section. */
  readonly exploreStates: number;
  readonly exploreRepeats: number;
}

export const paramsFor = (quick: boolean): BenchParams => ({
  quick,
  corpusRuns: quick ? 60 : 200,
  repeats: quick ? 5 : 7,
  checkRuns: quick ? 100 : 500,
  checkRow: 'per-message',
  fcRuns: quick ? 2000 : 5000,
  sendCycles: quick ? 1000 : 2000,
  transitionCycles: quick ? 250 : 500,
  ttfSeeds: quick ? [1, 2, 3] : [1, 2, 3, 4, 5, 6, 7],
  ttfRuns: quick ? 100 : 300,
  shrink: !quick,
  exploreStates: quick ? 3000 : 10_000,
  exploreRepeats: quick ? 1 : 3,
});

/**
 * compiled: the compiled step function (src/sim/compiled.ts) in the simulator;
 * spread: the same, with the handlers copying contexts by object spread as before issue 7's
 * literal copies (models/contextCopy.ts): the previous step function, same histories;
 * xstate: the simulator with XState's own actors.
 */
export type BenchStepper = 'compiled' | 'spread' | 'xstate';

/** Runs `f` with the handlers' context copies as `stepper` makes them (spread only for 'spread'). */
export const withContextCopy = <T>(stepper: BenchStepper, f: () => T): T => {
  CONTEXT_COPY.spread = stepper === 'spread';
  try {
    return f();
  } finally {
    CONTEXT_COPY.spread = false;
  }
};

export interface SimThroughput {
  readonly row: string;
  readonly stepper: BenchStepper;
  /** The same histories as the current simulator on this corpus (always true for 'compiled'). */
  readonly sameHistories: boolean;
  readonly scenarios: number;
  readonly eventsPerRun: number;
  readonly commandsPerRun: number;
  readonly settledRuns: number;
  readonly eventsPerSec: Rate;
  readonly runsPerSec: number;
  /** Processes it was measured in (simulatorThroughputs). */
  readonly forks?: number;
}

/** The fixed corpus of a simulator row: sampled once with seed 1. */
export const simCorpus = (row: MatrixRow, p: BenchParams): Scenario[] => fc.sample(scenarioArb(row.config, row.shape), { seed: 1, numRuns: p.corpusRuns });

/** One pass of `stepper` over the corpus: its events, and how many runs settled. */
export const simPass = (row: MatrixRow, corpus: readonly Scenario[], stepper: BenchStepper): (() => { events: number; settled: number }) => {
  const machines = machinesFor(row.config.variant);
  const mode = stepper === 'xstate' ? 'xstate' : 'compiled';
  return () =>
    withContextCopy(stepper, () => {
      let events = 0;
      let settled = 0;
      for (const s of corpus) {
        const r = simulate(row.config, s.commands, s.choices, machines, mode);
        events += r.stats.events;
        if (r.settled) settled++;
      }
      return { events, settled };
    });
};

/** What one fork (src/bench/simFork.ts) measures and prints as JSON. */
export interface SimForkResult {
  readonly events: number;
  readonly settled: number;
  readonly rate: Rate;
}

/** Measures one step function in this process: warm-up until steady, then the timed repeats. */
export const measureSimFork = (row: MatrixRow, p: BenchParams, stepper: BenchStepper): SimForkResult => {
  const pass = simPass(row, simCorpus(row, p), stepper);
  let last = { events: 0, settled: 0 };
  const rates = measureRates(
    {
      w: () => {
        last = pass();
        return last.events;
      },
    },
    { warmup: SIM_WARMUP_PASSES, repeats: p.repeats, steady: simSteady(p) },
  );
  return { events: last.events, settled: last.settled, rate: rates.w };
};

/**
 * Runs a bench script (src/bench/simFork.ts, multiCoreFork.ts) in a fresh Node process through
 * tsx, from the package root, and parses the one JSON line it prints.
 */
const runFork = <T>(script: string, args: readonly string[], what: string, timeoutMs: number, env?: NodeJS.ProcessEnv): T => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    encoding: 'utf8',
    env: env === undefined ? process.env : { ...process.env, ...env },
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    timeout: timeoutMs,
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`bench fork ${what} failed (${r.error?.message ?? `exit ${r.status}, signal ${r.signal}`}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};

/** Runs measureSimFork in a fresh Node process, so that no other step function shares its JIT state. */
const runSimFork = (row: MatrixRow, p: BenchParams, stepper: BenchStepper): SimForkResult =>
  runFork<SimForkResult>('./simFork.ts', [row.id, stepper, p.quick ? 'quick' : 'full'], `${row.id} ${stepper}`, 600_000);

/** Forks per step function and row (JMH's default is 5; each fork warms up on its own). */
export const simForks = (p: BenchParams): number => (p.quick ? 2 : 3);

/**
 * Simulator alone over a corpus sampled once with seed 1: no generation, no invariants. Each step
 * function is measured in its own processes (forks), alternating with the others' forks
 * (compiled, xstate, compiled, xstate...), so their ratios stay same-run while none of them runs
 * on call sites made polymorphic by another: measured in one process beside XState's actors, the
 * compiled step function ran about 2x slower than alone, because the models' handlers are shared
 * and XState calls them with its own argument shapes (issue 7 notes). Histories are compared in
 * this process first.
 */
export const simulatorThroughputs = (row: MatrixRow, p: BenchParams, steppers: readonly BenchStepper[] = ['compiled', 'xstate']): SimThroughput[] => {
  const corpus = simCorpus(row, p);
  const machines = machinesFor(row.config.variant);
  const reference = corpus.map((s) => JSON.stringify(simulate(row.config, s.commands, s.choices, machines, 'compiled').history));
  const same = new Map<BenchStepper, boolean>(
    steppers.map((stepper) => [
      stepper,
      corpus.every((s, i) => {
        try {
          const h = withContextCopy(stepper, () => simulate(row.config, s.commands, s.choices, machines, stepper === 'xstate' ? 'xstate' : 'compiled').history);
          return JSON.stringify(h) === reference[i];
        } catch {
          return false;
        }
      }),
    ]),
  );
  const forks = new Map<BenchStepper, SimForkResult[]>(steppers.map((s) => [s, []]));
  for (let f = 0; f < simForks(p); f++) {
    for (let j = 0; j < steppers.length; j++) {
      const stepper = steppers[(f + j) % steppers.length] as BenchStepper;
      forks.get(stepper)?.push(runSimFork(row, p, stepper));
    }
  }
  const commands = corpus.reduce((n, s) => n + s.commands.length, 0);
  return steppers.map((stepper) => {
    const results = forks.get(stepper) as SimForkResult[];
    const first = results[0] as SimForkResult;
    const rate = poolRates(results.map((r) => r.rate));
    return {
      row: row.id,
      stepper,
      sameHistories: same.get(stepper) === true,
      scenarios: corpus.length,
      eventsPerRun: first.events / corpus.length,
      commandsPerRun: commands / corpus.length,
      settledRuns: first.settled,
      eventsPerSec: rate,
      runsPerSec: (rate.median / first.events) * corpus.length,
      forks: results.length,
    };
  });
};

/** At least this many untimed passes over the corpus before the timed repeats of the simulator throughput. */
export const SIM_WARMUP_PASSES = 3;

/**
 * The simulator rows warm up until steady: at least 3 s (quick) or 5 s of passes, then until no
 * pass of the last 3 is more than 5% faster than the best before them; at most 200 (quick, 60
 * scenarios a pass) or 100 passes and 30 s.
 */
export const simSteady = (p: BenchParams): SteadyWarmup => ({ window: 3, tolerance: 0.05, minMs: p.quick ? 3000 : 5000, maxPasses: p.quick ? 200 : 100, maxMs: 30_000 });

/** One step function alone (simulatorThroughputs with one stepper). */
export const simulatorThroughput = (row: MatrixRow, p: BenchParams, stepper: BenchStepper = 'compiled'): SimThroughput =>
  simulatorThroughputs(row, p, [stepper])[0] as SimThroughput;

export interface CheckThroughput {
  readonly row: string;
  readonly invariants: number;
  readonly runs: number;
  readonly runsPerSec: Rate;
  readonly eventsPerSec: number;
}

/** The sample phase of `check` (generation + simulation + every invariant of the row), no shrinking. */
export const checkThroughput = (p: BenchParams): CheckThroughput => {
  const row = rowById(p.checkRow);
  let events = 0;
  let invariants = 0;
  const work = (): number => {
    const r = searchRow(row, { seed: 1, numRuns: p.checkRuns, shrink: false });
    events = r.events;
    invariants = r.cells.length;
    return r.runs;
  };
  const rate = measureRate(work, { warmup: 1, repeats: Math.min(p.repeats, 5) });
  return { row: row.id, invariants, runs: p.checkRuns, runsPerSec: rate, eventsPerSec: (rate.median / p.checkRuns) * events };
};

/** fast-check alone: a trivial property over the same scenario arbitrary (generation cost). */
export const fastCheckBaseline = (p: BenchParams): Rate => {
  const row = rowById(p.checkRow);
  const arb = scenarioArb(row.config, row.shape);
  return measureRate(
    () => {
      const r = fc.check(fc.property(arb, (s) => s.commands.length > 0), { seed: 1, numRuns: p.fcRuns });
      if (r.failed) throw new Error('fast-check baseline property failed');
      return r.numRuns;
    },
    { warmup: 1, repeats: p.repeats },
  );
};

export interface MachineBaselines {
  readonly send: Rate;
  readonly transition: Rate;
}

export const machineBaselines = (p: BenchParams): MachineBaselines => {
  checkDriversAgree(5);
  const s1 = scriptOf(p.sendCycles);
  const send = measureRate(() => runActorSend(s1, p.sendCycles).events, { warmup: 1, repeats: p.repeats });
  const s2 = scriptOf(p.transitionCycles);
  const transition = measureRate(() => runPureTransition(s2, p.transitionCycles).events, { warmup: 1, repeats: p.repeats });
  return { send, transition };
};

export interface FirstCounterexample {
  readonly row: string;
  readonly invariant: string;
  readonly seeds: number;
  readonly found: number;
  /** Per seed: runs until the first violation, or null when none was found. */
  readonly perSeed: readonly { readonly seed: number; readonly runs: number | null; readonly ms: number | null }[];
  readonly ms: { readonly median: number; readonly worst: number } | null;
  readonly runs: { readonly median: number; readonly worst: number } | null;
  /** With shrinking, first seed that found it: commands before → after, and the extra time shrinking took. */
  readonly shrunk: { readonly seed: number; readonly from: number; readonly to: number; readonly shrinks: number; readonly ms: number } | null;
}

const stats = (xs: readonly number[]) => (xs.length === 0 ? null : { median: median(xs), worst: Math.max(...xs) });

/** Every (row, invariant) the matrix expects to fail, in matrix order, then every bug-zoo entry (row id `zoo:<id>`). */
export const expectedFailures = (): { row: MatrixRow; invariant: string }[] => [
  ...MATRIX.flatMap((row) => Object.entries(row.expect).filter(([, e]) => e === 'fails').map(([invariant]) => ({ row, invariant }))),
  ...ZOO.map((z) => {
    const base = rowById(z.configuration);
    return { row: { ...base, id: `zoo:${z.id}`, config: { ...base.config, variant: z.id } }, invariant: z.caughtBy };
  }),
];

export interface MultiCoreRound {
  /** Runs per configuration of this round. */
  readonly runs: number;
  /**
   * 'groupcheck': the V8 flags groupcheck sets (src/jit.ts), as `check` runs; 'defaults': V8's own
   * (GROUPCHECK_V8_DEFAULTS=1), the previous build's baseline measured in the same run.
   */
  readonly v8: 'groupcheck' | 'defaults';
  readonly oneMs: number;
  readonly manyMs: number;
  readonly speedup: number;
  readonly oneCpuMs: number;
  readonly manyCpuMs: number;
  readonly oneThreadCpuMs: number | null;
  readonly workerCpuMs: readonly (number | null)[];
  readonly cpuSpeedup: number | null;
  readonly tasks: number;
}

export interface MultiCore {
  readonly rows: number;
  readonly runs: number;
  /** Median wall time over the rounds. */
  readonly oneWorkerMs: number;
  readonly workers: number;
  readonly manyWorkersMs: number;
  /**
   * Per round (1 worker, then `workers`, alternating): the wall times and their ratio; CPU time of
   * the whole process; the search thread's own CPU time with 1 worker and each worker thread's with
   * many (null where threads' CPU time cannot be read), and their ratio `cpuSpeedup` = 1-worker
   * thread CPU / busiest worker's CPU: the speed-up if every thread had a core of its own, which
   * other processes on a shared machine do not change (idle gaps between tasks are not in it).
   */
  readonly rounds: readonly MultiCoreRound[];
  /** Median of the per-round speed-ups of the main rounds (`runs` runs, groupcheck's V8 flags; robust to load changing between rounds). */
  readonly speedup: number;
  /** The same results with one worker and with many (they must not depend on it). */
  readonly identical: boolean;
  /** os.loadavg() before and after (a shared machine makes absolute times noisy). */
  readonly loadavg: { readonly before: readonly number[]; readonly after: readonly number[] };
}

/** What one multi-core fork (src/bench/multiCoreFork.ts) measures and prints as JSON. */
export interface MultiCoreFork {
  readonly workers: number;
  readonly ms: number;
  /** CPU time of the whole process (all threads). */
  readonly cpuMs: number;
  /** Per search thread (this one first): its CPU time on tasks; with 1 worker, the main thread's whole search. */
  readonly threadCpuMs: readonly (number | null)[];
  readonly tasks: number;
  /** The results without timings (to check they do not depend on the number of threads). */
  readonly digest: string;
}

/** The matrix searched in this process with `workers` threads (the multi-core fork's body). */
export const measureMultiCoreFork = async (runs: number, workers: number): Promise<MultiCoreFork> => {
  const c0 = process.cpuUsage();
  const th0 = threadCpuMs();
  const t0 = performance.now();
  const stats: ParallelStats = { tasks: 0, workerCpuMs: [], workerBusyMs: [] };
  const results = await searchRows(MATRIX, { seed: 1, numRuns: runs, workers, stats });
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const th1 = threadCpuMs();
  const digest = JSON.stringify(results.map((r) => r.cells.map((c) => [c.invariant, c.violatedRuns, c.counterexample?.scenario ?? null, c.counterexample?.path ?? null])));
  return {
    workers,
    ms,
    cpuMs: (c.user + c.system) / 1000,
    threadCpuMs: workers <= 1 ? [th0 === null || th1 === null ? null : th1 - th0] : stats.workerCpuMs,
    tasks: stats.tasks,
    digest,
  };
};

const runMultiCoreFork = (runs: number, workers: number, v8: MultiCoreRound['v8'] = 'groupcheck'): MultiCoreFork =>
  runFork<MultiCoreFork>('./multiCoreFork.ts', [String(runs), String(workers)], `multi-core (${workers} threads)`, 1_800_000, v8 === 'defaults' ? { GROUPCHECK_V8_DEFAULTS: '1' } : { GROUPCHECK_V8_DEFAULTS: '' });

/** Runs per configuration of the full bench's long round: V8's compile work is a smaller share of a longer search. */
export const LONG_RUNS = 1000;

/**
 * The whole matrix (with shrinking, as `npm run check` does), each measurement in a fresh process
 * as a user's `check --workers 1` and `check --workers N` would run: one search thread, then N
 * (this one and workers, parallel.ts); same seeds. The two alternate over `rounds`, so that load
 * from other processes weighs on both alike; the speed-up is the median of the rounds' ratios.
 * In one process (before), the 1-thread search ran on code warmed by the sections before it while
 * the worker threads compiled everything afresh, which understated the speed-up.
 */
export const multiCore = async (p: BenchParams, workers: number, rounds = p.quick ? 1 : 3): Promise<MultiCore> => {
  const runs = p.quick ? 150 : 300;
  const before = os.loadavg();
  const out: MultiCoreRound[] = [];
  let identical = true;
  // The main rounds, then (full bench only) one with V8's default flags and one long search.
  const plan: { runs: number; v8: MultiCoreRound['v8'] }[] = Array.from({ length: rounds }, () => ({ runs, v8: 'groupcheck' as const }));
  if (!p.quick) plan.push({ runs, v8: 'defaults' }, { runs: LONG_RUNS, v8: 'groupcheck' });
  const byRuns = new Map<number, string>();
  for (const { runs: n, v8 } of plan) {
    const one = runMultiCoreFork(n, 1, v8);
    const many = runMultiCoreFork(n, workers, v8);
    identical &&= one.digest === many.digest && (byRuns.get(n) ?? one.digest) === one.digest;
    byRuns.set(n, one.digest);
    const oneThread = one.threadCpuMs[0] ?? null;
    const busiest = many.threadCpuMs.some((x) => x === null) ? null : Math.max(...(many.threadCpuMs as number[]));
    out.push({
      runs: n,
      v8,
      oneMs: one.ms,
      manyMs: many.ms,
      speedup: one.ms / many.ms,
      oneCpuMs: one.cpuMs,
      manyCpuMs: many.cpuMs,
      oneThreadCpuMs: oneThread,
      workerCpuMs: many.threadCpuMs,
      cpuSpeedup: oneThread === null || busiest === null || busiest <= 0 ? null : oneThread / busiest,
      tasks: many.tasks,
    });
  }
  const main = out.filter((r) => r.runs === runs && r.v8 === 'groupcheck');
  return {
    rows: MATRIX.length,
    runs,
    oneWorkerMs: median(main.map((r) => r.oneMs)),
    workers,
    manyWorkersMs: median(main.map((r) => r.manyMs)),
    rounds: out,
    speedup: median(main.map((r) => r.speedup)),
    identical,
    loadavg: { before, after: os.loadavg() },
  };
};

export const firstCounterexample = (row: MatrixRow, invariant: string, p: BenchParams): FirstCounterexample => {
  const ms: number[] = [];
  const runs: number[] = [];
  const perSeed: { seed: number; runs: number | null; ms: number | null }[] = [];
  const unshrunk = new Map<number, { commands: number; ms: number }>();
  for (const seed of p.ttfSeeds) {
    const r = searchRow(row, { seed, numRuns: p.ttfRuns, shrink: false, invariants: [invariant] });
    const cx = r.cells[0]?.counterexample ?? null;
    perSeed.push({ seed, runs: cx?.foundAfterRuns ?? null, ms: cx?.timeToFirstMs ?? null });
    if (cx === null) continue;
    ms.push(cx.timeToFirstMs);
    runs.push(cx.foundAfterRuns);
    unshrunk.set(seed, { commands: cx.scenario.commands.length, ms: r.elapsedMs });
  }
  let shrunk: FirstCounterexample['shrunk'] = null;
  const seed = p.ttfSeeds.find((s) => unshrunk.has(s));
  if (seed !== undefined && p.shrink) {
    const { value: r, ms: took } = timed(() => searchRow(row, { seed, numRuns: p.ttfRuns, invariants: [invariant] }));
    const cx = r.cells[0]?.counterexample ?? null;
    const before = unshrunk.get(seed);
    // The shrinking search repeats the sample phase; its unshrunk time is taken off.
    if (cx !== null && before !== undefined) {
      shrunk = { seed, from: before.commands, to: cx.scenario.commands.length, shrinks: cx.shrinks, ms: Math.max(0, took - before.ms) };
    }
  }
  return { row: row.id, invariant, seeds: p.ttfSeeds.length, found: ms.length, perSeed, ms: stats(ms), runs: stats(runs), shrunk };
};

export const allFirstCounterexamples = (p: BenchParams): FirstCounterexample[] => {
  const cells = expectedFailures();
  return cells.map(({ row, invariant }, i) => {
    progress(`time to first counterexample ${i + 1}/${cells.length}: ${row.id} × ${invariant}`);
    return firstCounterexample(row, invariant, p);
  });
};
