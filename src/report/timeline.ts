/**
 * A history as a readable timeline, one line per event (TigerBeetle's VOPR trace, Jepsen's
 * history.txt). Columns: event index, virtual time in ms, who (member or group), what.
 * Events named by a violation are marked `!!`.
 */
import type { HistoryEvent } from '../../models/history.ts';

const offsets = (o: Readonly<Record<string, number>>): string =>
  Object.entries(o)
    .map(([tp, off]) => `${tp}→${off}`)
    .join(' ');

const range = (xs: readonly number[]): string => {
  if (xs.length === 0) return '(none)';
  const first = xs[0] as number;
  const last = xs[xs.length - 1] as number;
  return xs.length === last - first + 1 ? (first === last ? `${first}` : `${first}..${last}`) : xs.join(',');
};

export const describeEvent = (e: HistoryEvent): { who: string; what: string } => {
  switch (e.type) {
    case 'Produced':
      return { who: 'producer', what: `Produced ${e.tp}@${e.offset} key ${e.key}` };
    case 'Started':
      return { who: e.member, what: `Started in ${e.group} (${e.policy}, ${e.mode})` };
    case 'Crashed':
      return { who: e.member, what: 'Crashed (kill -9)' };
    case 'Paused':
      return { who: e.member, what: `Paused for ${e.ms} ms` };
    case 'Resumed':
      return { who: e.member, what: 'Resumed' };
    case 'LeaveRequested':
      return { who: e.member, what: 'Close requested' };
    case 'SeekRequested':
      return { who: e.member, what: `Seek ${e.tp} → ${e.offset}` };
    case 'Quiesce':
      return { who: 'sim', what: 'Quiesce: no more faults; waiting for the groups to settle' };
    case 'Quiesced':
      return { who: 'sim', what: e.settled ? 'Settled' : 'Did not settle within quiesceMaxMs' };
    case 'CoordinatorMoved':
      return { who: e.group, what: `Coordinator moved to node ${e.coordinator} (the old one unloads the group)` };
    case 'MessageDropped':
      return { who: 'net', what: `Dropped ${e.message} ${e.from} → ${e.to}` };
    case 'GroupLoaded':
      return { who: e.group, what: `Loaded by coordinator ${e.coordinator}: generation ${e.generation}, members ${e.members.join(', ') || '(none)'}` };
    case 'Joined':
      return { who: e.member, what: `Joined ${e.group} generation ${e.generation}${e.leader ? ' as leader' : ''}` };
    case 'Assigned':
      return { who: e.member, what: `Assigned gen ${e.generation}: ${e.partitions.join(', ') || '(nothing)'}` };
    case 'Revoked':
      return { who: e.member, what: `Revoked (${e.reason}): ${e.partitions.join(', ')}` };
    case 'Positioned':
      return { who: e.member, what: `Position ${e.tp} at ${e.offset} (${e.source})` };
    case 'Polled':
      return { who: e.member, what: `Polled ${e.tp}@${range(e.offsets)}` };
    case 'ProcessStarted':
      return { who: e.member, what: `Processing ${e.tp}@${e.offset}` };
    case 'Processed':
      return { who: e.member, what: `Processed ${e.tp}@${e.offset}` };
    case 'CommitRequested':
      return { who: e.member, what: `Commit #${e.seq} gen ${e.generation}: ${offsets(e.offsets)}` };
    case 'CommitResult':
      if (e.local !== undefined) return { who: e.member, what: `Commit #${e.seq} gen ${e.generation}: ${offsets(e.offsets)} failed locally (${e.local}), not sent` };
      return { who: e.member, what: `Commit #${e.seq} ${e.error === 'NONE' ? 'OK' : e.error === 'REQUEST_TIMED_OUT' ? 'timed out (outcome unknown)' : `rejected ${e.error}`}` };
    case 'Left':
      return { who: e.member, what: `Left ${e.group}` };
    case 'AssignorRan':
      return {
        who: e.member,
        what: `Assignor ${e.assignor} gen ${e.generation}: ${Object.entries(e.assignment)
          .map(([m, ps]) => `${m}={${ps.join(',')}}`)
          .join(' ')}${Object.entries(e.target).some(([m, ps]) => ps.length !== (e.assignment[m] ?? []).length) ? ' (held back for revocation)' : ''}`,
      };
    case 'RebalanceStarted':
      return { who: e.group, what: `Rebalance starts (generation ${e.generation} ending)` };
    case 'GenerationStarted':
      return { who: e.group, what: `Generation ${e.generation} starts: [${e.members.join(', ')}]${e.leader ? ` leader ${e.leader}` : ''}` };
    case 'GroupStable':
      return {
        who: e.group,
        what: `Stable gen ${e.generation}: ${Object.entries(e.assignment)
          .map(([m, ps]) => `${m}={${ps.join(',')}}`)
          .join(' ')}`,
      };
    case 'MemberRemoved':
      return { who: e.group, what: `Removed ${e.member} (${e.reason})` };
    case 'MemberEpochAssigned':
      return {
        who: e.group,
        what: `${e.member} at epoch ${e.epoch}: {${e.assigned.join(',')}}${e.pendingRevocation.length > 0 ? ` revoking {${e.pendingRevocation.join(',')}}` : ''}`,
      };
    case 'OffsetsStored':
      return { who: e.group, what: `Stored offsets of ${e.member} gen ${e.generation}: ${offsets(e.offsets)}` };
    case 'StaticMemberReplaced':
      return { who: e.group, what: `Static member ${e.instance}: ${e.member} replaces ${e.previous} (gen ${e.generation}, no rebalance)` };
    case 'Stalled':
      return { who: e.member, what: `Processing stalls for ${e.ms} ms` };
    case 'PartitionsAdded':
      return { who: 'admin', what: `Topic ${e.topic} now has ${e.partitions} partitions` };
    case 'PollTimeoutExpired':
      return { who: e.member, what: `max.poll.interval.ms exceeded: gives up its generation in ${e.group}` };
    case 'Fenced':
      return { who: e.member, what: `Fenced (FENCED_INSTANCE_ID) from ${e.group}` };
  }
};

export interface TimelineOptions {
  readonly marked?: ReadonlySet<number>;
  /** Hide the coordinator's store echoes and positions to shorten long timelines. */
  readonly compact?: boolean;
}

export const timelineLines = (history: readonly HistoryEvent[], opts: TimelineOptions = {}): string[] => {
  const width = String(Math.max(0, history.length - 1)).length;
  const tWidth = String(history[history.length - 1]?.t ?? 0).length;
  const lines: string[] = [];
  history.forEach((e, i) => {
    const mark = opts.marked?.has(i) === true;
    if (opts.compact === true && !mark && (e.type === 'OffsetsStored' || e.type === 'ProcessStarted')) return;
    const { who, what } = describeEvent(e);
    lines.push(`${mark ? '!!' : '  '}${String(i).padStart(width)}  t=${String(e.t).padStart(tWidth)}  ${who.padEnd(9)} ${what}`);
  });
  return lines;
};
