/**
 * assignmentBalanced: when the leader runs an assignor that promises balance, the sizes of its
 * target differ by at most one (kafka-protocol.md §3.1).
 *
 * Promises, per assignor, and only when every member subscribes to the same topics (with unequal
 * subscriptions none of them promises a bound):
 * - roundrobin, sticky, cooperative-sticky: the members' total sizes differ by at most one;
 * - range: per topic, the members' shares differ by at most one (imbalance across topics is by design).
 *
 * Scope: one `AssignorRan` event at a time. For cooperative-sticky the promise is about the
 * `target`; the round's `assignment` may hold partitions back (§3.2), and the follow-up round
 * hands them out, which the next `AssignorRan` is checked for.
 */
import type { HistoryEvent } from '../../models/history.ts';
import { defineInvariant, StateMonitor, type Violation } from '../../src/check/invariant.ts';
import { byFirstEvent } from './support.ts';

const NAME = 'assignmentBalanced';
const TOTAL = new Set(['roundrobin', 'sticky', 'cooperative-sticky']);

const topicOf = (tp: string): string => tp.slice(0, tp.lastIndexOf('-'));

interface State {
  readonly out: Violation[];
}

/** Judges each `AssignorRan` on its own: the state is only the violations found. */
class AssignmentBalancedMonitor extends StateMonitor<State> {
  constructor() {
    super({ out: [] });
  }

  step(e: HistoryEvent, i: number): void {
    const out = this.s.out;
    if (e.type !== 'AssignorRan' || e.members.length < 2) return;
    const topics = [...e.members[0]!.topics].sort().join(',');
    if (!e.members.every((m) => [...m.topics].sort().join(',') === topics)) return;
    const ids = e.members.map((m) => m.memberId);
    const spreadOf = (count: (id: string) => number): { spread: number; sizes: Record<string, number> } => {
      const sizes: Record<string, number> = {};
      for (const id of ids) sizes[id] = count(id);
      const xs = Object.values(sizes);
      return { spread: Math.max(...xs) - Math.min(...xs), sizes };
    };
    const report = (scope: string, sizes: Record<string, number>): void => {
      out.push({
        invariant: NAME,
        kind: 'unbalanced-assignment',
        message: `Leader ${e.member} ran ${e.assignor} for generation ${e.generation} and gave ${scope} sizes ${Object.entries(sizes)
          .map(([m, n]) => `${m}=${n}`)
          .join(', ')}: more than one apart.`,
        events: [i],
        evidence: { leader: e.member, generation: e.generation, assignor: e.assignor, scope, sizes },
      });
    };
    if (TOTAL.has(e.assignor)) {
      const r = spreadOf((id) => (e.target[id] ?? []).length);
      if (r.spread > 1) report('total', r.sizes);
    }
    if (e.assignor === 'range') {
      for (const t of topics.split(',')) {
        const r = spreadOf((id) => (e.target[id] ?? []).filter((tp) => topicOf(tp) === t).length);
        if (r.spread > 1) report(`topic ${t}`, r.sizes);
      }
    }
  }

  finish(): readonly Violation[] {
    return byFirstEvent([...this.s.out]);
  }
}

export const assignmentBalanced = defineInvariant({
  name: NAME,
  expectation: 'always',
  claim: 'An assignor that promises balance gives members of identical subscriptions sizes that differ by at most one (range: per topic).',
  reference: 'kafka-protocol.md §3.1',
  monitor: () => new AssignmentBalancedMonitor(),
});
