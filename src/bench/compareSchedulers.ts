/**
 * Time-to-detect under uniform random choice vs PCT (depth 2 and 3), for every expected
 * counterexample of the guarantee matrix and every bug-zoo entry: runs until the first
 * violation for seeds 1-3 (200 runs each, shrinking off). `npm run bench:schedulers`.
 * Prints a Markdown table (committed as reports/schedulers.md).
 */
import { ZOO } from '../../models/zoo.ts';
import { MATRIX, rowById, type MatrixRow } from '../check/matrix.ts';
import { searchRow } from '../check/search.ts';

const SEEDS = [1, 2, 3];
const RUNS = 200;
const SCHEDULERS = [{ kind: 'random' as const }, { kind: 'pct' as const, depth: 2, horizon: 100 }, { kind: 'pct' as const, depth: 3, horizon: 100 }];

const cases: { label: string; row: MatrixRow; inv: string }[] = [];
for (const r of MATRIX) for (const [inv, e] of Object.entries(r.expect)) if (e === 'fails') cases.push({ label: `${r.id} × ${inv}`, row: r, inv });
for (const z of ZOO) {
  const b = rowById(z.configuration);
  cases.push({ label: `zoo: ${z.id} × ${z.caughtBy}`, row: { ...b, config: { ...b.config, variant: z.id } }, inv: z.caughtBy });
}

const lines = [
  `| case | ${SCHEDULERS.map((s) => (s.kind === 'pct' ? `PCT d=${s.depth}` : 'uniform')).join(' | ')} |`,
  `|---|${SCHEDULERS.map(() => '---').join('|')}|`,
];
const started = performance.now();
for (const c of cases) {
  const cells = SCHEDULERS.map((sch) => {
    const row = { ...c.row, config: { ...c.row.config, scheduler: sch } };
    const runs = SEEDS.map((seed) => searchRow(row, { seed, numRuns: RUNS, shrink: false, invariants: [c.inv] }).cells[0]?.counterexample?.foundAfterRuns ?? Infinity).sort((a, b) => a - b);
    const found = runs.filter((r) => r !== Infinity).length;
    return `${runs.map((r) => (r === Infinity ? '–' : String(r))).join(' / ')} (${found}/${SEEDS.length})`;
  });
  lines.push(`| ${c.label} | ${cells.join(' | ')} |`);
  process.stderr.write('.');
}
process.stderr.write('\n');
process.stdout.write(
  `# Uniform choice vs PCT: runs to the first counterexample\n\nSeeds ${SEEDS.join(', ')}, ${RUNS} runs each, shrinking off; each cell lists the runs to the first violation per seed, sorted (– = not found), and how many seeds found it. PCT horizon 100 scheduling steps. Measured in ${((performance.now() - started) / 1000).toFixed(0)} s.\n\n${lines.join('\n')}\n`,
);
