/**
 * Named deterministic scenarios (TigerBeetle's replica_test style): short scripts of commands
 * whose outcome is known from Kafka's semantics (kafka-protocol.md §2.6, §2.10, §4.4), with
 * the invariants' verdicts asserted. Each is a regression test of one behaviour the random
 * search also finds.
 *
 * Partition facts used below (Kafka's murmur2 partitioner, 3 partitions): key acct-0 → accounts-0,
 * acct-1 → accounts-2. With two members c0 and c1, the range assignor gives c0 accounts-0 and
 * accounts-1, and c1 accounts-2.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../models/history.ts';
import type { ProcessingPolicy } from '../models/types.ts';
import type { Command } from '../src/sim/command.ts';
import { defaultSimConfig, type SimConfig } from '../src/sim/config.ts';
import { simulate, type CoverageByMachine } from '../src/sim/simulate.ts';
import { machinesFor } from '../models/zoo.ts';
import { checkInvariant } from '../src/check/checkHistory.ts';
import { invariantByName } from './invariants/index.ts';

// Helpers

const run = (config: SimConfig, commands: Command[], choices: number[] = []) => simulate(config, commands, choices);

const verdict = (history: readonly HistoryEvent[], name: string, duplicateBound?: number) =>
  checkInvariant(invariantByName(name), history, duplicateBound === undefined ? {} : { duplicateBound });

const processedCount = (history: readonly HistoryEvent[], tp: string, offset: number): number =>
  history.filter((e) => e.type === 'Processed' && e.tp === tp && e.offset === offset).length;

const ofType = <T extends HistoryEvent['type']>(history: readonly HistoryEvent[], type: T) =>
  history.filter((e): e is Extract<HistoryEvent, { type: T }> => e.type === type);

const policy = (p: ProcessingPolicy) => defaultSimConfig(p);

const start = (consumer: number): Command => ({ type: 'Start', consumer });
const crash = (consumer: number): Command => ({ type: 'Crash', consumer });
const wait = (ms: number): Command => ({ type: 'Wait', ms });
const produce = (key: number, count: number): Command => ({ type: 'Produce', topic: 0, key, count });

describe('scenarios: the per-message commit loop is at-least-once, not exactly-once', () => {
  it('per-message (M=1, P=3): a crash while the commit of a processed record is in flight replays that record once', () => {
    // Choice 1 of 2 at t=100 lets the clock move while the commit is still in flight; the crash
    // then loses it (the request never left the process), and the restarted consumer re-reads offset 0.
    const r = run(policy('commit-per-message'), [start(1), produce(0, 1), wait(201), crash(1)], [1]);
    expect(r.settled).toBe(true);
    expect(processedCount(r.history, 'accounts-0', 0)).toBe(2);
    expect(verdict(r.history, 'noDuplicateProcessing').validity).toBe(false);
    expect(verdict(r.history, 'atLeastOnce').validity).toBe(true);
    expect(verdict(r.history, 'duplicatesBounded', 1).validity).toBe(true);
  });

  it('per-message (M=1, P=3): without the delayed commit the same crash replays nothing', () => {
    const r = run(policy('commit-per-message'), [start(1), produce(0, 1), wait(201), crash(1)], []);
    expect(processedCount(r.history, 'accounts-0', 0)).toBe(1);
    expect(verdict(r.history, 'noDuplicateProcessing').validity).toBe(true);
  });

  it('batch (M=1, P=3): a crash in the middle of a batch replays the processed part of the batch, at most one batch', () => {
    const r = run(policy('commit-after-batch'), [start(0), produce(0, 4), wait(250), crash(0)]);
    expect(r.settled).toBe(true);
    expect(processedCount(r.history, 'accounts-0', 0)).toBe(2);
    expect(processedCount(r.history, 'accounts-0', 1)).toBe(2);
    expect(processedCount(r.history, 'accounts-0', 2)).toBe(1);
    expect(verdict(r.history, 'atLeastOnce').validity).toBe(true);
    expect(verdict(r.history, 'duplicatesBounded', 4).validity).toBe(true);
    expect(verdict(r.history, 'duplicatesBounded', 1).validity).toBe(false);
  });
});

describe('scenarios: policies that commit before processing lose records on a crash', () => {
  it('commit-before-process (M=1, P=3): a crash mid-batch loses the unprocessed rest (lost-write)', () => {
    const r = run(policy('commit-before-process'), [start(0), produce(1, 4), wait(150), crash(0), wait(10_000)]);
    const v = verdict(r.history, 'atLeastOnce');
    expect(v.validity).toBe(false);
    expect(v.violations[0]?.kind).toBe('lost-write');
    expect(v.violations[0]?.evidence).toMatchObject({ tp: 'accounts-2', offsets: [1, 2, 3], committed: 4 });
    expect(verdict(r.history, 'committedNotAheadOfProcessed').validity).toBe(false);
  });

  it("auto-commit-timer (M=1, P=3): librdkafka's timer commits the offset store mid-batch; a crash then loses records", () => {
    const r = run(policy('auto-commit-timer'), [start(0), wait(900), produce(1, 4), wait(150), crash(0), wait(10_000)]);
    const stored = ofType(r.history, 'OffsetsStored');
    expect(stored[0]?.offsets).toEqual({ 'accounts-2': 4 });
    const v = verdict(r.history, 'atLeastOnce');
    expect(v.validity).toBe(false);
    expect(v.violations[0]?.evidence).toMatchObject({ offsets: [1, 2, 3] });
  });

  it('auto-commit-java (M=1, P=3): the same crash loses nothing: poll() commits only what earlier polls returned', () => {
    const r = run(policy('auto-commit-java'), [start(0), wait(900), produce(1, 4), wait(150), crash(0), wait(10_000)]);
    expect(verdict(r.history, 'atLeastOnce').validity).toBe(true);
    expect(verdict(r.history, 'committedNotAheadOfProcessed').validity).toBe(true);
  });
});

describe('scenarios: the zombie window (kafka-protocol.md §2.10)', () => {
  // c1 owns accounts-2; it is paused (a stop-the-world pause) while processing its first record,
  // its session expires, c0 takes accounts-2 over from the committed offset, then c1 wakes up.
  const zombie = (p: ProcessingPolicy) =>
    run(policy(p), [start(0), start(1), wait(3000), produce(1, 3), wait(50), { type: 'Pause', consumer: 1, ms: 15_000 }, wait(20_000)]);

  it('per-message (M=2, P=3): the paused member finishes its record and its commit is rejected', () => {
    const r = zombie('commit-per-message');
    const removed = ofType(r.history, 'MemberRemoved');
    expect(removed.map((e) => [e.member, e.reason])).toContainEqual(['c1#1', 'session-timeout']);
    const rejected = ofType(r.history, 'CommitResult').filter((e) => e.member === 'c1#1' && e.error !== 'NONE');
    expect(rejected.length).toBe(1);
    expect(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']).toContain(rejected[0]?.error);
    expect(verdict(r.history, 'fencedCommitRejected').validity).toBe(true);
    expect(verdict(r.history, 'atLeastOnce').validity).toBe(true);
    expect(verdict(r.history, 'duplicatesBounded', 1).validity).toBe(true);
    expect(processedCount(r.history, 'accounts-2', 0)).toBe(2);
  });

  it('per-message (M=2, P=3): two members process accounts-2 at the same time (reported, allowed by Kafka)', () => {
    const r = zombie('commit-per-message');
    const v = verdict(r.history, 'concurrentProcessing');
    expect(v.validity).toBe(false);
    expect(v.violations[0]?.evidence).toMatchObject({ tp: 'accounts-2' });
  });

  it('batch (M=2, P=3): the zombie processes the rest of its batch before its commit is rejected, within one batch', () => {
    const r = zombie('commit-after-batch');
    expect(verdict(r.history, 'duplicatesBounded', 4).validity).toBe(true);
    expect(verdict(r.history, 'fencedCommitRejected').validity).toBe(true);
    expect(verdict(r.history, 'atLeastOnce').validity).toBe(true);
  });
});

describe('scenarios: group membership', () => {
  it('eager rebalance (M=3, P=3): each generation gives every partition to exactly one member, and nobody processes between revoke and assignment', () => {
    const r = run(policy('commit-after-batch'), [start(0), produce(0, 3), produce(1, 3), wait(500), start(1), wait(3000), start(2), produce(2, 3), wait(5000), { type: 'Leave', consumer: 0 }, wait(5000)]);
    const stable = ofType(r.history, 'GroupStable');
    expect(stable.length).toBeGreaterThanOrEqual(3);
    for (const s of stable) {
      const owned = Object.values(s.assignment).flat().sort();
      expect(owned).toEqual(['accounts-0', 'accounts-1', 'accounts-2']);
    }
    for (const name of ['singleOwnerPerPartition', 'processingOnlyOwned', 'orderedWithinOwnership', 'atLeastOnce', 'noDuplicateProcessing']) {
      expect(verdict(r.history, name).validity, name).toBe(true);
    }
  });

  it('a leader paused past its session is replaced, and re-joins as a follower (its leader role steps down, §1.5)', () => {
    const coverage: CoverageByMachine = new Map();
    const config = policy('commit-per-message');
    const r = simulate(config, [start(0), wait(3000), start(1), wait(3000), { type: 'Pause', consumer: 0, ms: 15_000 }, wait(20_000)], [], machinesFor(undefined), 'compiled', coverage);
    expect([...(coverage.get('leader')?.transitions ?? [])]).toContain('Leading.Demoted#0');
    const joins = ofType(r.history, 'Joined').filter((e) => e.member === 'c0#1').map((e) => e.leader);
    expect(joins).toEqual([true, true, false]);
    expect(ofType(r.history, 'MemberRemoved')).toMatchObject([{ member: 'c0#1', reason: 'session-timeout' }]);
    expect(ofType(r.history, 'GenerationStarted').at(-1)).toMatchObject({ leader: 'c1#1' });
    for (const name of ['singleOwnerPerPartition', 'fencedCommitRejected', 'atLeastOnce', 'stableWithinBound']) expect(verdict(r.history, name).validity, name).toBe(true);
  });

  it('two groups (M=1+1, P=3): each group processes every record of the topic', () => {
    const base = policy('commit-per-message');
    const config: SimConfig = { ...base, groups: [{ ...base.groups[0]!, members: 1 }, { ...base.groups[0]!, name: 'g2', members: 1 }] };
    const r = run(config, [start(0), start(1), produce(0, 2), produce(1, 2), wait(3000)]);
    for (const g of ['g1', 'g2']) {
      const members = new Set(ofType(r.history, 'Started').filter((e) => e.group === g).map((e) => e.member));
      const processed = ofType(r.history, 'Processed').filter((e) => members.has(e.member));
      expect(processed.length, g).toBe(4);
    }
    expect(verdict(r.history, 'atLeastOnce').validity).toBe(true);
    expect(verdict(r.history, 'noDuplicateProcessing').validity).toBe(true);
  });

  it('auto.offset.reset=latest (M=1, P=3): records produced before the first assignment are never processed, though committed past', () => {
    const base = policy('commit-per-message');
    const config: SimConfig = { ...base, groups: base.groups.map((g) => ({ ...g, consumer: { ...g.consumer, autoOffsetReset: 'latest' } })) };
    const r = run(config, [start(0), produce(1, 2), wait(3000), produce(1, 1), wait(3000)]);
    const v = verdict(r.history, 'atLeastOnce');
    expect(v.validity).toBe(false);
    // The position starts at the log end (2); the later commit of offset 3 passes over 0 and 1: Jepsen's lost write.
    expect(v.violations[0]).toMatchObject({ kind: 'lost-write', evidence: { tp: 'accounts-2', offsets: [0, 1], committed: 3 } });
    expect(processedCount(r.history, 'accounts-2', 2)).toBe(1);
  });

  it('restart from the committed offset (M=1, P=3): a new incarnation resumes where the last commit left off', () => {
    const r = run(policy('commit-after-batch'), [start(0), produce(0, 3), wait(1000), { type: 'Leave', consumer: 0 }, wait(1000), produce(0, 2), start(0), wait(2000)]);
    expect(ofType(r.history, 'MemberRemoved')).toMatchObject([{ member: 'c0#1', reason: 'leave' }]);
    const positions = ofType(r.history, 'Positioned').filter((e) => e.member === 'c0#2' && e.tp === 'accounts-0');
    expect(positions).toMatchObject([{ offset: 3, source: 'committed' }]);
    expect(verdict(r.history, 'noDuplicateProcessing').validity).toBe(true);
  });

  it('manual assign with seek (M=1, P=3): seeking back re-processes, and the ordering claim restarts at the seek', () => {
    const base = policy('commit-per-message');
    const config: SimConfig = { ...base, groups: [{ ...base.groups[0]!, mode: 'assign', members: 1 }] };
    const r = run(config, [start(0), produce(0, 3), wait(1000), { type: 'Seek', consumer: 0, partition: 0, offset: 1 }, wait(1000)]);
    expect(processedCount(r.history, 'accounts-0', 1)).toBe(2);
    expect(verdict(r.history, 'orderedWithinOwnership').validity).toBe(true);
    expect(verdict(r.history, 'noDuplicateProcessing').validity).toBe(false);
  });
});
