/**
 * The compiled step function equals XState's own semantics: on random scenarios of every
 * configuration of the guarantee matrix, running the machines compiled and as XState actors
 * gives byte-identical histories (which record every observable effect, in order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consumerMachine } from '../../models/consumer/consumer.machine.ts';
import { coordinatorMachine } from '../../models/coordinator/coordinator.machine.ts';
import { leaderMachine } from '../../models/leader/leader.machine.ts';
import { consumer848Machine } from '../../models/consumer848/consumer848.machine.ts';
import { consumerGroupMachine } from '../../models/coordinator848/consumerGroup.machine.ts';
import { machinesFor, ZOO } from '../../models/zoo.ts';
import { MATRIX } from '../check/matrix.ts';
import { scenarioArb } from '../gen/command.arb.ts';
import { compile, CompiledActor } from './compiled.ts';
import { simulate } from './simulate.ts';

describe('compiled step function', () => {
  it('compiles the three reference machines', () => {
    expect(compile(consumerMachine)).not.toBeNull();
    expect(compile(coordinatorMachine)).not.toBeNull();
    expect(compile(leaderMachine)).not.toBeNull();
  });

  it('compiles the KIP-848 member and coordinator, so the matrix rows below compare two real runs', () => {
    expect(compile(consumer848Machine)).not.toBeNull();
    expect(compile(consumerGroupMachine)).not.toBeNull();
    expect(compile(consumer848Machine)?.allStates).not.toContain('Joining');
  });

  it.each(MATRIX.map((r) => [r.id, r] as const))('%s: compiled and XState runs give identical histories (40 random scenarios, seed 5)', (_id, row) => {
    for (const s of fc.sample(scenarioArb(row.config, row.shape), { seed: 5, numRuns: 40 })) {
      const a = simulate(row.config, s.commands, s.choices, machinesFor(undefined), 'xstate');
      const b = simulate(row.config, s.commands, s.choices, machinesFor(undefined), 'compiled');
      expect(JSON.stringify(b.history)).toBe(JSON.stringify(a.history));
    }
  });

  it.each(ZOO.map((z) => [z.id, z] as const))('zoo variant %s runs the same compiled or not (10 scenarios)', (_id, z) => {
    const row = MATRIX.find((r) => r.id === z.configuration)!;
    // A low eventsMax: some variants livelock, and a livelock must end the same way in both.
    const config = { ...row.config, variant: z.id, eventsMax: 20_000 };
    for (const s of fc.sample(scenarioArb(config, row.shape), { seed: 6, numRuns: 10 })) {
      const a = simulate(config, s.commands, s.choices, machinesFor(z.id), 'xstate');
      const b = simulate(config, s.commands, s.choices, machinesFor(z.id), 'compiled');
      expect(JSON.stringify(b.history)).toBe(JSON.stringify(a.history));
    }
  });

  it('a final state ignores later events, as XState does', () => {
    const c = compile(consumerMachine)!;
    const a = new CompiledActor(c, { name: 'c', group: 'g', topics: ['t'], mode: 'subscribe', partitions: [], config: { policy: 'commit-per-message', autoOffsetReset: 'earliest', assignors: ['range'], sessionTimeoutMs: 6000, heartbeatIntervalMs: 2000, maxPollIntervalMs: 10000, autoCommitIntervalMs: 1000, maxPollRecords: 4, fetchMinBytes: 1, fetchMaxWaitMs: 500, fetchMaxBytes: 1000, maxPartitionFetchBytes: 1000, processingMs: 100 } });
    a.send({ type: 'Start' });
    a.send({ type: 'FindCoordinatorResponse', to: 'c', group: 'g' } as never);
    a.send({ type: 'JoinGroupResponse', to: 'c', error: 'INCONSISTENT_GROUP_PROTOCOL', generation: -1, memberId: '', leaderId: '', protocol: null, members: [] } as never);
    expect(a.value).toBe('Failed');
    expect(a.done).toBe(true);
    expect(a.send({ type: 'Start' })).toEqual([]);
  });

  it('returns null for a machine outside the supported subset, so the simulator falls back to XState', () => {
    const variant = consumerMachine.provide({ actions: { poll: () => undefined } as never });
    expect(compile(variant)).toBeNull();
  });
});
