/**
 * `groupcheck check`: the main job. Searches every configuration of the guarantee matrix,
 * prints progress and a summary table, writes one counterexample file per counterexample found
 * and, once every configuration is done, the reports (latest.md, latest.json, latest.html,
 * latest.junit.xml, each atomically), and returns the exit code.
 */
import { join } from 'node:path';
import pc from 'picocolors';
import { buildMatrix, rowById } from '../check/matrix.ts';
import type { RowResult } from '../check/search.ts';
import { searchRows, shardRows } from '../check/parallel.ts';
import cliProgress from 'cli-progress';
import type { SimConfig } from '../sim/config.ts';
import { toCounterexampleFile, writeCounterexample } from '../report/counterexample.ts';
import { writeFileAtomic } from '../report/atomicWrite.ts';
import { InputError } from '../report/readJson.ts';
import { buildCheckReport, outcomeOf } from '../report/runReport.ts';
import { renderReports, RUN_FILE, runFileOf } from './report.ts';

export interface CheckOptions {
  readonly seed: number;
  readonly runs: number;
  readonly only?: readonly string[] | undefined;
  readonly base?: SimConfig | undefined;
  readonly outDir: string;
  readonly json: boolean;
  /** Worker threads (default: every core). Results do not depend on it. */
  readonly workers?: number | undefined;
  /** Only this CI shard's configurations. */
  readonly shard?: { readonly index: number; readonly count: number } | undefined;
}

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

export const runCheck = async (opts: CheckOptions): Promise<number> => {
  const matrix = buildMatrix(opts.base);
  const selected = opts.only === undefined || opts.only.length === 0 ? matrix : opts.only.map((id) => {
    try {
      return rowById(id, matrix);
    } catch (err) {
      throw new InputError(`--only: ${(err as Error).message}`);
    }
  });
  const rows = opts.shard === undefined ? selected : shardRows(selected, opts.shard);
  const files = new Map<string, string>();
  const shardText = opts.shard === undefined ? '' : `, shard ${opts.shard.index}/${opts.shard.count}`;
  log(pc.bold(`groupcheck check: ${rows.length} configurations × ${opts.runs} runs, seed ${opts.seed}${shardText}`));
  // A progress bar with an estimate, on a terminal only (cli-progress); plain lines otherwise.
  const bar = process.stderr.isTTY === true ? new cliProgress.SingleBar({ format: '  {bar} {value}/{total} configurations | {duration_formatted} elapsed, ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
  bar?.start(rows.length, 0);
  const onRowDone = (res: RowResult): void => {
    const row = rows.find((r) => r.id === res.row);
    if (row === undefined) return;
    for (const c of res.cells) {
      if (c.counterexample === null) continue;
      const file = join(opts.outDir, 'counterexamples', `${row.id}--${c.invariant}.json`);
      writeCounterexample(file, toCounterexampleFile(c.counterexample, { title: row.title, expectation: c.expect, config: row.config, duplicateBound: row.duplicateBound }));
      files.set(`${row.id}/${c.invariant}`, file);
    }
    const broken = res.cells.filter((c) => !c.met).length;
    const found = res.cells.filter((c) => c.counterexample !== null).map((c) => c.invariant);
    const line =
      `  ${broken === 0 ? pc.green('ok ') : pc.red('BAD')} ${row.id.padEnd(18)} ${String(res.runs).padStart(5)} runs ${String(res.events).padStart(8)} events ${(res.elapsedMs / 1000).toFixed(1).padStart(5)} s` +
      `  counterexamples: ${found.length > 0 ? found.join(', ') : 'none'}`;
    if (bar === null) log(line);
    else {
      bar.increment();
      done.push(line);
    }
  };
  const done: string[] = [];
  let results: RowResult[];
  try {
    // Starting a worker thread costs about a second (it loads the TypeScript sources): small
    // searches run in this thread unless --workers says otherwise.
    const workers = opts.workers ?? (rows.length * opts.runs < 1500 ? 1 : undefined);
    results = await searchRows(rows, { seed: opts.seed, numRuns: opts.runs, workers, base: opts.base, onRowDone });
  } finally {
    bar?.stop();
  }
  for (const line of done) log(line);
  // Reports only now, after the whole run: rendered first, then each written atomically, so an
  // interrupted or failed run leaves the previous reports intact.
  const report = buildCheckReport(results, { seed: opts.seed, runs: opts.runs, files });
  const run = runFileOf({ base: opts.base, seed: opts.seed, runs: opts.runs, files, results });
  const outputs = renderReports(run);
  for (const [name, text] of outputs) writeFileAtomic(join(opts.outDir, name), text);
  // The raw results, so that `groupcheck report` can render the reports again without searching.
  writeFileAtomic(join(opts.outDir, RUN_FILE), `${JSON.stringify(run)}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    printSummary(results);
  }
  log('');
  for (const r of results) for (const c of r.cells) {
    if (!c.met) log(pc.red(`expectation broken: ${r.row} × ${c.invariant}: expected ${c.expect}, got ${outcomeOf(c)}${c.counterexample ? ` (replay: npm run replay -- ${files.get(`${r.row}/${c.invariant}`)})` : ''}`));
  }
  log(`${report.ok ? pc.green('every expectation met') : pc.red(`${report.brokenExpectations} expectation(s) broken`)}; report: ${join(opts.outDir, 'latest.html')} (also ${outputs.filter(([n]) => n !== 'latest.html').map(([n]) => join(opts.outDir, n)).join(', ')})`);
  return report.ok ? 0 : 1;
};

/** invariant × configuration, one short cell each. */
const printSummary = (results: readonly RowResult[]): void => {
  const invariants = results[0]?.cells.map((c) => c.invariant) ?? [];
  const w = Math.max(...invariants.map((i) => i.length));
  const colW = Math.max(10, ...results.map((r) => r.row.length)) + 1;
  const lines: string[] = [];
  lines.push(`${''.padEnd(w)}  ${results.map((r) => r.row.padEnd(colW)).join('')}`);
  for (const inv of invariants) {
    const cells = results.map((r) => {
      const c = r.cells.find((x) => x.invariant === inv);
      if (c === undefined) return ''.padEnd(colW);
      const o = outcomeOf(c);
      const txt = (o === 'counterexample' ? `✗ ${c.counterexample?.scenario.commands.length ?? '?'}cmd` : o === 'unknown' ? '? unknown' : '✓ holds').padEnd(colW);
      return c.met ? (o === 'counterexample' ? pc.yellow(txt) : pc.green(txt)) : pc.red(txt);
    });
    lines.push(`${inv.padEnd(w)}  ${cells.join('')}`);
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
};
