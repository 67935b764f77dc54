/**
 * Runs a scenario (the model's Command list, src/sim/command.ts) against real consumer clients
 * and librdkafka's mock cluster, and records one history in the format of models/history.ts, so
 * that the same invariants judge it.
 *
 * - Each consumer incarnation is a process (processes.ts): Start spawns it, Crash is SIGKILL,
 *   Pause is SIGSTOP and SIGCONT after the duration (a real zombie), Leave is a `close` line on
 *   its stdin (graceful close). Produce goes through the harness's producer; its Produced events
 *   carry the offsets of the delivery reports.
 * - Virtual time becomes real time with `timeScale` (real ms per virtual ms) for Wait, Pause and
 *   the consumer settings, with floors (realTimings). The model's joins are instantaneous and the
 *   mock's are not (3 s from Empty, session − 1 s otherwise, §7.3); with `awaitAssignment` (the
 *   default) a Start waits for the new member's first assignment before the next command, a
 *   pause of the virtual clock that keeps the command sequence meaningful.
 * - The harness stamps `t` (real ms since the start) when it reads a line, and merges the
 *   processes' lines in arrival order. A killed or stopped process's lines still in the pipe are
 *   read before its Crashed / Paused event is appended; lines of the others wait meanwhile.
 * - After the commands, the quiescence tail of the simulator: paused processes resume, a group
 *   with no live member gets one started, and the run waits until every partition that received
 *   records is owned by a live, idle member whose position is at the end of the partition (twice
 *   in a row), or quiesceMaxMs passes. Quiesced.settled says which.
 * - Everything is bounded: the run has a hard timeout, every child is killed in a finally, and
 *   the mock cluster is stopped (bounded) when the run owns it.
 */
import { performance } from 'node:perf_hooks';
import type { HistoryEvent } from '../../models/history.ts';
import { partitionForKey } from '../../models/log/partitionedLog.ts';
import type { ConsumerConfig, TopicPartition } from '../../models/types.ts';
import { validateHistoryEvent, formatIssue } from '../history/schema.ts';
import type { Command } from '../sim/command.ts';
import { slotTable, type GroupSpec, type SimConfig } from '../sim/config.ts';
import { MockCluster, MOCK_PARTITIONS } from './mockCluster.ts';
import { killAll, spawnConsumer, type ConsumerProcess } from './processes.ts';
import { isControlLine, unsupportedReason, type ChildConfig, type RealClient } from './protocol.ts';

/** Real milliseconds per virtual millisecond by default. */
export const DEFAULT_TIME_SCALE = 0.5;
/** The smallest session timeout used: the mock accepts any, but rebalances take session − 1 s. */
export const SESSION_FLOOR_MS = 1500;
/** The mock's fixed delay before the first generation of a group (group_initial_rebalance_delay_ms). */
export const MOCK_INITIAL_REBALANCE_DELAY_MS = 3000;

/** The consumer settings of one group in real milliseconds. */
export interface RealTimings {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxPollIntervalMs: number;
  readonly autoCommitIntervalMs: number;
  readonly fetchMaxWaitMs: number;
  readonly processingMs: number;
}

/**
 * Scales a consumer config to real time, with floors: session ≥ SESSION_FLOOR_MS; heartbeat
 * and fetch wait ≤ session / 3 (KafkaJS heartbeats only between fetches and records);
 * max.poll.interval ≥ session (librdkafka refuses less).
 */
export const realTimings = (c: ConsumerConfig, scale: number): RealTimings => {
  const r = (ms: number): number => Math.round(ms * scale);
  const session = Math.max(SESSION_FLOOR_MS, r(c.sessionTimeoutMs));
  const third = Math.floor(session / 3);
  return {
    sessionTimeoutMs: session,
    heartbeatIntervalMs: Math.min(third, Math.max(100, r(c.heartbeatIntervalMs))),
    maxPollIntervalMs: Math.max(session, r(c.maxPollIntervalMs)),
    autoCommitIntervalMs: Math.max(50, r(c.autoCommitIntervalMs)),
    fetchMaxWaitMs: Math.min(third, Math.max(20, r(c.fetchMaxWaitMs))),
    processingMs: Math.max(1, r(c.processingMs)),
  };
};

export class RealConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealConfigError';
  }
}

/** Why this client cannot run this configuration, or undefined. */
export const realConfigProblem = (client: RealClient, config: SimConfig): string | undefined => {
  for (const t of config.topics) {
    if (t.partitions > MOCK_PARTITIONS) return `topic ${t.name} has ${t.partitions} partitions; the mock cluster creates topics with ${MOCK_PARTITIONS}`;
  }
  if (config.variant !== undefined) return `variant "${config.variant}" is a bug-zoo model, not a client setting`;
  for (const g of config.groups) {
    const why = unsupportedReason(client, g.consumer.policy, g.mode);
    if (why !== undefined) return `group ${g.name}: ${why}`;
  }
  return undefined;
};

export interface RealRunOptions {
  readonly client: RealClient;
  readonly timeScale?: number;
  /** After a Start, wait for the member's first assignment before the next command (default true). */
  readonly awaitAssignment?: boolean;
  /** Real ms the quiescence tail may take (default 30 s). */
  readonly quiesceMaxMs?: number;
  /** Real ms the whole run may take (default: from the commands, at least 60 s). */
  readonly hardTimeoutMs?: number;
  /** A running mock cluster to use (topics and groups must then be unique to this run). */
  readonly cluster?: MockCluster;
  readonly brokerRttMs?: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export interface RealRunResult {
  readonly client: RealClient;
  readonly history: HistoryEvent[];
  readonly settled: boolean;
  /** Per command: whether it was applied (a command that is not enabled is skipped, as in the model). */
  readonly applied: boolean[];
  /** What is worth knowing beside the history: skipped commands, raw client errors, unexpected exits. */
  readonly notes: string[];
  readonly realMs: number;
  /** The run hit its hard timeout. */
  readonly aborted: boolean;
  readonly timings: Readonly<Record<string, RealTimings>>;
  readonly pids: number[];
}

interface Member {
  readonly name: string;
  readonly slot: number;
  readonly group: GroupSpec;
  readonly proc: ConsumerProcess;
  alive: boolean;
  leaving: boolean;
  left: boolean;
  killedByUs: boolean;
  paused: boolean;
  resumeTimer: NodeJS.Timeout | undefined;
  /** Current assignment; undefined between Started/Revoked and the next Assigned. */
  assignment: Set<TopicPartition> | undefined;
  assignedOnce: boolean;
  processing: number;
  readonly positions: Map<TopicPartition, number>;
}


/** Upper bound of a scenario's command phase in real ms (used for the default hard timeout). */
export const commandsBudgetMs = (config: SimConfig, commands: readonly Command[], scale: number): number => {
  const session = Math.max(...config.groups.map((g) => realTimings(g.consumer, scale).sessionTimeoutMs));
  let ms = 0;
  for (const c of commands) {
    if (c.type === 'Wait') ms += c.ms * scale;
    else if (c.type === 'Start') ms += MOCK_INITIAL_REBALANCE_DELAY_MS + 2 * session + 6000;
    else if (c.type === 'Crash' || c.type === 'Pause') ms += 2000;
    else if (c.type === 'Produce') ms += 200 * c.count;
    else ms += 100;
  }
  return ms;
};

class RealRun {
  readonly history: HistoryEvent[] = [];
  readonly notes: string[] = [];
  private readonly t0 = performance.now();
  private readonly slots: ReturnType<typeof slotTable>;
  private readonly incarnations: number[] = [];
  private readonly current: (Member | undefined)[] = [];
  private readonly members = new Map<string, Member>();
  readonly procs: ConsumerProcess[] = [];
  private readonly ends = new Map<TopicPartition, number>();
  private valueSeq = 0;
  /** While a stopped or killed process's pipe is drained, other processes' events wait here. */
  private draining: string | undefined;
  private held: HistoryEvent[] = [];
  private recording = true;
  closed = false;
  private readonly aborter = new AbortController();
  readonly timings: Record<string, RealTimings> = {};

  constructor(
    readonly config: SimConfig,
    readonly cluster: MockCluster,
    readonly opts: Required<Pick<RealRunOptions, 'client' | 'timeScale' | 'awaitAssignment' | 'quiesceMaxMs'>> & { readonly lifetimeMs: number; readonly log: (s: string) => void },
  ) {
    this.slots = slotTable(config);
    for (const g of config.groups) this.timings[g.name] = realTimings(g.consumer, opts.timeScale);
  }

  now(): number {
    return Math.round(performance.now() - this.t0);
  }

  /** A sleep that ends early when the run is closed (hard timeout, failure). */
  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    const signal = this.aborter.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private push(e: HistoryEvent, from?: string): void {
    if (!this.recording) return;
    if (this.history.length + this.held.length >= this.config.eventsMax) {
      this.recording = false;
      this.notes.push(`history reached eventsMax (${this.config.eventsMax}); recording stopped`);
      return;
    }
    if (this.draining !== undefined && from !== this.draining) this.held.push(e);
    else this.history.push(e);
  }

  private release(): void {
    this.draining = undefined;
    const held = this.held;
    this.held = [];
    for (const e of held) this.history.push(e);
  }

  private onLine(m: Member, line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.notes.push(`${m.name}: unparsable line ${line.slice(0, 200)}`);
      return;
    }
    if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') return;
    const body = value as { type: string } & Record<string, unknown>;
    if (isControlLine(body)) {
      if (body.type === '_pos' && typeof body.tp === 'string' && typeof body.offset === 'number') m.positions.set(body.tp, body.offset);
      else if (body.type === '_note' && typeof body.text === 'string') this.notes.push(`t=${this.now()} ${m.name}: ${body.text}`);
      return;
    }
    // Key order type, t, member, then the body, as the simulator writes events.
    const e = Object.assign({ type: body.type, t: this.now(), member: m.name }, body) as unknown as HistoryEvent;
    const v = validateHistoryEvent(e);
    if (!v.ok) {
      this.notes.push(`${m.name}: dropped an invalid ${body.type} event: ${v.issues.map(formatIssue).join('; ')}`);
      return;
    }
    switch (e.type) {
      case 'Assigned':
        m.assignment = new Set(e.partitions);
        m.assignedOnce = true;
        break;
      case 'Revoked':
        m.assignment = undefined;
        break;
      case 'ProcessStarted':
        m.processing++;
        break;
      case 'Processed':
        m.processing = Math.max(0, m.processing - 1);
        break;
      case 'Left':
        m.left = true;
        break;
      default:
        break;
    }
    this.push(e, m.name);
  }

  private running(slot: number): Member | undefined {
    const m = this.current[slot % this.slots.length];
    return m !== undefined && m.alive ? m : undefined;
  }

  // ------------------------------------------------------------------ commands

  async apply(cmd: Command): Promise<boolean> {
    if (this.closed) return false;
    switch (cmd.type) {
      case 'Start':
        return this.start(cmd.consumer, this.opts.awaitAssignment);
      case 'Leave': {
        const m = this.running(cmd.consumer);
        if (m === undefined || m.leaving) return false;
        m.leaving = true;
        this.push({ type: 'LeaveRequested', t: this.now(), member: m.name });
        m.proc.send('close');
        return true;
      }
      case 'Crash': {
        const m = this.running(cmd.consumer);
        if (m === undefined) return false;
        await this.crash(m);
        return true;
      }
      case 'Pause': {
        const m = this.running(cmd.consumer);
        if (m === undefined || m.paused) return false;
        const ms = Math.max(1, Math.round(cmd.ms * this.opts.timeScale));
        this.draining = m.name;
        const t = this.now();
        m.proc.signal('SIGSTOP');
        m.paused = true;
        await this.sleep(20); // what it wrote before the stop is read first
        this.push({ type: 'Paused', t, member: m.name, ms }, m.name);
        this.release();
        m.resumeTimer = setTimeout(() => this.resume(m), ms);
        return true;
      }
      case 'Produce':
        return this.produce(cmd.topic, cmd.key, cmd.count);
      case 'Wait':
        await this.sleep(cmd.ms * this.opts.timeScale);
        return true;
      case 'Seek':
        this.notes.push(`Seek c${cmd.consumer} p${cmd.partition} → ${cmd.offset}: skipped (Seek is not implemented by the real-system adapter)`);
        return false;
      case 'MoveCoordinator':
      case 'Drop':
        // The mock cluster could re-point the coordinator (rd_kafka_mock_coordinator_set) or drop
        // connections (ERR__TRANSPORT), kafka-protocol.md §7.4; the adapter does not drive them yet.
        this.notes.push(`${cmd.type}: skipped (not implemented by the real-system adapter)`);
        return false;
      case 'Stall':
      case 'AddPartitions':
        this.notes.push(`${cmd.type}: skipped (not implemented by the real-system adapter)`);
        return false;
    }
  }

  private resume(m: Member): void {
    if (m.resumeTimer !== undefined) clearTimeout(m.resumeTimer);
    m.resumeTimer = undefined;
    if (!m.paused) return;
    m.paused = false;
    if (!m.alive || this.closed) return;
    m.proc.signal('SIGCONT');
    this.push({ type: 'Resumed', t: this.now(), member: m.name });
  }

  private async crash(m: Member): Promise<void> {
    m.alive = false;
    m.killedByUs = true;
    if (m.resumeTimer !== undefined) clearTimeout(m.resumeTimer);
    m.resumeTimer = undefined;
    this.draining = m.name;
    const t = this.now();
    m.proc.signal('SIGKILL');
    await Promise.race([m.proc.done, this.sleep(3000)]);
    this.push({ type: 'Crashed', t, member: m.name }, m.name);
    this.release();
  }

  private async start(slotArg: number, awaitAssignment: boolean): Promise<boolean> {
    const slot = slotArg % this.slots.length;
    if (this.closed || this.running(slot) !== undefined) return false;
    const row = this.slots[slot];
    if (row === undefined) return false;
    const incarnation = (this.incarnations[slot] ?? 0) + 1;
    this.incarnations[slot] = incarnation;
    const name = `c${slot}#${incarnation}`;
    const g = row.group;
    const tm = this.timings[g.name]!;
    const cfg: ChildConfig = {
      client: this.opts.client,
      member: name,
      group: g.name,
      topics: g.topics,
      bootstrap: this.cluster.bootstrap,
      policy: g.consumer.policy,
      autoOffsetReset: g.consumer.autoOffsetReset,
      assignors: g.consumer.assignors,
      ...tm,
      maxPollRecords: g.consumer.maxPollRecords,
      lifetimeMs: this.opts.lifetimeMs,
    };
    this.push({ type: 'Started', t: this.now(), member: name, group: g.name, topics: g.topics, mode: g.mode, policy: g.consumer.policy });
    let m: Member | undefined;
    const proc = spawnConsumer(cfg, (line) => {
      if (m !== undefined) this.onLine(m, line);
    });
    m = { name, slot, group: g, proc, alive: true, leaving: false, left: false, killedByUs: false, paused: false, resumeTimer: undefined, assignment: undefined, assignedOnce: false, processing: 0, positions: new Map() };
    const member = m;
    this.procs.push(proc);
    this.members.set(name, member);
    this.current[slot] = member;
    void proc.done.then(({ code, signal }) => this.exited(member, code, signal));
    this.opts.log(`t=${this.now()} start ${name} (pid ${proc.pid})`);
    if (awaitAssignment) {
      const bound = performance.now() + MOCK_INITIAL_REBALANCE_DELAY_MS + 2 * tm.sessionTimeoutMs + 6000;
      // Assigned, and fetching every partition it got (its first position is known): the
      // state the model's member is in right after its instantaneous join.
      const fetching = (): boolean => member.assignedOnce && [...(member.assignment ?? [])].every((tp) => member.positions.has(tp));
      while (!this.closed && member.alive && !fetching() && performance.now() < bound) await this.sleep(20);
      if (!fetching() && member.alive && !this.closed) this.notes.push(`t=${this.now()} ${name}: not assigned and fetching within the join bound; the scenario went on`);
    }
    return true;
  }

  private exited(m: Member, code: number | null, signal: NodeJS.Signals | null): void {
    if (m.killedByUs || this.closed) return;
    m.alive = false;
    if (m.resumeTimer !== undefined) clearTimeout(m.resumeTimer);
    if (m.left && code === 0) return;
    // The process died on its own (an error, a watchdog, a close that never finished): for the
    // history it crashed.
    this.notes.push(`t=${this.now()} ${m.name} exited on its own (code ${code}, signal ${signal}); recorded as Crashed. stderr: ${m.proc.stderrTail.slice(-5).join(' | ')}`);
    this.push({ type: 'Crashed', t: this.now(), member: m.name });
  }

  private async produce(topicSlot: number, keySlot: number, count: number): Promise<boolean> {
    const topic = this.config.topics[topicSlot % this.config.topics.length];
    if (topic === undefined) return false;
    const key = `acct-${keySlot % this.config.keys}`;
    const partition = partitionForKey(key, topic.partitions);
    const values = Array.from({ length: count }, () => ++this.valueSeq);
    const offsets = await Promise.all(values.map((v) => this.cluster.produce(topic.name, partition, key, String(v))));
    const tp = `${topic.name}-${partition}`;
    const t = this.now();
    values.forEach((value, i) => {
      const offset = offsets[i]!;
      this.push({ type: 'Produced', t, tp, offset, key, value });
      this.ends.set(tp, Math.max(this.ends.get(tp) ?? 0, offset + 1));
    });
    return true;
  }

  // ------------------------------------------------------------------ quiescence

  async quiesce(): Promise<boolean> {
    this.push({ type: 'Quiesce', t: this.now() });
    for (const m of this.members.values()) if (m.alive && m.paused) this.resume(m);
    const stepMs = Math.max(500, ...Object.values(this.timings).map((t) => t.autoCommitIntervalMs + t.fetchMaxWaitMs + 100));
    const deadline = performance.now() + this.opts.quiesceMaxMs;
    let settledOnce = false;
    while (!this.closed && performance.now() < deadline) {
      this.restartEmptyGroups();
      await this.sleep(stepMs);
      const settled = this.isSettled();
      if (settled && settledOnce) {
        this.push({ type: 'Quiesced', t: this.now(), settled: true });
        return true;
      }
      settledOnce = settled;
    }
    this.push({ type: 'Quiesced', t: this.now(), settled: false });
    return false;
  }

  private restartEmptyGroups(): void {
    for (const g of this.config.groups) {
      const live = [...this.members.values()].some((m) => m.alive && !m.leaving && m.group.name === g.name);
      if (live) continue;
      const row = this.slots.find((r) => r.group.name === g.name && this.running(r.slot) === undefined);
      if (row !== undefined) void this.start(row.slot, false);
    }
  }

  /** Every group has live, idle members, and each partition with records is owned by one at its end. */
  isSettled(): boolean {
    for (const g of this.config.groups) {
      const members = [...this.members.values()].filter((m) => m.alive && m.group.name === g.name);
      if (members.length === 0) return false;
      for (const m of members) if (m.leaving || m.paused || m.processing > 0 || m.assignment === undefined) return false;
      for (const t of g.topics) {
        const spec = this.config.topics.find((x) => x.name === t);
        for (let p = 0; p < (spec?.partitions ?? 0); p++) {
          const tp = `${t}-${p}`;
          const end = this.ends.get(tp) ?? 0;
          if (end === 0) continue;
          const owner = members.find((m) => m.assignment?.has(tp) === true);
          if (owner === undefined || (owner.positions.get(tp) ?? -1) < end) return false;
        }
      }
    }
    return true;
  }

  /** Stops recording; the caller kills the processes. */
  close(): void {
    this.closed = true;
    this.aborter.abort();
    this.recording = false;
    for (const m of this.members.values()) if (m.resumeTimer !== undefined) clearTimeout(m.resumeTimer);
  }

  /** Ends a run that hit its hard timeout: the history so far, not settled. */
  abandon(): void {
    if (this.history.some((e) => e.type === 'Quiesced')) return;
    this.release();
    this.push({ type: 'Quiesced', t: this.now(), settled: false });
  }
}

/**
 * Runs `commands` on real clients of `opts.client` against the mock cluster, then the
 * quiescence tail, and returns the merged history.
 * @throws RealConfigError when the client cannot run this configuration (see realConfigProblem).
 */
export const runRealScenario = async (config: SimConfig, commands: readonly Command[], opts: RealRunOptions): Promise<RealRunResult> => {
  const problem = realConfigProblem(opts.client, config);
  if (problem !== undefined) throw new RealConfigError(problem);
  const timeScale = opts.timeScale ?? DEFAULT_TIME_SCALE;
  if (!(timeScale > 0)) throw new RealConfigError(`timeScale must be positive, got ${timeScale}`);
  const quiesceMaxMs = opts.quiesceMaxMs ?? 30_000;
  const hardTimeoutMs = opts.hardTimeoutMs ?? Math.max(60_000, commandsBudgetMs(config, commands, timeScale) + quiesceMaxMs + 15_000);
  const started = performance.now();
  const ownCluster = opts.cluster === undefined;
  const cluster = opts.cluster ?? (await MockCluster.start({ brokers: 1, ...(opts.brokerRttMs !== undefined ? { rttMs: opts.brokerRttMs } : {}) }));
  let run: RealRun | undefined;
  let hardTimer: NodeJS.Timeout | undefined;
  let aborted = false;
  const applied: boolean[] = [];
  try {
    for (const t of config.topics) await cluster.ensureTopic(t.name);
    const r = new RealRun(config, cluster, {
      client: opts.client,
      timeScale,
      awaitAssignment: opts.awaitAssignment ?? true,
      quiesceMaxMs,
      lifetimeMs: hardTimeoutMs + 10_000,
      log: opts.log ?? (() => {}),
    });
    run = r;
    const body = (async () => {
      for (const c of commands) {
        if (r.closed) break;
        applied.push(await r.apply(c));
      }
      if (!r.closed) await r.quiesce();
    })();
    const timeout = new Promise<'timeout'>((resolve) => {
      hardTimer = setTimeout(() => resolve('timeout'), hardTimeoutMs);
    });
    const outcome = await Promise.race([body.then(() => 'done' as const), timeout]);
    if (outcome === 'timeout') {
      aborted = true;
      r.notes.push(`hard timeout after ${hardTimeoutMs} ms: the run was abandoned`);
      r.abandon();
    }
    while (applied.length < commands.length) applied.push(false);
  } finally {
    if (hardTimer !== undefined) clearTimeout(hardTimer);
    run?.close();
    await killAll(5000, run?.procs ?? []);
    if (ownCluster) await cluster.stop();
  }
  if (run === undefined) throw new Error('unreachable: the run was not created');
  const history = run.history;
  const last = history[history.length - 1];
  return {
    client: opts.client,
    history,
    settled: last?.type === 'Quiesced' && last.settled,
    applied,
    notes: run.notes,
    realMs: Math.round(performance.now() - started),
    aborted,
    timings: run.timings,
    pids: run.procs.map((p) => p.pid),
  };
};
