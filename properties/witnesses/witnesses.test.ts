/** Each witness counts its situation on a small hand-written history, and nothing elsewhere. */
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../models/history.ts';
import {
  ambiguousCommit,
  commitFailedLocally,
  commitInFlightDuringRebalance,
  commitRejected,
  coordinatorMovedMidRebalance,
  crashMidBatch,
  rebalanceWithPausedMember,
  WITNESSES,
  zombieProcessing,
} from './index.ts';

type Body = HistoryEvent extends infer E ? (E extends HistoryEvent ? Omit<E, 't'> : never) : never;
const h = (...events: Body[]): HistoryEvent[] => events.map((e, t) => ({ ...e, t }) as HistoryEvent);

const started = (member: string): Body => ({ type: 'Started', member, group: 'g', topics: ['t'], mode: 'subscribe', policy: 'commit-per-message' });
const rebalance: Body = { type: 'RebalanceStarted', group: 'g', generation: 1 };
const request = (member: string, seq: number): Body => ({ type: 'CommitRequested', member, group: 'g', generation: 1, offsets: { 't-0': 1 }, seq });
const result = (member: string, seq: number, error: 'NONE' | 'ILLEGAL_GENERATION' | 'REQUEST_TIMED_OUT' = 'NONE'): Body => ({ type: 'CommitResult', member, group: 'g', generation: 1, offsets: { 't-0': 1 }, seq, error });

describe('witnesses', () => {
  it('commitInFlightDuringRebalance counts a rebalance between a commit request and its result', () => {
    expect(commitInFlightDuringRebalance.count(h(started('a'), request('a', 1), rebalance, result('a', 1)))).toBe(1);
    expect(commitInFlightDuringRebalance.count(h(started('a'), request('a', 1), result('a', 1), rebalance))).toBe(0);
    expect(commitInFlightDuringRebalance.count(h(started('a'), request('a', 1), { type: 'Crashed', member: 'a' }, rebalance))).toBe(0);
  });

  it('zombieProcessing counts processing after removal, until the member learns of it', () => {
    const removed: Body = { type: 'MemberRemoved', group: 'g', member: 'a', reason: 'session-timeout' };
    const processed: Body = { type: 'Processed', member: 'a', tp: 't-0', offset: 0 };
    expect(zombieProcessing.count(h(started('a'), removed, processed, processed))).toBe(2);
    expect(zombieProcessing.count(h(started('a'), removed, { type: 'Revoked', member: 'a', group: 'g', partitions: ['t-0'], reason: 'lost' }, processed))).toBe(0);
    expect(zombieProcessing.count(h(started('a'), { ...removed, reason: 'leave' } as Body, processed))).toBe(0);
  });

  it('rebalanceWithPausedMember counts rebalances of the paused member’s group only while it is paused', () => {
    const paused: Body = { type: 'Paused', member: 'a', ms: 10 };
    expect(rebalanceWithPausedMember.count(h(started('a'), paused, rebalance))).toBe(1);
    expect(rebalanceWithPausedMember.count(h(started('a'), paused, { type: 'Resumed', member: 'a' }, rebalance))).toBe(0);
  });

  it('commitRejected counts rejected commits only (a timeout is not a rejection)', () => {
    expect(commitRejected.count(h(result('a', 1), result('a', 2, 'ILLEGAL_GENERATION'), result('a', 3, 'REQUEST_TIMED_OUT')))).toBe(1);
  });

  it('commitFailedLocally counts commits the client failed itself (§2.7), which commitRejected does not count', () => {
    const local: Body = { type: 'CommitResult', member: 'a', group: 'g', generation: 1, offsets: { 't-0': 1 }, seq: 2, error: 'REBALANCE_IN_PROGRESS', local: 'RebalanceInProgressException' };
    const answered: Body = { type: 'CommitResult', member: 'a', group: 'g', generation: 1, offsets: { 't-0': 1 }, seq: 3, error: 'REBALANCE_IN_PROGRESS' };
    expect(commitFailedLocally.count(h(result('a', 1), local, answered))).toBe(1);
    expect(commitRejected.count(h(result('a', 1), local, answered))).toBe(1);
  });

  it('ambiguousCommit counts a timed-out commit the coordinator stored, not one it never saw', () => {
    const stored: Body = { type: 'OffsetsStored', group: 'g', member: 'a', generation: 1, offsets: { 't-0': 1 } };
    expect(ambiguousCommit.count(h(request('a', 1), stored, result('a', 1, 'REQUEST_TIMED_OUT')))).toBe(1);
    expect(ambiguousCommit.count(h(request('a', 1), result('a', 1, 'REQUEST_TIMED_OUT')))).toBe(0);
    expect(ambiguousCommit.count(h(request('a', 1), stored, result('a', 1)))).toBe(0);
  });

  it('coordinatorMovedMidRebalance counts a move between RebalanceStarted and GroupStable only', () => {
    const moved: Body = { type: 'CoordinatorMoved', group: 'g', coordinator: 1 };
    const stable: Body = { type: 'GroupStable', group: 'g', generation: 2, assignment: {} };
    expect(coordinatorMovedMidRebalance.count(h(rebalance, moved))).toBe(1);
    expect(coordinatorMovedMidRebalance.count(h(rebalance, stable, moved))).toBe(0);
    expect(coordinatorMovedMidRebalance.count(h({ ...moved, group: 'other' } as Body, rebalance))).toBe(0);
  });

  it('crashMidBatch counts a crash with polled records not yet processed', () => {
    const polled: Body = { type: 'Polled', member: 'a', tp: 't-0', offsets: [0, 1] };
    const processed: Body = { type: 'Processed', member: 'a', tp: 't-0', offset: 0 };
    const crashed: Body = { type: 'Crashed', member: 'a' };
    expect(crashMidBatch.count(h(polled, processed, crashed))).toBe(1);
    expect(crashMidBatch.count(h(polled, processed, { ...processed, offset: 1 } as Body, crashed))).toBe(0);
  });

  it('every witness has a unique name', () => {
    expect(new Set(WITNESSES.map((w) => w.name)).size).toBe(WITNESSES.length);
  });
});
