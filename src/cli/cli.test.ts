/**
 * The command line as a user meets it: exit codes (0 met, 1 broken, 2 bad input), reports
 * written, counterexamples that replay, and clear errors for bad flags, configs and files.
 * Each test spawns the real `bin/groupcheck.mjs` with a bounded timeout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'groupcheck.mjs');

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('groupcheck check', () => {
  let dir: string;
  let run: ReturnType<typeof cli>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'groupcheck-'));
    run = cli('check', '--runs', '40', '--only', 'per-message,batch-clean', '--out', dir);
  });

  it('exits 0 when every expectation is met and prints the matrix', () => {
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/noDuplicateProcessing\s+✗ \d+cmd/);
    expect(run.err).toContain('every expectation met');
  });

  it('writes latest.md, latest.json and a counterexample file per counterexample', () => {
    const report = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(report).toMatchObject({ tool: 'groupcheck', ok: true, seed: 42, runsPerConfiguration: 40 });
    expect(readFileSync(join(dir, 'latest.md'), 'utf8')).toContain('## Guarantee matrix');
    expect(readdirSync(join(dir, 'counterexamples'))).toContain('per-message--noDuplicateProcessing.json');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('replays a written counterexample deterministically (exit 0, violation marked)', () => {
    const r = cli('replay', join(dir, 'counterexamples', 'per-message--noDuplicateProcessing.json'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^!!/m);
    expect(r.out).toContain('reproduced');
    const again = cli('replay', join(dir, 'counterexamples', 'per-message--noDuplicateProcessing.json'));
    expect(again.out).toBe(r.out);
  });

  it('report renders the same reports again from latest.run.json, without searching', () => {
    const out = mkdtempSync(join(tmpdir(), 'groupcheck-report-'));
    const r = cli('report', '--from', join(dir, 'latest.run.json'), '--out', out);
    expect(r.code, r.err).toBe(0);
    for (const f of ['latest.md', 'latest.html', 'latest.junit.xml']) expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join(dir, f), 'utf8'));
    const bad = cli('report', '--from', join(dir, 'latest.md'), '--out', out);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/latest\.md, line 1, column 1: .*not valid JSON/);
  });

  it('exits 1 when a replayed counterexample no longer reproduces', () => {
    const file = join(dir, 'counterexamples', 'per-message--noDuplicateProcessing.json');
    const cx = JSON.parse(readFileSync(file, 'utf8'));
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify({ ...cx, commands: [{ type: 'Wait', ms: 10 }] }));
    const r = cli('replay', edited);
    expect(r.code).toBe(1);
    expect(r.out).toContain('not reproduced');
  });
});

describe('bad input gets a clear message and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'groupcheck-bad-'));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it.each([
    ['a non-integer --runs', ['check', '--runs', 'many'], /--runs must be an integer, got "many"/],
    ['an unknown configuration', ['check', '--only', 'nope', '--runs', '1', '--out', dir], /unknown configuration "nope"/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a missing counterexample file', ['replay', join(dir, 'missing.json')], /missing\.json: cannot read \(ENOENT\)/],
  ])('%s', (_name, args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('a damaged counterexample names the file, line and column', () => {
    const r = cli('replay', file('broken.json', '{\n  "format": "groupcheck.counterexample",\n  "seed": \n}'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\.json, line 4, column 1: ValueExpected: not valid JSON/);
  });

  it('a foreign JSON file is refused as not a counterexample', () => {
    const r = cli('replay', file('foreign.json', '{"hello": "world"}'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/foreign\.json: not a groupcheck counterexample/);
  });

  it('a newer format version is refused with both versions named', () => {
    const r = cli('replay', file('future.json', '{"format": "groupcheck.counterexample", "formatVersion": 9}'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/formatVersion 9 is not supported .* reads version 1/);
  });

  it('a bad field names the field and its line', () => {
    const r = cli('replay', file('field.json', '{"format": "groupcheck.counterexample", "formatVersion": 1,\n "seed": "x"}'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/seed \(line 2, column 2\): Expected number, received string/);
  });

  it('a bad config file names each field', () => {
    const r = cli('check', '--config', file('cfg.json', '{"topics": [{"name": "t", "partitions": 0}],\n "groups": [{"name": "g", "topics": ["other"]}]}'), '--out', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/topics\.0\.partitions \(line 1, column \d+\): Number must be greater than or equal to 1/);
    expect(r.err).toMatch(/groups\.0\.topics\.0.*unknown topic "other"/);
    expect(existsSync(join(dir, 'latest.json'))).toBe(false);
  });
});
