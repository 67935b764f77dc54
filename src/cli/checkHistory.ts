/**
 * `groupcheck check-history FILE`: validates any history (JSON Lines, docs/history.md) and
 * judges it with the invariants. Prints, per invariant, holds / violated (with its first
 * violations) / unknown. Event indices are 0-based positions among the file's events (the
 * invariants' indices); the line numbers beside them are 1-based lines of the file.
 *
 * The file is streamed: each event goes through every invariant's monitor as soon as its line is
 * read and validated, and is then dropped, so memory stays flat however long the history is
 * (docs/history.md "Checking long histories"). Events are handed to the monitors in chunks of
 * CHUNK so that the time spent checking can be measured apart from reading.
 *
 * Exit code: 0 when every invariant holds, 1 when one is violated, 2 on bad input or when an
 * invariant could not be decided (and none is violated), as Jepsen merges validity.
 */
import pc from 'picocolors';
import { INVARIANTS, invariantByName } from '../../properties/invariants/index.ts';
import type { HistoryEvent } from '../../models/history.ts';
import { mergeValidity, StreamCheck, type InvariantResult } from '../check/checkHistory.ts';
import type { CheckContext, Invariant } from '../check/invariant.ts';
import { LineIndex, scanHistoryJsonl } from '../history/jsonl.ts';
import { InputError } from '../report/readJson.ts';
import { PACKAGE_VERSION } from '../version.ts';

export interface CheckHistoryOptions {
  readonly json: boolean;
  /** Invariant names; undefined: all of them. */
  readonly invariants?: readonly string[] | undefined;
  readonly duplicateBound?: number | undefined;
  /** Violations printed per invariant in text mode. */
  readonly show: number;
  /** Stop reading after this many format errors. */
  readonly maxErrors: number;
}

/** The JSON document of `check-history --json`. */
export interface CheckHistoryReport {
  readonly tool: 'groupcheck';
  readonly command: 'check-history';
  readonly version: string;
  readonly file: string;
  readonly events: number;
  readonly duplicateBound: number | null;
  readonly validity: true | false | 'unknown';
  readonly elapsedMs: { readonly read: number; readonly check: number };
  readonly invariants: readonly {
    readonly invariant: string;
    readonly expectation: string;
    readonly validity: true | false | 'unknown';
    readonly violations: readonly {
      readonly kind: string;
      readonly message: string;
      readonly events: readonly number[];
      readonly lines: readonly number[];
      readonly evidence: Readonly<Record<string, unknown>>;
    }[];
  }[];
}

/** Events buffered between the reader and the monitors (memory: CHUNK events). */
const CHUNK = 4096;

const selectInvariants = (names: readonly string[] | undefined): readonly Invariant[] => {
  if (names === undefined || names.length === 0) return INVARIANTS;
  return names.map((n) => {
    try {
      return invariantByName(n);
    } catch (err) {
      throw new InputError(`--invariants: ${(err as Error).message}`);
    }
  });
};

const verdict = (r: InvariantResult): string =>
  r.validity === true ? pc.green('holds') : r.validity === false ? pc.red(`violated (${r.violations.length})`) : pc.yellow('unknown');

const mark = (r: InvariantResult): string => (r.validity === true ? pc.green('✓') : r.validity === false ? pc.red('✗') : pc.yellow('?'));

export const runCheckHistory = async (file: string, opts: CheckHistoryOptions): Promise<number> => {
  const invariants = selectInvariants(opts.invariants);
  const ctx: CheckContext = opts.duplicateBound === undefined ? {} : { duplicateBound: opts.duplicateBound };
  const err = (s: string): void => {
    process.stderr.write(`${s}\n`);
  };

  const name = file === '-' ? '<stdin>' : file;
  const t0 = performance.now();
  const check = new StreamCheck(invariants, ctx);
  const lines = new LineIndex();
  let chunk: HistoryEvent[] = [];
  let checkMs = 0;
  const flush = (): void => {
    const c0 = performance.now();
    for (const e of chunk) check.step(e);
    checkMs += performance.now() - c0;
    chunk = [];
  };
  let events = 0;
  await scanHistoryJsonl(file, { maxErrors: opts.maxErrors }, (event, line) => {
    lines.add(events++, line);
    chunk.push(event);
    if (chunk.length >= CHUNK) flush();
  });
  flush();
  const c1 = performance.now();
  const results = check.finish();
  const t2 = performance.now();
  checkMs += t2 - c1;
  const t1 = t2 - checkMs; // reading and validating: the rest of the wall time
  const lineOf = lines.lineOf;
  const validity = mergeValidity(results.map((r) => r.validity));

  if (opts.json) {
    const report: CheckHistoryReport = {
      tool: 'groupcheck',
      command: 'check-history',
      version: PACKAGE_VERSION,
      file: name,
      events: events,
      duplicateBound: opts.duplicateBound ?? null,
      validity,
      elapsedMs: { read: Math.round(t1 - t0), check: Math.round(t2 - t1) },
      invariants: results.map((r, i) => ({
        invariant: r.invariant,
        expectation: invariants[i]?.expectation ?? 'always',
        validity: r.validity,
        violations: r.violations.map((v) => ({ kind: v.kind, message: v.message, events: v.events, lines: v.events.map(lineOf), evidence: v.evidence })),
      })),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const out = (s: string): void => {
      process.stdout.write(`${s}\n`);
    };
    out(pc.bold(`${name}: ${events.toLocaleString('en-US')} events, ${invariants.length} invariant${invariants.length === 1 ? '' : 's'}${opts.duplicateBound === undefined ? '' : `, duplicate bound ${opts.duplicateBound}`}`));
    const w = Math.max(...invariants.map((i) => i.name.length));
    results.forEach((r, i) => {
      out(`  ${mark(r)} ${r.invariant.padEnd(w)}  ${verdict(r)}`);
      if (r.validity === 'unknown') {
        out(pc.dim(`      could not be decided: ${invariants[i]?.expectation === 'eventually' ? 'an eventually-claim needs the history to end with {"type":"Quiesced","settled":true}' : 'the invariant returned unknown'}`));
      }
      if (r.invariant === 'duplicatesBounded' && opts.duplicateBound === undefined) out(pc.dim('      (no bound claimed: pass --duplicate-bound N to check one)'));
      for (const v of r.violations.slice(0, opts.show)) {
        out(`      ${pc.red(`[${v.kind}]`)} ${v.message}`);
        out(pc.dim(`        events ${v.events.join(', ')} (lines ${v.events.map(lineOf).join(', ')})`));
      }
      if (r.violations.length > opts.show) out(pc.dim(`      … and ${r.violations.length - opts.show} more (--json lists them all)`));
    });
    out('');
    const held = results.filter((r) => r.validity === true).length;
    const violated = results.filter((r) => r.validity === false).length;
    const unknown = results.length - held - violated;
    const summary = `${held} hold, ${violated} violated, ${unknown} unknown`;
    out(validity === true ? pc.green(`every invariant holds (${summary})`) : validity === false ? pc.red(summary) : pc.yellow(`${summary}: undecided`));
  }
  err(pc.dim(`read and validated ${events.toLocaleString('en-US')} events in ${((t1 - t0) / 1000).toFixed(2)} s, checked in ${((t2 - t1) / 1000).toFixed(2)} s`));
  return validity === true ? 0 : validity === false ? 1 : 2;
};
