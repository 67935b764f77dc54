/**
 * Shared helpers of the real-system tests: configurations in a few lines, verdicts by name, and
 * the timeline of a run printed when an assertion fails.
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { ConsumerConfig, ProcessingPolicy } from '../../models/types.ts';
import { INVARIANTS } from '../../properties/invariants/index.ts';
import { checkHistory } from '../check/checkHistory.ts';
import type { CheckContext, Validity, Violation } from '../check/invariant.ts';
import { timelineLines } from '../report/timeline.ts';
import { defaultSimConfig, type SimConfig } from '../sim/config.ts';
import type { RealRunResult } from './runScenario.ts';

export const configWith = (policy: ProcessingPolicy, consumer: Partial<ConsumerConfig> = {}, members = 3): SimConfig => {
  const base = defaultSimConfig(policy);
  return { ...base, groups: base.groups.map((g) => ({ ...g, members, consumer: { ...g.consumer, ...consumer } })) };
};

export interface Verdicts {
  readonly validity: Readonly<Record<string, Validity>>;
  readonly violations: Readonly<Record<string, readonly Violation[]>>;
}

export const verdicts = (history: readonly HistoryEvent[], ctx: CheckContext = {}): Verdicts => {
  const validity: Record<string, Validity> = {};
  const violations: Record<string, readonly Violation[]> = {};
  for (const r of checkHistory(INVARIANTS, history, ctx)) {
    validity[r.invariant] = r.validity;
    violations[r.invariant] = r.violations;
  }
  return { validity, violations };
};

/** The run as a reader wants it when a test fails: timeline, notes, verdicts. */
export const explain = (r: RealRunResult, v: Verdicts): string =>
  [
    ...timelineLines(r.history),
    ...r.notes.map((n) => `note: ${n}`),
    ...Object.entries(v.violations).flatMap(([name, vs]) => vs.map((x) => `[${name}] ${x.message}`)),
    `settled ${r.settled}, ${r.realMs} ms`,
  ].join('\n');
