/**
 * `groupcheck explore`: exhaustive bounded breadth-first search of one configuration of the
 * guarantee matrix over a small scope (src/explore/bfs.ts). Prints distinct states,
 * transitions, depth, states/s and bytes/state, and each invariant's shortest confirmed
 * counterexample, written (atomically) as a standard counterexample file that
 * `groupcheck replay` runs. Exit 1 when an invariant the configuration promises is violated,
 * 0 otherwise (not finding a counterexample the matrix expects is not an error in a bounded
 * scope: the scope may be too small), 2 on bad input.
 */
import { join } from 'node:path';
import pc from 'picocolors';
import { buildMatrix, rowById, type MatrixRow } from '../check/matrix.ts';
import type { Counterexample } from '../check/search.ts';
import type { SimConfig } from '../sim/config.ts';
import { describeCommand } from '../sim/command.ts';
import { explore, DEFAULT_MONITORS, type ExploreCounterexample, type ExploreResult } from '../explore/bfs.ts';
import { exploreParallel, sharedMemoryError, type ParallelExploreResult } from '../explore/parallel.ts';
import { scopeFor, type Scope, type ScopeOptions } from '../explore/scope.ts';
import { toCounterexampleFile, writeCounterexample } from '../report/counterexample.ts';
import { InputError } from '../report/readJson.ts';
import { simulate } from '../sim/simulate.ts';

export interface ExploreCliOptions extends ScopeOptions {
  readonly row: string;
  readonly base?: SimConfig | undefined;
  readonly invariants?: readonly string[] | undefined;
  readonly stop: boolean;
  readonly outDir: string;
  readonly json: boolean;
  /** Threads expanding each level: 1 runs in this thread (bfs.ts), n > 1 on n worker threads (parallel.ts). */
  readonly workers?: number;
}

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

/** A BFS counterexample in the shape the counterexample file writer takes (no seed: path says where it came from). */
const asCounterexample = (row: MatrixRow, scope: Scope, cx: ExploreCounterexample): Counterexample => ({
  row: row.id,
  invariant: cx.invariant,
  seed: 0,
  path: `bfs:${cx.depth} steps`,
  scenario: { commands: cx.commands, choices: cx.choices },
  violations: cx.violations,
  historyLength: simulate(scope.config, cx.commands, cx.choices).history.length,
  shrinks: 0,
  foundAfterRuns: 0,
  timeToFirstMs: 0,
});

export const runExplore = async (opts: ExploreCliOptions): Promise<number> => {
  let row: MatrixRow;
  let scope: Scope;
  try {
    row = rowById(opts.row, buildMatrix(opts.base));
    scope = scopeFor(row, opts);
    const tooBig = (opts.workers ?? 1) > 1 ? sharedMemoryError(scope.statesMax) : null;
    if (tooBig !== null) throw new Error(tooBig);
  } catch (err) {
    throw new InputError(`explore: ${(err as Error).message}`);
  }
  const screened = new Set(DEFAULT_MONITORS.flatMap((m) => m.screens));
  for (const n of opts.invariants ?? []) if (!screened.has(n)) throw new InputError(`--invariants: unknown or unscreened invariant "${n}"; known: ${[...screened].join(', ')}`);
  const invariants = opts.invariants ?? (opts.stop ? Object.entries(row.expect).filter(([, e]) => e === 'fails').map(([n]) => n) : undefined);
  if (!opts.json) log(pc.bold(`groupcheck explore: ${row.id} (${row.title}), depth ≤ ${scope.depthMax}, ≤ ${scope.statesMax} states, budgets ${JSON.stringify(scope.budgets)}`));
  const onLevel = opts.json || process.stderr.isTTY !== true ? undefined : (d: number, n: number): void => void process.stderr.write(`\r  depth ${d}: ${n} states`);
  const check = row.duplicateBound === undefined ? {} : { duplicateBound: row.duplicateBound };
  const workers = opts.workers ?? 1;
  const r: ExploreResult =
    workers > 1
      ? await exploreParallel(scope, { workers, ...(invariants === undefined ? {} : { invariants }), stopWhenFound: opts.stop, check, ...(onLevel === undefined ? {} : { onLevel }) })
      : explore(scope, { ...(invariants === undefined ? {} : { invariants }), stopWhenFound: opts.stop, check, ...(onLevel === undefined ? {} : { onLevel }) });
  if (!opts.json && process.stderr.isTTY === true) process.stderr.write("\n");
  const files: Record<string, string> = {};
  for (const cx of r.counterexamples) {
    const file = join(opts.outDir, 'counterexamples', `explore--${row.id}--${cx.invariant}.json`);
    writeCounterexample(file, toCounterexampleFile(asCounterexample(row, scope, cx), { title: `${row.title} (bounded BFS)`, expectation: row.expect[cx.invariant] ?? 'report', config: scope.config, duplicateBound: row.duplicateBound }));
    files[cx.invariant] = file;
  }
  const broken = r.counterexamples.filter((c) => row.expect[c.invariant] === 'holds');
  if (opts.json) process.stdout.write(`${JSON.stringify({ row: row.id, scope, ...r, files }, null, 2)}\n`);
  else process.stdout.write(render(row, r, files));
  return broken.length > 0 ? 1 : 0;
};

const render = (row: MatrixRow, r: ExploreResult, files: Record<string, string>): string => {
  const out: string[] = [];
  const status = r.exhausted ? 'scope exhausted' : r.depthBounded ? 'every state up to the depth bound' : 'cut short (state budget or all found)';
  out.push(`distinct states ${r.states}, transitions ${r.transitions}, depth ${r.depth} (${status})`);
  out.push(`${Math.round(r.statesPerSecond)} states/s, ${r.bytesPerState.toFixed(1)} bytes/state (visited set + parents + steps), frontier peak ${r.frontierPeak} worlds, ${r.symmetryPermutations} symmetry permutation(s), ${(r.elapsedMs / 1000).toFixed(1)} s`);
  if ('workers' in r) {
    const p = r as ParallelExploreResult;
    out.push(`${p.workers} workers: states expanded ${p.workerExpanded.join(' / ')}, rebuilt from their paths ${p.workerReplayed.join(' / ')}, search CPU ${p.workerCpuMs.map((c) => (c === null ? '?' : `${(c / 1000).toFixed(1)} s`)).join(' / ')}`);
  }
  out.push(`invariants: ${r.invariants.join(', ')}`);
  if (r.unconfirmed.length > 0) out.push(pc.yellow(`not every suspect confirmed (confirmMax reached): ${r.unconfirmed.join(', ')}`));
  for (const cx of r.counterexamples) {
    const expect = row.expect[cx.invariant] ?? 'report';
    out.push('');
    out.push(`${expect === 'holds' ? pc.red('[violated]') : '[found]'} ${cx.invariant} (expected: ${expect}) in ${cx.depth} steps: ${cx.violations[0]?.message ?? ''}`);
    out.push(`  commands: ${cx.commands.map(describeCommand).join(' · ')}`);
    out.push(`  choices: [${cx.choices.join(', ')}]${cx.exact ? '' : ' (path end had a timer due: replay is approximate)'}`);
    out.push(`  replay: npm run replay -- ${files[cx.invariant]}`);
  }
  if (r.counterexamples.length === 0) out.push(pc.green('no counterexample within the scope'));
  return `${out.join('\n')}\n`;
};
