/**
 * A scope of the exhaustive search: a small configuration (members, partitions) and budgets on
 * what the environment may do (starts, crashes, pauses, leaves, records produced), a depth
 * bound in steps and a state budget (TigerStyle: a limit on everything).
 *
 * The environment's actions are the simulator's own commands (src/sim/command.ts), so every
 * explored path is a commands + choices run that `simulate` replays.
 */
import type { MatrixRow } from '../check/matrix.ts';
import type { Command } from '../sim/command.ts';
import type { SimConfig } from '../sim/config.ts';
import { PartitionedLog } from '../../models/log/partitionedLog.ts';
import { DROPPABLE } from '../../models/protocol.ts';

export interface Budgets {
  readonly starts: number;
  readonly crashes: number;
  readonly pauses: number;
  readonly leaves: number;
  readonly records: number;
  /** Stall commands (rows whose shape has stalls). */
  readonly stalls: number;
  /** Drop commands (rows with failover or group drops). */
  readonly drops: number;
  /** MoveCoordinator commands (rows with failover). */
  readonly moves: number;
  /** AddPartitions commands (rows with partition changes). */
  readonly adds: number;
  /** Seek commands (rows with seeks). */
  readonly seeks: number;
}

/** The budget a command spends, if any. */
export const budgetOf = (c: Command): keyof Budgets | null => {
  switch (c.type) {
    case 'Start':
      return 'starts';
    case 'Crash':
      return 'crashes';
    case 'Pause':
      return 'pauses';
    case 'Leave':
      return 'leaves';
    case 'Produce':
      return 'records';
    case 'Stall':
      return 'stalls';
    case 'Drop':
      return 'drops';
    case 'MoveCoordinator':
      return 'moves';
    case 'AddPartitions':
      return 'adds';
    case 'Seek':
      return 'seeks';
    case 'Wait':
      return null;
  }
};

export interface Scope {
  readonly config: SimConfig;
  readonly budgets: Budgets;
  /** Length of a Pause command (a pause past the session timeout makes a zombie). */
  readonly pauseMs: number;
  /** Length of a Stall command (default: past max.poll.interval.ms, so the member is timed out). */
  readonly stallMs: number;
  /** The message types (DROPPABLE slots) a Drop may name. */
  readonly dropTypes: readonly number[];
  /** The offsets a Seek may name (clamped to the log end by the simulator). */
  readonly seekOffsets: readonly number[];
  /** Bound on the steps of a path (deliveries, timers and commands). */
  readonly depthMax: number;
  /** Bound on distinct states; the search stops there and says it was cut short. */
  readonly statesMax: number;
  /** Canonicalise over permutations of interchangeable member slots where that is sound (symmetry.ts). */
  readonly symmetry: boolean;
}

export interface ScopeOptions {
  readonly members?: number;
  readonly partitions?: number;
  readonly records?: number;
  readonly crashes?: number;
  readonly pauses?: number;
  readonly leaves?: number;
  readonly restarts?: number;
  readonly pauseMs?: number;
  readonly stalls?: number;
  readonly stallMs?: number;
  readonly drops?: number;
  readonly moves?: number;
  readonly adds?: number;
  readonly seeks?: number;
  readonly depth?: number;
  readonly states?: number;
  readonly symmetry?: boolean;
}

/** Records per partition are tracked in 31-bit masks by the monitors. */
export const RECORDS_MAX = 30;

/**
 * A scope over a guarantee-matrix row: its config with every group's member slots and every
 * topic's partitions set, faults only when the row's shape has them. Defaults: 2 members,
 * 2 partitions, 2 records, 1 crash (faulty rows), no pause, no leave, one stall, drop, coordinator
 * move, partition added or seek where the row's shape has them, depth 40, 200k states.
 */
export const scopeFor = (row: MatrixRow, o: ScopeOptions = {}): Scope => {
  const faults = row.shape.faults;
  const members = o.members ?? 2;
  const partitions = o.partitions ?? 2;
  const config: SimConfig = {
    ...row.config,
    topics: row.config.topics.map((t) => ({ ...t, partitions })),
    // An 'assign' group of one slot stays one slot: that is what the row is about.
    groups: row.config.groups.map((g) => ({ ...g, members: o.members === undefined && g.mode === 'assign' ? g.members : members })),
  };
  const crashes = o.crashes ?? (faults ? 1 : 0);
  const pauses = o.pauses ?? 0;
  if (!faults && (crashes > 0 || pauses > 0)) throw new Error(`configuration ${row.id} is about clean runs: crashes and pauses are not in its scope`);
  const records = o.records ?? 2;
  if (records > RECORDS_MAX) throw new Error(`records must be at most ${RECORDS_MAX}, got ${records}`);
  const shape = row.shape;
  // The environment's other commands, where the row's shape has them (the random search of the
  // row generates them there, and its expectations assume them): one of each by default.
  const feature = (n: number | undefined, enabled: boolean, what: string, flag: string): number => {
    if (n !== undefined && n > 0 && !enabled) throw new Error(`configuration ${row.id} does not model ${what}: ${flag} is not in its scope`);
    return n ?? (enabled ? 1 : 0);
  };
  const failover = shape.failover === true;
  const groupDrops = shape.groupDrops === true;
  const stalls = feature(o.stalls, shape.stalls === true, 'stalls', '--stalls');
  const drops = feature(o.drops, failover || groupDrops, 'lost messages', '--drops');
  const moves = feature(o.moves, failover, 'coordinator failover', '--moves');
  const adds = feature(o.adds, shape.partitionChanges === true, 'partition changes', '--add-partitions');
  const seeks = feature(o.seeks, shape.seeks === true, 'seeks', '--seeks');
  const slots = config.groups.reduce((n, g) => n + g.members, 0);
  const groupMessages = ['JoinGroupResponse', 'SyncGroupResponse', 'SyncGroup', 'JoinGroup'].map((t) => DROPPABLE.indexOf(t as (typeof DROPPABLE)[number]));
  const maxPoll = Math.max(...config.groups.map((g) => g.consumer.maxPollIntervalMs));
  return {
    config,
    budgets: { starts: slots + (o.restarts ?? crashes), crashes, pauses, leaves: o.leaves ?? 0, records, stalls, drops, moves, adds, seeks },
    pauseMs: o.pauseMs ?? (config.groups[0]?.consumer.sessionTimeoutMs ?? 6000) + 1000,
    stallMs: o.stallMs ?? Math.ceil(maxPoll * 1.5),
    // Failover rows drop any message (as their random search does); group-drop rows the group protocol's own.
    dropTypes: failover ? DROPPABLE.map((_, i) => i) : groupMessages,
    // Back to the start (re-reads) and past the end (skips; clamped to the log end).
    seekOffsets: [0, RECORDS_MAX],
    depthMax: o.depth ?? 40,
    statesMax: o.states ?? 200_000,
    symmetry: o.symmetry ?? true,
  };
};

/** The environment's commands of a scope, one object each (a step code is an index among them). */
export interface Environment {
  readonly slots: number;
  readonly produce: readonly Command[];
  /** Per slot. */
  readonly start: readonly Command[];
  readonly crash: readonly Command[];
  readonly pause: readonly Command[];
  readonly leave: readonly Command[];
  readonly stall: readonly Command[];
  readonly seek: readonly (readonly Command[])[];
  /** Not tied to a slot. */
  readonly drop: readonly Command[];
  readonly move: readonly Command[];
  readonly add: readonly Command[];
  /** Every command above, in a fixed order. */
  readonly alphabet: readonly Command[];
}

export const environmentOf = (scope: Scope): Environment => {
  const { config } = scope;
  const slots = config.groups.reduce((n, g) => n + g.members, 0);
  const per = <T>(f: (s: number) => T): T[] => Array.from({ length: slots }, (_, s) => f(s));
  const partitions = Math.max(...config.topics.map((t) => t.partitions));
  const env = {
    slots,
    produce: produceAlphabet(config),
    start: per((s): Command => ({ type: 'Start', consumer: s })),
    crash: per((s): Command => ({ type: 'Crash', consumer: s })),
    pause: per((s): Command => ({ type: 'Pause', consumer: s, ms: scope.pauseMs })),
    leave: per((s): Command => ({ type: 'Leave', consumer: s })),
    stall: per((s): Command => ({ type: 'Stall', consumer: s, ms: scope.stallMs })),
    // Seek's partition is a slot over the member's topics (the simulator resolves it modulo them).
    seek: per((s) => Array.from({ length: partitions }, (_, p) => scope.seekOffsets.map((offset): Command => ({ type: 'Seek', consumer: s, partition: p, offset }))).flat()),
    drop: scope.dropTypes.map((m): Command => ({ type: 'Drop', message: m })),
    // Failover is modelled for classic groups only (the simulator skips KIP-848 groups).
    move: config.groups.flatMap((g, i): Command[] => (g.protocol === 'consumer' ? [] : [{ type: 'MoveCoordinator', group: i }])),
    add: config.topics.map((_, t): Command => ({ type: 'AddPartitions', topic: t, count: 1 })),
  };
  return { ...env, alphabet: [...env.produce, ...env.start, ...env.crash, ...env.pause, ...env.leave, ...env.stall, ...env.seek.flat(), ...env.drop, ...env.move, ...env.add] };
};

/**
 * The Produce commands of a scope: one per partition of each topic, with the first key the
 * default partitioner sends there. Keys matter to no invariant (they judge partitions and
 * offsets), so one key per partition loses nothing. A partition none of the config's `keys`
 * hashes to gets no records.
 */
export const produceAlphabet = (config: SimConfig): Command[] => {
  const log = new PartitionedLog(config.topics, config.recordBytes);
  const out: Command[] = [];
  config.topics.forEach((t, topic) => {
    for (let p = 0; p < t.partitions; p++) {
      for (let key = 0; key < config.keys; key++) {
        if (log.partitionFor(t.name, `acct-${key}`) === p) {
          out.push({ type: 'Produce', topic, key, count: 1 });
          break;
        }
      }
    }
  });
  return out;
};
