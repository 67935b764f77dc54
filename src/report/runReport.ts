/**
 * The invariant report of a `groupcheck check` run: JSON for machines, Markdown for people
 * (the guarantee matrix, what each invariant claims, and every counterexample with a Mermaid
 * sequence diagram, its text timeline and the command that replays it). The HTML and JUnit
 * renderings of the same report are html.ts and junit.ts.
 */
import { INVARIANTS } from '../../properties/invariants/index.ts';
import { WITNESSES } from '../../properties/witnesses/index.ts';
import { describeCommand } from '../sim/command.ts';
import { simulate } from '../sim/simulate.ts';
import type { MatrixRow } from '../check/matrix.ts';
import type { CellResult, RowResult } from '../check/search.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { mermaidSequence } from './mermaid.ts';
import { timelineLines } from './timeline.ts';

/** Per machine, over every configuration of the run: what the search reached of what exists. */
export interface CoverageSummary {
  readonly machine: string;
  readonly states: { readonly reached: number; readonly total: number; readonly unreached: readonly string[] };
  readonly transitions: { readonly reached: number; readonly total: number; readonly unreached: readonly string[] };
}

/** Unions the coverage of every configuration searched. */
export const summarizeCoverage = (results: readonly RowResult[]): CoverageSummary[] => {
  const acc = new Map<string, { states: Set<string>; transitions: Set<string>; allStates: Set<string>; allTransitions: Set<string> }>();
  for (const r of results) {
    for (const [machine, c] of Object.entries(r.coverage)) {
      const a = acc.get(machine) ?? { states: new Set(), transitions: new Set(), allStates: new Set(), allTransitions: new Set() };
      for (const x of c.states) a.states.add(x);
      for (const x of c.transitions) a.transitions.add(x);
      for (const x of [...c.states, ...c.unreachedStates]) a.allStates.add(x);
      for (const x of [...c.transitions, ...c.unreachedTransitions]) a.allTransitions.add(x);
      acc.set(machine, a);
    }
  }
  return [...acc.entries()].map(([machine, a]) => ({
    machine,
    states: { reached: a.states.size, total: a.allStates.size, unreached: [...a.allStates].filter((x) => !a.states.has(x)) },
    transitions: { reached: a.transitions.size, total: a.allTransitions.size, unreached: [...a.allTransitions].filter((x) => !a.transitions.has(x)).sort() },
  }));
};

export interface CheckReport {
  readonly tool: 'groupcheck';
  readonly version: string;
  readonly seed: number;
  readonly runsPerConfiguration: number;
  readonly ok: boolean;
  readonly brokenExpectations: number;
  readonly totals: { readonly runs: number; readonly events: number; readonly elapsedMs: number };
  /** Machine state and transition coverage over the whole run (compiled step function). */
  readonly coverage: readonly CoverageSummary[];
  readonly configurations: readonly {
    readonly id: string;
    readonly title: string;
    readonly runs: number;
    readonly settledRuns: number;
    readonly events: number;
    readonly elapsedMs: number;
    /** Witnesses: in how many runs each situation occurred (see properties/witnesses). */
    readonly witnesses: Readonly<Record<string, { readonly runs: number; readonly occurrences: number }>>;
    readonly cells: readonly {
      readonly invariant: string;
      readonly expect: string;
      readonly outcome: 'holds' | 'counterexample' | 'unknown';
      readonly met: boolean;
      readonly violatedRuns: number;
      readonly unknownRuns: number;
      readonly counterexample: null | {
        readonly file: string | null;
        readonly commands: number;
        readonly choices: number;
        readonly shrinks: number;
        readonly foundAfterRuns: number;
        readonly timeToFirstMs: number;
        readonly firstViolation: string;
      };
    }[];
  }[];
}

export const outcomeOf = (c: CellResult): 'holds' | 'counterexample' | 'unknown' =>
  c.violatedRuns > 0 ? 'counterexample' : c.unknownRuns === c.runs && c.runs > 0 ? 'unknown' : 'holds';

export const buildCheckReport = (
  results: readonly RowResult[],
  opts: { seed: number; runs: number; files: ReadonlyMap<string, string> },
): CheckReport => {
  const configurations = results.map((r) => ({
    id: r.row,
    title: r.title,
    runs: r.runs,
    settledRuns: r.settledRuns,
    events: r.events,
    elapsedMs: Math.round(r.elapsedMs),
    witnesses: r.witnesses,
    cells: r.cells.map((c) => ({
      invariant: c.invariant,
      expect: c.expect,
      outcome: outcomeOf(c),
      met: c.met,
      violatedRuns: c.violatedRuns,
      unknownRuns: c.unknownRuns,
      counterexample:
        c.counterexample === null
          ? null
          : {
              file: opts.files.get(`${r.row}/${c.invariant}`) ?? null,
              commands: c.counterexample.scenario.commands.length,
              choices: c.counterexample.scenario.choices.length,
              shrinks: c.counterexample.shrinks,
              foundAfterRuns: c.counterexample.foundAfterRuns,
              timeToFirstMs: Math.round(c.counterexample.timeToFirstMs),
              firstViolation: c.counterexample.violations[0]?.message ?? '',
            },
    })),
  }));
  const broken = configurations.reduce((n, r) => n + r.cells.filter((c) => !c.met).length, 0);
  return {
    tool: 'groupcheck',
    version: PACKAGE_VERSION,
    seed: opts.seed,
    runsPerConfiguration: opts.runs,
    ok: broken === 0,
    brokenExpectations: broken,
    coverage: summarizeCoverage(results),
    totals: {
      runs: results.reduce((n, r) => n + r.runs, 0),
      events: results.reduce((n, r) => n + r.events, 0),
      elapsedMs: Math.round(results.reduce((n, r) => n + r.elapsedMs, 0)),
    },
    configurations,
  };
};

const cellText = (c: CheckReport['configurations'][number]['cells'][number]): string => {
  const mark = c.met ? '' : ' ❌';
  if (c.outcome === 'counterexample') {
    const n = c.counterexample?.commands ?? 0;
    return `✗ ${n} cmd${n === 1 ? '' : 's'}${c.expect === 'fails' ? '' : c.expect === 'report' ? ' (report)' : ''}${mark}`;
  }
  if (c.outcome === 'unknown') return `? unknown${mark}`;
  return `✓ holds${mark}`;
};

/** The Markdown report: renders on any code host. */
export const renderMarkdown = (report: CheckReport, rows: readonly MatrixRow[], results: readonly RowResult[]): string => {
  const invs = INVARIANTS.filter((i) => report.configurations.some((r) => r.cells.some((c) => c.invariant === i.name)));
  const out: string[] = [];
  out.push('# groupcheck report', '');
  out.push(
    `groupcheck ${report.version} model-checked the reference consumer-group models: ${report.configurations.length} configurations × ${invs.length} invariants, ` +
      `${report.runsPerConfiguration} random runs each (seed ${report.seed}), ${report.totals.events.toLocaleString('en-US')} simulated events in ${(report.totals.elapsedMs / 1000).toFixed(1)} s.`,
    '',
  );
  out.push(report.ok ? '**Every expectation is met.**' : `**${report.brokenExpectations} expectation(s) broken** (marked ❌).`, '');
  out.push('## Guarantee matrix', '');
  out.push('✓ holds: no run violated it. ✗ N cmds: a counterexample, shrunk to N commands. Expected outcome per cell: see the legend below the table; ❌ marks a cell whose outcome is not the expected one.', '');
  out.push(`| configuration | ${invs.map((i) => `\`${i.name}\``).join(' | ')} |`);
  out.push(`|---|${invs.map(() => '---').join('|')}|`);
  for (const r of report.configurations) {
    const cells = invs.map((i) => {
      const c = r.cells.find((x) => x.invariant === i.name);
      return c === undefined ? '' : cellText(c);
    });
    out.push(`| **${r.id}**: ${r.title} | ${cells.join(' | ')} |`);
  }
  out.push('');
  out.push('Expected outcomes (what `npm test` and `npm run check` assert):', '');
  for (const r of rows) {
    const fails = Object.entries(r.expect).filter(([, e]) => e === 'fails').map(([n]) => `\`${n}\``);
    const reports = Object.entries(r.expect).filter(([, e]) => e === 'report').map(([n]) => `\`${n}\``);
    out.push(`- **${r.id}**: must fail ${fails.length > 0 ? fails.join(', ') : 'nothing'}; reported only: ${reports.length > 0 ? reports.join(', ') : 'nothing'}; every other invariant must hold${r.duplicateBound !== undefined ? ` (duplicate bound ${r.duplicateBound} per ownership)` : ''}.`);
  }
  out.push('', '## Witnesses', '');
  out.push('Situations a meaningful search must reach (counted in runs where they occurred); a configuration that never reaches one it should is a failing test.', '');
  out.push(`| configuration | ${WITNESSES.map((w) => `\`${w.name}\``).join(' | ')} |`);
  out.push(`|---|${WITNESSES.map(() => '---').join('|')}|`);
  for (const r of report.configurations) {
    out.push(`| ${r.id} | ${WITNESSES.map((w) => String(r.witnesses[w.name]?.runs ?? 0)).join(' | ')} |`);
  }
  out.push('', WITNESSES.map((w) => `- \`${w.name}\`: ${w.situation}.`).join('\n'));
  out.push('', '## Machine coverage', '');
  out.push('States and transitions of each XState machine that the sampled runs of every configuration reached (transition ids are `State.Event#i`, `*` for the root, `always` for eventless ones).', '');
  out.push('| machine | states | transitions | not reached |', '|---|---|---|---|');
  for (const c of report.coverage) {
    const missing = [...c.states.unreached.map((x) => `state ${x}`), ...c.transitions.unreached].map((x) => `\`${x}\``).join(', ');
    out.push(`| ${c.machine} | ${c.states.reached}/${c.states.total} | ${c.transitions.reached}/${c.transitions.total} | ${missing || 'nothing'} |`);
  }
  out.push('', '## Invariants', '');
  for (const i of invs) out.push(`- \`${i.name}\` (${i.expectation}): ${i.claim} _Ref: ${i.reference}._`);
  out.push('', '## Counterexamples', '');
  for (const res of results) {
    const row = rows.find((r) => r.id === res.row);
    if (row === undefined) continue;
    for (const c of res.cells) {
      const cx = c.counterexample;
      if (cx === null) continue;
      const file = report.configurations.find((r) => r.id === res.row)?.cells.find((x) => x.invariant === c.invariant)?.counterexample?.file;
      out.push(`### ${res.row} × ${c.invariant} (${c.expect === 'fails' ? 'expected' : c.expect === 'holds' ? 'UNEXPECTED' : 'reported'})`, '');
      out.push(
        `Found after ${cx.foundAfterRuns} run(s) in ${Math.round(cx.timeToFirstMs)} ms; ${c.violatedRuns} of ${c.runs} runs violated it; shrunk ${cx.shrinks} times to ` +
          `${cx.scenario.commands.length} commands and ${cx.scenario.choices.length} scheduling choices.`,
        '',
      );
      for (const v of cx.violations.slice(0, 3)) out.push(`- **${v.kind}**: ${v.message}`);
      out.push('', `Commands: ${cx.scenario.commands.map(describeCommand).join(' · ')}`, '');
      if (file !== undefined && file !== null) out.push(`Replay: \`npm run replay -- ${file}\``, '');
      const history = simulate(row.config, cx.scenario.commands, cx.scenario.choices).history;
      const marked = new Set(cx.violations.flatMap((v) => v.events));
      out.push('Sequence diagram (the events the violation names are in red, marked ⚠):', '');
      out.push('```mermaid', mermaidSequence(history, { marked, violations: cx.violations.slice(0, 3).map((v) => v.message) }).trimEnd(), '```', '');
      out.push('Timeline (`!!` marks the events the violation names):', '');
      out.push('```', ...timelineLines(history, { marked, compact: true }), '```', '');
    }
  }
  return `${out.join('\n')}\n`;
};
