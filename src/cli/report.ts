/**
 * `groupcheck report`: renders the reports again from the raw results of the last `check`
 * (`latest.run.json`: base config, seed, runs, configuration ids, every row's results with
 * its counterexample scenarios). Useful after changing the report renderers, or to write the
 * reports somewhere else, without searching again.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { buildMatrix, rowById } from '../check/matrix.ts';
import type { RowResult } from '../check/search.ts';
import { simConfigSchema, type SimConfig } from '../sim/config.ts';
import { writeFileAtomic } from '../report/atomicWrite.ts';
import { renderHtml } from '../report/html.ts';
import { renderJUnit } from '../report/junit.ts';
import { InputError, nearPath, readJsonFile } from '../report/readJson.ts';
import { buildCheckReport, renderMarkdown } from '../report/runReport.ts';
import { PACKAGE_VERSION } from '../version.ts';

export const RUN_FILE = 'latest.run.json';
export const RUN_FORMAT = 'groupcheck.run';

export interface RunFile {
  readonly format: typeof RUN_FORMAT;
  readonly formatVersion: 1;
  readonly groupcheckVersion: string;
  readonly base: SimConfig | null;
  readonly seed: number;
  readonly runs: number;
  readonly rows: readonly string[];
  /** Counterexample file per `row/invariant`, as check wrote them. */
  readonly files: Readonly<Record<string, string>>;
  readonly results: readonly RowResult[];
}

const runFileSchema = z
  .object({
    format: z.literal(RUN_FORMAT),
    formatVersion: z.literal(1),
    groupcheckVersion: z.string(),
    base: simConfigSchema.nullable(),
    seed: z.number().int(),
    runs: z.number().int().positive(),
    rows: z.array(z.string()).min(1),
    files: z.record(z.string()),
    // Results are groupcheck's own output; their shape is checked where it is used.
    results: z.array(z.object({ row: z.string(), cells: z.array(z.unknown()) }).passthrough()).min(1),
  })
  .strict();

export const runFileOf = (opts: { base: SimConfig | undefined; seed: number; runs: number; files: ReadonlyMap<string, string>; results: readonly RowResult[] }): RunFile => ({
  format: RUN_FORMAT,
  formatVersion: 1,
  groupcheckVersion: PACKAGE_VERSION,
  base: opts.base ?? null,
  seed: opts.seed,
  runs: opts.runs,
  rows: opts.results.map((r) => r.row),
  files: Object.fromEntries(opts.files),
  results: opts.results,
});

/** The four reports of a run, by file name. */
export const renderReports = (run: RunFile): [string, string][] => {
  const matrix = buildMatrix(run.base ?? undefined);
  const rows = run.rows.map((id) => rowById(id, matrix));
  const report = buildCheckReport(run.results, { seed: run.seed, runs: run.runs, files: new Map(Object.entries(run.files)) });
  return [
    ['latest.json', `${JSON.stringify(report, null, 2)}\n`],
    ['latest.md', renderMarkdown(report, rows, run.results)],
    ['latest.html', renderHtml(report, rows, run.results)],
    ['latest.junit.xml', renderJUnit(report)],
  ];
};

export const runReport = (opts: { from: string; out: string }): number => {
  const { text, json } = readJsonFile(opts.from);
  const r = runFileSchema.safeParse(json);
  if (!r.success) {
    throw new InputError(`${opts.from}: not a groupcheck run file\n${r.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}${nearPath(text, i.path)}: ${i.message}`).join('\n')}`);
  }
  const run = json as RunFile;
  let outputs: [string, string][];
  try {
    outputs = renderReports(run);
  } catch (err) {
    throw new InputError(`${opts.from}: ${(err as Error).message}`);
  }
  for (const [name, content] of outputs) writeFileAtomic(join(opts.out, name), content);
  process.stderr.write(`wrote ${outputs.map(([n]) => join(opts.out, n)).join(', ')}\n`);
  return 0;
};
