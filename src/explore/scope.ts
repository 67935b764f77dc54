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

export interface Budgets {
  readonly starts: number;
  readonly crashes: number;
  readonly pauses: number;
  readonly leaves: number;
  readonly records: number;
}

export interface Scope {
  readonly config: SimConfig;
  readonly budgets: Budgets;
  /** Length of a Pause command (a pause past the session timeout makes a zombie). */
  readonly pauseMs: number;
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
  readonly depth?: number;
  readonly states?: number;
  readonly symmetry?: boolean;
}

/** Records per partition are tracked in 31-bit masks by the monitors. */
export const RECORDS_MAX = 30;

/**
 * A scope over a guarantee-matrix row: its config with every group's member slots and every
 * topic's partitions set, faults only when the row's shape has them. Defaults: 2 members,
 * 2 partitions, 2 records, 1 crash (faulty rows), no pause, no leave, depth 40, 200k states.
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
  const slots = config.groups.reduce((n, g) => n + g.members, 0);
  return {
    config,
    budgets: { starts: slots + (o.restarts ?? crashes), crashes, pauses, leaves: o.leaves ?? 0, records },
    pauseMs: o.pauseMs ?? (config.groups[0]?.consumer.sessionTimeoutMs ?? 6000) + 1000,
    depthMax: o.depth ?? 40,
    statesMax: o.states ?? 200_000,
    symmetry: o.symmetry ?? true,
  };
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
