/**
 * The HTML report of a `groupcheck check` run (reports/latest.html): one self-contained file
 * that works offline (inline CSS and SVG, no script, no external reference). It shows the
 * guarantee matrix (invariant × configuration, unmet expectations in red), what each invariant
 * claims and where the rule comes from, the run totals, and every counterexample with two
 * drawings of its history, the text timeline and the replay command:
 * - an overview over virtual time: one lane per member incarnation, coordinator and the log;
 *   member lifetimes, owned stretches and pauses, generations and rebalances, events as ticks,
 *   the violation's events as red dots;
 * - a sequence chart in history order: the same lanes as columns, arrows for polls, commits,
 *   answers and offset stores, one labelled row per (folded) step, violation rows in red.
 *
 * Every piece of text from the run goes through `esc`.
 */
import { WITNESSES } from '../../properties/witnesses/index.ts';
import { INVARIANTS } from '../../properties/invariants/index.ts';
import type { HistoryEvent } from '../../models/history.ts';
import { describeCommand } from '../sim/command.ts';
import { simulate } from '../sim/simulate.ts';
import type { MatrixRow } from '../check/matrix.ts';
import type { RowResult } from '../check/search.ts';
import { actorOf, foldSteps, stepIndexLabel, stepLabel, type Step } from './mermaid.ts';
import type { CheckReport } from './runReport.ts';
import { timelineLines } from './timeline.ts';

/** Text for HTML element content and attribute values (also inside SVG). */
export const esc = (s: string | number): string =>
  String(s).replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));

type Cell = CheckReport['configurations'][number]['cells'][number];

/** The anchor of a counterexample's section. */
const cxId = (row: string, inv: string): string => `cx-${row}-${inv}`.replace(/[^A-Za-z0-9_-]/g, '_');

const fmtMs = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
const fmtInt = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const matrixCell = (row: string, totalRuns: number, c: Cell | undefined): string => {
  if (c === undefined) return '<td class="cell na">–</td>';
  const n = c.counterexample?.commands ?? 0;
  const link = (inner: string): string => (c.counterexample !== null ? `<a href="#${esc(cxId(row, c.invariant))}">${inner}</a>` : inner);
  const main =
    c.outcome === 'counterexample' ? link(`✗ ${plural(n, 'cmd')}`) : c.outcome === 'unknown' ? '? unknown' : '✓ holds';
  const runs = c.outcome === 'counterexample' ? `${c.violatedRuns}/${totalRuns}` : c.unknownRuns > 0 ? `${c.unknownRuns}/${totalRuns} unknown` : '';
  let cls: string;
  let note: string;
  if (!c.met) {
    cls = 'broken';
    note = c.expect === 'holds' ? 'must hold' : 'must fail';
  } else if (c.expect === 'report') {
    cls = 'report';
    note = 'reported';
  } else if (c.outcome === 'counterexample') {
    cls = 'expected-cx';
    note = 'expected';
  } else {
    cls = 'holds';
    note = '';
  }
  const title = `${row} × ${c.invariant}: expected ${c.expect}, got ${c.outcome}${runs ? ` (${runs} violated)` : ''}${c.met ? '' : ' — EXPECTATION BROKEN'}`;
  const sub = [note, runs].filter((x) => x !== '').join(' · ');
  return `<td class="cell ${cls}" title="${esc(title)}"><span class="main">${c.met ? '' : '<span class="bang">!</span> '}${main}</span>${sub ? `<span class="sub">${esc(sub)}</span>` : ''}</td>`;
};

// ---------------------------------------------------------------------------------------------
// Lanes shared by both drawings.

interface Lane {
  readonly key: string;
  readonly label: string;
  /** Small line above the name in the sequence chart's lane header. */
  readonly caption: string;
  readonly name: string;
  readonly kind: 'log' | 'member' | 'group';
  readonly color: string;
}

const MEMBER_COLORS = ['#2563eb', '#7c3aed', '#0f766e', '#c2410c', '#be185d', '#4d7c0f', '#0369a1', '#a16207'];
const RED = '#d1242f';

const lanesOf = (history: readonly HistoryEvent[]): Lane[] => {
  const members: string[] = [];
  const groups: string[] = [];
  for (const e of history) {
    if ('member' in e && !members.includes(e.member)) members.push(e.member);
    if ('group' in e && !groups.includes(e.group)) groups.push(e.group);
  }
  return [
    { key: 'log', label: 'producer / log', caption: 'producer', name: 'log', kind: 'log', color: '#57606a' },
    ...members.map((m, i): Lane => ({ key: `member:${m}`, label: m, caption: 'member', name: m, kind: 'member', color: MEMBER_COLORS[i % MEMBER_COLORS.length] as string })),
    ...groups.map((g): Lane => ({ key: `group:${g}`, label: `coordinator ${g}`, caption: 'coordinator', name: g, kind: 'group', color: '#1f2937' })),
  ];
};

const laneKeyOf = (e: HistoryEvent): string | null => {
  const a = actorOf(e);
  return a.kind === 'sim' ? null : a.kind === 'log' ? 'log' : `${a.kind}:${a.name}`;
};

/** Round tick step (1, 2, 5 × 10^k) for about `n` ticks over [0, max]. */
const tickStep = (max: number, n: number): number => {
  const raw = Math.max(1, max / n);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
};

const truncate = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

// ---------------------------------------------------------------------------------------------
// Overview over virtual time.

export const overviewSvg = (history: readonly HistoryEvent[], marked: ReadonlySet<number>, uid = 'ov'): string => {
  const lanes = lanesOf(history);
  const W = 1120;
  const left = Math.min(240, Math.max(120, 20 + 7.4 * Math.max(...lanes.map((l) => l.label.length))));
  const right = 24;
  const top = 34;
  const LH = 30;
  const H = top + lanes.length * LH + 14;
  const tMax = Math.max(1, ...history.map((e) => e.t));
  const x = (t: number): number => left + (t / tMax) * (W - left - right);
  const laneIndex = new Map(lanes.map((l, i) => [l.key, i]));
  const yMid = (key: string): number => top + (laneIndex.get(key) ?? 0) * LH + LH / 2;
  const o: string[] = [];
  o.push(`<svg class="overview" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="timeline over virtual time">`);
  o.push(`<defs><pattern id="${uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3f4f6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9ca3af" stroke-width="2"/></pattern>`);
  o.push(`<pattern id="${uid}-hatch-amber" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff7e6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#f0b429" stroke-width="2"/></pattern></defs>`);
  // Lane backgrounds and labels.
  lanes.forEach((l, i) => {
    const y = top + i * LH;
    if (i % 2 === 0) o.push(`<rect x="0" y="${y}" width="${W}" height="${LH}" fill="#f8fafc"/>`);
    o.push(`<text x="${left - 10}" y="${y + LH / 2 + 4}" text-anchor="end" class="lane-label" fill="${l.color}">${esc(l.label)}</text>`);
  });
  // Time axis.
  const step = tickStep(tMax, 10);
  for (let t = 0; t <= tMax; t += step) {
    o.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${H - 10}" stroke="#e5e7eb"/>`);
    o.push(`<text x="${x(t)}" y="${top - 12}" text-anchor="middle" class="tick">${esc(t >= 1000 ? `${t / 1000} s` : `${t} ms`)}</text>`);
  }
  // Member lifetimes, owned stretches and pauses; coordinator generations and rebalances.
  const end = tMax;
  for (const l of lanes) {
    const y = yMid(l.key);
    if (l.kind === 'member') {
      const name = l.key.slice('member:'.length);
      let born: number | null = null;
      let owned: number | null = null;
      let paused: number | null = null;
      const segs: string[] = [];
      const close = (t: number): void => {
        if (owned !== null) segs.push(`<rect x="${x(owned)}" y="${y - 5}" width="${Math.max(2, x(t) - x(owned))}" height="10" rx="2" fill="${l.color}" opacity="0.75"><title>${esc(`${name} owns partitions`)}</title></rect>`);
        owned = null;
      };
      for (const e of history) {
        if (!('member' in e) || e.member !== name || e.type === 'MemberRemoved' || e.type === 'OffsetsStored' || e.type === 'MemberEpochAssigned') continue;
        if (e.type === 'Started') born = e.t;
        if (e.type === 'Assigned' && e.partitions.length > 0) {
          close(e.t);
          owned = e.t;
        }
        if (e.type === 'Revoked') close(e.t);
        if (e.type === 'Paused') paused = e.t;
        if (e.type === 'Resumed' && paused !== null) {
          segs.push(`<rect x="${x(paused)}" y="${y - 9}" width="${Math.max(2, x(e.t) - x(paused))}" height="18" fill="url(#${uid}-hatch)" stroke="#9ca3af"><title>${esc(`${name} paused ${paused}–${e.t} ms`)}</title></rect>`);
          paused = null;
        }
        if (e.type === 'Crashed' || e.type === 'Left') {
          close(e.t);
          const removed = e.type === 'Crashed' ? history.find((f) => f.type === 'MemberRemoved' && f.member === name && f.t >= e.t) : undefined;
          if (removed !== undefined && removed.t > e.t) {
            o.push(`<line x1="${x(e.t)}" y1="${y}" x2="${x(removed.t)}" y2="${y}" stroke="${RED}" stroke-width="1.5" stroke-dasharray="2 4" opacity="0.7"><title>${esc(`${name} crashed at ${e.t} ms but stays in the group until the coordinator removes it at ${removed.t} ms`)}</title></line>`);
            o.push(`<path d="M${x(removed.t) - 5},${y - 5} L${x(removed.t) + 5},${y + 5} M${x(removed.t) + 5},${y - 5} L${x(removed.t) - 5},${y + 5}" stroke="#6b7280" stroke-width="1.8"/>`);
            if (x(removed.t) - x(e.t) > 150) o.push(`<text x="${(x(e.t) + x(removed.t)) / 2}" y="${y - 5}" text-anchor="middle" class="gap-label">${esc(`crashed, still in the group until removed (${removed.t - e.t} ms)`)}</text>`);
          }
          if (born !== null) o.push(`<line x1="${x(born)}" y1="${y}" x2="${x(e.t)}" y2="${y}" stroke="${l.color}" stroke-width="2" opacity="0.45"/>`);
          born = null;
        }
      }
      close(end);
      if (born !== null) o.push(`<line x1="${x(born)}" y1="${y}" x2="${x(end)}" y2="${y}" stroke="${l.color}" stroke-width="2" opacity="0.45"/>`);
      if (paused !== null) segs.push(`<rect x="${x(paused)}" y="${y - 9}" width="${Math.max(2, x(end) - x(paused))}" height="18" fill="url(#${uid}-hatch)" stroke="#9ca3af"/>`);
      o.push(...segs);
    } else if (l.kind === 'group') {
      const name = l.key.slice('group:'.length);
      let gen: { n: number; t: number } | null = null;
      let reb: number | null = null;
      const bar = (from: number, to: number, n: number): void => {
        const w = Math.max(2, x(to) - x(from));
        o.push(`<rect x="${x(from)}" y="${y - 6}" width="${w}" height="12" rx="2" fill="#cbd5e1"><title>${esc(`${name} generation ${n}`)}</title></rect>`);
        if (w > 44) o.push(`<text x="${x(from) + 4}" y="${y + 4}" class="seg-label">gen ${n}</text>`);
      };
      for (const e of history) {
        if (!('group' in e) || e.group !== name) continue;
        if (e.type === 'RebalanceStarted') {
          if (gen !== null) bar(gen.t, e.t, gen.n);
          gen = null;
          reb = e.t;
        }
        if (e.type === 'GenerationStarted') {
          if (reb !== null) o.push(`<rect x="${x(reb)}" y="${y - 6}" width="${Math.max(2, x(e.t) - x(reb))}" height="12" fill="url(#${uid}-hatch-amber)"><title>${esc(`${name} rebalancing ${reb}–${e.t} ms`)}</title></rect>`);
          reb = null;
          gen = { n: e.generation, t: e.t };
        }
      }
      if (gen !== null) bar(gen.t, end, gen.n);
      if (reb !== null) o.push(`<rect x="${x(reb)}" y="${y - 6}" width="${Math.max(2, x(end) - x(reb))}" height="12" fill="url(#${uid}-hatch-amber)"/>`);
    }
  }
  // Events: ticks; simulator phases as lines across; crashes as crosses; marked as red dots.
  const markedDots: string[] = [];
  const markLabels = new Map<string, { x: number; y: number; ids: number[] }>();
  history.forEach((e, i) => {
    const key = laneKeyOf(e);
    const what = `${i}  t=${e.t}  ${stepLabel({ indices: [i], events: [e], shown: [i], marked: false })}`;
    if (key === null) {
      o.push(`<line x1="${x(e.t)}" y1="${top}" x2="${x(e.t)}" y2="${H - 10}" stroke="#6b7280" stroke-dasharray="4 3"><title>${esc(what)}</title></line>`);
      o.push(`<text x="${x(e.t) - 4}" y="${H - 2}" text-anchor="end" class="tick">${esc(e.type === 'Quiesce' ? 'quiesce' : 'settled')}</text>`);
      return;
    }
    const y = yMid(key);
    if (marked.has(i)) {
      markedDots.push(`<circle cx="${x(e.t)}" cy="${y}" r="7" fill="${RED}" stroke="#fff" stroke-width="2"><title>${esc(`⚠ ${what}`)}</title></circle>`);
      // One label per spot: marked events of one lane closer than a few pixels share it.
      const spot = `${key}@${Math.round(x(e.t) / 8)}`;
      const at = markLabels.get(spot);
      if (at === undefined) markLabels.set(spot, { x: x(e.t), y: y - 10, ids: [i] });
      else at.ids.push(i);
    } else if (e.type === 'Crashed') {
      o.push(`<path d="M${x(e.t) - 6},${y - 6} L${x(e.t) + 6},${y + 6} M${x(e.t) + 6},${y - 6} L${x(e.t) - 6},${y + 6}" stroke="${RED}" stroke-width="2.5"><title>${esc(what)}</title></path>`);
    } else {
      o.push(`<line x1="${x(e.t)}" y1="${y - 9}" x2="${x(e.t)}" y2="${y + 9}" stroke="#111827" stroke-width="1.2" opacity="0.6"><title>${esc(what)}</title></line>`);
    }
  });
  o.push(...markedDots);
  for (const l of markLabels.values()) o.push(`<text x="${l.x}" y="${l.y}" text-anchor="${l.x < left + 24 ? 'start' : 'middle'}" class="mark-label">${esc(l.ids.join(', '))}</text>`);
  o.push('</svg>');
  return o.join('');
};

// ---------------------------------------------------------------------------------------------
// Sequence chart in history order.

type Shape = { kind: 'arrow'; from: string; to: string; dashed: boolean; cross: boolean } | { kind: 'mark'; at: string; glyph: 'dot' | 'ring' | 'square' | 'diamond' | 'cross' | 'pause' | 'play' } | { kind: 'across' };

const shapeOf = (e: HistoryEvent): Shape => {
  const m = (name: string): string => `member:${name}`;
  const g = (name: string): string => `group:${name}`;
  switch (e.type) {
    case 'Produced':
      return { kind: 'mark', at: 'log', glyph: 'square' };
    case 'Quiesce':
    case 'Quiesced':
    case 'MessageDropped':
      return { kind: 'across' };
    case 'CoordinatorMoved':
    case 'GroupLoaded':
      return { kind: 'mark', at: g(e.group), glyph: 'diamond' };
    case 'Started':
      return { kind: 'mark', at: m(e.member), glyph: 'play' };
    case 'Crashed':
      return { kind: 'mark', at: m(e.member), glyph: 'cross' };
    case 'Paused':
      return { kind: 'mark', at: m(e.member), glyph: 'pause' };
    case 'Resumed':
      return { kind: 'mark', at: m(e.member), glyph: 'play' };
    case 'LeaveRequested':
    case 'SeekRequested':
    case 'Positioned':
      return { kind: 'mark', at: m(e.member), glyph: 'ring' };
    case 'ProcessStarted':
    case 'Processed':
      return { kind: 'mark', at: m(e.member), glyph: 'dot' };
    case 'Joined':
    case 'Assigned':
      return { kind: 'arrow', from: g(e.group), to: m(e.member), dashed: true, cross: false };
    case 'Revoked':
      return e.reason === 'rebalance' ? { kind: 'arrow', from: g(e.group), to: m(e.member), dashed: true, cross: false } : { kind: 'mark', at: m(e.member), glyph: 'ring' };
    case 'Polled':
      return { kind: 'arrow', from: 'log', to: m(e.member), dashed: false, cross: false };
    case 'CommitRequested':
    case 'Left':
      return { kind: 'arrow', from: m(e.member), to: g(e.group), dashed: false, cross: false };
    case 'AssignorRan':
      return { kind: 'mark', at: m(e.member), glyph: 'diamond' };
    case 'CommitResult':
      return { kind: 'arrow', from: g(e.group), to: m(e.member), dashed: true, cross: e.error !== 'NONE' };
    case 'RebalanceStarted':
    case 'GenerationStarted':
    case 'GroupStable':
      return { kind: 'mark', at: g(e.group), glyph: 'diamond' };
    case 'MemberRemoved':
      return { kind: 'arrow', from: g(e.group), to: m(e.member), dashed: true, cross: true };
    case 'MemberEpochAssigned':
      return { kind: 'mark', at: g(e.group), glyph: 'diamond' };
    case 'OffsetsStored':
      return { kind: 'arrow', from: g(e.group), to: 'log', dashed: false, cross: false };
    case 'StaticMemberReplaced':
      return { kind: 'arrow', from: g(e.group), to: m(e.member), dashed: true, cross: false };
    case 'PartitionsAdded':
      return { kind: 'mark', at: 'log', glyph: 'square' };
    case 'Stalled':
      return { kind: 'mark', at: m(e.member), glyph: 'pause' };
    case 'PollTimeoutExpired':
      return { kind: 'arrow', from: m(e.member), to: g(e.group), dashed: false, cross: false };
    case 'Fenced':
      return { kind: 'arrow', from: g(e.group), to: m(e.member), dashed: true, cross: true };
  }
};

const glyph = (kind: Extract<Shape, { kind: 'mark' }>['glyph'], cx: number, cy: number, color: string): string => {
  switch (kind) {
    case 'dot':
      return `<circle cx="${cx}" cy="${cy}" r="4.5" fill="${color}"/>`;
    case 'ring':
      return `<circle cx="${cx}" cy="${cy}" r="4.5" fill="#fff" stroke="${color}" stroke-width="1.8"/>`;
    case 'square':
      return `<rect x="${cx - 4}" y="${cy - 4}" width="8" height="8" fill="${color}"/>`;
    case 'diamond':
      return `<path d="M${cx},${cy - 5.5} L${cx + 5.5},${cy} L${cx},${cy + 5.5} L${cx - 5.5},${cy} Z" fill="${color}"/>`;
    case 'cross':
      return `<path d="M${cx - 6},${cy - 6} L${cx + 6},${cy + 6} M${cx + 6},${cy - 6} L${cx - 6},${cy + 6}" stroke="${RED}" stroke-width="3"/>`;
    case 'pause':
      return `<rect x="${cx - 5}" y="${cy - 5}" width="3.5" height="10" fill="${color}"/><rect x="${cx + 1.5}" y="${cy - 5}" width="3.5" height="10" fill="${color}"/>`;
    case 'play':
      return `<path d="M${cx - 4},${cy - 5.5} L${cx + 5},${cy} L${cx - 4},${cy + 5.5} Z" fill="${color}"/>`;
  }
};

export const sequenceSvg = (history: readonly HistoryEvent[], marked: ReadonlySet<number>, uid = 'sq'): string => {
  const lanes = lanesOf(history);
  const steps = foldSteps(history, marked);
  const laneIndex = new Map(lanes.map((l, i) => [l.key, i]));
  const labels = steps.map((s) => stepLabel(s));
  const whoOf = (s: Step): string => {
    const a = actorOf(s.events[0]);
    return a.kind === 'member' ? a.name : a.kind === 'group' ? a.name : a.kind === 'log' ? 'log' : 'sim';
  };
  // Fit the report's column (about FIT px): lanes narrow down to make room for the labels.
  const FIT = 1130;
  const CHAR = 6.7;
  const laneX0 = 112;
  const longest = Math.max(20, ...steps.map((s, i) => (labels[i] ?? '').length + whoOf(s).length + 4));
  const labelRoom = Math.min(longest * CHAR, 480);
  const LW = Math.max(78, Math.min(120, Math.floor((FIT - laneX0 - 24 - labelRoom) / Math.max(1, lanes.length))));
  const cx = (key: string): number => laneX0 + (laneIndex.get(key) ?? 0) * LW + LW / 2;
  const labelX = laneX0 + lanes.length * LW + 14;
  const MAXC = Math.max(48, Math.floor((FIT - labelX - 10) / CHAR));
  const W = Math.max(900, Math.ceil(labelX + Math.min(MAXC, longest) * CHAR + 16));
  const top = 54;
  const RH = 22;
  const H = top + steps.length * RH + 12;
  const y = (i: number): number => top + i * RH + RH / 2;
  const o: string[] = [];
  o.push(`<svg class="sequence" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="sequence of events">`);
  o.push(`<defs><marker id="${uid}-ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker>`);
  o.push(`<marker id="${uid}-ah-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${RED}"/></marker></defs>`);
  // Time bands: rows at one virtual instant share a band.
  let band = 0;
  let bandStart = 0;
  const bands: string[] = [];
  const tLabels: string[] = [];
  steps.forEach((s, i) => {
    const t = s.events[0].t;
    const prev = i > 0 ? steps[i - 1]?.events[0].t : undefined;
    if (prev !== t) {
      if (i > 0 && band % 2 === 1) bands.push(`<rect x="0" y="${top + bandStart * RH}" width="${W}" height="${(i - bandStart) * RH}" fill="#f4f6f9"/>`);
      if (i > 0) band++;
      bandStart = i;
      tLabels.push(`<text x="100" y="${y(i) + 4}" text-anchor="end" class="tcol">${esc(`t=${t}`)}</text>`);
    }
  });
  if (band % 2 === 1) bands.push(`<rect x="0" y="${top + bandStart * RH}" width="${W}" height="${(steps.length - bandStart) * RH}" fill="#f4f6f9"/>`);
  o.push(...bands);
  // Violation rows.
  steps.forEach((s, i) => {
    if (s.marked) o.push(`<rect x="0" y="${top + i * RH + 1}" width="${W}" height="${RH - 2}" fill="#ffdcdc"/><rect x="0" y="${top + i * RH + 1}" width="4" height="${RH - 2}" fill="${RED}"/>`);
  });
  // Lane headers and lifelines.
  lanes.forEach((l) => {
    const c = cx(l.key);
    o.push(`<line x1="${c}" y1="${top - 4}" x2="${c}" y2="${H - 6}" stroke="#d0d7de" stroke-dasharray="3 3"/>`);
    o.push(`<rect x="${c - LW / 2 + 4}" y="6" width="${LW - 8}" height="36" rx="6" fill="#fff" stroke="${l.color}" stroke-width="1.5"><title>${esc(l.label)}</title></rect>`);
    o.push(`<text x="${c}" y="19" text-anchor="middle" class="lane-cap">${esc(l.caption)}</text>`);
    o.push(`<text x="${c}" y="35" text-anchor="middle" class="lane-head" fill="${l.color}">${esc(truncate(l.name, Math.floor((LW - 12) / 7)))}</text>`);
  });
  // Member lifetimes: a solid lifeline from the first to the last step of the incarnation.
  lanes.forEach((l) => {
    if (l.kind !== 'member') return;
    const rows = steps.flatMap((s, i) => (shapeTouches(shapeOf(s.events[0]), l.key) ? [i] : []));
    const first = rows[0];
    const lastRow = rows[rows.length - 1];
    if (first === undefined || lastRow === undefined) return;
    const ended = steps.slice(first, lastRow + 1).some((s) => s.events.some((e) => (e.type === 'Crashed' || e.type === 'Left') && `member:${e.member}` === l.key));
    o.push(`<line x1="${cx(l.key)}" y1="${y(first)}" x2="${cx(l.key)}" y2="${ended ? y(lastRow) : H - 6}" stroke="${l.color}" stroke-width="3" opacity="0.35"/>`);
  });
  o.push(...tLabels);
  // Steps.
  steps.forEach((s, i) => {
    const e = s.events[0];
    const sh = shapeOf(e);
    const yy = y(i);
    const laneColor = lanes.find((l) => l.key === laneKeyOf(e))?.color ?? '#374151';
    o.push(`<text x="40" y="${yy + 4}" text-anchor="end" class="idx">${esc(stepIndexLabel(s))}</text>`);
    if (sh.kind === 'arrow') {
      const x1 = cx(sh.from);
      const x2 = cx(sh.to);
      const dir = x2 >= x1 ? 1 : -1;
      const color = s.marked || sh.cross ? RED : '#374151';
      o.push(`<line x1="${x1}" y1="${yy}" x2="${x2 - dir * 3}" y2="${yy}" stroke="${color}" stroke-width="${s.marked ? 2.2 : 1.4}"${sh.dashed ? ' stroke-dasharray="5 3"' : ''}${sh.cross ? '' : ` marker-end="url(#${uid}-${s.marked ? 'ah-red' : 'ah'})"`}/>`);
      if (sh.cross) o.push(`<path d="M${x2 - dir * 10 - 4},${yy - 4} l8,8 m0,-8 l-8,8" stroke="${RED}" stroke-width="2.2"/>`);
      o.push(`<circle cx="${x1}" cy="${yy}" r="2.5" fill="${color}"/>`);
    } else if (sh.kind === 'mark') {
      o.push(glyph(sh.glyph, cx(sh.at), yy, s.marked ? RED : laneColor));
    } else {
      o.push(`<line x1="${laneX0}" y1="${yy}" x2="${laneX0 + lanes.length * LW}" y2="${yy}" stroke="#6b7280" stroke-dasharray="6 4"/>`);
    }
    if (s.marked) o.push(`<circle cx="${sh.kind === 'mark' ? cx(sh.at) : sh.kind === 'arrow' ? cx(sh.to) : laneX0}" cy="${yy}" r="9" fill="none" stroke="${RED}" stroke-width="2"/>`);
    const who = whoOf(s);
    const label = labels[i] ?? '';
    const shown = truncate(label, Math.max(10, MAXC - who.length - 3));
    o.push(
      `<text x="${labelX}" y="${yy + 4}" class="lbl${s.marked ? ' lbl-marked' : ''}"><title>${esc(`${stepIndexLabel(s)}  t=${e.t}  ${who}  ${label}`)}</title>` +
        `${s.marked ? '⚠ ' : ''}<tspan class="who" fill="${s.marked ? RED : laneColor}">${esc(who)}</tspan>  ${esc(shown)}</text>`,
    );
  });
  o.push('</svg>');
  return o.join('');
};

const shapeTouches = (sh: Shape, key: string): boolean =>
  sh.kind === 'arrow' ? sh.from === key || sh.to === key : sh.kind === 'mark' ? sh.at === key : false;

// ---------------------------------------------------------------------------------------------
// The page.

const CSS = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--green:#1a7f37;--green-bg:#e3f4e8;--amber:#8a5a00;--amber-bg:#fff1d6;--red:#b4232c;--red-bg:#ffe0e0;--grey-bg:#eef1f4}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:0 0 12px}h3{font-size:16px;margin:0}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}
.sub-title{color:var(--muted);margin:0 0 16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.banner{display:flex;align-items:center;gap:12px;border-radius:10px;padding:12px 16px;font-weight:600;font-size:15px;margin:0 0 18px}
.banner.ok{background:var(--green-bg);color:var(--green);border:1px solid #b7e0c2}
.banner.bad{background:var(--red-bg);color:var(--red);border:1px solid #f5b5b9}
.banner ul{margin:4px 0 0;padding-left:18px;font-weight:400}
.stats{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;margin:0 0 18px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.stat b{display:block;font-size:20px}.stat span{color:var(--muted);font-size:12.5px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #eaeef2}
th{font-size:12.5px;color:var(--muted);font-weight:600}
table.matrix{table-layout:fixed}
table.matrix th.cfg{text-align:center;vertical-align:bottom;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:11.5px;color:var(--ink);word-break:break-word}
table.matrix td.inv{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
table.matrix td.inv small{display:block;font-family:system-ui,sans-serif;color:var(--muted);font-size:11px}
td.cell{text-align:center;border:2px solid #fff;border-radius:6px;padding:5px 3px;font-size:12.5px}
td.cell .main{display:block;font-weight:600;white-space:nowrap}
td.cell .sub{display:block;font-size:10.5px;color:var(--muted);line-height:1.25}
td.cell.holds{background:var(--green-bg);color:var(--green)}
td.cell.expected-cx{background:var(--amber-bg);color:var(--amber)}
td.cell.expected-cx a{color:var(--amber)}
td.cell.report{background:var(--grey-bg);color:#4b5563}
td.cell.report a{color:#4b5563}
td.cell.broken{background:var(--red-bg);color:var(--red);outline:2px solid var(--red);outline-offset:-3px}
td.cell.broken a,td.cell.broken .sub{color:var(--red)}
td.cell.na{color:#aab}
.bang{display:inline-block;width:15px;height:15px;line-height:15px;border-radius:50%;background:var(--red);color:#fff;font-size:11px;font-weight:800;text-align:center;vertical-align:1px}
.legend{display:flex;flex-wrap:wrap;gap:8px 16px;margin:10px 0 0;color:var(--muted);font-size:12.5px}
.chip{display:inline-block;border-radius:5px;padding:1px 7px;font-weight:600;font-size:12px}
.chip.holds{background:var(--green-bg);color:var(--green)}.chip.expected-cx{background:var(--amber-bg);color:var(--amber)}
.chip.report{background:var(--grey-bg);color:#4b5563}.chip.broken{background:var(--red-bg);color:var(--red);outline:2px solid var(--red);outline-offset:-2px}
.badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;font-weight:600;margin-left:8px;vertical-align:2px}
.badge.expected{background:var(--amber-bg);color:var(--amber)}.badge.unexpected{background:var(--red);color:#fff}.badge.reported{background:var(--grey-bg);color:#4b5563}
.cx{border-left:4px solid #e5a11a}.cx.unexpected{border-left-color:var(--red)}.cx.reported{border-left-color:#9ca3af}
.facts{color:var(--muted);margin:6px 0 10px}
.violation{background:var(--red-bg);border:1px solid #f5b5b9;border-radius:8px;padding:8px 12px;margin:0 0 10px;color:#6e1118}
.violation b{color:var(--red)}
.commands{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 10px}
.commands span{background:#eef2ff;color:#3730a3;border-radius:5px;padding:1px 8px;font-size:12.5px}
.replay{display:flex;align-items:center;gap:10px;background:#0d1117;color:#e6edf3;border-radius:8px;padding:8px 12px;margin:0 0 14px;overflow-x:auto}
.replay .prompt{color:#7ee787}
.drawing{overflow-x:auto;margin:6px 0 12px;border:1px solid #eaeef2;border-radius:8px;background:#fff}
.drawing.tall{max-height:1100px;overflow-y:auto}
h4{font-size:13.5px;margin:14px 0 4px;color:#374151}
.hint{color:var(--muted);font-size:12.5px;margin:0 0 4px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
svg .lane-label{font-size:12.5px;font-weight:600}
svg .lane-head{font-size:12.5px;font-weight:700}
svg .lane-cap{font-size:10px;fill:#6b7280;letter-spacing:.02em}
svg .tick{font-size:11px;fill:#6b7280}
svg .seg-label{font-size:10.5px;fill:#334155}
svg .gap-label{font-size:10.5px;fill:#b4232c;font-style:italic}
svg .mark-label{font-size:11px;font-weight:700;fill:#d1242f}
svg .idx,svg .tcol{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:11px;fill:#6b7280}
svg .lbl{font-size:12.5px;fill:#1f2328}
svg .lbl .who{font-weight:600}
svg .lbl-marked{font-weight:700;fill:#b4232c}
details{margin:4px 0 0}summary{cursor:pointer;color:#0b57d0;font-size:13px}
pre.timeline{background:#f6f8fa;border:1px solid #eaeef2;border-radius:8px;padding:10px 12px;overflow-x:auto;line-height:1.45;margin:8px 0 0}
pre.timeline mark{background:#ffd7d7;color:#8b0f17;font-weight:700;display:inline-block;width:100%}
dl.invs{display:grid;grid-template-columns:260px 1fr;gap:8px 18px;margin:0}
dl.invs dt{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px;font-weight:600}
dl.invs dt small{display:block;font-family:system-ui,sans-serif;font-weight:400;color:var(--muted)}
dl.invs dd{margin:0}dl.invs dd .ref{color:var(--muted);font-size:12.5px}
.nowrap{white-space:nowrap}
nav.toc{display:flex;gap:18px;margin:0 0 14px;font-size:13.5px}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
`;

/** The HTML report: one self-contained page. */
export const renderHtml = (report: CheckReport, rows: readonly MatrixRow[], results: readonly RowResult[]): string => {
  const invs = INVARIANTS.filter((i) => report.configurations.some((r) => r.cells.some((c) => c.invariant === i.name)));
  const o: string[] = [];
  o.push('<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  o.push(`<title>${esc(`groupcheck report — ${report.ok ? 'every expectation met' : `${report.brokenExpectations} expectation(s) broken`}`)}</title>`);
  o.push(`<style>${CSS}</style>`, '</head>', '<body>', '<main>');

  // Header, verdict, totals.
  o.push('<h1>groupcheck report</h1>');
  o.push(
    `<p class="sub-title">groupcheck ${esc(report.version)} model-checked the reference consumer-group models: ${plural(report.configurations.length, 'configuration')} × ${plural(invs.length, 'invariant')}, ` +
      `${fmtInt(report.runsPerConfiguration)} random runs each from seed ${esc(report.seed)}.</p>`,
  );
  const broken = report.configurations.flatMap((r) => r.cells.filter((c) => !c.met).map((c) => ({ row: r.id, c })));
  if (report.ok) o.push('<div class="banner ok">✓ Every expectation of the guarantee matrix is met.</div>');
  else {
    o.push(`<div class="banner bad"><div>✗ ${plural(report.brokenExpectations, 'expectation')} broken<ul>`);
    for (const b of broken) {
      const target = b.c.counterexample !== null ? `<a href="#${esc(cxId(b.row, b.c.invariant))}">${esc(`${b.row} × ${b.c.invariant}`)}</a>` : esc(`${b.row} × ${b.c.invariant}`);
      o.push(`<li>${target}: expected ${esc(b.c.expect)}, got ${esc(b.c.outcome)}${b.c.counterexample ? ` — ${esc(b.c.counterexample.firstViolation)}` : ''}</li>`);
    }
    o.push('</ul></div></div>');
  }
  const cxCount = report.configurations.reduce((n, r) => n + r.cells.filter((c) => c.counterexample !== null).length, 0);
  const stats: [string, string][] = [
    [String(report.configurations.length), 'configurations'],
    [String(invs.length), 'invariants'],
    [fmtInt(report.totals.runs), 'runs'],
    [fmtInt(report.totals.events), 'simulated events'],
    [fmtMs(report.totals.elapsedMs), 'search time'],
    [String(cxCount), 'counterexamples'],
  ];
  o.push(
    `<nav class="toc"><a href="#matrix">Guarantee matrix</a><a href="#counterexamples">Counterexamples (${cxCount})</a><a href="#invariants">Invariants</a><a href="#configurations">Configurations</a></nav>`,
  );
  o.push(`<div class="stats">${stats.map(([v, k]) => `<div class="stat"><b>${esc(v)}</b><span>${esc(k)}</span></div>`).join('')}</div>`);

  // The matrix: invariants down, configurations across.
  o.push('<section class="card" id="matrix"><h2>Guarantee matrix</h2>');
  const narrow = report.configurations.length < 6 ? ` style="width:${230 + report.configurations.length * 140}px"` : '';
  o.push(`<table class="matrix"${narrow}><colgroup><col style="width:230px">${report.configurations.map(() => '<col>').join('')}</colgroup>`);
  o.push(`<thead><tr><th>invariant \\ configuration</th>${report.configurations.map((r) => `<th class="cfg" title="${esc(r.title)}">${esc(r.id)}</th>`).join('')}</tr></thead><tbody>`);
  for (const inv of invs) {
    o.push(`<tr><td class="inv" title="${esc(inv.claim)}">${esc(inv.name)}<small>${esc(inv.expectation)}</small></td>`);
    for (const r of report.configurations) o.push(matrixCell(r.id, r.runs, r.cells.find((c) => c.invariant === inv.name)));
    o.push('</tr>');
  }
  o.push('</tbody></table>');
  o.push(
    '<div class="legend"><span><span class="chip holds">✓ holds</span> no run violated it</span><span><span class="chip expected-cx">✗ N cmds</span> counterexample, as expected (shrunk to N commands; click to see it; k/n: runs that violated it)</span>' +
      '<span><span class="chip report">reported</span> allowed by Kafka, not asserted</span><span><span class="chip broken"><span class="bang">!</span> broken</span> outcome is not the expected one</span></div>',
  );
  o.push('</section>');

  // Counterexamples.
  o.push('<section id="counterexamples"><h2>Counterexamples</h2>');
  if (cxCount === 0) o.push('<p class="card">No run violated any invariant.</p>');
  for (const res of results) {
    const row = rows.find((r) => r.id === res.row);
    if (row === undefined) continue;
    for (const c of res.cells) {
      const cx = c.counterexample;
      if (cx === null) continue;
      const cell = report.configurations.find((r) => r.id === res.row)?.cells.find((x) => x.invariant === c.invariant);
      const file = cell?.counterexample?.file ?? null;
      const kind = !c.met ? 'unexpected' : c.expect === 'report' ? 'reported' : 'expected';
      const badge = kind === 'unexpected' ? 'UNEXPECTED — expectation broken' : kind === 'reported' ? 'reported, not asserted' : 'expected counterexample';
      const history = simulate(row.config, cx.scenario.commands, cx.scenario.choices).history;
      const marked = new Set(cx.violations.flatMap((v) => v.events));
      o.push(`<article class="card cx ${kind}" id="${esc(cxId(res.row, c.invariant))}">`);
      o.push(`<h3>${esc(res.row)} × <code>${esc(c.invariant)}</code><span class="badge ${kind}">${esc(badge)}</span></h3>`);
      o.push(
        `<p class="facts">${esc(row.title)}. Found after ${plural(cx.foundAfterRuns, 'run')} in ${esc(fmtMs(cx.timeToFirstMs))}; ${c.violatedRuns} of ${c.runs} runs violated it; ` +
          `shrunk ${plural(cx.shrinks, 'time')} to ${plural(cx.scenario.commands.length, 'command')} and ${plural(cx.scenario.choices.length, 'scheduling choice')}; ${plural(history.length, 'history event')}.</p>`,
      );
      for (const v of cx.violations.slice(0, 3)) o.push(`<div class="violation"><b>${esc(v.kind)}</b> ${esc(v.message)} <span class="mono">events ${esc(v.events.join(', '))}</span></div>`);
      if (cx.violations.length > 3) o.push(`<p class="hint">… and ${cx.violations.length - 3} more violation(s).</p>`);
      o.push(`<div class="commands">${cx.scenario.commands.map((cmd) => `<span class="mono">${esc(describeCommand(cmd))}</span>`).join('')}</div>`);
      o.push(
        file !== null
          ? `<div class="replay mono"><span class="prompt">$</span><span>${esc(`npm run replay -- ${file}`)}</span></div>`
          : '<p class="hint">No counterexample file was written for this run.</p>',
      );
      o.push('<h4>Timeline over virtual time</h4><p class="hint">Lanes: the log, each member incarnation (thin line: alive; bar: owns partitions; hatched: paused; red ✕: crashed; dotted: crashed but not yet removed; grey ✕: removed) and each group coordinator (generations; amber: rebalancing). Ticks are events; red dots are the events the violation names.</p>');
      o.push(`<div class="drawing">${overviewSvg(history, marked, `${cxId(res.row, c.invariant)}-ov`)}</div>`);
      o.push('<h4>Sequence of events</h4><p class="hint">One row per event in history order (positions and starts of processing folded); arrows: polls from the log, commits to the coordinator and its answers (dashed), offsets stored; red rows are the violation.</p>');
      o.push(`<div class="drawing tall">${sequenceSvg(history, marked, `${cxId(res.row, c.invariant)}-sq`)}</div>`);
      const lines = timelineLines(history, { marked, compact: true }).map((l) => (l.startsWith('!!') ? `<mark>${esc(l)}</mark>` : esc(l)));
      o.push(`<details><summary>Text timeline (as <code>npm run replay</code> prints it)</summary><pre class="timeline">${lines.join('\n')}</pre></details>`);
      o.push('</article>');
    }
  }
  o.push('</section>');
  // Witnesses and machine coverage.
  o.push('<section class="card" id="witnesses"><h2>Witnesses and coverage</h2>');
  o.push('<p class="hint">Witnesses: situations a meaningful search must reach, counted in runs where they occurred.</p>');
  o.push(`<table><thead><tr><th>configuration</th>${WITNESSES.map((w) => `<th title="${esc(w.situation)}"><code>${esc(w.name)}</code></th>`).join('')}</tr></thead><tbody>`);
  for (const r of report.configurations) {
    o.push(`<tr><td class="nowrap"><code>${esc(r.id)}</code></td>${WITNESSES.map((w) => `<td>${fmtInt(r.witnesses[w.name]?.runs ?? 0)}</td>`).join('')}</tr>`);
  }
  o.push('</tbody></table>');
  o.push('<p class="hint">Machine coverage over every configuration: states and transitions of each XState machine the runs reached.</p>');
  o.push('<table><thead><tr><th>machine</th><th>states</th><th>transitions</th><th>not reached</th></tr></thead><tbody>');
  for (const c of report.coverage) {
    const missing = [...c.states.unreached.map((x) => `state ${x}`), ...c.transitions.unreached];
    o.push(`<tr><td><code>${esc(c.machine)}</code></td><td>${c.states.reached}/${c.states.total}</td><td>${c.transitions.reached}/${c.transitions.total}</td><td>${missing.length > 0 ? missing.map((x) => `<code>${esc(x)}</code>`).join(' ') : 'nothing'}</td></tr>`);
  }
  o.push('</tbody></table></section>');

  // Invariants.
  o.push('<section class="card" id="invariants"><h2>Invariants</h2><dl class="invs">');
  for (const i of invs) o.push(`<dt>${esc(i.name)}<small>${esc(i.expectation)}</small></dt><dd>${esc(i.claim)}<div class="ref">Reference: ${esc(i.reference)}</div></dd>`);
  o.push('</dl></section>');

  // Configurations.
  o.push('<section class="card" id="configurations"><h2>Configurations</h2><table><thead><tr><th>id</th><th>what it models</th><th>runs (settled)</th><th>events</th><th>time</th><th>must fail</th><th>reported only</th></tr></thead><tbody>');
  for (const r of report.configurations) {
    const row = rows.find((x) => x.id === r.id);
    const fails = row === undefined ? [] : Object.entries(row.expect).filter(([, e]) => e === 'fails').map(([n]) => n);
    const reports = row === undefined ? [] : Object.entries(row.expect).filter(([, e]) => e === 'report').map(([n]) => n);
    o.push(
      `<tr><td class="nowrap"><code>${esc(r.id)}</code></td><td>${esc(r.title)}${row?.duplicateBound !== undefined ? ` <span class="hint">(duplicate bound ${esc(row.duplicateBound)} per ownership)</span>` : ''}</td>` +
        `<td class="nowrap">${fmtInt(r.runs)} (${fmtInt(r.settledRuns)})</td><td class="nowrap">${fmtInt(r.events)}</td><td class="nowrap">${esc(fmtMs(r.elapsedMs))}</td>` +
        `<td>${fails.length > 0 ? fails.map((n) => `<code>${esc(n)}</code>`).join(', ') : '—'}</td><td>${reports.length > 0 ? reports.map((n) => `<code>${esc(n)}</code>`).join(', ') : '—'}</td></tr>`,
    );
  }
  o.push('</tbody></table></section>');

  o.push(`<footer>groupcheck ${esc(report.version)} · seed ${esc(report.seed)} · ${fmtInt(report.runsPerConfiguration)} runs per configuration · self-contained report, works offline</footer>`);
  o.push('</main>', '</body>', '</html>');
  return `${o.join('\n')}\n`;
};
