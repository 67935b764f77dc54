/**
 * `groupcheck explore` as a user meets it: the shortest counterexamples of a small scope,
 * written as counterexample files that `groupcheck replay` reproduces, the figures on stdout,
 * exit 1 when a promised invariant breaks, and exit 2 with a clear message on bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'groupcheck.mjs');

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('groupcheck explore', () => {
  it('finds, writes and replays the shortest counterexamples of a small scope', () => {
    const dir = mkdtempSync(join(tmpdir(), 'groupcheck-explore-'));
    const run = cli('explore', '--row', 'before-process', '--members', '1', '--partitions', '1', '--records', '1', '--stop', '--json', '--out', dir);
    expect(run.code, run.err).toBe(0);
    const r = JSON.parse(run.out) as { states: number; statesPerSecond: number; bytesPerState: number; counterexamples: { invariant: string; depth: number }[]; files: Record<string, string> };
    expect(r.states).toBeGreaterThan(10);
    expect(r.statesPerSecond).toBeGreaterThan(0);
    expect(r.bytesPerState).toBeGreaterThan(0);
    expect(r.counterexamples.map((c) => c.invariant).sort()).toEqual(['atLeastOnce', 'committedNotAheadOfProcessed']);
    expect(readdirSync(join(dir, 'counterexamples')).sort()).toEqual(['explore--before-process--atLeastOnce.json', 'explore--before-process--committedNotAheadOfProcessed.json']);
    const replay = cli('replay', r.files.atLeastOnce as string);
    expect(replay.code, replay.out + replay.err).toBe(0);
    expect(replay.out).toContain('reproduced');
  }, 240_000);

  it('catches a bug-zoo variant on a clean configuration and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'groupcheck-explore-'));
    const config = join(dir, 'zoo.json');
    writeFileSync(config, JSON.stringify({ variant: 'consumer-commits-offset-not-next' }));
    const run = cli('explore', '--config', config, '--row', 'per-message-clean', '--members', '2', '--partitions', '1', '--records', '1', '--leaves', '1', '--invariants', 'noDuplicateProcessing', '--stop', '--out', dir);
    expect(run.code, run.err).toBe(1);
    expect(run.out).toMatch(/\[violated\] noDuplicateProcessing \(expected: holds\) in \d+ steps/);
    const replay = cli('replay', join(dir, 'counterexamples', 'explore--per-message-clean--noDuplicateProcessing.json'));
    expect(replay.code, replay.out + replay.err).toBe(0);
  }, 240_000);

  it('prints the figures as text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'groupcheck-explore-'));
    const run = cli('explore', '--row', 'batch-clean', '--members', '1', '--partitions', '1', '--records', '1', '--depth', '8', '--out', dir);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/distinct states \d+, transitions \d+, depth 8/);
    expect(run.out).toMatch(/states\/s, [\d.]+ bytes\/state/);
    expect(run.out).toContain('no counterexample within the scope');
  }, 240_000);

  it('--workers 2 finds what one thread finds, and says how the work was shared', () => {
    const dir = mkdtempSync(join(tmpdir(), 'groupcheck-explore-'));
    const args = ['explore', '--row', 'before-process', '--members', '1', '--partitions', '1', '--records', '1', '--depth', '13', '--out', dir];
    const pick = (out: string): unknown => {
      const r = JSON.parse(out) as { states: number; transitions: number; depth: number; counterexamples: { invariant: string; steps: string[] }[] };
      return [r.states, r.transitions, r.depth, r.counterexamples.map((c) => [c.invariant, c.steps])];
    };
    const one = cli(...args, '--json');
    const two = cli(...args, '--json', '--workers', '2');
    expect(two.code, two.err).toBe(one.code);
    expect(pick(two.out)).toEqual(pick(one.out));
    const text = cli(...args, '--workers', '2');
    expect(text.out).toMatch(/2 workers: states expanded \d+ \/ \d+/);
    const bad = cli('explore', '--workers', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--workers');
    const huge = cli('explore', '--workers', '2', '--states', '90000000');
    expect(huge.code).toBe(2);
    expect(huge.err).toMatch(/needs \d+ MB of shared memory .* lower --states or use --workers 1/);
  }, 240_000);

  it('rejects an unknown configuration, a fault in a clean scope and an unknown invariant with exit 2', () => {
    const unknown = cli('explore', '--row', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown configuration "nope"');
    const clean = cli('explore', '--row', 'batch-clean', '--crashes', '1');
    expect(clean.code).toBe(2);
    expect(clean.err).toContain('crashes and pauses are not in its scope');
    const inv = cli('explore', '--invariants', 'nope');
    expect(inv.code).toBe(2);
    expect(inv.err).toContain('--invariants');
  }, 240_000);
});
