/**
 * Checking a history from your own code: `checkHistoryInvariants` returns the verdicts,
 * `expectInvariants` throws a readable error when one fails (for any test runner), and the
 * `ConsumerAdapter` pattern records a run of your own consumer implementation.
 */
import type { History } from '../../models/history.ts';
import { INVARIANTS, invariantByName } from '../../properties/invariants/index.ts';
import { checkInvariant, mergeValidity, type InvariantResult } from '../check/checkHistory.ts';
import type { Invariant, Validity } from '../check/invariant.ts';
import { timelineLines } from '../report/timeline.ts';
import { HistoryRecorder, type HistoryRecorderOptions } from './recorder.ts';

export interface CheckHistoryOptions {
  /**
   * Re-processing allowed per ownership episode, for `duplicatesBounded` (e.g. 1 when you
   * commit after every record, max.poll.records when you commit after each batch). Without
   * it no bound is claimed and duplicatesBounded holds trivially.
   */
  readonly duplicateBound?: number;
  /** The invariants to check, by name or as objects (default: all of INVARIANTS). */
  readonly invariants?: readonly (string | Invariant)[];
}

/** The verdicts on one history. */
export interface HistoryVerdict {
  /** Jepsen's merge: false if any invariant is violated, else 'unknown' if any is undecided, else true. */
  readonly validity: Validity;
  /** One result per invariant checked, in the order asked. */
  readonly results: readonly InvariantResult[];
}

const resolve = (invariants: CheckHistoryOptions['invariants']): readonly Invariant[] =>
  invariants === undefined ? INVARIANTS : invariants.map((i) => (typeof i === 'string' ? invariantByName(i) : i));

/**
 * Checks a history with the invariants.
 * @throws Error naming the valid invariants when an invariant name is unknown.
 *
 * @example
 * const { validity, results } = checkHistoryInvariants(history, { duplicateBound: 1 });
 * for (const r of results) if (r.validity === false) console.log(r.invariant, r.violations[0]?.message);
 */
export const checkHistoryInvariants = (history: History, opts: CheckHistoryOptions = {}): HistoryVerdict => {
  const ctx = opts.duplicateBound === undefined ? {} : { duplicateBound: opts.duplicateBound };
  const results = resolve(opts.invariants).map((inv) => checkInvariant(inv, history, ctx));
  return { validity: mergeValidity(results.map((r) => r.validity)), results };
};

/** Thrown by expectInvariants; `verdict` holds every result. */
export class InvariantsFailedError extends Error {
  constructor(
    message: string,
    readonly verdict: HistoryVerdict,
  ) {
    super(message);
    this.name = 'InvariantsFailedError';
  }
}

export interface ExpectInvariantsOptions extends CheckHistoryOptions {
  /** Pass when an invariant is undecided ('unknown'), e.g. a history without `Quiesced`. Default false. */
  readonly allowUnknown?: boolean;
  /** Histories up to this many events are printed whole in the error; longer ones only the named events. Default 200. */
  readonly timelineMax?: number;
}

/**
 * Asserts that every invariant holds on `history` (works in vitest, jest, node:test, mocha...).
 * @returns the verdict when they all hold.
 * @throws InvariantsFailedError listing each violation (kind, sentence, event indices) and the
 *   timeline with the named events marked `!!`, when one is violated, or undecided without `allowUnknown`.
 *
 * @example
 * it('my consumer does not lose records', async () => {
 *   const history = await recordAdapter(new MyConsumerAdapter());
 *   expectInvariants(history, { invariants: ['atLeastOnce', 'committedNotAheadOfProcessed'] });
 * });
 */
export const expectInvariants = (history: History, opts: ExpectInvariantsOptions = {}): HistoryVerdict => {
  const verdict = checkHistoryInvariants(history, opts);
  const violated = verdict.results.filter((r) => r.validity === false);
  const unknown = verdict.results.filter((r) => r.validity === 'unknown');
  if (violated.length === 0 && (unknown.length === 0 || opts.allowUnknown === true)) return verdict;

  const lines: string[] = [];
  if (violated.length > 0) lines.push(`${violated.length} invariant${violated.length === 1 ? '' : 's'} violated: ${violated.map((r) => r.invariant).join(', ')}`);
  if (unknown.length > 0 && opts.allowUnknown !== true) {
    lines.push(`undecided: ${unknown.map((r) => r.invariant).join(', ')} (an eventually-claim needs a final {"type":"Quiesced","settled":true}; pass allowUnknown to accept)`);
  }
  for (const r of violated) for (const v of r.violations) lines.push(`  ✗ ${r.invariant} [${v.kind}] ${v.message} (events ${v.events.join(', ')})`);
  const marked = new Set(violated.flatMap((r) => r.violations.flatMap((v) => v.events)));
  if (marked.size > 0) {
    const whole = history.length <= (opts.timelineMax ?? 200);
    lines.push('', whole ? 'timeline (!! marks the events named above):' : 'the events named above:');
    for (const l of timelineLines(history, { marked })) if (whole || l.startsWith('!!')) lines.push(l);
  }
  throw new InvariantsFailedError(lines.join('\n'), verdict);
};

/**
 * The pattern for checking your own consumer implementation: an adapter drives your consumer
 * through one scenario (produce, start, crash, rebalance... whatever your test wants) and your
 * consumer reports what it does to the recorder, one method per event kind. Your code knows
 * nothing of groupcheck beyond the recorder; the invariants judge the history afterwards.
 *
 * @example
 * class MyAdapter implements ConsumerAdapter {
 *   async run(rec: HistoryRecorder) {
 *     const consumer = new MyConsumer({ onAssigned: (gen, tps) => rec.assigned('c1', 'g', gen, tps), ... });
 *     ...
 *     rec.quiesced(true);
 *   }
 * }
 * expectInvariants(await recordAdapter(new MyAdapter()));
 */
export interface ConsumerAdapter {
  /** Runs one scenario, reporting every event your consumer can observe to `recorder`. */
  run(recorder: HistoryRecorder): void | Promise<void>;
}

/** Runs an adapter with a fresh recorder and returns the recorded history. */
export const recordAdapter = async (adapter: ConsumerAdapter, opts: HistoryRecorderOptions = {}): Promise<History> => {
  const recorder = new HistoryRecorder(opts);
  await adapter.run(recorder);
  return recorder.history;
};
