/**
 * The guarantee matrix as JUnit XML (reports/latest.junit.xml), for CI dashboards: one
 * testsuite per configuration, one testcase per invariant. A broken expectation is a failure
 * whose message says what was expected and what was found; an expected counterexample is a
 * passing testcase whose system-out names the counterexample file and its replay command;
 * reported-only cells pass and say what was seen.
 */
import junitReportBuilder, { type Builder } from 'junit-report-builder';
import type { CheckReport } from './runReport.ts';

// The package is CommonJS (`module.exports = builder`) with `export default` typings: under
// NodeNext the default import is typed as the module, so take whichever object is the builder.
const rootBuilder: Builder =
  (junitReportBuilder as unknown as { default?: Builder }).default ?? (junitReportBuilder as unknown as Builder);

type Cell = CheckReport['configurations'][number]['cells'][number];

const cellOutput = (cell: Cell): string => {
  const lines: string[] = [`expected: ${cell.expect}; outcome: ${cell.outcome}; ${cell.violatedRuns} violated run(s), ${cell.unknownRuns} unknown`];
  const cx = cell.counterexample;
  if (cx !== null) {
    lines.push(`counterexample: ${cx.commands} command(s), ${cx.choices} scheduling choice(s), found after ${cx.foundAfterRuns} run(s), shrunk ${cx.shrinks} time(s)`);
    lines.push(`counterexample file: ${cx.file ?? '(not written)'}`);
    if (cx.file !== null) lines.push(`replay: npm run replay -- ${cx.file}`);
    if (cx.firstViolation !== '') lines.push(`violation: ${cx.firstViolation}`);
  }
  return lines.join('\n');
};

const failureMessage = (row: string, cell: Cell): string => {
  const cx = cell.counterexample;
  if (cell.expect === 'holds') {
    return `${row} × ${cell.invariant}: expected to hold, but ${cell.violatedRuns} run(s) violated it${cx !== null && cx.firstViolation !== '' ? `: ${cx.firstViolation}` : ''}${cx?.file ? ` (replay: npm run replay -- ${cx.file})` : ''}`;
  }
  return `${row} × ${cell.invariant}: expected a counterexample, but ${cell.outcome === 'unknown' ? 'every run was inconclusive' : 'no run violated it'}`;
};

/** The JUnit XML document of a check report. */
export const renderJUnit = (report: CheckReport): string => {
  const builder = rootBuilder.newBuilder();
  builder.name(`groupcheck ${report.version} seed ${report.seed}`);
  for (const r of report.configurations) {
    const suite = builder
      .testSuite()
      .name(r.id)
      .time(r.elapsedMs / 1000)
      .property('title', r.title)
      .property('seed', String(report.seed))
      .property('runs', String(r.runs))
      .property('settledRuns', String(r.settledRuns))
      .property('events', String(r.events));
    for (const c of r.cells) {
      const tc = suite.testCase().className(`groupcheck.${r.id}`).name(c.invariant).standardOutput(cellOutput(c));
      if (!c.met) tc.failure(failureMessage(r.id, c), c.expect === 'holds' ? 'UnexpectedCounterexample' : 'MissingCounterexample');
    }
  }
  return builder.build();
};
