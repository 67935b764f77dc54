/**
 * The reference partitioned log: Kafka's topic partitions plus the `__consumer_offsets` store of
 * committed offsets, shaped like Stateright's reference specs (`src/semantics/vec.rs`): a class,
 * an Op/Ret union and `invoke`.
 *
 * It is: keyed partitioning with Kafka's default partitioner (murmur2), append-only partitions
 * whose offsets start at 0, broker-side fetch sizing (kafka-protocol.md §2.8) and a committed-offset
 * store that overwrites without checks (§1.12).
 * It is not: a broker. No replication, leaders, ISR, retention, compaction, transactions, record
 * batches or timestamps; every record has the same size; no OffsetCommit acceptance rules (generation
 * and member checks belong to the coordinator model, §1.11). The log is mutable (the simulator owns
 * it), but every method returns fresh arrays and objects; records are frozen, so sharing them is safe.
 */
import { tpKey, type LogRecord, type TopicPartition } from '../types.ts';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

/** A fetch at given positions; the limits mirror `fetch.max.bytes`, `max.partition.fetch.bytes` and `max.poll.records`. */
export interface FetchRequest {
  /** Fetch position per partition; partitions are served in `Object.keys` order. */
  readonly positions: Readonly<Record<TopicPartition, number>>;
  readonly maxBytes: number;
  readonly maxPartitionBytes: number;
  readonly maxRecords: number;
}

/** A plain JSON snapshot of the whole log; keys are in topic order, then partition order. */
export interface PartitionedLogJSON {
  readonly recordBytes: number;
  readonly topics: TopicSpec[];
  readonly records: Record<TopicPartition, LogRecord[]>;
  readonly committed: Record<string, Record<TopicPartition, number>>;
}

/**
 * Kafka's `Utils.murmur2` (clients/.../common/utils/Utils.java), as a signed 32-bit integer.
 * Java's `int` arithmetic wraps, so every multiplication goes through `Math.imul`.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const r = 24;
  const length = data.length;
  const byteAt = (i: number): number => data[i] ?? 0;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = byteAt(i4) | (byteAt(i4 + 1) << 8) | (byteAt(i4 + 2) << 16) | (byteAt(i4 + 3) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // The Java switch falls through from case 3 to case 1; only case 1 multiplies.
  const tail = length & 3;
  const last = length & ~3;
  if (tail >= 3) h ^= byteAt(last + 2) << 16;
  if (tail >= 2) h ^= byteAt(last + 1) << 8;
  if (tail >= 1) {
    h ^= byteAt(last);
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which fails on MIN_VALUE). */
export const toPositive = (n: number): number => n & 0x7fffffff;

const utf8 = new TextEncoder();

/**
 * `toPositive(murmur2(key bytes))` per key, memoized: a run produces to a handful of keys, and
 * TextEncoder.encode allocates a buffer per call (about 13% of the simulator's time, issue 7).
 * A pure function's cache: results never depend on it. Bounded, cleared when full.
 */
const keyHashes = new Map<string, number>();
const KEY_HASHES_MAX = 4096;

/** Kafka's default partitioner for a keyed record: `toPositive(murmur2(key bytes)) % numPartitions`. */
export const partitionForKey = (key: string, numPartitions: number): number => {
  let h = keyHashes.get(key);
  if (h === undefined) {
    h = toPositive(murmur2(utf8.encode(key)));
    if (keyHashes.size >= KEY_HASHES_MAX) keyHashes.clear();
    keyHashes.set(key, h);
  }
  return h % numPartitions;
};

const isCount = (n: number): boolean => Number.isInteger(n) && n > 0;

export class PartitionedLog {
  private readonly specs: TopicSpec[] = [];
  /** topic -> partition -> records, offset i at index i (log start offset is always 0). */
  private readonly logs = new Map<string, LogRecord[][]>();
  /** group -> tp -> committed offset (the offset of the next record to read). */
  private readonly offsets = new Map<string, Map<TopicPartition, number>>();
  private readonly recordBytes: number;
  /** `topic-n` -> that partition's records (the same arrays as in `logs`): one lookup on the hot path (issue 7). */
  private readonly byKey = new Map<TopicPartition, LogRecord[]>();

  constructor(topics: readonly TopicSpec[], recordBytes = 100) {
    this.recordBytes = recordBytes;
    if (!isCount(recordBytes)) throw new Error(`recordBytes must be a positive integer, got ${recordBytes}`);
    for (const { name, partitions } of topics) {
      if (name === '') throw new Error('A topic name must not be empty');
      if (this.logs.has(name)) throw new Error(`Topic '${name}' is listed twice`);
      if (!isCount(partitions)) throw new Error(`Topic '${name}' needs a positive integer partition count, got ${partitions}`);
      this.specs.push({ name, partitions });
      this.logs.set(name, Array.from({ length: partitions }, () => []));
      this.index(name);
    }
  }

  private index(topic: string): void {
    this.partitionsOfTopic(topic).forEach((records, p) => this.byKey.set(tpKey(topic, p), records));
  }

  // --- topics and partitions ---

  topics(): ReadonlyArray<TopicSpec> {
    return this.specs.map((s) => ({ ...s }));
  }

  partitionCount(topic: string): number {
    return this.partitionsOfTopic(topic).length;
  }

  partitionsOf(topic: string): TopicPartition[] {
    return this.partitionsOfTopic(topic).map((_, p) => tpKey(topic, p));
  }

  /** Every partition, in topic order, then partition order. */
  allPartitions(): TopicPartition[] {
    return this.specs.flatMap((s) => this.partitionsOf(s.name));
  }

  /** Kafka's default partitioner; the answer changes when partitions are added, as in Kafka. */
  partitionFor(topic: string, key: string): number {
    return partitionForKey(key, this.partitionCount(topic));
  }

  /** CreatePartitions: increase only; Kafka also refuses an unchanged count. Existing keys may move. */
  addPartitions(topic: string, newCount: number): void {
    const partitions = this.partitionsOfTopic(topic);
    if (!Number.isInteger(newCount) || newCount <= partitions.length) {
      throw new Error(`Topic '${topic}' has ${partitions.length} partitions; addPartitions needs a larger integer, got ${newCount}`);
    }
    while (partitions.length < newCount) partitions.push([]);
    this.index(topic);
    const i = this.specs.findIndex((s) => s.name === topic);
    this.specs[i] = { name: topic, partitions: newCount };
  }

  // --- produce and read ---

  /** Appends a keyed record to the partition the default partitioner picks. */
  append(topic: string, key: string, value: number): LogRecord {
    return this.appendTo(tpKey(topic, this.partitionFor(topic, key)), key, value);
  }

  appendTo(tp: TopicPartition, key: string, value: number): LogRecord {
    const records = this.partition(tp);
    const record: LogRecord = Object.freeze({ tp, offset: records.length, key, value, bytes: this.recordBytes });
    records.push(record);
    return record;
  }

  logStartOffset(tp: TopicPartition): number {
    this.partition(tp);
    return 0;
  }

  /** The offset the next append will get (LEO, also the high watermark: nothing is unreplicated here). */
  logEndOffset(tp: TopicPartition): number {
    return this.partition(tp).length;
  }

  read(tp: TopicPartition, offset: number): LogRecord | undefined {
    return this.partition(tp)[offset];
  }

  records(tp: TopicPartition): readonly LogRecord[] {
    return this.partition(tp).slice();
  }

  /**
   * Broker-side fetch sizing (§2.8, KIP-74). Partitions are served in `Object.keys(positions)` order
   * (insertion order, since `topic-n` keys are never integer-like). Each partition returns contiguous
   * records from its position within min(maxPartitionBytes, bytes left of maxBytes). Both byte limits
   * are soft: until some partition has returned a record, its first record is returned even if it is
   * larger, so the consumer always progresses. `maxRecords` (a hard cap, `max.poll.records`) is the
   * client's limit, folded in here for convenience.
   *
   * A position at or beyond the log end returns nothing for that partition and is not an error. A real
   * broker answers OFFSET_OUT_OF_RANGE for a position past the end and the consumer resets per
   * `auto.offset.reset` (§2.8); callers that model this compare the position with `logEndOffset`.
   * A position below 0 or not an integer, or an unknown partition, throws.
   */
  fetch(req: FetchRequest): LogRecord[] {
    const out: LogRecord[] = [];
    this.scan(req.positions, req.maxBytes, req.maxPartitionBytes, req.maxRecords, out);
    return out;
  }

  /** Bytes a fetch at these positions could return now (ignores max.poll.records); for fetch.min.bytes. */
  availableBytes(positions: Readonly<Record<TopicPartition, number>>, maxPartitionBytes: number, maxBytes: number): number {
    return this.scan(positions, maxBytes, maxPartitionBytes, Infinity, null);
  }

  /**
   * fetch()'s sizing, shared with availableBytes(): the records it returns go to `out` (when
   * given) and their bytes are summed. Hot path (a Fetch calls it twice): no arrays built for
   * the checks, and availableBytes() builds no record list.
   */
  private scan(positions: Readonly<Record<TopicPartition, number>>, maxBytes: number, maxPartitionBytes: number, maxRecords: number, out: LogRecord[] | null): number {
    if (!(maxBytes >= 0)) throw new Error(`fetch: maxBytes must be >= 0, got ${maxBytes}`);
    if (!(maxPartitionBytes >= 0)) throw new Error(`fetch: maxPartitionBytes must be >= 0, got ${maxPartitionBytes}`);
    if (!(maxRecords >= 0)) throw new Error(`fetch: maxRecords must be >= 0, got ${maxRecords}`);
    let count = 0;
    let sum = 0;
    let bytesLeft = maxBytes;
    let minOneRecord = true;
    // for-in visits own string keys in Object.entries order (positions is a plain record).
    for (const tp in positions) {
      const position = positions[tp] as number;
      const records = this.partition(tp);
      if (!Number.isInteger(position) || position < 0) throw new Error(`fetch: position for ${tp} must be an integer >= 0, got ${position}`);
      let partitionBytesLeft = Math.min(maxPartitionBytes, bytesLeft);
      for (let offset = position; offset < records.length && count < maxRecords; offset++) {
        const record = records[offset] as LogRecord;
        if (record.bytes > partitionBytesLeft && !minOneRecord) break;
        if (out !== null) out.push(record);
        count++;
        sum += record.bytes;
        minOneRecord = false;
        partitionBytesLeft = Math.max(0, partitionBytesLeft - record.bytes);
        bytesLeft = Math.max(0, bytesLeft - record.bytes);
      }
    }
    return sum;
  }

  // --- committed offsets (__consumer_offsets) ---

  /** OffsetCommit as stored: no monotonicity check, a later lower offset overwrites (§1.12). */
  commit(group: string, offsets: Readonly<Record<TopicPartition, number>>): void {
    for (const [tp, offset] of Object.entries(offsets)) {
      this.partition(tp);
      if (!Number.isInteger(offset) || offset < 0) throw new Error(`commit: offset for ${tp} must be an integer >= 0, got ${offset}`);
    }
    const store = this.offsets.get(group) ?? new Map<TopicPartition, number>();
    for (const [tp, offset] of Object.entries(offsets)) store.set(tp, offset);
    this.offsets.set(group, store);
  }

  committed(group: string, tp: TopicPartition): number | undefined {
    this.partition(tp);
    return this.offsets.get(group)?.get(tp);
  }

  /** A group's committed offsets, keyed in topic order, then partition order. */
  committedAll(group: string): Record<TopicPartition, number> {
    const store = this.offsets.get(group);
    const out: Record<TopicPartition, number> = {};
    if (store === undefined) return out;
    for (const tp of this.allPartitions()) {
      const offset = store.get(tp);
      if (offset !== undefined) out[tp] = offset;
    }
    return out;
  }

  /** Groups that have committed at least once, sorted. */
  groups(): string[] {
    return [...this.offsets.keys()].sort();
  }

  /** An independent copy (records are frozen and shared; the partition index points at the copy's arrays). */
  clone(): PartitionedLog {
    const copy = new PartitionedLog([], this.recordBytes);
    for (const s of this.specs) copy.specs.push({ ...s });
    for (const [topic, partitions] of this.logs) {
      copy.logs.set(topic, partitions.map((p) => p.slice()));
      copy.index(topic);
    }
    for (const [group, store] of this.offsets) copy.offsets.set(group, new Map(store));
    return copy;
  }

  /**
   * A compact canonical text of the contents: per partition the keys and values of its records,
   * then each group's committed offsets (groups sorted, partitions in order).
   */
  canonical(): string {
    const out: string[] = [];
    for (const [topic, partitions] of this.logs) partitions.forEach((records, p) => out.push(`${topic}-${p}:${records.map((r) => `${r.key}=${r.value}`).join(',')}`));
    for (const group of this.groups()) {
      const store = this.offsets.get(group) as Map<TopicPartition, number>;
      out.push(`@${group}:${this.allPartitions().map((tp) => store.get(tp) ?? '').join(',')}`);
    }
    return out.join(';');
  }

  /**
   * canonical()'s content fed as tokens to a fingerprint (the exhaustive search, src/explore): per
   * partition its length and each record's key and value, then each group's committed offsets
   * (groups sorted, partitions in order, -1 where none). No text is built.
   */
  digest(d: { int(n: number): void; str(s: string): void }): void {
    for (const partitions of this.logs.values()) {
      d.int(partitions.length);
      for (const records of partitions) {
        d.int(records.length);
        for (const r of records) {
          d.str(r.key);
          d.int(r.value);
        }
      }
    }
    d.int(this.offsets.size);
    const groups = this.offsets.size === 1 ? this.offsets.keys() : this.groups();
    for (const group of groups) {
      const store = this.offsets.get(group) as Map<TopicPartition, number>;
      d.str(group);
      for (const [topic, partitions] of this.logs) for (let p = 0; p < partitions.length; p++) d.int(store.get(tpKey(topic, p)) ?? -1);
    }
  }

  toJSON(): PartitionedLogJSON {
    const records: Record<TopicPartition, LogRecord[]> = {};
    for (const tp of this.allPartitions()) records[tp] = this.partition(tp).map((r) => ({ ...r }));
    const committed: Record<string, Record<TopicPartition, number>> = {};
    for (const group of this.groups()) committed[group] = this.committedAll(group);
    return { recordBytes: this.recordBytes, topics: this.specs.map((s) => ({ ...s })), records, committed };
  }

  // --- lookups ---

  private partitionsOfTopic(topic: string): LogRecord[][] {
    const partitions = this.logs.get(topic);
    if (partitions === undefined) {
      throw new Error(`Unknown topic '${topic}'; known topics: ${this.specs.map((s) => s.name).join(', ') || '(none)'}`);
    }
    return partitions;
  }

  private partition(tp: TopicPartition): LogRecord[] {
    // Only canonical keys are indexed: spellings such as `accounts-02` are unknown.
    const records = this.byKey.get(tp);
    if (records === undefined) {
      throw new Error(`Unknown partition '${tp}'; expected \`topic-n\` for a known topic and 0 <= n < its partition count`);
    }
    return records;
  }
}

// --- Op/Ret, Stateright style ---

export type LogOp =
  | { readonly type: 'Append'; readonly topic: string; readonly key: string; readonly value: number }
  | ({ readonly type: 'Fetch' } & FetchRequest)
  | { readonly type: 'CommitOffsets'; readonly group: string; readonly offsets: Readonly<Record<TopicPartition, number>> }
  | { readonly type: 'FetchCommitted'; readonly group: string; readonly tp: TopicPartition }
  | { readonly type: 'LogEndOffset'; readonly tp: TopicPartition };

export type LogRet =
  | { readonly type: 'Append'; readonly record: LogRecord }
  | { readonly type: 'Fetch'; readonly records: readonly LogRecord[] }
  | { readonly type: 'CommitOffsets' }
  | { readonly type: 'FetchCommitted'; readonly offset: number | undefined }
  | { readonly type: 'LogEndOffset'; readonly offset: number };

/** The Ret variant that answers a given Op. */
export type LogRetFor<O extends LogOp> = Extract<LogRet, { readonly type: O['type'] }>;

/** Applies one operation to the log (mutating it) and returns its result, tagged like the op. */
export function invoke<O extends LogOp>(log: PartitionedLog, op: O): LogRetFor<O> {
  return invokeAny(log, op) as LogRetFor<O>;
}

function invokeAny(log: PartitionedLog, op: LogOp): LogRet {
  switch (op.type) {
    case 'Append':
      return { type: 'Append', record: log.append(op.topic, op.key, op.value) };
    case 'Fetch':
      return { type: 'Fetch', records: log.fetch(op) };
    case 'CommitOffsets':
      log.commit(op.group, op.offsets);
      return { type: 'CommitOffsets' };
    case 'FetchCommitted':
      return { type: 'FetchCommitted', offset: log.committed(op.group, op.tp) };
    case 'LogEndOffset':
      return { type: 'LogEndOffset', offset: log.logEndOffset(op.tp) };
    default:
      return assertNever(op);
  }
}

function assertNever(x: never): never {
  throw new Error(`Unhandled log op: ${JSON.stringify(x)}`);
}
