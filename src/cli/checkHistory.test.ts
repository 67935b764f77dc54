/**
 * `groupcheck check-history` and `replay --write-history` as a user meets them: exit codes
 * (0 every invariant holds, 1 one is violated, 2 bad input or undecided), verdicts in text and
 * JSON, errors naming file, line and field; plus --help on every subcommand and colours only
 * where they belong. Each test spawns the real bin/groupcheck.mjs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../models/history.ts';
import { historyToJsonl } from '../history/jsonl.ts';
import type { Command } from '../sim/command.ts';
import { defaultSimConfig } from '../sim/config.ts';
import { simulate } from '../sim/simulate.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'groupcheck.mjs');

const baseEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'CI', 'GITHUB_ACTIONS']) delete env[k];
  return env;
};

const cli = (args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: opts.env ?? { ...baseEnv(), NO_COLOR: '1' }, input: opts.input, cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const dir = mkdtempSync(join(tmpdir(), 'groupcheck-history-'));
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const writeHistory = (name: string, history: readonly HistoryEvent[]): string => write(name, historyToJsonl(history));

const start = (consumer: number): Command => ({ type: 'Start', consumer });
const produce = (count: number): Command => ({ type: 'Produce', topic: 0, key: 0, count });
const wait = (ms: number): Command => ({ type: 'Wait', ms });

/** A clean run: every invariant holds. */
const clean = simulate(defaultSimConfig('commit-after-batch'), [start(0), start(1), produce(5), wait(3000), { type: 'Leave', consumer: 1 }, wait(3000)]).history;
/** The per-message duplicate of README: a crash while a commit is in flight (choice [1]). */
const duplicate = simulate(defaultSimConfig('commit-per-message'), [start(1), produce(1), wait(201), { type: 'Crash', consumer: 1 }], [1]).history;

describe('groupcheck check-history', () => {
  it('exits 0 and says so when every invariant holds', () => {
    const r = cli(['check-history', writeHistory('clean.jsonl', clean)]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/✓ atLeastOnce\s+holds/);
    expect(r.out).toContain('every invariant holds');
    expect(r.err).toMatch(/read and validated \d+ events/);
  });

  it('exits 1 on a violation and prints it with event indices and line numbers', () => {
    const dupIndex = duplicate.findIndex((e) => e.type === 'Processed');
    const r = cli(['check-history', writeHistory('dup.jsonl', duplicate)]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/✗ noDuplicateProcessing\s+violated \(1\)/);
    expect(r.out).toContain('[duplicate] Record accounts-0@0 was processed 2 times in group g1');
    expect(r.out).toMatch(new RegExp(`events ${dupIndex}, \\d+ \\(lines ${dupIndex + 1}, \\d+\\)`));
  });

  it('--invariants and --duplicate-bound choose what is claimed', () => {
    const f = writeHistory('dup2.jsonl', duplicate);
    const r = cli(['check-history', f, '--invariants', 'atLeastOnce,duplicatesBounded', '--duplicate-bound', '1']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('2 invariants, duplicate bound 1');
    expect(r.out).not.toContain('noDuplicateProcessing');
    expect(cli(['check-history', f, '--invariants', 'duplicatesBounded', '--duplicate-bound', '0']).code).toBe(1);
  });

  it('--json prints the verdicts as data, with 0-based events and 1-based lines (blank lines shift them)', () => {
    const text = historyToJsonl(duplicate).replace('\n', '\n\n'); // one blank line after the first event
    const r = cli(['check-history', write('dup-blank.jsonl', text), '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ tool: 'groupcheck', command: 'check-history', events: duplicate.length, validity: false, duplicateBound: null });
    const dup = report.invariants.find((i: { invariant: string }) => i.invariant === 'noDuplicateProcessing');
    expect(dup.validity).toBe(false);
    expect(dup.violations[0].lines).toEqual(dup.violations[0].events.map((e: number) => e + 2));
    expect(report.invariants.find((i: { invariant: string }) => i.invariant === 'atLeastOnce').validity).toBe(true);
  });

  it('exits 2 when an invariant cannot be decided (no settled Quiesced) and none is violated', () => {
    const r = cli(['check-history', writeHistory('unsettled.jsonl', clean.filter((e) => e.type !== 'Quiesced'))]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/\? atLeastOnce\s+unknown/);
    expect(r.out).toContain('"settled":true');
  });

  it('reads standard input with -', () => {
    const r = cli(['check-history', '-', '--invariants', 'noDuplicateProcessing'], { input: historyToJsonl(duplicate) });
    expect(r.code).toBe(1);
    expect(r.out).toContain('<stdin>');
  });

  it.each([
    ['a bad field', ['check-history', 'FILE'], `{"type":"Produced","t":0,"tp":"accounts-0","offset":0,"key":"k","value":1}\n{"type":"Produced","t":0,"tp":"accounts-0","offset":"1","key":"k","value":2}\n`, /bad\.jsonl:2: field "offset": Expected number, received string/],
    ['a damaged line', ['check-history', 'FILE'], `{"type":"Quiesce","t":0}\n{"type":"Quiesced","t":1,"sett\n`, /bad\.jsonl:2: not valid JSON/],
    ['an unknown event type', ['check-history', 'FILE'], `{"type":"Consumed","t":0}\n`, /bad\.jsonl:1: field "type": unknown event type "Consumed"/],
    ['an unknown invariant', ['check-history', 'FILE', '--invariants', 'exactlyOnce'], '', /--invariants: Unknown invariant 'exactlyOnce'\. Valid names: singleOwnerPerPartition/],
    ['a negative duplicate bound', ['check-history', 'FILE', '--duplicate-bound', '-1'], '', /--duplicate-bound must be at least 0, got -1/],
  ])('exits 2 on bad input: %s', (_name, args, text, message) => {
    const f = write('bad.jsonl', text);
    const r = cli(args.map((a) => (a === 'FILE' ? f : a)));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a missing file', () => {
    const r = cli(['check-history', join(dir, 'nope.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.jsonl: cannot read \(ENOENT\)/);
  });
});

describe('groupcheck replay --write-history', () => {
  it('writes the replayed run as JSON Lines that check-history judges the same way', () => {
    const cx = join(ROOT, 'reports', 'regressions', '2026-11-26-duplicate-per-message-crash-before-commit-lands.json');
    const out = join(dir, 'replayed', 'dup.jsonl');
    const r = cli(['replay', cx, '--write-history', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/wrote \d+ events to .*dup\.jsonl/);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ type: 'Started', member: 'c1#1' });
    const recorded = JSON.parse(readFileSync(cx, 'utf8')).violations[0].events as number[];
    const c = cli(['check-history', out, '--invariants', 'noDuplicateProcessing', '--json']);
    expect(c.code).toBe(1);
    expect(JSON.parse(c.out).invariants[0].violations[0].events).toEqual(recorded);
  });
});

describe('CLI conventions', () => {
  it.each(['check', 'replay', 'check-history', 'bench'])('%s --help exits 0 and shows its options', (cmd) => {
    const r = cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: groupcheck ${cmd}`);
  });

  it('the top-level help lists every subcommand and the exit codes', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['check', 'replay', 'check-history', 'bench']) expect(r.out).toContain(cmd);
    expect(r.out).toContain('Exit codes: 0 ok, 1 broken');
  });

  it('colours only when asked or on a terminal: not into a pipe, not under CI, never with NO_COLOR', () => {
    const f = writeHistory('colour.jsonl', duplicate);
    const esc = /\x1b\[/;
    expect(cli(['check-history', f], { env: baseEnv() }).out).not.toMatch(esc);
    expect(cli(['check-history', f], { env: { ...baseEnv(), CI: 'true' } }).out).not.toMatch(esc);
    expect(cli(['check-history', f], { env: { ...baseEnv(), FORCE_COLOR: '1' } }).out).toMatch(esc);
    expect(cli(['check-history', f], { env: { ...baseEnv(), FORCE_COLOR: '0' } }).out).not.toMatch(esc);
    expect(cli(['check-history', f], { env: { ...baseEnv(), FORCE_COLOR: '1', NO_COLOR: '1' } }).out).not.toMatch(esc);
  });
});
