/**
 * Committed counterexamples replay forever (Stateright's assert_discovery idea, house-style §3.8):
 * each file in reports/regressions/ must still produce exactly the violations it recorded.
 * A change to the models that alters one of these behaviours shows up here by name.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInvariant } from '../src/check/checkHistory.ts';
import { readCounterexample } from '../src/report/counterexample.ts';
import { simulate } from '../src/sim/simulate.ts';
import { invariantByName } from './invariants/index.ts';

const DIR = join(import.meta.dirname, '..', 'reports', 'regressions');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('regressions: committed counterexamples still reproduce', () => {
  it('there are regression files to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', (file) => {
    const cx = readCounterexample(join(DIR, file));
    const run = simulate(cx.config, cx.commands, cx.choices);
    const res = checkInvariant(invariantByName(cx.invariant), run.history, cx.duplicateBound === null ? {} : { duplicateBound: cx.duplicateBound });
    expect(res.validity).toBe(false);
    expect(res.violations.map((v) => ({ kind: v.kind, message: v.message, events: v.events }))).toEqual(cx.violations);
  });
});
