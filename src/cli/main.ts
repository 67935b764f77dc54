#!/usr/bin/env node
/**
 * The groupcheck command line. Exit codes follow Jepsen (house-style §3.8): 0 when every
 * expectation is met (or a replay reproduces), 1 when one is broken, 2 on bad input or when
 * the run could not decide.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import { ConfigError, parseSimConfig, type SimConfig } from '../sim/config.ts';
import { InputError, nearPath, readJsonFile } from '../report/readJson.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { runCheck } from './check.ts';
import { runReplay } from './replay.ts';

const int = (name: string, min: number) => (v: string): number => {
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be an integer, got "${v}"`);
  const n = Number(v);
  if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}, got ${n}`);
  return n;
};

const readConfig = (file: string): SimConfig => {
  const { text, json } = readJsonFile(file);
  return parseSimConfig(json, file, (path) => nearPath(text, path));
};

const program = new Command()
  .name('groupcheck')
  .description('Property-based model checker for Apache Kafka consumer groups.')
  .version(PACKAGE_VERSION)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(pc.red(str)) });

program
  .command('check')
  .description('model-check the reference implementation over the guarantee matrix and write a report')
  .option('--seed <n>', 'seed of the random search', int('--seed', -2147483648), 42)
  .option('--runs <n>', 'random runs per configuration', int('--runs', 1), 300)
  .option('--only <ids>', 'comma-separated configuration ids to check (default: all)')
  .option('--config <file>', 'JSON simulation config to use as the base instead of the built-in default')
  .option('--out <dir>', 'directory for latest.md, latest.json and counterexamples/', 'reports')
  .option('--json', 'print the JSON report on stdout instead of the summary table')
  .action((opts: { seed: number; runs: number; only?: string; config?: string; out: string; json?: boolean }) => {
    const base = opts.config === undefined ? undefined : readConfig(opts.config);
    process.exitCode = runCheck({ seed: opts.seed, runs: opts.runs, only: opts.only?.split(',').map((s) => s.trim()).filter(Boolean), base, outDir: opts.out, json: opts.json === true });
  });

program
  .command('replay')
  .description('re-run a counterexample file deterministically and print its timeline')
  .argument('<file>', 'counterexample JSON written by groupcheck check')
  .option('--full', 'print every event (by default the store echoes are folded)')
  .action((file: string, opts: { full?: boolean }) => {
    process.exitCode = runReplay(file, { full: opts.full === true });
  });

try {
  program.parse(process.argv);
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
