/**
 * A counterexample's history as a Mermaid `sequenceDiagram`, for the Markdown report (code
 * hosts render ```mermaid blocks). Participants: the producer and log, every member
 * incarnation (`c1#2`) in order of appearance, and one coordinator per group. Requests and
 * answers are arrows (poll: log → member, commit: member → coordinator → member, offsets
 * stored: coordinator → log); crashes, pauses and positions are notes; the events a violation
 * names are drawn in a red `rect` with ⚠; a note marks each step of the virtual clock.
 *
 * Readability: `foldSteps` (shared with the HTML report) folds a ProcessStarted into the
 * Processed that ends it, and adjacent Positioned, Produced, Processed or ProcessStarted events
 * of one member into one step; marked events are never folded.
 *
 * Text goes through `mermaidText`: Mermaid's sequence lexer ends a message at `#`, `;` or a
 * newline and renders HTML, so those characters become Mermaid's numeric entity codes (`#35;`).
 */
import type { HistoryEvent } from '../../models/history.ts';
import { describeEvent } from './timeline.ts';

/** One line of a drawn history: one event, or several adjacent events of one kind folded. */
export interface Step {
  /** Every history index the step stands for (folded ProcessStarted included), ascending. */
  readonly indices: readonly number[];
  /** The events shown, all of one type and one actor, in history order. */
  readonly events: readonly [HistoryEvent, ...HistoryEvent[]];
  /** Indices of the shown events. */
  readonly shown: readonly number[];
  /** Whether a violation names one of its events. */
  readonly marked: boolean;
}

const FOLDABLE = new Set<HistoryEvent['type']>(['Positioned', 'Produced', 'Processed', 'ProcessStarted']);

/** Who an event belongs to: a member incarnation, a group's coordinator, the log, or the simulator. */
export type Actor = { readonly kind: 'member'; readonly name: string } | { readonly kind: 'group'; readonly name: string } | { readonly kind: 'log' } | { readonly kind: 'sim' };

export const actorOf = (e: HistoryEvent): Actor => {
  switch (e.type) {
    case 'Produced':
      return { kind: 'log' };
    case 'Quiesce':
    case 'Quiesced':
    case 'MessageDropped':
      return { kind: 'sim' };
    case 'CoordinatorMoved':
    case 'GroupLoaded':
    case 'RebalanceStarted':
    case 'GenerationStarted':
    case 'GroupStable':
    case 'MemberRemoved':
    case 'MemberEpochAssigned':
    case 'OffsetsStored':
    case 'StaticMemberReplaced':
      return { kind: 'group', name: e.group };
    case 'PartitionsAdded':
      return { kind: 'sim' };
    default:
      return { kind: 'member', name: e.member };
  }
};

const actorKey = (a: Actor): string => (a.kind === 'member' || a.kind === 'group' ? `${a.kind}:${a.name}` : a.kind);

const canFold = (a: HistoryEvent, b: HistoryEvent): boolean => {
  if (a.type !== b.type || !FOLDABLE.has(a.type)) return false;
  if (actorKey(actorOf(a)) !== actorKey(actorOf(b))) return false;
  if ((a.type === 'Processed' || a.type === 'ProcessStarted') && (b.type === 'Processed' || b.type === 'ProcessStarted')) return a.tp === b.tp;
  return true;
};

/**
 * The history as drawable steps. An unmarked ProcessStarted whose record the same member later
 * finishes is folded into that Processed step (one started but never finished, say by a crash,
 * stays visible); then adjacent unmarked events of one foldable type and actor become one step.
 */
export const foldSteps = (history: readonly HistoryEvent[], marked: ReadonlySet<number> = new Set()): Step[] => {
  const absorbedInto = new Map<number, number[]>();
  const absorbed = new Set<number>();
  history.forEach((e, i) => {
    if (e.type !== 'ProcessStarted' || marked.has(i)) return;
    for (let j = i + 1; j < history.length; j++) {
      const f = history[j];
      if (f === undefined || !('member' in f) || f.member !== e.member) continue;
      if (f.type === 'Processed' && f.tp === e.tp && f.offset === e.offset) {
        absorbedInto.set(j, [...(absorbedInto.get(j) ?? []), i]);
        absorbed.add(i);
        break;
      }
      if (f.type === 'Crashed' || f.type === 'ProcessStarted') break;
    }
  });
  const steps: { indices: number[]; events: [HistoryEvent, ...HistoryEvent[]]; shown: number[]; marked: boolean }[] = [];
  history.forEach((e, i) => {
    if (absorbed.has(i)) return;
    const mark = marked.has(i);
    const indices = [...(absorbedInto.get(i) ?? []), i];
    const last = steps[steps.length - 1];
    if (!mark && last !== undefined && !last.marked && canFold(last.events[0], e)) {
      last.events.push(e);
      last.shown.push(i);
      last.indices.push(...indices);
      return;
    }
    steps.push({ indices, events: [e], shown: [i], marked: mark });
  });
  return steps.map((s) => ({ ...s, indices: [...s.indices].sort((a, b) => a - b) }));
};

const range = (xs: readonly number[]): string => {
  if (xs.length === 0) return '';
  const first = xs[0] as number;
  const last = xs[xs.length - 1] as number;
  if (first === last) return `${first}`;
  return xs.length === last - first + 1 ? `${first}..${last}` : xs.join(',');
};

/** The step's text, as the text timeline words it (folded steps list what they fold). */
export const stepLabel = (s: Step): string => {
  const [e, ...rest] = s.events;
  if (rest.length === 0) return describeEvent(e).what;
  const all = s.events;
  switch (e.type) {
    case 'Positioned': {
      const sources = [...new Set(all.map((x) => (x.type === 'Positioned' ? x.source : '')))].join(', ');
      return `Position ${all.map((x) => (x.type === 'Positioned' ? `${x.tp}@${x.offset}` : '')).join(', ')} (${sources})`;
    }
    case 'Produced':
      return `Produced ${all.map((x) => (x.type === 'Produced' ? `${x.tp}@${x.offset}` : '')).join(', ')} (${all.length} records)`;
    case 'Processed':
    case 'ProcessStarted':
      return `${e.type === 'Processed' ? 'Processed' : 'Processing'} ${e.tp}@${range(all.map((x) => (x.type === 'Processed' || x.type === 'ProcessStarted' ? x.offset : -1)))}`;
    default:
      return describeEvent(e).what;
  }
};

/** The history indices a step shows, as `12` or `23–25`. */
export const stepIndexLabel = (s: Step): string => {
  const first = s.shown[0] ?? 0;
  const last = s.shown[s.shown.length - 1] ?? first;
  return first === last ? `${first}` : `${first}–${last}`;
};

const ENTITY: Readonly<Record<string, string>> = {
  '#': '#35;',
  ';': '#59;',
  '&': '#38;',
  '<': '#60;',
  '>': '#62;',
  '"': '#34;',
  '`': '#96;',
  '%': '#37;',
  '{': '#123;',
  '}': '#125;',
};

/**
 * Text safe inside a Mermaid sequence message, note or participant alias: one line, and the
 * characters the lexer or the HTML renderer would read (`#`, `;`, `<`, `%%`...) as entity codes.
 */
export const mermaidText = (s: string): string =>
  s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[#;&<>"`%{}]/g, (c) => ENTITY[c] ?? c)
    .trim();

export interface MermaidOptions {
  /** History indices a violation names: drawn in a red rect with ⚠. */
  readonly marked?: ReadonlySet<number>;
  /** Violation messages, one closing ⚠ note each. */
  readonly violations?: readonly string[];
  /** Past this many steps only the neighbourhood of marked steps is drawn (default 250). */
  readonly maxSteps?: number;
}

/** The colour of the rect around a violation event. */
export const VIOLATION_RGB = 'rgb(255,220,220)';

/** The history as a Mermaid sequence diagram (first line `sequenceDiagram`, no code fence). */
export const mermaidSequence = (history: readonly HistoryEvent[], opts: MermaidOptions = {}): string => {
  const marked = opts.marked ?? new Set<number>();
  const steps = foldSteps(history, marked);

  // Participants: log first, members in order of appearance, then one coordinator per group.
  const members: string[] = [];
  const groups: string[] = [];
  const seen = (xs: string[], x: string): void => {
    if (!xs.includes(x)) xs.push(x);
  };
  for (const e of history) {
    if ('member' in e) seen(members, e.member);
    if ('group' in e) seen(groups, e.group);
  }
  const ids = new Map<string, string>([['log', 'L']]);
  members.forEach((m, i) => ids.set(`member:${m}`, `M${i + 1}`));
  groups.forEach((g, i) => ids.set(`group:${g}`, `G${i + 1}`));
  const first = 'L';
  const lastId = groups.length > 0 ? `G${groups.length}` : members.length > 0 ? `M${members.length}` : 'L';
  const all = lastId === first ? first : `${first},${lastId}`;
  const M = (name: string): string => ids.get(`member:${name}`) as string;
  const G = (name: string): string => ids.get(`group:${name}`) as string;

  const out: string[] = ['sequenceDiagram'];
  out.push(`  participant L as ${mermaidText('producer / log')}`);
  members.forEach((m) => out.push(`  participant ${M(m)} as ${mermaidText(m)}`));
  groups.forEach((g) => out.push(`  participant ${G(g)} as ${mermaidText(`coordinator ${g}`)}`));

  // Long histories: keep the neighbourhood of the marked steps, fold the rest into notes.
  const max = opts.maxSteps ?? 250;
  const keep = new Set<number>();
  if (steps.length <= max) steps.forEach((_, i) => keep.add(i));
  else {
    const markedSteps = steps.flatMap((s, i) => (s.marked ? [i] : []));
    const around = Math.max(3, Math.floor(max / Math.max(1, markedSteps.length) / 2));
    if (markedSteps.length === 0) for (let i = 0; i < max; i++) keep.add(i);
    for (const m of markedSteps) for (let i = Math.max(0, m - around); i <= Math.min(steps.length - 1, m + around); i++) keep.add(i);
  }

  const statement = (s: Step, text: string): string => {
    const e = s.events[0];
    switch (e.type) {
      case 'Produced':
        return `Note over L: ${text}`;
      case 'Quiesce':
      case 'Quiesced':
      case 'MessageDropped':
        return `Note over ${all}: ${text}`;
      case 'CoordinatorMoved':
      case 'GroupLoaded':
        return `Note over ${G(e.group)}: ${text}`;
      case 'Started':
      case 'Crashed':
      case 'Paused':
      case 'Resumed':
      case 'LeaveRequested':
      case 'SeekRequested':
      case 'Positioned':
        return `Note over ${M(e.member)}: ${text}`;
      case 'Joined':
      case 'Assigned':
        return `${G(e.group)}-->>${M(e.member)}: ${text}`;
      case 'Revoked':
        return e.reason === 'rebalance' ? `${G(e.group)}-->>${M(e.member)}: ${text}` : `${M(e.member)}->>${M(e.member)}: ${text}`;
      case 'Polled':
        return `L->>${M(e.member)}: ${text}`;
      case 'ProcessStarted':
      case 'Processed':
        return `${M(e.member)}->>${M(e.member)}: ${text}`;
      case 'CommitRequested':
        return `${M(e.member)}->>${G(e.group)}: ${text}`;
      case 'CommitResult':
        return e.error === 'NONE' ? `${G(e.group)}-->>${M(e.member)}: ${text}` : `${G(e.group)}--x${M(e.member)}: ${text}`;
      case 'Left':
        return `${M(e.member)}->>${G(e.group)}: ${text}`;
      case 'AssignorRan':
        return `Note over ${M(e.member)}: ${text}`;
      case 'RebalanceStarted':
      case 'GroupStable':
        return `Note over ${G(e.group)}: ${text}`;
      case 'GenerationStarted':
        return `${G(e.group)}->>${G(e.group)}: ${text}`;
      case 'MemberRemoved':
        return `${G(e.group)}--x${M(e.member)}: ${text}`;
      case 'StaticMemberReplaced':
        return `${G(e.group)}-->>${M(e.member)}: ${text}`;
      case 'PartitionsAdded':
        return `Note over L: ${text}`;
      case 'Stalled':
        return `Note over ${M(e.member)}: ${text}`;
      case 'PollTimeoutExpired':
        return `${M(e.member)}->>${G(e.group)}: ${text}`;
      case 'Fenced':
        return `${G(e.group)}--x${M(e.member)}: ${text}`;
      case 'MemberEpochAssigned':
        return `Note over ${G(e.group)}: ${text}`;
      case 'OffsetsStored':
        return `${G(e.group)}->>L: ${text}`;
    }
  };

  const icon = (e: HistoryEvent): string =>
    e.type === 'Crashed' ? '💥 ' : e.type === 'Paused' ? '⏸ ' : e.type === 'Resumed' ? '▶ ' : '';

  let lastT: number | undefined;
  let skipped = 0;
  const flushSkipped = (): void => {
    if (skipped > 0) out.push(`  Note over ${all}: ${mermaidText(`… ${skipped} step(s) not drawn, see the text timeline …`)}`);
    skipped = 0;
  };
  steps.forEach((s, i) => {
    if (!keep.has(i)) {
      skipped++;
      return;
    }
    flushSkipped();
    const e = s.events[0];
    if (e.t !== lastT) {
      out.push(`  Note over ${all}: ${mermaidText(`t = ${e.t} ms`)}`);
      lastT = e.t;
    }
    const text = mermaidText(`${s.marked ? '⚠ ' : ''}[${stepIndexLabel(s)}] ${icon(e)}${stepLabel(s)}`);
    if (s.marked) out.push(`  rect ${VIOLATION_RGB}`, `    ${statement(s, text)}`, '  end');
    else out.push(`  ${statement(s, text)}`);
  });
  flushSkipped();
  for (const v of opts.violations ?? []) out.push(`  rect ${VIOLATION_RGB}`, `    Note over ${all}: ${mermaidText(`⚠ ${v}`)}`, '  end');
  return `${out.join('\n')}\n`;
};
