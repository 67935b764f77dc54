#!/usr/bin/env node
/**
 * The groupcheck command line. Exit codes follow Jepsen (house-style §3.8): 0 when every
 * expectation is met (or a replay reproduces), 1 when one is broken, 2 on bad input or when
 * the run could not decide.
 *
 * Subcommands: check, explore, replay, check-history, bench; each has --help. Output that is data has
 * --json. Colours only when both stdout and stderr are terminals (see `colours` below).
 */
// First: V8 flags before the search code compiles (jit.ts).
import '../jit.ts';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import { ConfigError, parseSimConfig, type SimConfig } from '../sim/config.ts';
import { simulate } from '../sim/simulate.ts';
import { writeHistoryJsonl } from '../history/jsonl.ts';
import { readCounterexample } from '../report/counterexample.ts';
import { InputError, nearPath, readJsonFile } from '../report/readJson.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { runCheck } from './check.ts';
import { parseShard } from '../check/parallel.ts';
import { runCheckHistory } from './checkHistory.ts';
import { REPLAY_TARGETS, runRealTargetReplay, runReplay, type ReplayTarget } from './replay.ts';
import { runReport } from './report.ts';
import { runExplore } from './explore.ts';

/**
 * Whether to colour. picocolors alone also colours whenever CI is set (even into a pipe or a
 * file) and looks only at stdout; groupcheck writes to both streams, so it colours only when
 * both are terminals. NO_COLOR (non-empty) turns colours off, FORCE_COLOR turns them on
 * (FORCE_COLOR=0 off), TERM=dumb off. Every module shares picocolors' one exported object, so
 * replacing its formatters here applies to all of them.
 */
const colours = (env: NodeJS.ProcessEnv = process.env): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return process.stdout.isTTY === true && process.stderr.isTTY === true && env.TERM !== 'dumb';
};
Object.assign(pc, pc.createColors(colours()));

const int = (name: string, min: number) => (v: string): number => {
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be an integer, got "${v}"`);
  const n = Number(v);
  if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}, got ${n}`);
  return n;
};

const replayTarget = (v: string): ReplayTarget => {
  if (!(REPLAY_TARGETS as readonly string[]).includes(v)) throw new InvalidArgumentError(`--target must be one of ${REPLAY_TARGETS.join(', ')}, got "${v}"`);
  return v as ReplayTarget;
};

const positiveNumber = (name: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got "${v}"`);
  return n;
};

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

const readConfig = (file: string): SimConfig => {
  const { text, json } = readJsonFile(file);
  return parseSimConfig(json, file, (path) => nearPath(text, path));
};

const EXIT_CODES = '\nExit codes: 0 ok, 1 broken (an expectation or invariant failed), 2 bad input or undecided.';

const parseShardOption = (text: string): { index: number; count: number } => {
  try {
    return parseShard(text);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
};

const program = new Command()
  .name('groupcheck')
  .description('Property-based model checker for Apache Kafka consumer groups.')
  .version(PACKAGE_VERSION)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(pc.red(str)) })
  .addHelpText('after', `${EXIT_CODES}\nDocumentation: README.md, docs/reading-a-report.md, docs/history.md, docs/api.md.`);

program
  .command('check')
  .description('model-check the reference implementation over the guarantee matrix and write a report')
  .option('--seed <n>', 'seed of the random search', int('--seed', -2147483648), 42)
  .option('--runs <n>', 'random runs per configuration', int('--runs', 1), 300)
  .option('--only <ids>', 'comma-separated configuration ids to check (default: all)')
  .option('--config <file>', 'JSON simulation config to use as the base instead of the built-in default')
  .option('--out <dir>', 'directory for latest.md, .json, .html, .junit.xml and counterexamples/', 'reports')
  .option('--json', 'print the JSON report on stdout instead of the summary table')
  .option('--workers <n>', 'threads searching configurations in parallel, this one and n-1 workers (default: every core; results do not depend on it)', int('--workers', 1))
  .option('--shard <i/n>', 'check only shard i of n of the configurations (for CI matrices)')
  .addHelpText('after', `${EXIT_CODES}\nExample: groupcheck check --only per-message,auto-timer --runs 1000`)
  .action(async (opts: { seed: number; runs: number; only?: string; config?: string; out: string; json?: boolean; workers?: number; shard?: string }) => {
    const base = opts.config === undefined ? undefined : readConfig(opts.config);
    process.exitCode = await runCheck({
      seed: opts.seed,
      runs: opts.runs,
      only: opts.only === undefined ? undefined : list(opts.only),
      base,
      outDir: opts.out,
      json: opts.json === true,
      workers: opts.workers,
      shard: opts.shard === undefined ? undefined : parseShardOption(opts.shard),
    });
  });

program
  .command('explore')
  .description('exhaustive bounded breadth-first search of one configuration over a small scope: shortest counterexamples')
  .option('--row <id>', 'configuration of the guarantee matrix', 'batch')
  .option('--config <file>', 'JSON simulation config to use as the base instead of the built-in default')
  .option('--members <n>', 'member slots of every group', int('--members', 1))
  .option('--partitions <n>', 'partitions of every topic', int('--partitions', 1))
  .option('--records <n>', 'records the scope may produce (one per Produce)', int('--records', 0))
  .option('--crashes <n>', 'Crash commands allowed (default 1 when the configuration has faults)', int('--crashes', 0))
  .option('--pauses <n>', 'Pause commands allowed', int('--pauses', 0))
  .option('--pause-ms <n>', 'length of a Pause (default: session timeout + 1 s)', int('--pause-ms', 1))
  .option('--leaves <n>', 'Leave commands allowed', int('--leaves', 0))
  .option('--restarts <n>', 'Start commands beyond one per slot (default: --crashes)', int('--restarts', 0))
  .option('--stalls <n>', 'Stall commands allowed (rows with stalls; default 1 there)', int('--stalls', 0))
  .option('--stall-ms <n>', 'length of a Stall (default: 1.5 × max.poll.interval.ms)', int('--stall-ms', 1))
  .option('--drops <n>', 'Drop commands allowed (rows with failover or group drops; default 1 there)', int('--drops', 0))
  .option('--moves <n>', 'MoveCoordinator commands allowed (rows with failover; default 1 there)', int('--moves', 0))
  .option('--add-partitions <n>', 'AddPartitions commands allowed (rows with partition changes; default 1 there)', int('--add-partitions', 0))
  .option('--seeks <n>', 'Seek commands allowed (rows with seeks; default 1 there)', int('--seeks', 0))
  .option('--depth <n>', 'bound on the steps of a path', int('--depth', 1))
  .option('--states <n>', 'bound on distinct states', int('--states', 1))
  .option('--no-symmetry', 'do not canonicalise over interchangeable member slots')
  .option('--invariants <names>', 'comma-separated invariants to look for (default: every screened one; with --stop, the ones the configuration fails)')
  .option('--stop', 'stop once every looked-for invariant has a counterexample')
  .option('--out <dir>', 'directory for counterexamples/explore--<row>--<invariant>.json', 'reports')
  .option('--json', 'print the result as JSON')
  .option('--workers <n>', 'threads expanding each BFS level (default 1: this thread; n > 1: n worker threads; results do not depend on it)', int('--workers', 1))
  .addHelpText('after', `${EXIT_CODES}\nExample: groupcheck explore --row before-process --members 1 --partitions 1 --records 1 --stop`)
  .action(
    async (opts: {
      row: string;
      config?: string;
      members?: number;
      partitions?: number;
      records?: number;
      crashes?: number;
      pauses?: number;
      pauseMs?: number;
      leaves?: number;
      restarts?: number;
      stalls?: number;
      stallMs?: number;
      drops?: number;
      moves?: number;
      addPartitions?: number;
      seeks?: number;
      depth?: number;
      states?: number;
      symmetry: boolean;
      invariants?: string;
      stop?: boolean;
      out: string;
      json?: boolean;
      workers?: number;
    }) => {
      const { config, invariants, stop, out, json, addPartitions, workers, ...scope } = opts;
      process.exitCode = await runExplore({
        ...scope,
        ...(addPartitions === undefined ? {} : { adds: addPartitions }),
        base: config === undefined ? undefined : readConfig(config),
        invariants: invariants === undefined ? undefined : list(invariants),
        stop: stop === true,
        outDir: out,
        json: json === true,
        workers: workers ?? 1,
      });
    },
  );

program
  .command('report')
  .description('render the reports (md, html, json, junit) again from the raw results of the last check, without searching')
  .option('--from <file>', 'the run file that check wrote', 'reports/latest.run.json')
  .option('--out <dir>', 'directory to write latest.md, .json, .html and .junit.xml to', 'reports')
  .addHelpText('after', `${EXIT_CODES}\nExample: groupcheck report --from reports/latest.run.json --out /tmp/report`)
  .action((opts: { from: string; out: string }) => {
    process.exitCode = runReport(opts);
  });

program
  .command('replay')
  .description('re-run a counterexample file deterministically and print its timeline')
  .argument('<file>', 'counterexample JSON written by groupcheck check')
  .option('--full', 'print every event (by default the store echoes are folded)')
  .option('--write-history <file>', "also write the replayed run's history as JSON Lines (atomically), for check-history")
  .option('--target <target>', `where to run it: ${REPLAY_TARGETS.join('|')} (real clients run against librdkafka's mock cluster, docs/real-systems.md)`, replayTarget, 'model')
  .option('--scale <x>', 'real targets: real milliseconds per virtual millisecond', positiveNumber('--scale'))
  .option('--rtt <ms>', "real targets: latency the mock brokers add to every response", int('--rtt', 0))
  .addHelpText('after', `\nExit codes: 0 the recorded violation reproduces (a real --target: the real verdict matches the model's), 1 it does not, 2 bad file, a policy the real client cannot express, or an undecided real run.\nExample: groupcheck replay reports/counterexamples/per-message--noDuplicateProcessing.json --write-history dup.jsonl\nExample: groupcheck replay reports/counterexamples/auto-timer--atLeastOnce.json --target librdkafka`)
  .action(async (file: string, opts: { full?: boolean; writeHistory?: string; target: ReplayTarget; scale?: number; rtt?: number }) => {
    if (opts.target !== 'model') {
      process.exitCode = await runRealTargetReplay(file, {
        target: opts.target,
        full: opts.full === true,
        ...(opts.scale !== undefined ? { timeScale: opts.scale } : {}),
        ...(opts.rtt !== undefined ? { rttMs: opts.rtt } : {}),
        ...(opts.writeHistory !== undefined ? { writeHistory: opts.writeHistory } : {}),
      });
      return;
    }
    process.exitCode = runReplay(file, { full: opts.full === true });
    if (opts.writeHistory !== undefined) {
      // The run is a pure function of the file's config, commands and choices: the same history.
      const cx = readCounterexample(file);
      const { history } = simulate(cx.config, cx.commands, cx.choices);
      writeHistoryJsonl(opts.writeHistory, history);
      process.stderr.write(`wrote ${history.length} events to ${opts.writeHistory}\n`);
    }
  });

program
  .command('check-history')
  .description('validate a history (JSON Lines, docs/history.md) and judge it with the invariants')
  .argument('<file>', 'history file, one event per line; - reads standard input')
  .option('--json', 'print the verdicts as JSON on stdout')
  .option('--invariants <names>', 'comma-separated invariants to check (default: all)')
  .option('--duplicate-bound <n>', 're-processing allowed per ownership, for duplicatesBounded (default: no bound claimed)', int('--duplicate-bound', 0))
  .option('--violations <n>', 'violations printed per invariant', int('--violations', 0), 3)
  .option('--max-errors <n>', 'stop reading a bad file after this many errors', int('--max-errors', 1), 20)
  .addHelpText(
    'after',
    `\nExit codes: 0 every invariant holds, 1 one is violated, 2 bad input or an invariant undecided.\n` +
      `Event numbers are 0-based positions among the file's events; line numbers are 1-based.\n` +
      `Example: groupcheck check-history run.jsonl --invariants atLeastOnce,noDuplicateProcessing --duplicate-bound 1`,
  )
  .action(async (file: string, opts: { json?: boolean; invariants?: string; duplicateBound?: number; violations: number; maxErrors: number }) => {
    process.exitCode = await runCheckHistory(file, {
      json: opts.json === true,
      invariants: opts.invariants === undefined ? undefined : list(opts.invariants),
      duplicateBound: opts.duplicateBound,
      show: opts.violations,
      maxErrors: opts.maxErrors,
    });
  });

program
  .command('bench')
  .description('throughput and time-to-counterexample benchmark (same as npm run bench)')
  .option('--quick', 'fewer runs and seeds (about 20 s)')
  .option('--json', 'print the results as JSON instead of tables')
  .action(async (opts: { quick?: boolean; json?: boolean }) => {
    // bench.ts runs its main() on import and reads its flags from process.argv.
    process.argv = [process.argv[0] ?? process.execPath, 'bench', ...(opts.quick === true ? ['--quick'] : []), ...(opts.json === true ? ['--json'] : [])];
    await import('../bench/bench.ts');
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; usage errors exit 2 (commander already printed the message).
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof InputError || err instanceof ConfigError) {
    process.stderr.write(`${pc.red('error')}: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`${pc.red('internal error')}: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 2;
  }
}
