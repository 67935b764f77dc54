/**
 * HistoryRecorder: how an implementation under test emits groupcheck history events.
 *
 * One method per event kind, named after it (`assigned`, `polled`, `processed`, ...). The
 * recorder stamps each event with the time of its clock: a virtual clock by default (starts at
 * 0 and moves only when you call `advance(ms)`, so tests are deterministic), or any function
 * returning milliseconds (`{ clock: () => performance.now() }` for a real consumer).
 * Every event is validated against the history schema as it is recorded, so a wrong field
 * fails at the call that made it, not later in a checker.
 *
 * Offsets follow Kafka: a committed offset (and a position) is the offset of the *next* record
 * to read; `processed(member, tp, 7)` is about the record at offset 7.
 */
import type { CommitError, History, HistoryEvent, PositionSource, RemoveReason, RevokeReason } from '../../models/history.ts';
import type { TopicPartition } from '../../models/types.ts';
import { historyToJsonl, writeHistoryJsonl } from '../history/jsonl.ts';
import { formatIssue, validateHistoryEvent } from '../history/schema.ts';

export interface HistoryRecorderOptions {
  /**
   * Milliseconds now. Default: a virtual clock that starts at 0 and moves only with `advance`.
   * A real clock's values should not go backwards; they need not be integers.
   */
  readonly clock?: () => number;
  /** Validate each event as it is recorded (default true). */
  readonly validate?: boolean;
}

/** Options of `started`. */
export interface StartedOptions {
  /** `subscribe` (group management, the default) or `assign` (manual assignment). */
  readonly mode?: 'subscribe' | 'assign';
  /** Free text naming how the application commits, e.g. `commit-after-batch` (default `custom`). */
  readonly policy?: string;
}

type Body<E> = E extends unknown ? Omit<E, 't'> : never;

/**
 * Records a history, one method per event kind.
 *
 * @example
 * const rec = new HistoryRecorder();
 * rec.produced('orders-0', 0);
 * rec.started('c1', 'billing', ['orders']);
 * rec.assigned('c1', 'billing', 1, ['orders-0']);
 * rec.positioned('c1', 'orders-0', 0, 'reset-earliest');
 * rec.polled('c1', 'orders-0', [0]);
 * rec.processed('c1', 'orders-0', 0);
 * const seq = rec.commitRequested('c1', 'billing', 1, { 'orders-0': 1 });
 * rec.commitResult('c1', 'billing', 1, { 'orders-0': 1 }, seq);
 * rec.quiesced(true);
 * expectInvariants(rec.history);
 */
export class HistoryRecorder {
  private readonly events: HistoryEvent[] = [];
  private virtualNow = 0;
  private readonly clock: (() => number) | undefined;
  private readonly validate: boolean;
  private readonly seqs = new Map<string, number>();

  constructor(opts: HistoryRecorderOptions = {}) {
    this.clock = opts.clock;
    this.validate = opts.validate ?? true;
  }

  /** The events recorded so far, in order (the live array: do not modify it). */
  get history(): History {
    return this.events;
  }

  /** How many events were recorded. */
  get length(): number {
    return this.events.length;
  }

  /** The time the next event gets. */
  get now(): number {
    return this.clock === undefined ? this.virtualNow : this.clock();
  }

  /**
   * Moves the virtual clock forward by `ms`.
   * @throws Error with a real clock, or for a negative or non-finite `ms`.
   */
  advance(ms: number): this {
    if (this.clock !== undefined) throw new Error('HistoryRecorder.advance: this recorder uses a real clock');
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`HistoryRecorder.advance: ms must be a finite number ≥ 0, got ${ms}`);
    this.virtualNow += ms;
    return this;
  }

  /**
   * Records any event body (the recorder adds `t`). The typed methods below are shorthands.
   * @throws Error naming the bad field when validation is on and the event is invalid.
   */
  record(body: Body<HistoryEvent>): HistoryEvent {
    const { type, ...rest } = body;
    const event = { type, t: this.now, ...rest } as HistoryEvent; // type and t first, as the simulator writes them
    if (this.validate) {
      const r = validateHistoryEvent(event);
      if (!r.ok) throw new Error(`HistoryRecorder: invalid ${body.type} event (index ${this.events.length}): ${r.issues.map(formatIssue).join('; ')}`);
    }
    this.events.push(event);
    return event;
  }

  // --- environment ---------------------------------------------------------------------

  /** A record was appended to `tp` at `offset` (by your producer or test fixture). */
  produced(tp: TopicPartition, offset: number, key = '', value = 0): void {
    this.record({ type: 'Produced', tp, offset, key, value });
  }

  /** A consumer process (one incarnation: give a restarted process a new name, e.g. `c1#2`) started. */
  started(member: string, group: string, topics: readonly string[], opts: StartedOptions = {}): void {
    this.record({ type: 'Started', member, group, topics: [...topics], mode: opts.mode ?? 'subscribe', policy: opts.policy ?? 'custom' });
  }

  /** The process died without closing (kill -9, OOM): ends all its ownerships. */
  crashed(member: string): void {
    this.record({ type: 'Crashed', member });
  }

  /** A stop-the-world pause of `ms` began. */
  paused(member: string, ms: number): void {
    this.record({ type: 'Paused', member, ms });
  }

  /** The pause ended. */
  resumed(member: string): void {
    this.record({ type: 'Resumed', member });
  }

  /** The application asked the consumer to close. */
  leaveRequested(member: string): void {
    this.record({ type: 'LeaveRequested', member });
  }

  /** The application seeks `tp` to `offset`. */
  seekRequested(member: string, tp: TopicPartition, offset: number): void {
    this.record({ type: 'SeekRequested', member, tp, offset });
  }

  /** From here on no more faults are injected. */
  quiesce(): void {
    this.record({ type: 'Quiesce' });
  }

  /**
   * The end of the run. `settled`: every record produced had the chance to be processed (the
   * consumers caught up). Eventually-claims such as atLeastOnce are judged only after
   * `quiesced(true)`; without it they are 'unknown'.
   */
  quiesced(settled = true): void {
    this.record({ type: 'Quiesced', settled });
  }

  // --- client side ---------------------------------------------------------------------

  /** JoinGroup completed: the member is in `generation` (and is the group's leader or not). */
  joined(member: string, group: string, generation: number, leader = false): void {
    this.record({ type: 'Joined', member, group, generation, leader });
  }

  /** The member received its assignment for `generation` (onPartitionsAssigned). */
  assigned(member: string, group: string, generation: number, partitions: readonly TopicPartition[]): void {
    this.record({ type: 'Assigned', member, group, generation, partitions: [...partitions] });
  }

  /** Partitions were taken from the member (onPartitionsRevoked / onPartitionsLost). */
  revoked(member: string, group: string, partitions: readonly TopicPartition[], reason: RevokeReason = 'rebalance'): void {
    this.record({ type: 'Revoked', member, group, partitions: [...partitions], reason });
  }

  /** The member's position on `tp` was set: `offset` is the next record it will read. */
  positioned(member: string, tp: TopicPartition, offset: number, source: PositionSource): void {
    this.record({ type: 'Positioned', member, tp, offset, source });
  }

  /** poll() returned these offsets of `tp` to the application, in order. */
  polled(member: string, tp: TopicPartition, offsets: readonly number[]): void {
    this.record({ type: 'Polled', member, tp, offsets: [...offsets] });
  }

  /** The application began processing the record at `offset`. */
  processStarted(member: string, tp: TopicPartition, offset: number): void {
    this.record({ type: 'ProcessStarted', member, tp, offset });
  }

  /** The application finished processing the record at `offset`: its side effect happened. */
  processed(member: string, tp: TopicPartition, offset: number): void {
    this.record({ type: 'Processed', member, tp, offset });
  }

  /**
   * The member sent an offset commit (offsets: the next offset to read, per partition).
   * @returns the commit's sequence number (per member, from 1 unless `seq` is given), to pass
   *   to `commitResult`.
   */
  commitRequested(member: string, group: string, generation: number, offsets: Readonly<Record<TopicPartition, number>>, seq?: number): number {
    const s = seq ?? (this.seqs.get(member) ?? 0) + 1;
    this.seqs.set(member, Math.max(s, this.seqs.get(member) ?? 0));
    this.record({ type: 'CommitRequested', member, group, generation, offsets: { ...offsets }, seq: s });
    return s;
  }

  /** The answer to commit `seq` of the member; error `NONE` means the coordinator accepted it. */
  commitResult(member: string, group: string, generation: number, offsets: Readonly<Record<TopicPartition, number>>, seq: number, error: CommitError = 'NONE'): void {
    this.record({ type: 'CommitResult', member, group, generation, offsets: { ...offsets }, seq, error });
  }

  /** The member left its group (closed). Ends all its ownerships. */
  left(member: string, group: string): void {
    this.record({ type: 'Left', member, group });
  }

  // --- coordinator side (only if your broker or test double can tell) -------------------

  /** The coordinator entered PreparingRebalance; `generation` is the outgoing one. */
  rebalanceStarted(group: string, generation: number): void {
    this.record({ type: 'RebalanceStarted', group, generation });
  }

  /** The coordinator completed a join phase: `generation` with these members. */
  generationStarted(group: string, generation: number, members: readonly string[], leader: string | null = null, protocol: string | null = null): void {
    this.record({ type: 'GenerationStarted', group, generation, members: [...members], leader, protocol });
  }

  /** The coordinator distributed the assignment of `generation`. */
  groupStable(group: string, generation: number, assignment: Readonly<Record<string, readonly TopicPartition[]>>): void {
    const copy: Record<string, readonly TopicPartition[]> = {};
    for (const [m, tps] of Object.entries(assignment)) copy[m] = [...tps];
    this.record({ type: 'GroupStable', group, generation, assignment: copy });
  }

  /** The coordinator removed a member. */
  memberRemoved(group: string, member: string, reason: RemoveReason): void {
    this.record({ type: 'MemberRemoved', group, member, reason });
  }

  /** The coordinator accepted and stored a member's offsets. */
  offsetsStored(group: string, member: string, generation: number, offsets: Readonly<Record<TopicPartition, number>>): void {
    this.record({ type: 'OffsetsStored', group, member, generation, offsets: { ...offsets } });
  }

  // --- output -----------------------------------------------------------------------------

  /** The history as JSON Lines (one event per line), for `groupcheck check-history`. */
  toJsonl(): string {
    return historyToJsonl(this.events);
  }

  /** Writes the history as JSON Lines, atomically. */
  writeJsonl(path: string): void {
    writeHistoryJsonl(path, this.events);
  }
}
