/**
 * Findings of the seed sweep (seeds 1-6) on cooperative members whose application commits each
 * record with commitSync (kafka-protocol.md §2.4, §2.7): shrunk scenarios, replayed
 * deterministically (src/check/matrix.ts rows `coop-per-message` and `coop-mixed`). The commit
 * made during the background re-join fails in the client, as Java's sendOffsetCommitRequest fails
 * it (generationIfStable() is null: RebalanceInProgressException), and no OffsetCommit is sent.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../models/history.ts';
import type { Command } from '../src/sim/command.ts';
import { simulate } from '../src/sim/simulate.ts';
import { INVARIANTS } from './invariants/index.ts';

const check = (name: string, h: readonly HistoryEvent[], duplicateBound?: number) => {
  const inv = INVARIANTS.find((i) => i.name === name);
  if (inv === undefined) throw new Error(`no invariant ${name}`);
  return inv.check(h, duplicateBound === undefined ? {} : { duplicateBound });
};

type CommitResult = Extract<HistoryEvent, { type: 'CommitResult' }>;
type Joined = Extract<HistoryEvent, { type: 'Joined' }>;

/**
 * The first commit failed locally while its member re-joined: RebalanceInProgressException, after
 * a JoinGroup sent and before the member is STABLE again; nothing was sent for it.
 */
const refusedWhileRejoining = (h: readonly HistoryEvent[]): { index: number; commit: CommitResult } => {
  const index = h.findIndex((e) => e.type === 'CommitResult' && e.local === 'RebalanceInProgressException');
  const commit = h[index] as CommitResult;
  expect(commit.error).toBe('REBALANCE_IN_PROGRESS');
  expect(h.some((e) => e.type === 'CommitRequested' && e.member === commit.member && e.seq === commit.seq)).toBe(false);
  // The member had joined the group before (it owns partitions) and keeps its generation.
  expect(h.slice(0, index).some((e): e is Joined => e.type === 'Joined' && e.member === commit.member)).toBe(true);
  return { index, commit };
};

describe('cooperative commit-per-message: a commit failed locally during the background re-join (§2.7)', () => {
  it('abandons the rest of the batch while the partition and its position stay: a record is never processed (coop-mixed, seed 1, shrunk)', async () => {
    const { rowById } = await import('../src/check/matrix.ts');
    const commands: Command[] = [
      { type: 'Start', consumer: 1 },
      { type: 'Start', consumer: 0 },
      { type: 'Wait', ms: 3701 },
      { type: 'Produce', topic: 0, key: 0, count: 3 },
      { type: 'Wait', ms: 399 },
    ];
    const r = simulate(rowById('coop-mixed').config, commands, [105, 0, 0, 0, 0, 339, 93, 0, 0, 0, 0, 0, 511, 225, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 333]);
    const h = r.history;
    expect(r.settled).toBe(true);
    const { index, commit } = refusedWhileRejoining(h);
    expect(index).toBeGreaterThan(0);
    // RebalanceInProgressException: no reset, the partition stays...
    expect(h.slice(index).filter((e) => e.type === 'Revoked' && e.member === commit.member && e.reason === 'lost')).toEqual([]);
    // ...so accounts-0@1 and @2, polled in the abandoned batch, are never processed by anyone (the
    // failed commit was of @0's offset 1: nothing of accounts-0 is ever committed).
    expect(h.some((e) => e.type === 'Processed' && e.tp === 'accounts-0' && e.offset >= 1)).toBe(false);
    expect(check('atLeastOnce', h)).toMatchObject([{ kind: 'unseen', message: expect.stringContaining('accounts-0 at offsets 1-2') }]);
  });

  it('leaves a processed record uncommitted; the next owner processes it again (coop-mixed, seed 4, shrunk)', async () => {
    const { rowById } = await import('../src/check/matrix.ts');
    const produce = (count: number, key = 0): Command => ({ type: 'Produce', topic: 0, key, count });
    const commands: Command[] = [produce(1), produce(1), produce(2), produce(4), produce(4), { type: 'Start', consumer: 1 }, { type: 'Start', consumer: 0 }, produce(4), produce(4), produce(1, 1), { type: 'Wait', ms: 2100 }];
    const r = simulate(rowById('coop-mixed').config, commands, [0, 0, 13, 13, 651, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 130, 352, 69]);
    const h = r.history;
    expect(r.settled).toBe(true);
    const { commit } = refusedWhileRejoining(h);
    expect(commit.offsets).toEqual({ 'accounts-2': 1 });
    const dup = check('noDuplicateProcessing', h);
    expect(dup).toMatchObject([{ kind: 'duplicate', message: expect.stringContaining('accounts-2@0') }]);
    // No fault, no crash: the row is clean, and ownership stayed single throughout.
    expect(check('singleOwnerPerPartition', h)).toEqual([]);
    expect(check('cooperativeHandoff', h)).toEqual([]);
  });
});
