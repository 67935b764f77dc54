/**
 * Runs invariants over one history and merges validity as Jepsen does: false beats unknown,
 * unknown beats true (house-style §3.7).
 */
import type { History } from '../../models/history.ts';
import type { CheckContext, Invariant, Validity, Violation } from './invariant.ts';

export interface InvariantResult {
  readonly invariant: string;
  readonly validity: Validity;
  readonly violations: readonly Violation[];
}

export const checkInvariant = (inv: Invariant, history: History, ctx: CheckContext): InvariantResult => {
  const r = inv.check(history, ctx);
  if (r === 'unknown') return { invariant: inv.name, validity: 'unknown', violations: [] };
  return { invariant: inv.name, validity: r.length === 0, violations: r };
};

export const checkHistory = (invariants: readonly Invariant[], history: History, ctx: CheckContext): InvariantResult[] =>
  invariants.map((inv) => checkInvariant(inv, history, ctx));

export const mergeValidity = (vs: readonly Validity[]): Validity =>
  vs.includes(false) ? false : vs.includes('unknown') ? 'unknown' : true;
