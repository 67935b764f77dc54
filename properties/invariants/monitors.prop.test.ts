/**
 * The monitors against the array form, differentially (issue 4: check-history streams).
 *
 * Goal: streaming a history through the monitors (as `check-history` does) gives exactly the
 * verdicts of `Invariant.check` over the array, and a monitor cloned mid-history is an
 * independent copy (what a breadth-first search that folds monitors along paths relies on).
 *
 * Method: for every guarantee-matrix configuration and every bug-zoo variant, simulated
 * histories from pinned seeds (for a variant, also the first sampled run its invariant flags),
 * each written as JSON Lines and read back through the streaming
 * reader (scanHistoryJsonl + StreamCheck), then compared verdict by verdict with checkHistory
 * over the array; plus one long history per configuration made of its runs as successive
 * episodes of one group (continueHistories). For the clone property, each monitor is stepped to
 * a pinned split point, asked for its verdict there, cloned, and both copies are finished apart.
 * The last tests pin what the memory horizon forgets, on hand-made histories.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DistributiveOmit, History, HistoryEvent } from '../../models/history.ts';
import { ZOO } from '../../models/zoo.ts';
import { checkHistory, StreamCheck, type InvariantResult } from '../../src/check/checkHistory.ts';
import { runMonitor, type CheckContext, type Violation } from '../../src/check/invariant.ts';
import { MATRIX, rowById, type MatrixRow } from '../../src/check/matrix.ts';
import { scenarioArb } from '../../src/gen/command.arb.ts';
import { continueHistories } from '../../src/history/concat.ts';
import { historyToJsonl, scanHistoryJsonl } from '../../src/history/jsonl.ts';
import { simulate } from '../../src/sim/simulate.ts';
import { atLeastOnce, duplicatesBounded, INVARIANTS, invariantByName, noDuplicateProcessing, processingOnlyOwned, singleOwnerPerPartition } from './index.ts';

const SEED = 42;
const RUNS = 12;

interface Case {
  readonly label: string;
  readonly row: MatrixRow;
  /** For a zoo variant: the invariant meant to catch it. */
  readonly caughtBy?: string;
}

const CASES: readonly Case[] = [
  ...MATRIX.map((row) => ({ label: row.id, row })),
  ...ZOO.map((z) => {
    const base = rowById(z.configuration);
    return { label: `zoo ${z.id}`, row: { ...base, id: `${base.id}+${z.id}`, config: { ...base.config, variant: z.id } }, caughtBy: z.caughtBy };
  }),
];

/** Zoo variants: runs sampled (same seed) until one is flagged by the variant's invariant. */
const ZOO_RUNS_MAX = 300;

/**
 * RUNS sampled histories of the configuration; for a zoo variant, also the first sampled history
 * its invariant flags, so every variant's violation goes through the stream at least once.
 */
const histories = (row: MatrixRow, seed: number, caughtBy: string | undefined): History[] => {
  const scenarios = fc.sample(scenarioArb(row.config, row.shape), { seed, numRuns: caughtBy === undefined ? RUNS : ZOO_RUNS_MAX });
  const run = (k: number): History => simulate(row.config, scenarios[k]!.commands, scenarios[k]!.choices).history;
  const out = Array.from({ length: RUNS }, (_, k) => run(k));
  if (caughtBy === undefined) return out;
  const inv = invariantByName(caughtBy);
  const ctx = contextOf(row);
  for (let k = 0; k < scenarios.length; k++) {
    const h = k < RUNS ? out[k]! : run(k);
    const r = inv.check(h, ctx);
    if (r !== 'unknown' && r.length > 0) {
      if (k >= RUNS) out.push(h);
      return out;
    }
  }
  throw new Error(`no sampled run of ${row.id} is flagged by ${caughtBy} (seed ${seed}, ${ZOO_RUNS_MAX} runs)`);
};

const contextOf = (row: MatrixRow): CheckContext => ({ duplicateBound: row.duplicateBound ?? 0 });

/** The verdicts of the stream: the history as JSON Lines, read back line by line. */
async function streamed(history: History, ctx: CheckContext): Promise<InvariantResult[]> {
  const check = new StreamCheck(INVARIANTS, ctx);
  await scanHistoryJsonl(Readable.from([historyToJsonl(history)]), { name: 'h.jsonl' }, (e) => check.step(e));
  expect(check.events).toBe(history.length);
  return check.finish();
}

/** Seen per invariant over the whole file: proves the comparisons were not all of empty lists. */
const violatedSomewhere = new Set<string>();

describe.each(CASES.map((c) => [c.label, c] as const))(`monitors: %s (seed ${SEED}, ${RUNS} runs)`, (_label, { row, caughtBy }) => {
  const hs = histories(row, SEED, caughtBy);
  const ctx = contextOf(row);

  it('stream through the monitors == check over the array, run by run and as one long history', async () => {
    for (const h of [...hs, [...continueHistories(hs)]]) {
      const expected = checkHistory(INVARIANTS, h, ctx);
      expect(await streamed(h, ctx)).toEqual(expected);
      for (const r of expected) if (r.validity === false) violatedSomewhere.add(r.invariant);
    }
  });

  it('a monitor cloned mid-history is independent: both copies end with the verdict of the whole history, the prefix verdict is unchanged', () => {
    hs.forEach((h, n) => {
      const split = Math.floor((h.length * ((n * 7919) % 101)) / 100); // pinned split points, 0 to the end
      for (const inv of INVARIANTS) {
        const m = inv.monitor(ctx);
        for (let i = 0; i < split; i++) m.step(h[i]!, i);
        const atSplit = m.finish();
        const copy = m.clone();
        for (let i = split; i < h.length; i++) m.step(h[i]!, i);
        expect(copy.finish(), `${inv.name} prefix`).toEqual(atSplit);
        expect(atSplit, `${inv.name} prefix vs check`).toEqual(inv.check(h.slice(0, split), ctx));
        for (let i = split; i < h.length; i++) copy.step(h[i]!, i);
        const whole = inv.check(h, ctx);
        expect(m.finish(), `${inv.name} original`).toEqual(whole);
        expect(copy.finish(), `${inv.name} clone`).toEqual(whole);
      }
    });
  });
});

describe('monitors: the differential tests compared real verdicts', () => {
  it('every invariant was violated in some history above', () => {
    expect([...violatedSomewhere].sort()).toEqual(INVARIANTS.map((i) => i.name).sort());
  });
});

// ---------------------------------------------------------------- the memory horizon

describe('monitors: what the memory horizon forgets (CheckContext.horizon)', () => {
  const quiet = (n: number): Body[] => Array.from({ length: n }, () => ({ type: 'Produced', tp: 'u-0', offset: 0, key: 'k', value: 0 }) as Body);

  it('without a silence longer than the horizon, a small horizon changes nothing', () => {
    const h = history(started('c1'), assigned('c1', ['t-0']), processed('c1', 't-0', 0), processed('c1', 't-0', 0), processStarted('c9', 't-0', 1));
    for (const inv of INVARIANTS) expect(inv.check(h, { horizon: 4, duplicateBound: 0 })).toEqual(inv.check(h, { duplicateBound: 0 }));
  });

  it('duplicatesBounded judges the open episodes of a member it forgets, as at the end of the history', () => {
    const h = history(started('c1'), assigned('c1', ['t-0']), processed('c1', 't-0', 0), processed('c1', 't-0', 0), ...quiet(20));
    const v = violations(duplicatesBounded.check(h, { duplicateBound: 0, horizon: 8 }));
    expect(v).toEqual(violations(duplicatesBounded.check(h, { duplicateBound: 0 })));
    expect(v).toHaveLength(1);
    expect(v[0]?.message).toContain('by the end of the history');
  });

  it('a member back after a silence longer than the horizon is a new member (documented trade-off)', () => {
    const h = history(started('c1'), assigned('c1', ['t-0']), ...quiet(20), processStarted('c1', 't-0', 0));
    expect(processingOnlyOwned.check(h, {})).toEqual([]);
    expect(violations(processingOnlyOwned.check(h, { horizon: 8 }))[0]?.message).toContain('never owned');
  });

  it('noDuplicateProcessing keeps the first processing of a record at or above the commit, or within the horizon', () => {
    const commit = (offset: number): Body => ({ type: 'CommitResult', member: 'c1', group: 'G', generation: 1, offsets: { 't-0': offset }, seq: 1, error: 'NONE' });
    // 2000 records processed, committed every 100, then records 3 and 1999 again: the first
    // processing of 3 is far below the commit and more than the horizon ago, so only its offset
    // is left; that of 1999 is recent.
    const many: Body[] = [];
    for (let o = 0; o < 2000; o++) {
      many.push(processed('c1', 't-0', o));
      if (o % 100 === 99) many.push(commit(o + 1));
    }
    const h = history(started('c1'), ...many, ...quiet(10), processed('c1', 't-0', 3), processed('c1', 't-0', 1999));
    const at = (offset: number): number => h.findIndex((e) => e.type === 'Processed' && e.offset === offset);
    const again3 = h.length - 2;
    const again1999 = h.length - 1;
    const full = violations(noDuplicateProcessing.check(h, {}));
    expect(full.map((v) => v.events)).toEqual([
      [at(3), again3],
      [at(1999), again1999],
    ]);
    const short = violations(noDuplicateProcessing.check(h, { horizon: 100 }));
    // Sorted by first known event, the forgotten one now comes last.
    expect(short.map((v) => v.events)).toEqual([[at(1999), again1999], [again3]]);
    expect(short[1]?.evidence).toEqual({ group: 'G', tp: 't-0', offset: 3, members: ['c1'], count: 2, firstProcessingForgotten: true });
    expect(short[1]?.message).toBe(full[0]?.message);
    expect(short[0]).toEqual(full[1]);
  });

  it('singleOwnerPerPartition forgets single owners announced before the horizon, never a split', () => {
    const h = history(assigned('c1', ['t-0'], 1), assigned('c2', ['t-0'], 1), assigned('c3', ['t-1'], 1), ...quiet(40), assigned('c4', ['t-1'], 1));
    expect(violations(singleOwnerPerPartition.check(h, {})).map((v) => v.evidence.tp)).toEqual(['t-0', 't-1']);
    expect(violations(singleOwnerPerPartition.check(h, { horizon: 8 })).map((v) => v.evidence.tp)).toEqual(['t-0']);
  });

  it('atLeastOnce forgets the Produced index of a record every subscribed group processed, and says so if a later group misses it', () => {
    const h = history(
      started('c1', 'A'),
      produced('t-0', 0),
      processed('c1', 't-0', 0),
      started('d1', 'B'),
      positioned('d1', 't-0', 0),
      { type: 'Quiesced', settled: true },
    );
    const v = violations(atLeastOnce.check(h, {}));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'unseen', events: [], evidence: { group: 'B', offsets: [0], forgottenEvents: 1 } });
  });

  it('runMonitor is check', () => {
    const h = history(started('c1'), assigned('c1', ['t-0']), processed('c1', 't-0', 0), processed('c1', 't-0', 0));
    for (const inv of INVARIANTS) expect(runMonitor(inv.monitor({ duplicateBound: 0 }), h)).toEqual(inv.check(h, { duplicateBound: 0 }));
  });
});

// ---------------------------------------------------------------- helpers

type Body = DistributiveOmit<HistoryEvent, 't'>;

function history(...events: readonly Body[]): History {
  return events.map((e, t) => ({ ...e, t }) as HistoryEvent);
}

function violations(result: readonly Violation[] | 'unknown'): readonly Violation[] {
  if (result === 'unknown') throw new Error("expected violations, got 'unknown'");
  return result;
}

function started(member: string, group = 'G'): Body {
  return { type: 'Started', member, group, topics: ['t'], mode: 'subscribe', policy: 'commit-after-batch' };
}

function assigned(member: string, partitions: string[], generation = 1): Body {
  return { type: 'Assigned', member, group: 'G', generation, partitions };
}

function processed(member: string, tp: string, offset: number): Body {
  return { type: 'Processed', member, tp, offset };
}

function processStarted(member: string, tp: string, offset: number): Body {
  return { type: 'ProcessStarted', member, tp, offset };
}

function produced(tp: string, offset: number): Body {
  return { type: 'Produced', tp, offset, key: 'k', value: offset };
}

function positioned(member: string, tp: string, offset: number): Body {
  return { type: 'Positioned', member, tp, offset, source: 'committed' };
}
