/**
 * `npm run bench [-- --quick] [-- --json]`: groupcheck's throughput and time-to-counterexample
 * benchmark. Everything runs in this one process with fixed seeds, and the simulator and the
 * check are reported as ratios to hand-written baselines measured in the same run (never as
 * absolute pass/fail thresholds). Peer figures from anchors.md are printed beside them,
 * labelled as measured elsewhere. Prints the report (or JSON) and writes nothing else.
 */
// First: V8 flags before the search code compiles (jit.ts).
import '../jit.ts';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import fc from 'fast-check';
import { rowById } from '../check/matrix.ts';
import {
  allFirstCounterexamples,
  checkThroughput,
  fastCheckBaseline,
  machineBaselines,
  multiCore,
  paramsFor,
  simulatorThroughputs,
  type BenchParams,
  type BenchStepper,
  type CheckThroughput,
  type FirstCounterexample,
  type MultiCore,
  type SimThroughput,
} from './measure.ts';
import { renderText } from './report.ts';
import { exploreThroughput, exploreWorkersThroughput, type ExploreBench } from './exploreBench.ts';
import { progress, progressDone, type Rate } from './timing.ts';

export interface BenchResult {
  readonly packageVersion: string;
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly versions: { readonly xstate: string; readonly fastCheck: string };
  readonly params: BenchParams;
  readonly baselines: { readonly send: Rate; readonly transition: Rate; readonly fastCheck: Rate };
  readonly simulator: readonly SimThroughput[];
  readonly check: CheckThroughput;
  /** Mean commands per scenario of the check's row (from its simulator corpus). */
  readonly commandsPerRunOfCheckRow: number;
  readonly firstCounterexamples: readonly FirstCounterexample[];
  /** The exhaustive BFS against its naive baseline (src/bench/exploreBench.ts). */
  readonly explore: ExploreBench;
  readonly totalMs: number;
  /** os.loadavg() when the bench started (the machine may be shared: absolute rates are noisy). */
  readonly loadavg: readonly number[];
  /** The whole matrix on one thread vs one per core (this one + workers; set by main; absent from runBench alone). */
  readonly multiCore?: MultiCore;
}

const SIMULATOR_ROWS = ['per-message', 'batch'] as const;

const versionAt = (relative: string): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
};

const usage = 'usage: npm run bench [-- --quick] [-- --json] [-- --previous]';

const parseArgs = (argv: readonly string[]): { quick: boolean; json: boolean; previous: boolean } => {
  const known = new Set(['--quick', '--json', '--previous', '--help', '-h']);
  const bad = argv.filter((a) => !known.has(a));
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `${usage}\n  --quick     fewer runs and seeds (about 20 s)\n  --json      print the results as JSON instead of tables\n  --previous  also measure the previous step function (object-spread contexts) in section 1; its\n              contexts make the handlers' call sites polymorphic, which slows the others measured beside it\n`,
    );
    process.exit(0);
  }
  if (bad.length > 0) {
    process.stderr.write(`unknown argument(s): ${bad.join(' ')}\n${usage}\n`);
    process.exit(2);
  }
  return { quick: argv.includes('--quick'), json: argv.includes('--json'), previous: argv.includes('--previous') };
};

/** `previous`: also measure the 'spread' step function in section 1 (see --previous). */
export const runBench = (params: BenchParams, previous = false): Omit<BenchResult, 'multiCore'> => {
  const t0 = performance.now();
  const loadavg = os.loadavg();
  progress('baselines: actor.send and transition() on the consumer machine');
  const machines = machineBaselines(params);
  progress('baseline: fast-check generation');
  const fastCheck = fastCheckBaseline(params);
  const simulator = SIMULATOR_ROWS.flatMap((id) => {
    const steppers: BenchStepper[] = previous ? ['compiled', 'spread', 'xstate'] : ['compiled', 'xstate'];
    progress(`simulator throughput: ${id} (${steppers.join(', ')} in turn)`);
    return simulatorThroughputs(rowById(id), params, steppers);
  });
  progress(`check throughput: ${params.checkRow}`);
  const check = checkThroughput(params);
  const firstCounterexamples = allFirstCounterexamples(params);
  progress('exhaustive search: fingerprinted BFS and the naive Map-of-JSON baseline');
  const explore = exploreThroughput(params.exploreStates, params.exploreRepeats);
  progressDone();
  return {
    packageVersion: versionAt('../../package.json'),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: os.availableParallelism(),
    versions: { xstate: versionAt('../../node_modules/xstate/package.json'), fastCheck: fc.__version },
    params,
    baselines: { ...machines, fastCheck },
    simulator,
    check,
    commandsPerRunOfCheckRow: simulator.find((s) => s.row === params.checkRow)?.commandsPerRun ?? Number.NaN,
    firstCounterexamples,
    explore,
    totalMs: performance.now() - t0,
    loadavg,
  };
};

const main = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2));
  const params = paramsFor(args.quick);
  const bench = runBench(params, args.previous);
  progress(`multi-core: the matrix with 1 worker, then ${os.availableParallelism()}`);
  const multi = await multiCore(params, Math.max(2, os.availableParallelism()));
  progress('exhaustive search on 1 and 2 worker threads');
  const explore = { ...bench.explore, workers: await exploreWorkersThroughput(4 * params.exploreStates, params.exploreRepeats) };
  const result: BenchResult = { ...bench, explore, multiCore: multi };
  progressDone();
  process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderText(result)}\n`);
};

await main();
