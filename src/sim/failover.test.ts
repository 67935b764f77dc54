/**
 * The simulator's part of coordinator failover and message loss (issue 3, items 6 and 7):
 * routing by coordinator node, COORDINATOR_LOAD_IN_PROGRESS while the new node loads, the group
 * rebuilt from what was persisted (kafka-protocol.md §1.2), a lost OffsetCommitResponse making
 * an ambiguous commit, and counterexamples with the new commands surviving a file round trip.
 */
import { describe, expect, it } from 'vitest';
import type { History, HistoryEvent } from '../../models/history.ts';
import { INVARIANTS } from '../../properties/invariants/index.ts';
import { ambiguousCommit, coordinatorMovedMidRebalance } from '../../properties/witnesses/index.ts';
import { checkInvariant } from '../check/checkHistory.ts';
import { rowById, type MatrixRow } from '../check/matrix.ts';
import { searchRow } from '../check/search.ts';
import { parseCounterexample, serializeCounterexample, toCounterexampleFile } from '../report/counterexample.ts';
import type { Command } from './command.ts';
import { defaultSimConfig } from './config.ts';
import { simulate } from './simulate.ts';

const config = defaultSimConfig('commit-after-batch');
const of = <T extends HistoryEvent['type']>(h: History, type: T) => h.filter((e): e is Extract<HistoryEvent, { type: T }> => e.type === type);
const allHold = (h: History): string[] =>
  INVARIANTS.filter((inv) => inv.name !== 'noDuplicateProcessing' && inv.name !== 'concurrentProcessing').flatMap((inv) => {
    const r = checkInvariant(inv, h, { duplicateBound: 4 });
    return r.validity === false ? r.violations.map((v) => v.message) : [];
  });

describe('MoveCoordinator', () => {
  const stableThenMove: Command[] = [
    { type: 'Start', consumer: 0 },
    { type: 'Start', consumer: 1 },
    { type: 'Produce', topic: 0, key: 1, count: 4 },
    { type: 'Wait', ms: 2000 },
    { type: 'MoveCoordinator', group: 0 },
    { type: 'Produce', topic: 0, key: 2, count: 4 },
    { type: 'Wait', ms: 3000 },
  ];

  it('a Stable group is rebuilt at its generation: no rebalance, commits go on at the new coordinator', () => {
    const r = simulate(config, stableThenMove);
    expect(r.settled).toBe(true);
    const moved = r.history.findIndex((e) => e.type === 'CoordinatorMoved');
    const lastGen = of(r.history.slice(0, moved), 'GenerationStarted').at(-1);
    const loaded = of(r.history, 'GroupLoaded');
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ group: 'g1', coordinator: 1, generation: lastGen?.generation, members: lastGen?.members });
    // No join phase after the move, and commits after the load are accepted in the old generation.
    expect(of(r.history.slice(moved), 'GenerationStarted')).toEqual([]);
    const after = r.history.slice(r.history.indexOf(loaded[0] as HistoryEvent));
    expect(of(after, 'OffsetsStored').length).toBeGreaterThan(0);
    expect(of(after, 'OffsetsStored').every((e) => e.generation === lastGen?.generation)).toBe(true);
    expect(allHold(r.history)).toEqual([]);
  });

  it('nothing is stored between the move and the load; commits meanwhile see NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS and are retried', () => {
    const r = simulate(config, [
      { type: 'Start', consumer: 0 },
      { type: 'Produce', topic: 0, key: 1, count: 1 },
      { type: 'Wait', ms: 50 },
      { type: 'MoveCoordinator', group: 0 },
      { type: 'Wait', ms: 3000 },
    ]);
    const moved = r.history.findIndex((e) => e.type === 'CoordinatorMoved');
    const loaded = r.history.findIndex((e) => e.type === 'GroupLoaded');
    expect(moved).toBeGreaterThan(0);
    expect(loaded).toBeGreaterThan(moved);
    expect(of(r.history.slice(moved, loaded), 'OffsetsStored')).toEqual([]);
    const errors = new Set(of(r.history, 'CommitResult').map((e) => e.error));
    expect(errors.has('NOT_COORDINATOR') || errors.has('COORDINATOR_LOAD_IN_PROGRESS')).toBe(true);
    expect(of(r.history.slice(loaded), 'CommitResult').at(-1)?.error).toBe('NONE');
    expect(allHold(r.history)).toEqual([]);
  });

  it('a move during a rebalance loses it: the group comes back at the last Stable generation and rebalances again', () => {
    const r = simulate(config, [
      { type: 'Start', consumer: 0 },
      { type: 'Wait', ms: 1000 },
      { type: 'Start', consumer: 1 }, // a rebalance starts: c0 re-joins only after its next heartbeat
      { type: 'Wait', ms: 100 },
      { type: 'MoveCoordinator', group: 0 },
      { type: 'Wait', ms: 5000 },
    ]);
    expect(coordinatorMovedMidRebalance.count(r.history)).toBe(1);
    const loaded = of(r.history, 'GroupLoaded')[0];
    expect(loaded).toMatchObject({ generation: 1, members: ['c0#1'] });
    expect(r.settled).toBe(true);
    expect(of(r.history, 'GroupStable').at(-1)?.assignment).toEqual(expect.objectContaining({ 'c0#1': expect.any(Array), 'c1#1': expect.any(Array) }));
    expect(allHold(r.history)).toEqual([]);
  });

  it('is deterministic and skipped while a load is running', () => {
    const twice: Command[] = [...stableThenMove.slice(0, 5), { type: 'MoveCoordinator', group: 0 }, ...stableThenMove.slice(5)];
    const a = simulate(config, twice);
    expect(a.applied[5]).toBe(false);
    expect(simulate(config, twice).history).toEqual(a.history);
  });
});

describe('Drop', () => {
  it('a lost OffsetCommitResponse: stored by the coordinator, REQUEST_TIMED_OUT for the member, retried with the same offsets', () => {
    const r = simulate(config, [
      { type: 'Start', consumer: 0 },
      { type: 'Drop', message: 0 },
      { type: 'Produce', topic: 0, key: 1, count: 2 },
      { type: 'Wait', ms: 8000 },
    ]);
    expect(of(r.history, 'MessageDropped')).toEqual([expect.objectContaining({ message: 'OffsetCommitResponse', to: 'c0#1' })]);
    expect(ambiguousCommit.count(r.history)).toBe(1);
    const results = of(r.history, 'CommitResult');
    expect(results.map((e) => e.error)).toEqual(['REQUEST_TIMED_OUT', 'NONE']);
    expect(results[1]?.offsets).toEqual(results[0]?.offsets);
    // The timeout is request.timeout.ms after the request.
    const req = of(r.history, 'CommitRequested')[0];
    expect((results[0]?.t ?? 0) - (req?.t ?? 0)).toBe(config.groups[0]?.consumer.requestTimeoutMs);
    expect(allHold(r.history)).toEqual([]);
  });

  it('a lost JoinGroupResponse: the member times out, reconnects and joins again; the group settles', () => {
    const r = simulate(config, [{ type: 'Drop', message: 2 }, { type: 'Start', consumer: 0 }, { type: 'Produce', topic: 0, key: 1, count: 2 }, { type: 'Wait', ms: 1000 }]);
    expect(of(r.history, 'MessageDropped')).toEqual([expect.objectContaining({ message: 'JoinGroupResponse' })]);
    expect(r.settled).toBe(true);
    expect(allHold(r.history)).toEqual([]);
  });

  it('a drop that matches nothing before the quiescence tail is forgotten there', () => {
    const r = simulate(config, [{ type: 'Start', consumer: 0 }, { type: 'Drop', message: 11 }, { type: 'Wait', ms: 100 }]);
    expect(of(r.history, 'MessageDropped')).toEqual([]);
    expect(r.settled).toBe(true);
  });
});

describe('counterexamples with MoveCoordinator and Drop', () => {
  it('round-trip through a counterexample file and replay to the same violations', () => {
    const base = rowById('failover');
    const row: MatrixRow = { ...base, id: 'failover+coordinator-stores-after-unload', config: { ...base.config, variant: 'coordinator-stores-after-unload' } };
    const result = searchRow(row, { seed: 42, numRuns: 100, invariants: ['fencedCommitRejected'] });
    const cx = result.cells[0]?.counterexample;
    expect(cx).toBeTruthy();
    if (cx === null || cx === undefined) return;
    expect(cx.scenario.commands.some((c) => c.type === 'MoveCoordinator')).toBe(true);
    const file = parseCounterexample(serializeCounterexample(toCounterexampleFile(cx, { title: row.title, expectation: 'holds', config: row.config, duplicateBound: undefined })), 'mem.json');
    expect(file.commands).toEqual(cx.scenario.commands);
    const replay = simulate(file.config, file.commands, file.choices);
    const again = checkInvariant(INVARIANTS.find((i) => i.name === 'fencedCommitRejected')!, replay.history, {});
    expect(again.violations.map((v) => ({ kind: v.kind, message: v.message, events: v.events }))).toEqual(file.violations);
    // A Drop survives the file too, and the schema names a bad one.
    const withDrop = serializeCounterexample({ ...file, commands: [...file.commands, { type: 'Drop', message: 0 }] });
    expect(parseCounterexample(withDrop, 'mem.json').commands.at(-1)).toEqual({ type: 'Drop', message: 0 });
    expect(() => parseCounterexample(withDrop.replace('"message":0', '"channel":0'), 'bad.json')).toThrow(/bad\.json: invalid counterexample/);
  });
});

describe('MoveCoordinator under KIP-848 (group.protocol=consumer)', () => {
  const consumerConfig = { ...config, groups: config.groups.map((g) => ({ ...g, protocol: 'consumer' as const })) };

  it('the new coordinator rebuilds the group with its member epochs: no new epoch, no re-join, commits go on with the same epochs', () => {
    const r = simulate(consumerConfig, [
      { type: 'Start', consumer: 0 },
      { type: 'Start', consumer: 1 },
      { type: 'Produce', topic: 0, key: 1, count: 4 },
      { type: 'Wait', ms: 2000 },
      { type: 'MoveCoordinator', group: 0 },
      { type: 'Produce', topic: 0, key: 2, count: 4 },
      { type: 'Wait', ms: 3000 },
    ]);
    expect(r.settled).toBe(true);
    const moved = r.history.findIndex((e) => e.type === 'CoordinatorMoved');
    const epochs = new Map(of(r.history.slice(0, moved), 'MemberEpochAssigned').map((e) => [e.member, e.epoch]));
    const loaded = of(r.history, 'GroupLoaded');
    expect(loaded).toHaveLength(1);
    expect([...(loaded[0]?.members ?? [])].sort()).toEqual([...epochs.keys()].sort());
    const after = r.history.slice(r.history.indexOf(loaded[0] as HistoryEvent));
    // No member re-joined and no group epoch was started after the move.
    expect(of(r.history.slice(moved), 'Joined')).toEqual([]);
    expect(of(r.history.slice(moved), 'RebalanceStarted')).toEqual([]);
    expect(of(after, 'OffsetsStored').length).toBeGreaterThan(0);
    expect(of(after, 'OffsetsStored').every((e) => e.generation === epochs.get(e.member))).toBe(true);
    // Meanwhile nothing was stored, and the members were told where the group went.
    expect(of(r.history.slice(moved, r.history.indexOf(loaded[0] as HistoryEvent)), 'OffsetsStored')).toEqual([]);
    expect(allHold(r.history)).toEqual([]);
  });

  it('a lost ConsumerGroupHeartbeat answer: the member heartbeats again after request.timeout.ms and keeps its partitions', () => {
    const r = simulate(consumerConfig, [
      { type: 'Start', consumer: 0 },
      { type: 'Produce', topic: 0, key: 1, count: 2 },
      { type: 'Wait', ms: 1000 },
      { type: 'Drop', message: 12 }, // DROPPABLE[12]: ConsumerGroupHeartbeatResponse
      { type: 'Wait', ms: 8000 },
    ]);
    expect(r.settled).toBe(true);
    expect(of(r.history, 'MessageDropped')).toEqual([expect.objectContaining({ message: 'ConsumerGroupHeartbeatResponse' })]);
    expect(of(r.history, 'MemberRemoved')).toEqual([]);
    expect(of(r.history, 'Revoked')).toEqual([]);
    expect(of(r.history, 'Joined')).toHaveLength(1);
    expect(allHold(r.history)).toEqual([]);
  });
});
