/**
 * Tests of the reference partitioned log: Kafka's keyed partitioner, fetch sizing (kafka-protocol.md
 * §2.8), the committed-offset store (§1.12) and the Op/Ret `invoke` wrapper.
 * Not tested here: anything about consumers or the coordinator; those models use this log.
 */
import { describe, it, expect } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { tpKey, type LogRecord } from '../types.ts';
import { PartitionedLog, invoke, murmur2, partitionForKey, toPositive } from './partitionedLog.ts';

const banking = (recordBytes = 100) =>
  new PartitionedLog([{ name: 'accounts', partitions: 3 }, { name: 'audit', partitions: 2 }], recordBytes);

const offsetsOf = (records: readonly LogRecord[]) => records.map((r) => `${r.tp}@${r.offset}`);

describe('partitioning', () => {
  // Kafka's UtilsTest.testMurmur2 vectors (signed Java ints).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%j) is %i as in Kafka', (input, expected) => {
    expect(murmur2(new TextEncoder().encode(input))).toBe(expected);
  });

  // librdkafka's unittest_murmur2 (src/rdmurmur2.c, `java_murmur2_results`): these cover a 1-byte tail.
  it.each([
    ['kafka', 0xd067cf64],
    ['giberish123456789', 0x8f552b0c],
    ['1234', 0x9fc97b14],
    ['234', 0xe7c009ca],
    ['34', 0x873930da],
    ['4', 0x5a4b5ca1],
    ['', 0x106e08d9],
  ])('murmur2(%j) matches the Java results librdkafka pins', (input, expected) => {
    expect(murmur2(new TextEncoder().encode(input))).toBe(expected | 0);
  });

  it('partitionForKey is toPositive(murmur2) modulo the partition count', () => {
    expect(toPositive(-790332482)).toBe(1357151166);
    expect(partitionForKey('foobar', 50)).toBe(1357151166 % 50);
  });

  it('sends the same key to the same partition with offsets 0, 1, 2, ...', () => {
    const log = banking();
    const a = [log.append('accounts', 'acct-7', 10), log.append('accounts', 'acct-7', -4), log.append('accounts', 'acct-7', 1)];
    const tp = tpKey('accounts', log.partitionFor('accounts', 'acct-7'));
    expect(a.map((r) => r.tp)).toEqual([tp, tp, tp]);
    expect(a.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(a.map((r) => r.value)).toEqual([10, -4, 1]);
    expect(a[0]?.bytes).toBe(100);
    expect(log.logEndOffset(tp)).toBe(3);
    expect(log.logStartOffset(tp)).toBe(0);
    expect(log.read(tp, 1)).toEqual({ tp, offset: 1, key: 'acct-7', value: -4, bytes: 100 });
    expect(log.read(tp, 3)).toBeUndefined();
  });

  it('lists partitions in topic order, then partition order', () => {
    const log = banking();
    expect(log.allPartitions()).toEqual(['accounts-0', 'accounts-1', 'accounts-2', 'audit-0', 'audit-1']);
    expect(log.partitionsOf('audit')).toEqual(['audit-0', 'audit-1']);
    expect(log.topics()).toEqual([{ name: 'accounts', partitions: 3 }, { name: 'audit', partitions: 2 }]);
  });

  it('adds partitions, increase only', () => {
    const log = banking();
    log.addPartitions('audit', 4);
    expect(log.partitionCount('audit')).toBe(4);
    expect(log.logEndOffset('audit-3')).toBe(0);
    expect(() => log.addPartitions('audit', 4)).toThrow(/larger/);
    expect(() => log.addPartitions('audit', 2)).toThrow(/larger/);
  });
});

describe('fetch sizing (§2.8)', () => {
  // Three records on each of accounts-0 and accounts-1, 100 bytes each.
  const filled = (recordBytes = 100) => {
    const log = banking(recordBytes);
    for (let i = 0; i < 3; i++) {
      log.appendTo('accounts-0', `a${i}`, i);
      log.appendTo('accounts-1', `b${i}`, i);
    }
    return log;
  };
  const positions = { 'accounts-1': 0, 'accounts-0': 1 };
  const huge = { maxBytes: 1e9, maxPartitionBytes: 1e9, maxRecords: 1e9 };

  it('serves partitions in Object.keys order, contiguous from each position', () => {
    expect(offsetsOf(filled().fetch({ positions, ...huge }))).toEqual([
      'accounts-1@0', 'accounts-1@1', 'accounts-1@2', 'accounts-0@1', 'accounts-0@2',
    ]);
  });

  it('caps bytes per partition', () => {
    expect(offsetsOf(filled().fetch({ positions, ...huge, maxPartitionBytes: 250 }))).toEqual([
      'accounts-1@0', 'accounts-1@1', 'accounts-0@1', 'accounts-0@2',
    ]);
  });

  it('caps bytes in total', () => {
    expect(offsetsOf(filled().fetch({ positions, ...huge, maxBytes: 400 }))).toEqual([
      'accounts-1@0', 'accounts-1@1', 'accounts-1@2', 'accounts-0@1',
    ]);
  });

  it('caps records in total', () => {
    expect(offsetsOf(filled().fetch({ positions, ...huge, maxRecords: 2 }))).toEqual(['accounts-1@0', 'accounts-1@1']);
  });

  it('returns the first record of the first non-empty partition even if it is larger than both limits', () => {
    const log = filled(500);
    const req = { positions: { 'audit-0': 0, 'accounts-0': 2, 'accounts-1': 0 }, maxBytes: 300, maxPartitionBytes: 200, maxRecords: 10 };
    expect(offsetsOf(log.fetch(req))).toEqual(['accounts-0@2']);
    expect(log.availableBytes(req.positions, 200, 300)).toBe(500);
  });

  it('returns nothing for a position at or beyond the log end, without error', () => {
    const log = filled();
    expect(log.fetch({ positions: { 'accounts-0': 3, 'accounts-1': 99 }, ...huge })).toEqual([]);
  });

  it('throws for unknown partitions and bad positions', () => {
    const log = filled();
    expect(() => log.fetch({ positions: { 'accounts-3': 0 }, ...huge })).toThrow(/Unknown partition 'accounts-3'/);
    expect(() => log.fetch({ positions: { 'ledger-0': 0 }, ...huge })).toThrow(/Unknown partition/);
    expect(() => log.fetch({ positions: { 'accounts-00': 0 }, ...huge })).toThrow(/Unknown partition/);
    expect(() => log.fetch({ positions: { 'accounts-0': -1 }, ...huge })).toThrow(/>= 0/);
  });

  it('availableBytes counts what a fetch could return, whatever max.poll.records says', () => {
    const log = filled();
    expect(log.availableBytes(positions, 1e9, 1e9)).toBe(500);
    expect(log.availableBytes(positions, 100, 1e9)).toBe(200);
    expect(log.availableBytes(positions, 1e9, 300)).toBe(300);
    expect(log.availableBytes({ 'accounts-0': 3 }, 1e9, 1e9)).toBe(0);
  });

  it('returns arrays the caller may keep', () => {
    const log = filled();
    const before = log.records('accounts-0');
    log.appendTo('accounts-0', 'late', 0);
    expect(before).toHaveLength(3);
    expect(() => {
      (before[0] as { value: number }).value = 99;
    }).toThrow();
  });
});

describe('committed offsets (§1.12)', () => {
  it('overwrites without a monotonicity check', () => {
    const log = banking();
    log.commit('g1', { 'accounts-0': 5, 'audit-1': 2 });
    log.commit('g1', { 'accounts-0': 3 });
    expect(log.committed('g1', 'accounts-0')).toBe(3);
    expect(log.committed('g1', 'accounts-1')).toBeUndefined();
    expect(log.committed('g2', 'accounts-0')).toBeUndefined();
    expect(log.committedAll('g1')).toEqual({ 'accounts-0': 3, 'audit-1': 2 });
    expect(log.committedAll('g2')).toEqual({});
  });

  it('keeps groups apart and lists them sorted', () => {
    const log = banking();
    log.commit('zeta', { 'audit-0': 1 });
    log.commit('alpha', { 'audit-0': 7 });
    expect(log.groups()).toEqual(['alpha', 'zeta']);
    expect(log.committed('zeta', 'audit-0')).toBe(1);
  });

  it('rejects unknown partitions and negative offsets, leaving the store unchanged', () => {
    const log = banking();
    expect(() => log.commit('g', { 'accounts-0': 1, 'nope-0': 1 })).toThrow(/Unknown partition 'nope-0'/);
    expect(() => log.commit('g', { 'accounts-0': -1 })).toThrow(/>= 0/);
    expect(log.groups()).toEqual([]);
  });
});

describe('errors and snapshots', () => {
  it('names the unknown topic', () => {
    const log = banking();
    expect(() => log.partitionCount('ledger')).toThrow(/Unknown topic 'ledger'; known topics: accounts, audit/);
    expect(() => log.append('ledger', 'k', 1)).toThrow(/Unknown topic/);
    expect(() => log.appendTo('accounts-9', 'k', 1)).toThrow(/Unknown partition/);
  });

  it('rejects bad topic specs', () => {
    expect(() => new PartitionedLog([{ name: 't', partitions: 0 }])).toThrow(/positive integer/);
    expect(() => new PartitionedLog([{ name: 't', partitions: 1 }, { name: 't', partitions: 2 }])).toThrow(/twice/);
  });

  it('toJSON is a plain snapshot that round-trips through JSON', () => {
    const log = banking(10);
    log.appendTo('audit-1', 'k', 4);
    log.commit('g', { 'audit-1': 1 });
    const snapshot = log.toJSON();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot.records['audit-1']).toEqual([{ tp: 'audit-1', offset: 0, key: 'k', value: 4, bytes: 10 }]);
    expect(snapshot.records['accounts-0']).toEqual([]);
    expect(snapshot.committed).toEqual({ g: { 'audit-1': 1 } });
  });
});

describe('invoke', () => {
  it('answers each op with the Ret of the same type', () => {
    const log = banking();
    const appended = invoke(log, { type: 'Append', topic: 'accounts', key: 'acct-1', value: 50 });
    const tp = appended.record.tp;
    expect(invoke(log, { type: 'LogEndOffset', tp })).toEqual({ type: 'LogEndOffset', offset: 1 });
    expect(invoke(log, { type: 'Fetch', positions: { [tp]: 0 }, maxBytes: 1000, maxPartitionBytes: 1000, maxRecords: 10 }))
      .toEqual({ type: 'Fetch', records: [appended.record] });
    expect(invoke(log, { type: 'CommitOffsets', group: 'g', offsets: { [tp]: 1 } })).toEqual({ type: 'CommitOffsets' });
    expect(invoke(log, { type: 'FetchCommitted', group: 'g', tp })).toEqual({ type: 'FetchCommitted', offset: 1 });
  });
});

// Every property has a pinned seed: @fast-check/vitest puts the seed in the test name, and a random one
// defeats Stryker's per-test filtering (anchors.md §4). `npm run check` is where random seeds explore.
describe('properties', () => {
  const appends = fc.array(
    fc.record({ topic: fc.constantFrom('accounts', 'audit'), key: fc.string({ maxLength: 6 }), value: fc.integer() }),
    { maxLength: 40 },
  );

  fcTest.prop([appends], { seed: 0x6c6f67 })('a fetch from 0 with huge limits returns exactly the appends, per partition in order', (ops) => {
    const log = banking();
    const expected = new Map<string, LogRecord[]>(log.allPartitions().map((tp) => [tp, []]));
    for (const { topic, key, value } of ops) {
      const record = log.append(topic, key, value);
      expect(record.tp).toBe(tpKey(topic, partitionForKey(key, log.partitionCount(topic))));
      expected.get(record.tp)?.push({ tp: record.tp, offset: expected.get(record.tp)?.length ?? -1, key, value, bytes: 100 });
    }
    const positions = Object.fromEntries(log.allPartitions().map((tp) => [tp, 0]));
    const fetched = log.fetch({ positions, maxBytes: Infinity, maxPartitionBytes: Infinity, maxRecords: Infinity });
    expect(fetched).toEqual([...expected.values()].flat());
    for (const [tp, records] of expected) expect(log.logEndOffset(tp)).toBe(records.length);
  });

  fcTest.prop([fc.string({ maxLength: 20 }), fc.integer({ min: 1, max: 64 })], { seed: 0x6b6579 })('partitionForKey is in range and stable', (key, n) => {
    const p = partitionForKey(key, n);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(n);
    expect(partitionForKey(key, n)).toBe(p);
  });
});
