/**
 * The deterministic simulator: a run is a pure function of (config, commands, choices).
 *
 * It owns everything the machines must not: the virtual clock, the timers, the network and the
 * reference log (house-style §3.6). The cluster is one broker (partition leader of every
 * partition, answering FindCoordinator, Fetch and OffsetFetch) and one group coordinator per
 * group (coordinator.machine.ts). Each consumer process is a member machine plus its leader role.
 *
 * Network: one FIFO channel per (sender, receiver), as Kafka keeps request order on a
 * connection. Which channel delivers next, or whether the clock moves to the next timer
 * instead, is a *choice*: the next number of `choices` modulo the options open at that point.
 * When the choices run out, the oldest message goes first and the clock moves only once the
 * network is empty. A message may be held while time passes, but at most networkDelayMaxMs.
 *
 * Step function: each machine runs in its compiled form (compiled.ts: the same XState
 * definition, interpreted without XState's runtime), or as a long-lived XState actor driven with
 * `actor.send` (about 4× faster than pure `transition()`, anchors.md §2.3). Either way the
 * emitted effects are interpreted here in emission order.
 *
 * After the commands, a quiescence tail (TigerBeetle's liveness phase) resumes paused processes,
 * restarts a consumer in any group left with none, and lets time pass without faults or
 * reordering until the groups settle or quiesceMaxMs runs out.
 */
import { createActor, type AnyStateMachine } from 'xstate';
import type { CoordinatorEvent } from '../../models/coordinator/coordinator.machine.ts';
import type { ConsumerGroupEvent } from '../../models/coordinator848/consumerGroup.machine.ts';
import { consumerGroupSnapshotOf, type ConsumerGroupContext, type ConsumerGroupSnapshot } from '../../models/coordinator848/consumerGroup.logic.ts';
import type { Effect } from '../../models/effects.ts';
import type { HistoryEvent } from '../../models/history.ts';
import type { Machines } from '../../models/machines.ts';
import { machinesFor } from '../../models/zoo.ts';
import { PartitionedLog } from '../../models/log/partitionedLog.ts';
import { BROKER, COORDINATOR, DROPPABLE, isCoordinatorNode, type Message, type Request, type Response } from '../../models/protocol.ts';
import { routingErrorResponse, snapshotOf, type CoordinatorContext, type GroupSnapshot, type RoutingError } from '../../models/coordinator/coordinator.logic.ts';
import { tpKey, type TopicPartition } from '../../models/types.ts';
import type { Command } from './command.ts';
import { fixedShape, memberConsumerConfig, slotTable, stableBoundMs, type GroupSpec, type SimConfig } from './config.ts';
import { TimerQueue } from './timers.ts';
import { PctScheduler } from './pct.ts';
import { CompiledActor, compiled, type Coverage } from './compiled.ts';
import type { DigestSink } from './digest.ts';

/** States and transitions reached in a run, per machine id (compiled step function only). */
export type CoverageByMachine = Map<string, Coverage>;
import type { ConsumerContext } from '../../models/consumer/consumer.logic.ts';
import type { ConsumerEvent } from '../../models/consumer/consumer.machine.ts';
import type { LeaderEvent } from '../../models/leader/leader.machine.ts';

export interface RunStats {
  /** Simulated events: commands applied, messages delivered, timers fired. */
  readonly events: number;
  readonly messages: number;
  readonly choicesUsed: number;
  readonly commandsApplied: number;
  readonly commandsSkipped: number;
  readonly endTimeMs: number;
}

export interface RunResult {
  readonly history: HistoryEvent[];
  readonly stats: RunStats;
  readonly settled: boolean;
  /** For each command, whether it was enabled and applied (false for those never reached). */
  readonly applied: readonly boolean[];
  /** The run hit eventsMax and was cut short (a livelock). */
  readonly exhausted: boolean;
}

interface InFlight {
  readonly seq: number;
  readonly sentAt: number;
  readonly message: Message;
}

interface Channel {
  readonly from: string;
  readonly to: string;
  /** The receiving process (names are never reused), or undefined for the broker and coordinator. */
  readonly dest: Process | undefined;
  readonly queue: InFlight[];
}

/** How the simulator steps a machine: XState's own actor, or its compiled form (compiled.ts). */
export type Stepper = 'compiled' | 'xstate';

/** A running machine as the simulator sees it: send an event, get the effects it emitted. */
interface Runner<C, E> {
  send(event: E): Effect[];
  matches(state: string): boolean;
  readonly context: C;
  /** The current state's name (flat machines). */
  readonly value: string;
  stop(): void;
  /** An independent copy in the same state (compiled machines only: their contexts are immutable and shared). */
  clone(): Runner<C, E>;
}

const xstateRunner = <C, E>(machine: AnyStateMachine, input: unknown): Runner<C, E> => {
  let sink: Effect[] = [];
  const actor = createActor(machine, { input });
  actor.on('*', (e) => sink.push(e as Effect));
  actor.start();
  return {
    send(event: E): Effect[] {
      const out: Effect[] = [];
      sink = out;
      actor.send(event as never);
      sink = [];
      return out;
    },
    matches: (state) => actor.getSnapshot().matches(state),
    get context() {
      return actor.getSnapshot().context as C;
    },
    get value() {
      return JSON.stringify(actor.getSnapshot().value);
    },
    stop: () => actor.stop(),
    clone: () => {
      throw new Error('only the compiled stepper can clone a running machine (GROUPCHECK_STEPPER=xstate cannot explore)');
    },
  };
};

const runner = <C, E>(machine: AnyStateMachine, input: unknown, stepper: Stepper, coverage: CoverageByMachine | null): Runner<C, E> => {
  const c = stepper === 'compiled' ? compiled(machine) : null;
  if (c === null) return xstateRunner<C, E>(machine, input);
  let cov: Coverage | null = null;
  if (coverage !== null) {
    cov = coverage.get(c.id) ?? { states: new Set(), transitions: new Set() };
    coverage.set(c.id, cov);
  }
  // The compiled actor is a Runner itself (no wrapper on the hot path; its clone() too).
  return new CompiledActor<C>(c, input, cov) as unknown as Runner<C, E>;
};

interface Process {
  readonly name: string;
  readonly slot: number;
  readonly group: GroupSpec;
  readonly actor: Runner<ConsumerContext, ConsumerEvent>;
  readonly leader: Runner<unknown, LeaderEvent>;
  alive: boolean;
  pausedUntil: number;
  leaving: boolean;
  /** When the stalls given to its application thread end at the latest (Stall commands; liveness bound). */
  stalledUntil: number;
  /** The coordinator node its group requests go to: what FindCoordinator last answered. */
  coordinator: string;
}

interface ParkedFetch {
  readonly req: Extract<Request, { type: 'Fetch' }>;
  readonly timer: string;
}

/** What clone() hands the constructor (the readonly containers, already copied). */
interface CloneParts {
  readonly from: Simulation;
  readonly log: PartitionedLog;
  readonly timers: TimerQueue;
  readonly channels: Channel[];
  readonly channelIndex: Map<string, Map<string, Channel>>;
  readonly processes: Map<string, Process>;
  readonly slotIncarnations: number[];
  readonly slotCurrent: (Process | undefined)[];
  readonly coordinators: Map<string, Runner<CoordinatorContext, CoordinatorEvent>>;
  readonly coordinatorNode: Map<string, string>;
  readonly retired: Map<string, Runner<CoordinatorContext, CoordinatorEvent>>;
  readonly persisted: Map<string, GroupSnapshot | ConsumerGroupSnapshot>;
  readonly pendingDrops: Map<string, number>;
  readonly parked: Map<string, ParkedFetch>;
}

const SIM = 'sim';
/** Timer owners `coordinator/<group>` start so (built once: fire() tests every timer's owner). */
const COORDINATOR_OWNER = `${COORDINATOR}/`;
/** Kafka has no such bound; the config's topics allow at most 64 partitions, and so do added ones. */
const PARTITIONS_MAX = 64;

/**
 * The compiled step function by default; GROUPCHECK_STEPPER=xstate runs XState's own actors
 * (same results, as src/sim/compiled.test.ts checks; slower).
 */
export const DEFAULT_STEPPER: Stepper = process.env.GROUPCHECK_STEPPER === 'xstate' ? 'xstate' : 'compiled';

export type { Machines };

/**
 * A run used up eventsMax simulated events (a livelock: say, members rejoining forever).
 * simulate() ends such a run as not settled, so eventually-claims report 'unknown' and the
 * search goes on; `RunResult.exhausted` says why.
 */
export class EventsExhausted extends Error {
  constructor(readonly eventsMax: number) {
    super(`A run exceeded eventsMax (${eventsMax}) simulated events: a livelock in the model, or raise eventsMax in the config.`);
    this.name = 'EventsExhausted';
  }
}

/**
 * One process's part of Simulation.digest. A module function, not a closure made per digest:
 * tsx's keepNames wraps every named closure in a __name() call when it is created (1.5 % of an
 * exhaustive search's time went there).
 */
const digestProcess = (d: DigestSink, p: Process, now: number): void => {
  d.str(p.name);
  d.int(p.pausedUntil > now ? p.pausedUntil - now : 0);
  d.int(p.leaving ? 1 : 0);
  d.int(p.stalledUntil > now ? p.stalledUntil - now : 0);
  d.str(p.coordinator);
  d.str(p.actor.value);
  d.value(p.actor.context);
  d.str(p.leader.value);
  d.value(p.leader.context);
};

export class Simulation {
  readonly history: HistoryEvent[] = [];
  /** The run's config, fixedShape()d (every field present: one hidden class for all configs). */
  readonly config: SimConfig;
  readonly log: PartitionedLog;
  private now = 0;
  private readonly timers = new TimerQueue();
  /** Every channel, in creation order; `channelIndex` finds one by sender, then receiver. */
  private readonly channels: Channel[] = [];
  private readonly channelIndex = new Map<string, Map<string, Channel>>();
  private msgSeq = 0;
  private readonly processes = new Map<string, Process>();
  private readonly slotIncarnations: number[] = [];
  private readonly slotCurrent: (Process | undefined)[] = [];
  /**
   * Each group's current coordinator; absent while a new one loads the group. A KIP-848 group's
   * consumer-group coordinator (group.protocol=consumer) is kept here too, under the classic type.
   */
  private readonly coordinators = new Map<string, Runner<CoordinatorContext, CoordinatorEvent>>();
  /** Each group's current coordinator node (COORDINATOR until the first MoveCoordinator). */
  private readonly coordinatorNode = new Map<string, string>();
  /** Coordinators that unloaded a group (Dead), by `node|group`: they still answer requests sent to them. */
  private readonly retired = new Map<string, Runner<CoordinatorContext, CoordinatorEvent>>();
  /**
   * The group metadata last persisted to __consumer_offsets, per group: a classic group's at Stable
   * or Empty; a KIP-848 group's is written with every change, so it is taken when the group unloads.
   */
  private readonly persisted = new Map<string, GroupSnapshot | ConsumerGroupSnapshot>();
  private nodeSeq = 0;
  /** Drop commands not yet matched: message type → how many of the next such messages are lost. */
  private readonly pendingDrops = new Map<string, number>();
  private pendingDropCount = 0;
  private readonly parked = new Map<string, ParkedFetch>();
  private readonly slots: ReturnType<typeof slotTable>;
  private choiceIndex = 0;
  /** Set when config.scheduler is PCT; otherwise choices are read one by one. */
  private readonly pct: PctScheduler | null;
  private events = 0;
  private messages = 0;
  private valueSeq = 0;
  /** Some topic grew (AddPartitions): fetch answers then carry partition counts (metadata). */
  private partitionsAdded = false;
  /** coordinatorOwner()'s strings (a cache: not part of the world's state). */
  private readonly coordinatorOwners = new Map<string, string>();

  constructor(
    config: SimConfig,
    private readonly choices: readonly number[],
    private readonly machines: Machines = machinesFor(config.variant),
    private readonly stepper: Stepper = DEFAULT_STEPPER,
    /** When given, the run adds the states and transitions it reaches. */
    private readonly coverage: CoverageByMachine | null = null,
    /** Internal (clone()): the copied state. Going through the constructor keeps clones' hidden class fast. */
    copy?: CloneParts,
  ) {
    // A clone shares its original's (already shaped) config.
    this.config = copy !== undefined ? copy.from.config : fixedShape(config);
    if (copy !== undefined) {
      this.log = copy.log;
      this.timers = copy.timers;
      this.channels = copy.channels;
      this.channelIndex = copy.channelIndex;
      this.processes = copy.processes;
      this.slotIncarnations = copy.slotIncarnations;
      this.slotCurrent = copy.slotCurrent;
      this.coordinators = copy.coordinators;
      this.coordinatorNode = copy.coordinatorNode;
      this.retired = copy.retired;
      this.persisted = copy.persisted;
      this.pendingDrops = copy.pendingDrops;
      this.parked = copy.parked;
      this.slots = copy.from.slots;
      this.pct = null;
      copy.from.copyScalarsTo(this);
      return;
    }
    const c = this.config;
    this.log = new PartitionedLog(c.topics, c.recordBytes);
    this.pct = c.scheduler?.kind === 'pct' ? new PctScheduler(choices, c.scheduler.depth, c.scheduler.horizon) : null;
    this.slots = slotTable(c);
    for (const g of c.groups) {
      this.coordinators.set(g.name, this.coordinatorRunner(g));
      this.coordinatorNode.set(g.name, COORDINATOR);
    }
  }

  private newCoordinator(group: string): Runner<CoordinatorContext, CoordinatorEvent> {
    return runner(this.machines.coordinator, { group, initialRebalanceDelayMs: this.config.initialRebalanceDelayMs }, this.stepper, this.coverage);
  }

  /** The group's coordinator: classic, or KIP-848's consumer group (group.protocol=consumer). */
  private coordinatorRunner(g: GroupSpec): Runner<CoordinatorContext, CoordinatorEvent> {
    if (g.protocol !== 'consumer') return this.newCoordinator(g.name);
    const partitionsPerTopic: Record<string, number> = {};
    for (const t of this.config.topics) partitionsPerTopic[t.name] = t.partitions;
    // Session and heartbeat interval are broker settings in KIP-848; the group's consumer settings stand in.
    const input = {
      group: g.name,
      sessionTimeoutMs: g.consumer.sessionTimeoutMs,
      heartbeatIntervalMs: g.consumer.heartbeatIntervalMs,
      assignor: g.consumer.assignors[0] ?? 'range',
      partitionsPerTopic,
    };
    return runner(this.machines.coordinator848, input, this.stepper, this.coverage) as unknown as Runner<CoordinatorContext, CoordinatorEvent>;
  }

  get clockMs(): number {
    return this.now;
  }

  // ------------------------------------------------------------------ commands

  apply(cmd: Command): boolean {
    this.count();
    switch (cmd.type) {
      case 'Start':
        return this.start(cmd.consumer);
      case 'Leave': {
        const p = this.running(cmd.consumer);
        if (p === undefined || p.leaving) return false;
        p.leaving = true;
        this.record({ type: 'LeaveRequested', t: this.now, member: p.name });
        this.drive(p.name, { type: 'LeaveRequest' });
        return true;
      }
      case 'Crash': {
        const p = this.running(cmd.consumer);
        if (p === undefined) return false;
        this.record({ type: 'Crashed', t: this.now, member: p.name });
        this.kill(p);
        return true;
      }
      case 'Pause': {
        const p = this.running(cmd.consumer);
        if (p === undefined || p.pausedUntil > this.now) return false;
        p.pausedUntil = this.now + cmd.ms;
        this.record({ type: 'Paused', t: this.now, member: p.name, ms: cmd.ms });
        this.timers.set(SIM, `resume:${p.name}`, p.pausedUntil);
        return true;
      }
      case 'Produce': {
        const topic = this.config.topics[cmd.topic % this.config.topics.length];
        if (topic === undefined) return false;
        const key = `acct-${cmd.key % this.config.keys}`;
        for (let i = 0; i < cmd.count; i++) {
          const r = this.log.append(topic.name, key, ++this.valueSeq);
          this.record({ type: 'Produced', t: this.now, tp: r.tp, offset: r.offset, key: r.key, value: r.value });
        }
        this.wakeParkedFetches();
        return true;
      }
      case 'Wait':
        this.runFor(cmd.ms);
        return true;
      case 'Seek': {
        const p = this.running(cmd.consumer);
        if (p === undefined || p.pausedUntil > this.now) return false;
        const topics = p.group.topics;
        const topic = topics[cmd.partition % topics.length] ?? '';
        const n = this.log.partitionCount(topic);
        const tp = tpKey(topic, Math.floor(cmd.partition / topics.length) % n);
        const offset = Math.min(cmd.offset, this.log.logEndOffset(tp));
        this.record({ type: 'SeekRequested', t: this.now, member: p.name, tp, offset });
        this.drive(p.name, { type: 'SeekRequest', tp, offset });
        return true;
      }
      case 'MoveCoordinator':
        return this.moveCoordinator(cmd.group);
      case 'Drop': {
        const type = DROPPABLE[cmd.message % DROPPABLE.length] as string;
        this.pendingDrops.set(type, (this.pendingDrops.get(type) ?? 0) + 1);
        this.pendingDropCount++;
        return true;
      }
      case 'Stall': {
        const p = this.running(cmd.consumer);
        if (p === undefined || p.pausedUntil > this.now) return false;
        this.record({ type: 'Stalled', t: this.now, member: p.name, ms: cmd.ms });
        // The stall lands on the current or next record: it ends at most one record after now + ms.
        p.stalledUntil = Math.max(p.stalledUntil, this.now) + cmd.ms + p.group.consumer.processingMs;
        this.drive(p.name, { type: 'StallRequest', ms: cmd.ms });
        return true;
      }
      case 'AddPartitions': {
        const topic = this.config.topics[cmd.topic % this.config.topics.length];
        if (topic === undefined) return false;
        const partitions = this.log.partitionCount(topic.name) + cmd.count;
        if (partitions > PARTITIONS_MAX) return false;
        this.log.addPartitions(topic.name, partitions);
        this.partitionsAdded = true;
        this.record({ type: 'PartitionsAdded', t: this.now, topic: topic.name, partitions });
        return true;
      }
    }
  }

  /**
   * Coordinator failover (kafka-protocol.md §1.2): the current coordinator unloads the group
   * (Dead: parked requests answered NOT_COORDINATOR, and so is every later request sent to it);
   * the group's new node answers COORDINATOR_LOAD_IN_PROGRESS until, coordinatorLoadMs later, a
   * fresh coordinator loads the last persisted group metadata. Committed offsets live in the
   * log's store, shared by both, as __consumer_offsets is. Skipped while a load is running.
   */
  private moveCoordinator(slot: number): boolean {
    const g = this.config.groups[slot % this.config.groups.length];
    if (g === undefined) return false;
    const old = this.coordinators.get(g.name);
    if (old === undefined) return false;
    // A KIP-848 group's records are written with each answer (consumerGroup.logic.ts, failover).
    if (g.protocol === 'consumer') this.persisted.set(g.name, consumerGroupSnapshotOf(old.context as unknown as ConsumerGroupContext));
    const oldNode = this.coordinatorNode.get(g.name) ?? COORDINATOR;
    const node = ++this.nodeSeq;
    this.record({ type: 'CoordinatorMoved', t: this.now, group: g.name, coordinator: node });
    this.driveCoordinator(g.name, { type: 'Unload' }, oldNode);
    this.coordinators.delete(g.name);
    this.retired.set(`${oldNode}|${g.name}`, old);
    this.coordinatorNode.set(g.name, `${COORDINATOR}@${node}`);
    this.timers.set(SIM, `load:${node}:${g.name}`, this.now + (this.config.coordinatorLoadMs ?? 500));
    return true;
  }

  private loadGroup(timer: string): void {
    const [, nodeText, group] = timer.split(':') as [string, string, string];
    const node = Number(nodeText);
    if (this.coordinatorNode.get(group) !== `${COORDINATOR}@${node}`) return;
    const g = this.config.groups.find((x) => x.name === group);
    if (g?.protocol === 'consumer') {
      this.coordinators.set(group, this.coordinatorRunner(g));
      this.driveCoordinator(group, { type: 'Load', coordinator: node, snapshot: (this.persisted.get(group) as ConsumerGroupSnapshot | undefined) ?? null });
      return;
    }
    this.coordinators.set(group, this.newCoordinator(group));
    this.driveCoordinator(group, { type: 'Load', coordinator: node, snapshot: (this.persisted.get(group) as GroupSnapshot | undefined) ?? null });
  }

  private running(slot: number): Process | undefined {
    const p = this.slotCurrent[slot % this.slots.length];
    return p !== undefined && p.alive ? p : undefined;
  }

  private start(slotArg: number): boolean {
    const slot = slotArg % this.slots.length;
    const row = this.slots[slot];
    if (row === undefined) return false;
    const current = this.running(slot);
    // A supervisor may restart a static member whose process only looks dead (paused): the new
    // incarnation takes the instance id and the old one lives on as a zombie until fenced (§1.9).
    const isStatic = row.group.staticMembership === true && row.group.mode === 'subscribe';
    if (current !== undefined && !(isStatic && current.pausedUntil > this.now)) return false;
    const incarnation = (this.slotIncarnations[slot] ?? 0) + 1;
    this.slotIncarnations[slot] = incarnation;
    const name = `c${slot}#${incarnation}`;
    const g = row.group;
    const partitions = g.mode === 'assign' ? g.topics.flatMap((t) => this.log.partitionsOf(t)) : [];
    const config = memberConsumerConfig(g, slot - this.slots.findIndex((s) => s.group === g));
    const consumer = g.protocol === 'consumer' ? this.machines.consumer848 : this.machines.consumer;
    const actor = runner<ConsumerContext, ConsumerEvent>(
      consumer,
      { name, group: g.name, topics: g.topics, mode: g.mode, partitions, config, ...(isStatic ? { groupInstanceId: `c${slot}` } : {}) },
      this.stepper,
      this.coverage,
    );
    const leader = runner<unknown, LeaderEvent>(this.machines.leader, { assignors: config.assignors }, this.stepper, this.coverage);
    const p: Process = { name, slot, group: g, actor, leader, alive: true, pausedUntil: 0, leaving: false, stalledUntil: 0, coordinator: this.coordinatorNode.get(g.name) ?? COORDINATOR };
    this.processes.set(name, p);
    this.slotCurrent[slot] = p;
    this.record({ type: 'Started', t: this.now, member: name, group: g.name, topics: g.topics, mode: g.mode, policy: g.consumer.policy });
    this.drive(name, { type: 'Start' });
    return true;
  }

  /**
   * The process is gone: its timers stop, messages to it are lost, and so are its own messages
   * still in flight (they had not left the machine: a crash between processing and the commit
   * request reaching the coordinator loses the commit). A graceful exit (`close()`) flushes
   * what it sent, its LeaveGroup included.
   */
  private kill(p: Process, graceful = false): void {
    p.alive = false;
    p.actor.stop();
    p.leader.stop();
    this.timers.cancelOwner(p.name);
    this.timers.cancel(SIM, `resume:${p.name}`);
    for (const ch of this.channels.values()) if (ch.to === p.name || (!graceful && ch.from === p.name)) ch.queue.length = 0;
  }

  // ------------------------------------------------------------------ driving machines

  /** Sends one event to a member's machine and interprets what it emitted. */
  private drive(name: string, event: ConsumerEvent): void {
    const p = this.processes.get(name);
    if (p === undefined || !p.alive) return;
    for (const e of p.actor.send(event)) this.interpretMember(p, e);
  }

  private driveCoordinator(group: string, event: CoordinatorEvent | ConsumerGroupEvent, node: string = this.coordinatorNode.get(group) ?? COORDINATOR): void {
    const actor = this.coordinators.get(group);
    if (actor === undefined) return;
    // A KIP-848 group's runner is kept under the classic type (see `coordinators`); each takes its own events.
    for (const e of actor.send(event as CoordinatorEvent)) this.interpretCoordinator(group, e, node, actor);
  }

  private count(): void {
    this.events++;
    if (this.events > this.config.eventsMax) throw new EventsExhausted(this.config.eventsMax);
  }

  /** Ends a run that hit eventsMax: the history so far, marked as not settled. */
  abandon(): void {
    this.record({ type: 'Quiesced', t: this.now, settled: false });
  }

  private interpretMember(p: Process, e: Effect): void {
    switch (e.type) {
      case 'Send':
        this.send(p.name, e.to === COORDINATOR ? p.coordinator : e.to, e.message);
        return;
      case 'Disconnect': {
        // Closing the coordinator connection also discards what is still in flight to or from a
        // coordinator node the member used before its last rediscovery.
        const on = e.to === COORDINATOR ? isCoordinatorNode : (node: string) => node === e.to;
        for (const ch of this.channels.values()) if ((ch.from === p.name && on(ch.to)) || (ch.to === p.name && on(ch.from))) ch.queue.length = 0;
        return;
      }
      case 'SetTimer':
        this.timers.set(p.name, e.timer, this.now + e.delayMs);
        return;
      case 'CancelTimer':
        this.timers.cancel(p.name, e.timer);
        return;
      case 'Observe':
        // Key order type, t, member, then the body: JSON lines read well.
        this.record({ type: e.event.type, t: this.now, member: p.name, ...(e.event as object) } as unknown as HistoryEvent);
        return;
      case 'Lead': {
        const partitionsPerTopic = this.partitionsPerTopic();
        for (const x of p.leader.send({ type: 'Elected', generation: e.generation, protocol: e.protocol, members: e.members, partitionsPerTopic })) this.interpretMember(p, x);
        return;
      }
      case 'Demote':
        // A leader of an earlier generation that re-joined as a follower (§1.5: the coordinator
        // elects another member when the leader re-joined late or as a new member).
        for (const x of p.leader.send({ type: 'Demoted' })) this.interpretMember(p, x);
        return;
      case 'AssignmentComputed':
        // The leader role computed it synchronously from the metadata just passed in `Lead`: the
        // member keeps that snapshot to notice partition changes (ConsumerCoordinator.assignmentSnapshot).
        this.drive(p.name, { type: 'AssignmentComputed', generation: e.generation, assignments: e.assignments, partitionsPerTopic: this.partitionsPerTopic() });
        return;
      case 'Exit':
        this.kill(p, true);
        return;
      case 'StoreOffsets':
        throw new Error(`member ${p.name} emitted StoreOffsets: only the coordinator may`);
    }
  }

  private interpretCoordinator(group: string, e: Effect, node: string, actor: Runner<CoordinatorContext, CoordinatorEvent>): void {
    switch (e.type) {
      case 'Send':
        this.send(node, e.to, e.message);
        return;
      case 'SetTimer':
        this.timers.set(this.coordinatorOwner(group), e.timer, this.now + e.delayMs);
        return;
      case 'CancelTimer':
        this.timers.cancel(this.coordinatorOwner(group), e.timer);
        return;
      case 'Observe':
        this.record({ type: e.event.type, t: this.now, ...(e.event as object) } as unknown as HistoryEvent);
        // Group metadata is written to __consumer_offsets when the group becomes Stable or Empty (§1.2).
        if (e.event.type === 'GroupStable' || (e.event.type === 'GenerationStarted' && e.event.members.length === 0)) {
          this.persisted.set(group, snapshotOf(actor.context));
        }
        return;
      case 'StoreOffsets':
        this.log.commit(e.group, e.offsets);
        return;
      default:
        throw new Error(`coordinator of ${group} emitted ${e.type}`);
    }
  }

  /** The timer owner of a group's coordinator, `coordinator/<group>`: one string per group, not one per timer set (hot path). */
  private coordinatorOwner(group: string): string {
    let owner = this.coordinatorOwners.get(group);
    if (owner === undefined) {
      owner = COORDINATOR_OWNER + group;
      this.coordinatorOwners.set(group, owner);
    }
    return owner;
  }

  private record(e: HistoryEvent): void {
    this.history.push(e);
  }

  // ------------------------------------------------------------------ network

  private send(from: string, to: string, message: Message): void {
    if (to !== BROKER && !isCoordinatorNode(to) && this.processes.get(to)?.alive !== true) return; // to a dead process: lost
    if (this.pendingDropCount > 0 && this.dropped(from, to, message)) return;
    let byTo = this.channelIndex.get(from);
    if (byTo === undefined) {
      byTo = new Map();
      this.channelIndex.set(from, byTo);
    }
    let ch = byTo.get(to);
    if (ch === undefined) {
      ch = { from, to, dest: this.processes.get(to), queue: [] };
      byTo.set(to, ch);
      this.channels.push(ch);
    }
    ch.queue.push({ seq: ++this.msgSeq, sentAt: this.now, message });
  }

  /** A pending Drop of this message type consumes it: the network loses it. */
  private dropped(from: string, to: string, message: Message): boolean {
    const n = this.pendingDrops.get(message.type);
    if (n === undefined) return false;
    if (n <= 1) this.pendingDrops.delete(message.type);
    else this.pendingDrops.set(message.type, n - 1);
    this.pendingDropCount--;
    this.record({ type: 'MessageDropped', t: this.now, from, to, message: message.type });
    return true;
  }

  /** The channels that may deliver now, oldest head message first. */
  private deliverable(): Channel[] {
    const open: Channel[] = [];
    const chs = this.channels;
    for (let i = 0; i < chs.length; i++) {
      const ch = chs[i] as Channel;
      if (ch.queue.length === 0) continue;
      if (ch.dest !== undefined && ch.dest.pausedUntil > this.now) continue;
      // Insertion by head sequence number (unique): the few open channels stay sorted.
      const seq = (ch.queue[0] as InFlight).seq;
      let j = open.length;
      while (j > 0 && ((open[j - 1] as Channel).queue[0] as InFlight).seq > seq) {
        open[j] = open[j - 1] as Channel;
        j--;
      }
      open[j] = ch;
    }
    return open;
  }

  private deliver(ch: Channel): void {
    const m = ch.queue.shift();
    if (m === undefined) return;
    this.count();
    this.messages++;
    const msg = m.message;
    if (ch.to === BROKER) this.broker(msg as Request);
    else if (isCoordinatorNode(ch.to)) this.coordinator(msg as Request, ch.to);
    else {
      if (msg.type === 'FindCoordinatorResponse' && msg.node !== undefined) {
        const p = this.processes.get(ch.to);
        if (p !== undefined) p.coordinator = msg.node;
      }
      this.drive(ch.to, msg as Response);
    }
  }

  /**
   * A request reached coordinator node `node`. Routing comes first (§1.10): the group's current
   * node answers COORDINATOR_LOAD_IN_PROGRESS while it loads; a node that unloaded the group
   * hands it to its Dead coordinator (NOT_COORDINATOR); any other node answers NOT_COORDINATOR.
   */
  private coordinator(req: Request, node: string): void {
    if (req.type === 'FindCoordinator' || req.type === 'Fetch') throw new Error(`${req.type} sent to the coordinator`);
    const current = this.coordinatorNode.get(req.group) === node;
    if (!current || !this.coordinators.has(req.group)) {
      const retired = current ? undefined : this.retired.get(`${node}|${req.group}`);
      if (retired !== undefined && req.type !== 'OffsetFetch') {
        for (const e of retired.send(req)) this.interpretCoordinator(req.group, e, node, retired);
        return;
      }
      const error: RoutingError = current ? 'COORDINATOR_LOAD_IN_PROGRESS' : 'NOT_COORDINATOR';
      const res = routingErrorResponse(req, error);
      if (res !== null) this.send(node, req.from, res);
      return;
    }
    if (req.type === 'OffsetFetch') {
      // OffsetFetch is served from the committed-offsets store in every group state (§1.10).
      const committed: Record<TopicPartition, number> = {};
      const logStartOffsets: Record<TopicPartition, number> = {};
      const logEndOffsets: Record<TopicPartition, number> = {};
      for (const tp of req.partitions) {
        committed[tp] = this.log.committed(req.group, tp) ?? -1;
        logStartOffsets[tp] = this.log.logStartOffset(tp);
        logEndOffsets[tp] = this.log.logEndOffset(tp);
      }
      this.send(node, req.from, { type: 'OffsetFetchResponse', to: req.from, committed, logStartOffsets, logEndOffsets });
      return;
    }
    // Each coordinator machine ignores the other protocol's requests, as a broker answers them with an error.
    this.driveCoordinator(req.group, req as CoordinatorEvent | ConsumerGroupEvent, node);
  }

  private broker(req: Request): void {
    switch (req.type) {
      case 'FindCoordinator':
        this.send(BROKER, req.from, { type: 'FindCoordinatorResponse', to: req.from, group: req.group, node: this.coordinatorNode.get(req.group) ?? COORDINATOR });
        return;
      case 'Fetch': {
        // fetch.min.bytes / fetch.max.wait.ms: answer now if enough is there, else park (§2.8).
        const available = this.log.availableBytes(req.positions, req.maxPartitionBytes, req.maxBytes);
        if (available >= Math.max(1, req.minBytes)) {
          this.answerFetch(req);
          return;
        }
        const timer = `fetch:${req.from}:${req.seq}`;
        this.parked.set(timer, { req, timer });
        this.timers.set(BROKER, timer, this.now + req.maxWaitMs);
        return;
      }
      default:
        throw new Error(`${req.type} sent to the broker`);
    }
  }

  private answerFetch(req: Extract<Request, { type: 'Fetch' }>): void {
    const records = this.log.fetch({ positions: req.positions, maxBytes: req.maxBytes, maxPartitionBytes: req.maxPartitionBytes, maxRecords: req.maxRecords });
    if (!this.partitionsAdded) {
      this.send(BROKER, req.from, { type: 'FetchResponse', to: req.from, records, seq: req.seq });
      return;
    }
    // The metadata refresh, simplified: once partitions were added, every fetch answer carries the
    // partition counts of the member's topics, as if metadata.max.age.ms were below the poll
    // interval (Java refreshes every metadata.max.age.ms, default 300000, kafka-protocol.md §2.8).
    const partitionCounts: Record<string, number> = {};
    for (const t of this.processes.get(req.from)?.group.topics ?? []) partitionCounts[t] = this.log.partitionCount(t);
    this.send(BROKER, req.from, { type: 'FetchResponse', to: req.from, records, seq: req.seq, partitionCounts });
  }

  /** Partition count per topic, as the leader's assignor sees it. */
  private partitionsPerTopic(): Record<string, number> {
    const r: Record<string, number> = {};
    for (const t of this.log.topics()) r[t.name] = t.partitions;
    return r;
  }

  private wakeParkedFetches(): void {
    for (const [timer, f] of [...this.parked]) {
      if (this.log.availableBytes(f.req.positions, f.req.maxPartitionBytes, f.req.maxBytes) >= Math.max(1, f.req.minBytes)) {
        this.parked.delete(timer);
        this.timers.cancel(BROKER, timer);
        this.answerFetch(f.req);
      }
    }
  }

  // ------------------------------------------------------------------ time and choices

  /** PCT picks by the node that would act: a delivery's receiver, or the clock. */
  private choosePct(open: readonly Channel[], mayAdvance: boolean): number {
    const nodes = open.map((ch) => ch.to);
    if (mayAdvance) nodes.push('clock');
    return (this.pct as PctScheduler).pick(nodes);
  }

  private choose(options: number): number {
    if (options <= 1) return 0;
    const c = this.choices[this.choiceIndex];
    if (c === undefined) return 0;
    this.choiceIndex++;
    return Math.abs(Math.trunc(c)) % options;
  }

  /** Lets `ms` of virtual time pass, interleaving deliveries and timers by the choices. */
  runFor(ms: number, fifo = false): void {
    const target = this.now + ms;
    for (;;) {
      const open = this.deliverable();
      const next = this.timers.peek();
      const due = next !== undefined && next.at <= target;
      // Sequence numbers and send times grow together: the first open channel holds the oldest.
      const oldest = open.length === 0 ? Infinity : ((open[0] as Channel).queue[0] as InFlight).sentAt;
      // The clock may move (to the next timer, or to the end of this wait) while messages are
      // in flight, unless one would then be older than networkDelayMaxMs.
      const until = due ? (next as { at: number }).at : target;
      const mayAdvance = open.length === 0 || (!fifo && oldest + this.config.networkDelayMaxMs >= until);
      const options = open.length + (mayAdvance ? 1 : 0);
      const pick = fifo || options === 0 ? 0 : this.pct !== null ? this.choosePct(open, mayAdvance) : this.choose(options);
      const ch = open[pick];
      if (ch !== undefined) {
        this.deliver(ch);
      } else if (due) {
        this.fire();
      } else {
        this.now = Math.max(this.now, target);
        return;
      }
    }
  }

  /**
   * runFor's rule, for the step-level API: no message in flight would be older than
   * networkDelayMaxMs if the clock moved to `until` (deliverable() is oldest head first).
   */
  private inFlightAllows(open: readonly Channel[], until: number): boolean {
    const oldest = open.length === 0 ? Infinity : ((open[0] as Channel).queue[0] as InFlight).sentAt;
    return oldest + this.config.networkDelayMaxMs >= until;
  }

  private fire(): void {
    const t = this.timers.pop();
    if (t === undefined) return;
    this.count();
    this.now = Math.max(this.now, t.at);
    if (t.owner === SIM) {
      if (t.name.startsWith('load:')) {
        this.loadGroup(t.name);
        return;
      }
      const name = t.name.slice('resume:'.length);
      const p = this.processes.get(name);
      if (p !== undefined && p.alive) {
        p.pausedUntil = 0;
        this.record({ type: 'Resumed', t: this.now, member: p.name });
      }
      return;
    }
    if (t.owner === BROKER) {
      const f = this.parked.get(t.name);
      if (f !== undefined) {
        this.parked.delete(t.name);
        this.answerFetch(f.req);
      }
      return;
    }
    if (t.owner.startsWith(COORDINATOR_OWNER)) {
      this.driveCoordinator(t.owner.slice(COORDINATOR.length + 1), { type: 'Timer', timer: t.name });
      return;
    }
    const p = this.processes.get(t.owner);
    if (p === undefined || !p.alive) return;
    if (p.pausedUntil > this.now) {
      // A stopped process's timers fire when it resumes, in their original order.
      this.timers.postpone(t, p.pausedUntil);
      return;
    }
    this.drive(p.name, { type: 'Timer', timer: t.name });
  }

  // ------------------------------------------------------------------ quiescence

  /**
   * The liveness phase: no more faults; paused processes resume; a group left with no live
   * consumer gets one restarted (it resumes from the committed offsets); then time passes with
   * FIFO delivery until every group settles twice in a row, or quiesceMaxMs runs out.
   */
  quiesce(): boolean {
    const stableWithinMs: Record<string, number> = {};
    for (const g of this.config.groups) {
      if (g.mode !== 'subscribe') continue;
      // A stall given before the tail still runs in it: the group's bound starts when it ends.
      let stallLeft = 0;
      for (const p of this.processes.values()) if (p.alive && p.group.name === g.name) stallLeft = Math.max(stallLeft, p.stalledUntil - this.now);
      stableWithinMs[g.name] = stableBoundMs(this.config, g) + stallLeft;
    }
    this.record({ type: 'Quiesce', t: this.now, stableWithinMs });
    // No more faults: drops not yet matched are forgotten.
    this.pendingDrops.clear();
    this.pendingDropCount = 0;
    for (const p of this.processes.values()) {
      if (p.alive && p.pausedUntil > this.now) {
        p.pausedUntil = 0;
        this.timers.cancel(SIM, `resume:${p.name}`);
        // Its timers that fell due during the pause were moved to the pause's end: they are due now.
        this.timers.resumeEarly(p.name, this.now);
        this.record({ type: 'Resumed', t: this.now, member: p.name });
      }
    }
    const stepMs = Math.max(1000, ...this.config.groups.map((g) => g.consumer.autoCommitIntervalMs + g.consumer.fetchMaxWaitMs + 100));
    const deadline = this.now + this.config.quiesceMaxMs;
    let settledOnce = false;
    while (this.now < deadline) {
      this.restartEmptyGroups();
      this.runFor(stepMs, true);
      const settled = this.isSettled();
      if (settled && settledOnce) {
        this.record({ type: 'Quiesced', t: this.now, settled: true });
        return true;
      }
      settledOnce = settled;
    }
    this.record({ type: 'Quiesced', t: this.now, settled: false });
    return false;
  }

  private restartEmptyGroups(): void {
    for (const g of this.config.groups) {
      const live = [...this.processes.values()].some((p) => p.alive && !p.leaving && p.group.name === g.name);
      if (live) continue;
      const row = this.slots.find((r) => r.group.name === g.name && this.running(r.slot) === undefined);
      if (row !== undefined) this.start(row.slot);
    }
  }

  /** Every group has a live member, owns every partition, and every member is caught up. */
  private isSettled(): boolean {
    for (const ch of this.channels.values()) if (ch.queue.length > 0) return false;
    for (const g of this.config.groups) {
      const members = [...this.processes.values()].filter((p) => p.alive && p.group.name === g.name);
      if (members.length === 0) return false;
      if (g.mode === 'subscribe' && this.coordinators.get(g.name)?.matches('Stable') !== true) return false;
      const owned = new Set<TopicPartition>();
      for (const p of members) {
        if (!p.actor.matches('Fetching')) return false;
        const ctx = p.actor.context;
        for (const tp of ctx.assignment) {
          owned.add(tp);
          if ((ctx.positions[tp] ?? -1) !== this.log.logEndOffset(tp)) return false;
        }
      }
      for (const t of g.topics) for (const tp of this.log.partitionsOf(t)) if (!owned.has(tp)) return false;
    }
    return true;
  }

  // ------------------------------------------------------------------ step-level API (src/explore)
  //
  // The exhaustive search (src/explore/bfs.ts) drives this same simulator one step at a time:
  // deliver the head of one open channel, fire the next timer, or apply a command, and clones
  // the world to branch. The rules are runFor's: a delivery picks among the open channels
  // (oldest head first), the clock moves only to the next timer and only if no message in
  // flight would then be older than networkDelayMaxMs, and a command may come only when no
  // timer is due (as between two Waits), so every explored path is a commands + choices run.

  /** How many channels may deliver now; deliverNth(k) takes one of them, oldest head first. */
  deliveries(): number {
    return this.deliverable().length;
  }

  deliverNth(k: number): void {
    const ch = this.deliverable()[k];
    if (ch === undefined) throw new Error(`deliverNth(${k}): only ${this.deliverable().length} channel(s) are open`);
    this.deliver(ch);
  }

  /** The time of the next live timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers.peek()?.at;
  }

  /** Oldest send time among the heads of the open channels (Infinity when none is open). */
  oldestInFlightMs(): number {
    return this.deliverable().reduce((mn, ch) => Math.min(mn, (ch.queue[0] as InFlight).sentAt), Infinity);
  }

  /** Whether runFor could move the clock to the next timer now. */
  mayFire(): boolean {
    const next = this.timers.peek();
    if (next === undefined) return false;
    const open = this.deliverable();
    return open.length === 0 || this.inFlightAllows(open, next.at);
  }

  fireNext(): void {
    if (!this.mayFire()) throw new Error('fireNext: no timer may fire now');
    this.fire();
  }

  /**
   * runFor could end a wait here: no timer is due at or before now, and no open channel holds
   * a message older than networkDelayMaxMs (one to a process that was paused may be). A
   * command may be applied only then.
   */
  quiet(): boolean {
    const next = this.timers.peek();
    if (next !== undefined && next.at <= this.now) return false;
    const open = this.deliverable();
    return open.length === 0 || this.inFlightAllows(open, this.now);
  }

  /**
   * deliveries(), mayFire() and quiet() at once (one scan of the channels): what the search
   * asks of every state it expands.
   */
  stepOptions(): { readonly deliveries: number; readonly mayFire: boolean; readonly quiet: boolean } {
    const open = this.deliverable();
    const next = this.timers.peek();
    return {
      deliveries: open.length,
      mayFire: next !== undefined && (open.length === 0 || this.inFlightAllows(open, next.at)),
      quiet: !(next !== undefined && next.at <= this.now) && (open.length === 0 || this.inFlightAllows(open, this.now)),
    };
  }

  /** Whether the process in a slot is running (alive), and whether it is leaving or paused. */
  slotState(slot: number): 'down' | 'running' | 'leaving' | 'paused' {
    const p = this.running(slot);
    if (p === undefined) return 'down';
    return p.leaving ? 'leaving' : p.pausedUntil > this.now ? 'paused' : 'running';
  }

  /**
   * An independent copy of the world (compiled stepper, no PCT). Machine contexts, records,
   * messages, parked fetches and persisted group snapshots are immutable and shared; the
   * containers holding them are copied, and so are processes, channels (rebound to the copy's
   * processes) and timer entries (they carry a mutable flag). The copy starts with an empty
   * history: the caller keeps what happened so far.
   */
  clone(): Simulation {
    if (this.pct !== null) throw new Error('a PCT-scheduled simulation cannot be cloned');
    const processes = new Map<string, Process>();
    // A dead process is never changed again, so it is shared.
    for (const [name, p] of this.processes) {
      // Field by field in start()'s order: the copies keep the originals' hidden class (a spread does not).
      const copy: Process = p.alive
        ? { name: p.name, slot: p.slot, group: p.group, actor: p.actor.clone(), leader: p.leader.clone(), alive: true, pausedUntil: p.pausedUntil, leaving: p.leaving, stalledUntil: p.stalledUntil, coordinator: p.coordinator }
        : p;
      processes.set(name, copy);
    }
    // Only channels with messages in flight: send() recreates the others on demand (deliverable()
    // orders by sequence number, not by channel creation).
    const channels: Channel[] = [];
    const channelIndex = new Map<string, Map<string, Channel>>();
    for (const ch of this.channels) {
      if (ch.queue.length === 0) continue;
      const copy: Channel = { from: ch.from, to: ch.to, dest: ch.dest === undefined ? undefined : processes.get(ch.to), queue: ch.queue.slice() };
      channels.push(copy);
      let byTo = channelIndex.get(ch.from);
      if (byTo === undefined) {
        byTo = new Map();
        channelIndex.set(ch.from, byTo);
      }
      byTo.set(ch.to, copy);
    }
    const coordinators = new Map<string, Runner<CoordinatorContext, CoordinatorEvent>>();
    for (const [g, a] of this.coordinators) coordinators.set(g, a.clone());
    const retired = new Map<string, Runner<CoordinatorContext, CoordinatorEvent>>();
    for (const [k, a] of this.retired) retired.set(k, a.clone());
    const slotCurrent: (Process | undefined)[] = [];
    for (const p of this.slotCurrent) slotCurrent.push(p === undefined ? undefined : processes.get(p.name));
    // Every readonly field goes through the constructor (the scalars through copyScalarsTo), so a
    // clone has the constructed class's hidden class: assigning ~30 fields to an Object.create()d
    // object left clones in dictionary mode, which slowed every later step on them.
    return new Simulation(this.config, this.choices, this.machines, this.stepper, this.coverage, {
      from: this,
      log: this.log.clone(),
      timers: this.timers.clone(),
      channels,
      channelIndex,
      processes,
      slotIncarnations: this.slotIncarnations.slice(),
      slotCurrent,
      coordinators,
      coordinatorNode: new Map(this.coordinatorNode),
      retired,
      persisted: new Map(this.persisted),
      pendingDrops: new Map(this.pendingDrops),
      parked: new Map(this.parked),
    });
  }

  /** The mutable scalar fields, for clone(); a copy starts with an empty history. */
  private copyScalarsTo(copy: Simulation): void {
    copy.now = this.now;
    copy.msgSeq = this.msgSeq;
    copy.nodeSeq = this.nodeSeq;
    copy.pendingDropCount = this.pendingDropCount;
    copy.choiceIndex = this.choiceIndex;
    copy.events = this.events;
    copy.messages = this.messages;
    copy.valueSeq = this.valueSeq;
    copy.partitionsAdded = this.partitionsAdded;
  }

  /**
   * A canonical text of everything that decides the world's future: per slot (one string each,
   * so that symmetry reduction can permute them) its incarnation and, if running, its flags and
   * machines; then live processes no slot holds any more (static members' zombies), the
   * coordinators (current, node, retired, persisted snapshots), every message in flight in send
   * order with its age, the live timers in firing order relative to now, parked fetches, pending
   * drops, the log and committed offsets. Absolute time, message sequence numbers and counters
   * are left out (the future depends only on their order and on durations), and so is the
   * history. `json` encodes an immutable value (a cache keyed by object identity makes the
   * shared contexts of clones cheap).
   */
  canonical(json: (v: object) => string): { readonly slots: string[]; readonly rest: string } {
    const now = this.now;
    const proc = (p: Process): string =>
      `${p.name}|${p.pausedUntil > now ? p.pausedUntil - now : 0}${p.leaving ? 'L' : ''}|${p.stalledUntil > now ? p.stalledUntil - now : 0}|${p.coordinator}|${p.actor.value}|${json(p.actor.context as object)}|${p.leader.value}|${json(p.leader.context as object)}`;
    const slots: string[] = [];
    for (let s = 0; s < this.slots.length; s++) {
      const p = this.running(s);
      const inc = this.slotIncarnations[s] ?? 0;
      slots.push(p === undefined ? `${inc}` : `${inc}|${proc(p)}`);
    }
    const out: string[] = [];
    for (const p of this.processes.values()) if (p.alive && this.slotCurrent[p.slot] !== p) out.push(`Z${proc(p)}`);
    for (const [g, a] of this.coordinators) out.push(`G${g}`, a.value, json(a.context as object));
    for (const [g, node] of this.coordinatorNode) out.push(`N${g}@${node}`);
    for (const [k, a] of this.retired) out.push(`R${k}`, a.value, json(a.context as object));
    for (const [g, snap] of this.persisted) out.push(`S${g}`, json(snap));
    const inFlight: { ch: Channel; m: InFlight }[] = [];
    for (const ch of this.channels) for (const m of ch.queue) inFlight.push({ ch, m });
    inFlight.sort((a, b) => a.m.seq - b.m.seq);
    for (const { ch, m } of inFlight) out.push(`M${ch.from}>${ch.to}@${now - m.sentAt}`, json(m.message));
    for (const t of this.timers.liveInOrder()) out.push(`T${t.owner}/${t.name}@${t.at - now}${t.postponed ? 'P' : ''}`);
    for (const f of this.parked.values()) out.push(`F${f.timer}`, json(f.req));
    for (const [type, n] of this.pendingDrops) out.push(`D${type}x${n}`);
    out.push(`V${this.valueSeq}`, `K${this.nodeSeq}${this.partitionsAdded ? '+' : ''}`, this.log.canonical());
    return { slots, rest: out.join('|') };
  }

  /**
   * canonical(), as tokens fed to a fingerprint (src/explore: no text is built). The same
   * content in the same order; counts come before lists so that the token stream is unambiguous.
   */
  digest(d: DigestSink): void {
    const now = this.now;
    for (let s = 0; s < this.slots.length; s++) {
      d.section(s);
      const p = this.running(s);
      d.int(this.slotIncarnations[s] ?? 0);
      if (p === undefined) d.int(-1);
      else digestProcess(d, p, now);
    }
    d.section(-1);
    for (const p of this.processes.values()) {
      if (!p.alive || this.slotCurrent[p.slot] === p) continue;
      d.int(-2);
      digestProcess(d, p, now);
    }
    d.int(this.coordinators.size);
    for (const [g, a] of this.coordinators) {
      d.str(g);
      d.str(a.value);
      d.value(a.context);
    }
    d.int(this.coordinatorNode.size);
    for (const [g, node] of this.coordinatorNode) {
      d.str(g);
      d.str(node);
    }
    d.int(this.retired.size);
    for (const [k, a] of this.retired) {
      d.str(k);
      d.str(a.value);
      d.value(a.context);
    }
    d.int(this.persisted.size);
    for (const [g, snap] of this.persisted) {
      d.str(g);
      d.value(snap);
    }
    // Messages in send order: each channel's queue is in order, so merge the heads.
    let inFlight = 0;
    for (const ch of this.channels) inFlight += ch.queue.length;
    d.int(inFlight);
    if (inFlight > 0) {
      const open: Channel[] = [];
      for (const ch of this.channels) if (ch.queue.length > 0) open.push(ch);
      const at = new Array<number>(open.length).fill(0);
      for (let left = inFlight; left > 0; left--) {
        let best = -1;
        let seq = Infinity;
        for (let i = 0; i < open.length; i++) {
          const m = (open[i] as Channel).queue[at[i] as number];
          if (m !== undefined && m.seq < seq) {
            seq = m.seq;
            best = i;
          }
        }
        const ch = open[best] as Channel;
        const m = ch.queue[at[best] as number] as InFlight;
        at[best] = (at[best] as number) + 1;
        d.str(ch.from);
        d.str(ch.to);
        d.int(now - m.sentAt);
        d.value(m.message);
      }
    }
    const timers = this.timers.liveInOrder();
    d.int(timers.length);
    for (const t of timers) {
      d.str(t.owner);
      d.str(t.name);
      d.int(t.at - now);
      d.int(t.postponed ? 1 : 0); // resumeEarly() moves it
    }
    d.int(this.parked.size);
    for (const f of this.parked.values()) {
      d.str(f.timer);
      d.value(f.req);
    }
    d.int(this.pendingDrops.size);
    for (const [type, n] of this.pendingDrops) {
      d.str(type);
      d.int(n);
    }
    d.int(this.valueSeq);
    d.int(this.nodeSeq);
    d.int(this.partitionsAdded ? 1 : 0);
    this.log.digest(d);
  }

  stats(applied: readonly boolean[]): RunStats {
    return {
      events: this.events,
      messages: this.messages,
      choicesUsed: this.choiceIndex,
      commandsApplied: applied.filter(Boolean).length,
      commandsSkipped: applied.filter((a) => !a).length,
      endTimeMs: this.now,
    };
  }

  /** Stops every actor (runs are independent; nothing may outlive one). */
  dispose(): void {
    for (const p of this.processes.values()) if (p.alive) this.kill(p);
    for (const a of this.coordinators.values()) a.stop();
    for (const a of this.retired.values()) a.stop();
  }
}

/** One run: the commands, then the quiescence tail. Same inputs, same history. */
export const simulate = (
  config: SimConfig,
  commands: readonly Command[],
  choices: readonly number[] = [],
  machines: Machines = machinesFor(config.variant),
  stepper: Stepper = DEFAULT_STEPPER,
  coverage: CoverageByMachine | null = null,
): RunResult => {
  const sim = new Simulation(config, choices, machines, stepper, coverage);
  const applied: boolean[] = [];
  try {
    for (const c of commands) applied.push(sim.apply(c));
    const settled = sim.quiesce();
    return { history: sim.history, stats: sim.stats(applied), settled, applied, exhausted: false };
  } catch (err) {
    if (!(err instanceof EventsExhausted)) throw err;
    sim.abandon();
    while (applied.length < commands.length) applied.push(false);
    return { history: sim.history, stats: sim.stats(applied), settled: false, applied, exhausted: true };
  } finally {
    sim.dispose();
  }
};
