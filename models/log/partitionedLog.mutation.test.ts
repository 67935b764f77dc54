/**
 * Tests of the reference partitioned log written against the mutants StrykerJS left alive in
 * partitionedLog.test.ts (reports/mutation.md): argument checks (recordBytes, topic names, fetch
 * limits, offset 0), CreatePartitions on a topic that is not the first, the committed-offsets view
 * (§1.12), the snapshot's topic list and the Op/Ret wrapper's tags and guard.
 */
import { describe, expect, it } from 'vitest';
import { invoke, PartitionedLog, type LogOp } from './partitionedLog.ts';

const banking = () => new PartitionedLog([{ name: 'accounts', partitions: 3 }, { name: 'audit', partitions: 2 }]);

describe('argument checks', () => {
  it('recordBytes must be a positive integer', () => {
    for (const bad of [0, -100, 1.5]) {
      expect(() => new PartitionedLog([{ name: 't', partitions: 1 }], bad)).toThrow(`recordBytes must be a positive integer, got ${bad}`);
    }
    expect(new PartitionedLog([{ name: 't', partitions: 1 }], 1).appendTo('t-0', 'k', 0).bytes).toBe(1);
  });

  it('a topic needs a name', () => {
    expect(() => new PartitionedLog([{ name: '', partitions: 1 }])).toThrow('A topic name must not be empty');
    expect(new PartitionedLog([{ name: 'x', partitions: 1 }]).partitionsOf('x')).toEqual(['x-0']);
  });

  it('fetch limits must be >= 0 (NaN too is refused); 0 is allowed and returns the first record only (§2.8 soft limits)', () => {
    const log = banking();
    log.appendTo('audit-0', 'k', 1);
    log.appendTo('audit-0', 'k', 2);
    const req = { positions: { 'audit-0': 0 }, maxBytes: 1000, maxPartitionBytes: 1000, maxRecords: 10 };
    expect(() => log.fetch({ ...req, maxBytes: -1 })).toThrow('fetch: maxBytes must be >= 0, got -1');
    expect(() => log.fetch({ ...req, maxPartitionBytes: -1 })).toThrow('fetch: maxPartitionBytes must be >= 0, got -1');
    expect(() => log.fetch({ ...req, maxRecords: -1 })).toThrow('fetch: maxRecords must be >= 0, got -1');
    expect(() => log.fetch({ ...req, maxRecords: Number.NaN })).toThrow('fetch: maxRecords must be >= 0, got NaN');
    expect(log.fetch({ ...req, maxBytes: 0 }).map((r) => r.offset)).toEqual([0]);
    expect(log.fetch({ ...req, maxPartitionBytes: 0 }).map((r) => r.offset)).toEqual([0]);
    expect(log.fetch({ ...req, maxRecords: 0 })).toEqual([]);
  });

  it('offset 0 is a valid commit (nothing consumed yet)', () => {
    const log = banking();
    log.commit('g', { 'accounts-1': 0 });
    expect(log.committed('g', 'accounts-1')).toBe(0);
    expect(() => log.commit('g', { 'accounts-1': 0.5 })).toThrow('commit: offset for accounts-1 must be an integer >= 0, got 0.5');
  });

  it('an unknown topic on a log without topics says so', () => {
    expect(() => new PartitionedLog([]).partitionCount('x')).toThrow("Unknown topic 'x'; known topics: (none)");
  });
});

describe('CreatePartitions', () => {
  it('updates the spec of the topic it grew, wherever it is in the list, and only that one', () => {
    const log = banking();
    log.addPartitions('audit', 5);
    expect(log.topics()).toEqual([
      { name: 'accounts', partitions: 3 },
      { name: 'audit', partitions: 5 },
    ]);
    log.addPartitions('accounts', 4);
    expect(log.topics()).toEqual([
      { name: 'accounts', partitions: 4 },
      { name: 'audit', partitions: 5 },
    ]);
    expect(log.toJSON().topics).toEqual(log.topics());
  });
});

describe('committed offsets (§1.12)', () => {
  it('committedAll lists only the partitions the group committed, in topic then partition order', () => {
    const log = banking();
    log.commit('g', { 'audit-1': 4, 'accounts-2': 1 });
    const all = log.committedAll('g');
    expect(all).toStrictEqual({ 'accounts-2': 1, 'audit-1': 4 });
    expect(Object.keys(all)).toEqual(['accounts-2', 'audit-1']);
  });

  it('toJSON carries the topic specs and each group committed offsets', () => {
    const log = banking();
    log.commit('b', { 'audit-0': 2 });
    log.commit('a', { 'accounts-0': 7 });
    const snapshot = log.toJSON();
    expect(snapshot.topics).toStrictEqual([
      { name: 'accounts', partitions: 3 },
      { name: 'audit', partitions: 2 },
    ]);
    expect(snapshot.committed).toStrictEqual({ a: { 'accounts-0': 7 }, b: { 'audit-0': 2 } });
    expect(snapshot.recordBytes).toBe(100);
  });
});

describe('invoke', () => {
  it('tags every Ret with the type of its Op', () => {
    const log = banking();
    const appended = invoke(log, { type: 'Append', topic: 'audit', key: 'k', value: 3 });
    expect(appended).toEqual({ type: 'Append', record: { tp: appended.record.tp, offset: 0, key: 'k', value: 3, bytes: 100 } });
  });

  it('refuses an op it does not know (a malformed op read from JSON)', () => {
    const bogus = { type: 'Truncate', tp: 'audit-0' } as unknown as LogOp;
    expect(() => invoke(banking(), bogus)).toThrow('Unhandled log op: {"type":"Truncate","tp":"audit-0"}');
  });
});
