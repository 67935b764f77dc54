/**
 * fast-check arbitraries for scenarios: command lists and scheduling choices.
 * Randomness lives only here (house-style §3.6): the simulator is a fold over what these give.
 *
 * Sizes are set explicitly: fast-check's default size would give a handful of commands per run,
 * too few to reach rebalances (anchors.md, pitfall 3).
 */
import fc from 'fast-check';
import type { Command } from '../sim/command.ts';
import { CLASSIC_DROPPABLE, DROPPABLE, type Message } from '../../models/protocol.ts';
import { slotTable, type SimConfig } from '../sim/config.ts';

export interface ScenarioShape {
  /** Crash and Pause commands are generated (otherwise only graceful joins and leaves). */
  readonly faults: boolean;
  /** MoveCoordinator and Drop commands are generated (coordinator failover, lost messages; issue 3). */
  readonly failover?: boolean;
  readonly commandsMax: number;
  readonly choicesMax: number;
  /** Stall commands are generated: slow processing that can exceed max.poll.interval.ms. */
  readonly stalls?: boolean;
  /** AddPartitions commands are generated: topics grow while the group runs. */
  readonly partitionChanges?: boolean;
  /**
   * Drops of the group protocol's own messages (JoinGroup, SyncGroup and their answers) are
   * generated, often: they hold a group in CompletingRebalance until the sync timer, or leave a
   * member re-joining with an id the coordinator no longer knows (kafka-protocol.md §1.6, §1.10).
   */
  readonly groupDrops?: boolean;
  /** The application seeks owned partitions (Seek): an application decision the checker must see through. */
  readonly seeks?: boolean;
  /**
   * Long stop-the-world pauses (GC, SIGSTOP) past the session timeout, often, with waits long
   * enough for them to run out before the quiescence tail resumes everyone: a member paused while
   * its JoinGroup is parked wakes up removed, its group possibly emptied meanwhile (§1.6.2, §1.7).
   */
  readonly gcPauses?: boolean;
  /**
   * Drop commands are generated for the KIP-848 member's messages (ConsumerGroupHeartbeat and its
   * answer, OffsetCommit and its answer, Fetch and its answer, OffsetFetch's and FindCoordinator's
   * answers); with `failover` as well, its drops come from this list instead of the classic one.
   */
  readonly consumerDrops?: boolean;
}

/** The messages a KIP-848 member exchanges (consumer848.logic.ts): the slots `consumerDrops` picks from. */
const CONSUMER_MESSAGES: readonly Message['type'][] = [
  'ConsumerGroupHeartbeatResponse',
  'ConsumerGroupHeartbeat',
  'OffsetCommit',
  'FetchResponse',
  'Fetch',
  'OffsetFetchResponse',
  'FindCoordinatorResponse',
];
const slotOf = (type: Message['type']): number => DROPPABLE.indexOf(type);

export const DEFAULT_SHAPE: ScenarioShape = { faults: true, commandsMax: 24, choicesMax: 48 };

/** One environment command; slots are resolved modulo the config by the simulator. */
export const commandArb = (config: SimConfig, shape: ScenarioShape): fc.Arbitrary<Command> => {
  const slots = slotTable(config).length;
  const consumer = fc.nat(slots - 1);
  const topic = fc.nat(config.topics.length - 1);
  const weighted: fc.WeightedArbitrary<Command>[] = [
    { weight: 4, arbitrary: consumer.map((c): Command => ({ type: 'Start', consumer: c })) },
    { weight: 1, arbitrary: consumer.map((c): Command => ({ type: 'Leave', consumer: c })) },
    {
      weight: 4,
      arbitrary: fc
        .record({ topic, key: fc.nat(config.keys - 1), count: fc.integer({ min: 1, max: 6 }) })
        .map((r): Command => ({ type: 'Produce', ...r })),
    },
    // Short waits land faults inside a batch; long ones let sessions expire and rebalances finish.
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 400 }).map((ms): Command => ({ type: 'Wait', ms })) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 8000 }).map((ms): Command => ({ type: 'Wait', ms })) },
  ];
  if (shape.faults) {
    weighted.push(
      { weight: 2, arbitrary: consumer.map((c): Command => ({ type: 'Crash', consumer: c })) },
      {
        weight: 1,
        arbitrary: fc.record({ consumer, ms: fc.integer({ min: 100, max: 20_000 }) }).map((r): Command => ({ type: 'Pause', ...r })),
      },
    );
  }
  if (shape.failover === true) {
    weighted.push({ weight: 1, arbitrary: fc.nat(config.groups.length - 1).map((g): Command => ({ type: 'MoveCoordinator', group: g })) });
  }
  if (shape.failover === true || shape.consumerDrops === true) {
    weighted.push(
      // Half of the drops hit an OffsetCommitResponse (slot 0): the ambiguous commit is the case that matters most.
      { weight: 1, arbitrary: fc.constant<Command>({ type: 'Drop', message: 0 }) },
      shape.consumerDrops === true
        ? { weight: 1, arbitrary: fc.constantFrom(...CONSUMER_MESSAGES.map(slotOf)).map((m): Command => ({ type: 'Drop', message: m })) }
        : { weight: 1, arbitrary: fc.nat(CLASSIC_DROPPABLE - 1).map((m): Command => ({ type: 'Drop', message: m })) },
    );
  }
  if (shape.seeks === true) {
    weighted.push({
      weight: 2,
      arbitrary: fc.record({ consumer, partition: fc.nat(7), offset: fc.nat(12) }).map((r): Command => ({ type: 'Seek', ...r })),
    });
  }
  if (shape.groupDrops === true) {
    const groupMessages = ['JoinGroupResponse', 'SyncGroupResponse', 'SyncGroup', 'JoinGroup'].map((t) => DROPPABLE.indexOf(t as (typeof DROPPABLE)[number]));
    weighted.push({ weight: 3, arbitrary: fc.constantFrom(...groupMessages).map((m): Command => ({ type: 'Drop', message: m })) });
  }
  if (shape.gcPauses === true) {
    // Past session timeout + initial delay even when the pause starts as a join phase does (§1.6.2, §1.7).
    const session = Math.max(...config.groups.map((g) => g.consumer.sessionTimeoutMs));
    const beyond = Math.ceil(1.5 * session) + config.initialRebalanceDelayMs;
    weighted.push(
      { weight: 6, arbitrary: fc.record({ consumer, ms: fc.integer({ min: beyond, max: 2 * beyond }) }).map((r): Command => ({ type: 'Pause', ...r })) },
      { weight: 6, arbitrary: fc.integer({ min: session, max: 4 * session }).map((ms): Command => ({ type: 'Wait', ms })) },
    );
  }
  if (shape.stalls === true) {
    // Around max.poll.interval.ms: short stalls only slow the batch, long ones make the member leave.
    const maxPoll = Math.max(...config.groups.map((g) => g.consumer.maxPollIntervalMs));
    weighted.push({
      weight: 2,
      arbitrary: fc.record({ consumer, ms: fc.integer({ min: Math.ceil(maxPoll / 4), max: Math.ceil(maxPoll * 1.5) }) }).map((r): Command => ({ type: 'Stall', ...r })),
    });
  }
  if (shape.partitionChanges === true) {
    weighted.push({ weight: 1, arbitrary: fc.record({ topic, count: fc.integer({ min: 1, max: 2 }) }).map((r): Command => ({ type: 'AddPartitions', ...r })) });
  }
  return fc.oneof(...weighted);
};

/** A scenario: commands that start with a consumer (nothing happens before one runs) and choices. */
export const scenarioArb = (config: SimConfig, shape: ScenarioShape = DEFAULT_SHAPE) =>
  fc.record({
    commands: fc.array(commandArb(config, shape), { minLength: 1, maxLength: shape.commandsMax, size: 'max' }),
    choices: fc.array(fc.nat(1000), { maxLength: shape.choicesMax, size: 'max' }),
  });

export type Scenario = { readonly commands: readonly Command[]; readonly choices: readonly number[] };
