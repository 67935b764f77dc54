/**
 * Builds big histories out of small ones, for measuring `check-history` and for tests. Two ways:
 * - concatHistories ("apart"): each simulator history is renamed apart (its members, groups and
 *   topics get a suffix) and shifted in time after the previous one, so the concatenation is one
 *   valid history whose verdicts are the union of the parts' verdicts. It has as many groups and
 *   topics as parts.
 * - continueHistories ("one long run"): the parts become successive episodes of one long-lived
 *   group on the same topics: members get a suffix, and offsets, generations and commit
 *   sequence numbers continue where the previous part left off. Closer to a real consumer's
 *   long history (few groups, few partitions, many events).
 */
import type { History, HistoryEvent } from '../../models/history.ts';
import { tpParse, type TopicPartition } from '../../models/types.ts';

/** Names of one part: member `c1#2` → `c1#2.k`, group `g1` → `g1.k`, topic `accounts` → `accounts_k`. */
export interface Renaming {
  readonly member: (m: string) => string;
  readonly group: (g: string) => string;
  readonly topic: (t: string) => string;
}

export const suffixRenaming = (k: number): Renaming => ({
  member: (m) => `${m}.${k}`,
  group: (g) => `${g}.${k}`,
  topic: (t) => `${t}_${k}`,
});

const mapKeys = <V>(o: Readonly<Record<string, V>>, f: (k: string) => string): Record<string, V> => {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(o)) out[f(k)] = v;
  return out;
};

/** One event with every name renamed and its time shifted by `dt`. */
export const renameEvent = (e: HistoryEvent, r: Renaming, dt: number): HistoryEvent => {
  const tp = (x: TopicPartition): TopicPartition => {
    const { topic, partition } = tpParse(x);
    return `${r.topic(topic)}-${partition}`;
  };
  const t = e.t + dt;
  switch (e.type) {
    case 'Produced':
      return { ...e, t, tp: tp(e.tp) };
    case 'Started':
      return { ...e, t, member: r.member(e.member), group: r.group(e.group), topics: e.topics.map(r.topic) };
    case 'Crashed':
    case 'Paused':
    case 'Resumed':
    case 'LeaveRequested':
    case 'Stalled':
      return { ...e, t, member: r.member(e.member) };
    case 'PartitionsAdded':
      return { ...e, t, topic: r.topic(e.topic) };
    case 'SeekRequested':
    case 'Positioned':
    case 'Polled':
    case 'ProcessStarted':
    case 'Processed':
      return { ...e, t, member: r.member(e.member), tp: tp(e.tp) };
    case 'Quiesce':
      return e.stableWithinMs === undefined ? { ...e, t } : { ...e, t, stableWithinMs: mapKeys(e.stableWithinMs, r.group) };
    case 'Quiesced':
      return { ...e, t };
    case 'Joined':
    case 'Left':
    case 'PollTimeoutExpired':
    case 'Fenced':
      return { ...e, t, member: r.member(e.member), group: r.group(e.group) };
    case 'AssignorRan': {
      const plan = (a: Readonly<Record<string, readonly TopicPartition[]>>): Record<string, readonly TopicPartition[]> => {
        const o: Record<string, readonly TopicPartition[]> = {};
        for (const [m, tps] of Object.entries(a)) o[r.member(m)] = tps.map(tp);
        return o;
      };
      return {
        ...e,
        t,
        member: r.member(e.member),
        members: e.members.map((m) => ({ ...m, memberId: r.member(m.memberId), topics: m.topics.map(r.topic), owned: m.owned.map(tp) })),
        target: plan(e.target),
        assignment: plan(e.assignment),
      };
    }
    case 'Assigned':
    case 'Revoked':
      return { ...e, t, member: r.member(e.member), group: r.group(e.group), partitions: e.partitions.map(tp) };
    case 'CommitRequested':
    case 'CommitResult':
      return { ...e, t, member: r.member(e.member), group: r.group(e.group), offsets: mapKeys(e.offsets, tp) };
    case 'RebalanceStarted':
      return { ...e, t, group: r.group(e.group) };
    case 'GenerationStarted':
      return { ...e, t, group: r.group(e.group), members: e.members.map(r.member), leader: e.leader === null ? null : r.member(e.leader) };
    case 'GroupStable': {
      const assignment: Record<string, readonly TopicPartition[]> = {};
      for (const [m, tps] of Object.entries(e.assignment)) assignment[r.member(m)] = tps.map(tp);
      return { ...e, t, group: r.group(e.group), assignment };
    }
    case 'MemberRemoved':
      return { ...e, t, group: r.group(e.group), member: r.member(e.member) };
    case 'MemberEpochAssigned':
      return { ...e, t, group: r.group(e.group), member: r.member(e.member), assigned: e.assigned.map(tp), pendingRevocation: e.pendingRevocation.map(tp) };
    case 'OffsetsStored':
      return { ...e, t, group: r.group(e.group), member: r.member(e.member), offsets: mapKeys(e.offsets, tp) };
    case 'CoordinatorMoved':
      return { ...e, t, group: r.group(e.group) };
    case 'MessageDropped':
      return { ...e, t, from: e.from.includes('#') ? r.member(e.from) : e.from, to: e.to.includes('#') ? r.member(e.to) : e.to };
    case 'GroupLoaded':
      return { ...e, t, group: r.group(e.group), members: e.members.map(r.member) };
    case 'StaticMemberReplaced':
      return { ...e, t, group: r.group(e.group), member: r.member(e.member), previous: r.member(e.previous) };
  }
};

/**
 * Concatenates histories into one: part k is renamed with suffixRenaming(k) and starts `gapMs`
 * after the previous part's last event. Lazy, so a million events need not be held at once.
 */
export function* concatHistories(parts: Iterable<History>, gapMs = 1000): Generator<HistoryEvent, void, undefined> {
  let k = 0;
  let end = 0;
  for (const part of parts) {
    const dt = k === 0 ? 0 : end + gapMs;
    const r = suffixRenaming(k);
    for (const e of part) {
      const renamed = renameEvent(e, r, dt);
      end = Math.max(end, renamed.t);
      yield renamed;
    }
    k++;
  }
}

/**
 * Concatenates histories as successive episodes of the same groups and topics (see the file
 * comment). Part k's members are renamed with a `.k` suffix; its offsets on each partition are
 * shifted past every offset produced before; its generations are shifted past the group's last
 * one; times follow the previous part after `gapMs`. Lazy.
 */
export function* continueHistories(parts: Iterable<History>, gapMs = 1000): Generator<HistoryEvent, void, undefined> {
  const nextOffset = new Map<TopicPartition, number>(); // tp → first offset not produced yet
  const nextGeneration = new Map<string, number>(); // group → first generation not used yet
  let k = 0;
  let end = 0;
  for (const part of parts) {
    const dt = k === 0 ? 0 : end + gapMs;
    const member = (m: string): string => `${m}.${k}`;
    const offsetBase = new Map(nextOffset);
    const genBase = new Map(nextGeneration);
    const off = (tp: TopicPartition, o: number): number => o + (offsetBase.get(tp) ?? 0);
    const offs = (o: Readonly<Record<TopicPartition, number>>): Record<TopicPartition, number> => {
      const out: Record<TopicPartition, number> = {};
      for (const [tp, v] of Object.entries(o)) out[tp] = off(tp, v);
      return out;
    };
    const gen = (group: string, g: number): number => {
      if (g < 0) return g;
      const shifted = g + (genBase.get(group) ?? 0);
      if (shifted + 1 > (nextGeneration.get(group) ?? 0)) nextGeneration.set(group, shifted + 1);
      return shifted;
    };
    for (const e of part) {
      const t = e.t + dt;
      let out: HistoryEvent;
      switch (e.type) {
        case 'Produced': {
          const offset = off(e.tp, e.offset);
          if (offset + 1 > (nextOffset.get(e.tp) ?? 0)) nextOffset.set(e.tp, offset + 1);
          out = { ...e, t, offset };
          break;
        }
        case 'Started':
        case 'Crashed':
        case 'Paused':
        case 'Resumed':
        case 'LeaveRequested':
        case 'Stalled':
          out = { ...e, t, member: member(e.member) };
          break;
        case 'PartitionsAdded':
          out = { ...e, t };
          break;
        case 'SeekRequested':
        case 'Positioned':
        case 'ProcessStarted':
        case 'Processed':
          out = { ...e, t, member: member(e.member), offset: off(e.tp, e.offset) };
          break;
        case 'Polled':
          out = { ...e, t, member: member(e.member), offsets: e.offsets.map((o) => off(e.tp, o)) };
          break;
        case 'Quiesce':
        case 'Quiesced':
          out = { ...e, t };
          break;
        case 'Joined':
        case 'Assigned':
          out = { ...e, t, member: member(e.member), generation: gen(e.group, e.generation) };
          break;
        case 'Revoked':
        case 'Left':
        case 'PollTimeoutExpired':
        case 'Fenced':
          out = { ...e, t, member: member(e.member) };
          break;
        case 'AssignorRan':
          // Member ids inside the plan are coordinator ids, left as they are.
          out = { ...e, t, member: member(e.member) };
          break;
        case 'CommitRequested':
        case 'CommitResult':
          out = { ...e, t, member: member(e.member), generation: gen(e.group, e.generation), offsets: offs(e.offsets) };
          break;
        case 'RebalanceStarted':
          out = { ...e, t, generation: gen(e.group, e.generation) };
          break;
        case 'GenerationStarted':
          out = { ...e, t, generation: gen(e.group, e.generation), members: e.members.map(member), leader: e.leader === null ? null : member(e.leader) };
          break;
        case 'GroupStable': {
          const assignment: Record<string, readonly TopicPartition[]> = {};
          for (const [m, tps] of Object.entries(e.assignment)) assignment[member(m)] = tps;
          out = { ...e, t, generation: gen(e.group, e.generation), assignment };
          break;
        }
        case 'MemberRemoved':
          out = { ...e, t, member: member(e.member) };
          break;
        case 'MemberEpochAssigned':
          out = { ...e, t, member: member(e.member), epoch: gen(e.group, e.epoch) };
          break;
        case 'OffsetsStored':
          out = { ...e, t, member: member(e.member), generation: gen(e.group, e.generation), offsets: offs(e.offsets) };
          break;
        case 'CoordinatorMoved':
          out = { ...e, t };
          break;
        case 'MessageDropped':
          out = { ...e, t, from: e.from.includes('#') ? member(e.from) : e.from, to: e.to.includes('#') ? member(e.to) : e.to };
          break;
        case 'GroupLoaded':
          out = { ...e, t, generation: gen(e.group, e.generation), members: e.members.map(member) };
          break;
        case 'StaticMemberReplaced':
          out = { ...e, t, member: member(e.member), previous: member(e.previous), generation: gen(e.group, e.generation) };
          break;
      }
      end = Math.max(end, t);
      yield out;
    }
    k++;
  }
}
