/**
 * History files: a written history reads back identical (streaming and loading), blank lines
 * are skipped with line numbers kept right, and a damaged file gets errors naming the file, the
 * line and the field, up to a limit, with no event handed out after the first bad line.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../models/history.ts';
import { defaultSimConfig } from '../sim/config.ts';
import { simulate } from '../sim/simulate.ts';
import { concatHistories, continueHistories } from './concat.ts';
import { EVENT_EXAMPLES } from './examples.ts';
import { HistoryFormatError, historyToJsonl, loadHistoryJsonl, readHistoryJsonl, readHistoryJsonlLines, writeHistoryJsonl } from './jsonl.ts';
import { validateHistoryEvent } from './schema.ts';
import { checkHistoryInvariants } from '../api/invariants.ts';

const dir = mkdtempSync(join(tmpdir(), 'groupcheck-jsonl-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

/** Resolves to the HistoryFormatError a read throws. */
const failure = async (p: Promise<unknown>): Promise<HistoryFormatError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof HistoryFormatError) return err;
    throw err;
  }
  throw new Error('expected a HistoryFormatError');
};

const sim = simulate(defaultSimConfig('commit-per-message'), [
  { type: 'Start', consumer: 0 },
  { type: 'Start', consumer: 1 },
  { type: 'Produce', topic: 0, key: 0, count: 5 },
  { type: 'Wait', ms: 300 },
  { type: 'Crash', consumer: 0 },
  { type: 'Wait', ms: 7000 },
]).history;

const line = (e: unknown): string => JSON.stringify(e);
const P = EVENT_EXAMPLES.Produced;

describe('round trip', () => {
  it('a simulator history written as JSON Lines reads back identical, streamed or loaded, atomically written', async () => {
    const p = join(dir, 'sub', 'run.jsonl');
    writeHistoryJsonl(p, sim);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['run.jsonl']);
    expect(readFileSync(p, 'utf8')).toBe(historyToJsonl(sim));
    expect(readFileSync(p, 'utf8').split('\n')).toHaveLength(sim.length + 1);
    expect(await collect(readHistoryJsonl(p))).toEqual(sim);
    const { history, lineOf } = await loadHistoryJsonl(p);
    expect(history).toEqual(sim);
    expect(lineOf(0)).toBe(1);
    expect(lineOf(sim.length - 1)).toBe(sim.length);
  });

  it('a failed write leaves no file and no temporary behind', () => {
    const p = join(dir, 'failed.jsonl');
    const bad = function* (): Generator<HistoryEvent> {
      yield P;
      throw new Error('producer died');
    };
    expect(() => writeHistoryJsonl(p, bad())).toThrow('producer died');
    expect(existsSync(p)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('failed'))).toEqual([]);
  });

  it('reads from any stream', async () => {
    const events = await collect(readHistoryJsonl(Readable.from([`${line(P)}\n${line(EVENT_EXAMPLES.Quiesced)}`]), { name: 'piped' }));
    expect(events).toEqual([P, EVENT_EXAMPLES.Quiesced]);
  });
});

describe('blank lines and line endings', () => {
  it('skips blank and whitespace-only lines, keeps line numbers right, accepts CRLF and a BOM', async () => {
    const p = file('blank.jsonl', `\uFEFF${line(P)}\r\n\r\n   \n${line({ ...P, offset: 1 })}\n\n\n${line({ ...P, offset: 2 })}\n\n`);
    const located = await collect(readHistoryJsonlLines(p));
    expect(located.map((l) => [(l.event as typeof P).offset, l.line])).toEqual([
      [0, 1],
      [1, 4],
      [2, 7],
    ]);
    const { history, lineOf } = await loadHistoryJsonl(p);
    expect(history.map((_, i) => lineOf(i))).toEqual([1, 4, 7]);
  });

  it('an empty file is an empty history', async () => {
    expect((await loadHistoryJsonl(file('empty.jsonl', ''))).history).toEqual([]);
    expect((await loadHistoryJsonl(file('blanks.jsonl', '\n\n  \n'))).history).toEqual([]);
  });
});

describe('errors name the file, the line and the field', () => {
  it('a bad field: `history.jsonl:17: field "offset": Expected number, received string`', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => line({ ...P, offset: i }));
    lines[16] = line({ ...P, offset: '16' });
    const p = file('history.jsonl', lines.join('\n'));
    const err = await failure(loadHistoryJsonl(p));
    expect(err.errors).toEqual([{ file: p, line: 17, field: 'offset', message: 'Expected number, received string' }]);
    expect(err.message).toContain(`${p}:17: field "offset": Expected number, received string`);
    expect(err.truncated).toBe(false);
  });

  it('a damaged (cut) line is not valid JSON, with its line number', async () => {
    const whole = line(EVENT_EXAMPLES.CommitResult);
    const p = file('cut.jsonl', [line(P), whole.slice(0, 40), line(EVENT_EXAMPLES.Quiesced)].join('\n'));
    const err = await failure(loadHistoryJsonl(p, { name: 'cut.jsonl' }));
    expect(err.errors).toHaveLength(1);
    expect(err.message).toMatch(/^cut\.jsonl: invalid history \(1 error\)\n {2}cut\.jsonl:2: not valid JSON \(/);
  });

  it('reports every error of the file, several per line when a line has several', async () => {
    const p = file('several.jsonl', [
      line({ ...P, offset: -1 }),
      line({ type: 'Nope', t: 0 }),
      line(P),
      line({ type: 'Crashed', t: 'x', member: 'c0#1', extra: true }),
      '[1, 2]',
      line({ ...EVENT_EXAMPLES.GroupStable, assignment: { 'c0#1': ['accounts-0', 'accounts'] } }),
    ].join('\n'));
    const err = await failure(loadHistoryJsonl(p, { name: 'several.jsonl' }));
    expect(err.errors.map((e) => `${e.line} ${e.field}`)).toEqual(['1 offset', '2 type', '4 t', '4 extra', '5 ', '6 assignment.c0#1.1']);
    expect(err.message).toContain('several.jsonl:2: field "type": unknown event type "Nope" (known: Produced, Started,');
    expect(err.message).toContain('several.jsonl:4: field "extra": unknown field for a Crashed event');
    expect(err.message).toContain('several.jsonl:5: expected a JSON object (one event per line), got an array');
  });

  it('stops at maxErrors (default 20) and says so', async () => {
    const p = file('many.jsonl', Array.from({ length: 50 }, (_, i) => line({ ...P, offset: `${i}` })).join('\n'));
    const err = await failure(loadHistoryJsonl(p, { name: 'many.jsonl' }));
    expect(err.errors).toHaveLength(20);
    expect(err.errors.at(-1)?.line).toBe(20);
    expect(err.truncated).toBe(true);
    expect(err.message).toMatch(/^many\.jsonl: invalid history \(20\+ errors, stopped after 20\)/);
    expect((await failure(loadHistoryJsonl(p, { maxErrors: 3 }))).errors).toHaveLength(3);
  });

  it('streaming hands out the events before the first bad line, none after it, then throws', async () => {
    const p = file('mid.jsonl', [line(P), line({ ...P, offset: 1 }), '{oops', line({ ...P, offset: 3 }), line({ ...P, offset: 'x' })].join('\n'));
    const seen: number[] = [];
    const err = await failure(
      (async () => {
        for await (const e of readHistoryJsonl(p)) if (e.type === 'Produced') seen.push(e.offset);
      })(),
    );
    expect(seen).toEqual([0, 1]);
    expect(err.errors.map((e) => e.line)).toEqual([3, 5]);
  });

  it('a missing file cannot be read, and says why', async () => {
    const err = await failure(loadHistoryJsonl(join(dir, 'missing.jsonl'), { name: 'missing.jsonl' }));
    expect(err.message).toBe('missing.jsonl: cannot read (ENOENT)');
  });
});

describe('big histories from small ones (concat.ts)', () => {
  const parts = [sim, sim, sim];

  it('apart: valid, each part renamed apart, verdicts the union of the parts', () => {
    const joined = [...concatHistories(parts)];
    expect(joined).toHaveLength(sim.length * 3);
    for (const e of joined) expect(validateHistoryEvent(e).ok).toBe(true);
    expect(new Set(joined.filter((e) => e.type === 'Started').map((e) => (e as { group: string }).group))).toEqual(new Set(['g1.0', 'g1.1', 'g1.2']));
    const one = checkHistoryInvariants(sim, { duplicateBound: 1 }).results.map((r) => [r.invariant, r.validity, r.violations.length * 3]);
    const three = checkHistoryInvariants(joined, { duplicateBound: 1 }).results.map((r) => [r.invariant, r.validity, r.violations.length]);
    expect(three).toEqual(one);
  });

  it('one long run: valid, one group, offsets and generations continue, same verdicts', () => {
    const joined = [...continueHistories(parts)];
    for (const e of joined) expect(validateHistoryEvent(e).ok).toBe(true);
    const produced = joined.filter((e): e is Extract<HistoryEvent, { type: 'Produced' }> => e.type === 'Produced');
    expect(new Set(produced.map((e) => `${e.tp}@${e.offset}`)).size).toBe(produced.length);
    const one = checkHistoryInvariants(sim, { duplicateBound: 1 }).results.map((r) => [r.invariant, r.validity, r.violations.length * 3]);
    const three = checkHistoryInvariants(joined, { duplicateBound: 1 }).results.map((r) => [r.invariant, r.validity, r.violations.length]);
    expect(three).toEqual(one);
  });
});
