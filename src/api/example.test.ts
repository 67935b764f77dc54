/**
 * What a user of the library writes to check THEIR consumer (docs/api.md walks through it).
 * Only the public API is used, imported by the package name as a user would.
 *
 * The consumer under test is a toy: a plain class reading one partition of an in-memory log,
 * with a switch for the classic mistake of committing a batch before processing it. The test
 * kills it in the middle of a batch (its handler throws, as a process dies), restarts it as a
 * new incarnation, and lets groupcheck's invariants judge what it recorded.
 */
import { describe, expect, it } from 'vitest';
import { HistoryRecorder, InvariantsFailedError, expectInvariants, recordAdapter, type ConsumerAdapter } from 'groupcheck';

// ---------------------------------------------------------------- the user's own code

/** A one-partition log and its committed offset: the toy's "broker". */
class ToyBroker {
  readonly records: string[] = [];
  committed: number | undefined;
}

class Killed extends Error {}

/**
 * The consumer under test. It reports what it does through `hooks`; it knows nothing else of
 * groupcheck. `commitFirst` is the bug: commit the batch's end offset, then process the batch.
 */
class ToyConsumer {
  private position = 0;

  constructor(
    private readonly broker: ToyBroker,
    private readonly opts: { readonly commitFirst: boolean; readonly maxPollRecords: number; readonly dieAt?: number },
    private readonly hooks: {
      readonly positioned: (offset: number, fromCommit: boolean) => void;
      readonly polled: (offsets: number[]) => void;
      readonly processing: (offset: number) => void;
      readonly processed: (offset: number) => void;
      readonly commit: (offset: number) => void;
    },
  ) {}

  start(): void {
    this.position = this.broker.committed ?? 0;
    this.hooks.positioned(this.position, this.broker.committed !== undefined);
  }

  /** One poll loop iteration; false when there was nothing to read. */
  pollOnce(sink: string[]): boolean {
    const offsets: number[] = [];
    for (let o = this.position; o < this.broker.records.length && offsets.length < this.opts.maxPollRecords; o++) offsets.push(o);
    if (offsets.length === 0) return false;
    this.hooks.polled(offsets);
    const end = (offsets[offsets.length - 1] as number) + 1;
    if (this.opts.commitFirst) this.commit(end);
    for (const o of offsets) {
      this.hooks.processing(o);
      if (o === this.opts.dieAt) throw new Killed(`killed while processing offset ${o}`);
      sink.push(this.broker.records[o] as string);
      this.hooks.processed(o);
    }
    if (!this.opts.commitFirst) this.commit(end);
    this.position = end;
    return true;
  }

  private commit(offset: number): void {
    this.hooks.commit(offset);
    this.broker.committed = offset;
  }
}

// ---------------------------------------------------------------- the adapter: toy → history

const TP = 'payments-0';
const GROUP = 'billing';

/** Produces 4 records, runs one consumer until it dies at offset 2, restarts it, drains. */
class ToyScenario implements ConsumerAdapter {
  readonly sink: string[] = [];

  constructor(private readonly commitFirst: boolean) {}

  run(rec: HistoryRecorder): void {
    const broker = new ToyBroker();
    for (const v of ['a', 'b', 'c', 'd']) {
      rec.produced(TP, broker.records.length, 'k', broker.records.length);
      broker.records.push(v);
    }
    for (const [incarnation, dieAt] of [[1, 2], [2, undefined]] as const) {
      const member = `c1#${incarnation}`;
      const generation = incarnation;
      rec.started(member, GROUP, ['payments'], { policy: this.commitFirst ? 'commit-before-process' : 'commit-after-batch' });
      rec.joined(member, GROUP, generation, true);
      rec.assigned(member, GROUP, generation, [TP]);
      const consumer = new ToyConsumer(broker, { commitFirst: this.commitFirst, maxPollRecords: 4, ...(dieAt === undefined ? {} : { dieAt }) }, {
        positioned: (offset, fromCommit) => rec.positioned(member, TP, offset, fromCommit ? 'committed' : 'reset-earliest'),
        polled: (offsets) => rec.polled(member, TP, offsets),
        processing: (offset) => rec.processStarted(member, TP, offset),
        processed: (offset) => {
          rec.advance(10);
          rec.processed(member, TP, offset);
        },
        commit: (offset) => {
          const seq = rec.commitRequested(member, GROUP, generation, { [TP]: offset });
          rec.advance(2);
          rec.commitResult(member, GROUP, generation, { [TP]: offset }, seq);
        },
      });
      consumer.start();
      try {
        while (consumer.pollOnce(this.sink)) rec.advance(1);
        rec.left(member, GROUP);
      } catch (err) {
        if (!(err instanceof Killed)) throw err;
        rec.crashed(member);
        rec.advance(6000); // the session times out before the restart
      }
    }
    rec.quiesced(true);
  }
}

// ---------------------------------------------------------------- the user's tests

describe('a toy consumer checked with groupcheck', () => {
  it('committing before processing loses the records of the batch the crash interrupted', async () => {
    const scenario = new ToyScenario(true);
    const history = await recordAdapter(scenario);
    expect(scenario.sink).toEqual(['a', 'b']); // c and d were never processed

    let error: unknown;
    try {
      expectInvariants(history);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvariantsFailedError);
    const failed = error as InvariantsFailedError;
    const lost = failed.verdict.results.find((r) => r.invariant === 'atLeastOnce');
    expect(lost?.validity).toBe(false);
    expect(lost?.violations[0]).toMatchObject({ kind: 'lost-write', evidence: { tp: TP, offsets: [2, 3], committed: 4 } });
    // The commit of offset 4 ran ahead of what had been processed: the cause, named as well.
    expect(failed.message).toMatch(/committedNotAheadOfProcessed \[commit-ahead\] Member c1#1 of group billing had commit seq 1 of offset 4/);
    expect(failed.message).toMatch(/atLeastOnce \[lost-write\] Group billing never processed 2 records of payments-0 at offsets 2-3, below its final committed offset 4/);
    expect(failed.message).toMatch(/^!!\s+\d+\s+t=/m); // the timeline, with the named events marked
  });

  it('processing before committing loses nothing; the price is re-processing, bounded by one batch', async () => {
    const scenario = new ToyScenario(false);
    const history = await recordAdapter(scenario);
    expect(scenario.sink).toEqual(['a', 'b', 'a', 'b', 'c', 'd']);

    // At-least-once: every invariant but exactly-once holds, with at most one batch re-processed.
    expectInvariants(history, {
      duplicateBound: 4,
      invariants: ['singleOwnerPerPartition', 'fencedCommitRejected', 'orderedWithinOwnership', 'committedNotAheadOfProcessed', 'atLeastOnce', 'duplicatesBounded', 'concurrentProcessing', 'processingOnlyOwned'],
    });
    // And exactly-once is (rightly) refused: a and b were processed twice.
    expect(() => expectInvariants(history, { invariants: ['noDuplicateProcessing'] })).toThrow(/Record payments-0@0 was processed 2 times in group billing, by c1#1 and c1#2/);
  });

  it('the recorder refuses an invalid event at the call that makes it', () => {
    const rec = new HistoryRecorder();
    expect(() => rec.processed('c1#1', 'payments', 0)).toThrow(/invalid Processed event \(index 0\): field "tp": expected "topic-N"/);
    expect(() => rec.polled('c1#1', TP, [-1])).toThrow(/field "offsets.0": Number must be greater than or equal to 0/);
  });

  it('the recorded history is the JSON Lines file format that groupcheck check-history reads', async () => {
    const rec = new HistoryRecorder();
    new ToyScenario(true).run(rec);
    const lines = rec.toJsonl().trimEnd().split('\n');
    expect(lines).toHaveLength(rec.length);
    expect(lines[0]).toBe('{"type":"Produced","t":0,"tp":"payments-0","offset":0,"key":"k","value":0}');
  });
});
