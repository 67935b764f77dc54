/**
 * The Mermaid sequence diagram of a history: valid structure (every line one statement of
 * Mermaid's sequence grammar, every participant declared before use, rects balanced), the
 * violation's events highlighted, the folding, and text escaped for Mermaid's lexer.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../models/history.ts';
import { foldSteps, mermaidSequence, mermaidText, stepLabel, VIOLATION_RGB } from './mermaid.ts';

/** A small run: c1 processes a record, crashes before its commit lands, c0 processes it again. */
const HISTORY: HistoryEvent[] = [
  { type: 'Started', t: 0, member: 'c1#1', group: 'g1', topics: ['accounts'], mode: 'subscribe', policy: 'commit-per-message' },
  { type: 'Produced', t: 0, tp: 'accounts-0', offset: 0, key: 'acct-0', value: 1 },
  { type: 'Produced', t: 0, tp: 'accounts-1', offset: 0, key: 'acct-1', value: 2 },
  { type: 'RebalanceStarted', t: 0, group: 'g1', generation: 0 },
  { type: 'GenerationStarted', t: 0, group: 'g1', generation: 1, members: ['c1#1'], leader: 'c1#1', protocol: 'range' },
  { type: 'Joined', t: 0, member: 'c1#1', group: 'g1', generation: 1, leader: true },
  { type: 'GroupStable', t: 0, group: 'g1', generation: 1, assignment: { 'c1#1': ['accounts-0', 'accounts-1'] } },
  { type: 'Assigned', t: 0, member: 'c1#1', group: 'g1', generation: 1, partitions: ['accounts-0', 'accounts-1'] },
  { type: 'Positioned', t: 0, member: 'c1#1', tp: 'accounts-0', offset: 0, source: 'reset-earliest' },
  { type: 'Positioned', t: 0, member: 'c1#1', tp: 'accounts-1', offset: 0, source: 'reset-earliest' },
  { type: 'Polled', t: 0, member: 'c1#1', tp: 'accounts-0', offsets: [0] },
  { type: 'ProcessStarted', t: 0, member: 'c1#1', tp: 'accounts-0', offset: 0 },
  { type: 'Processed', t: 100, member: 'c1#1', tp: 'accounts-0', offset: 0 }, // 12: marked
  { type: 'CommitRequested', t: 100, member: 'c1#1', group: 'g1', generation: 1, offsets: { 'accounts-0': 1 }, seq: 1 },
  { type: 'Paused', t: 150, member: 'c1#1', ms: 20 },
  { type: 'Resumed', t: 170, member: 'c1#1' },
  { type: 'Crashed', t: 201, member: 'c1#1' },
  { type: 'Started', t: 201, member: 'c0#1', group: 'g1', topics: ['accounts'], mode: 'subscribe', policy: 'commit-per-message' },
  { type: 'RebalanceStarted', t: 201, group: 'g1', generation: 1 },
  { type: 'MemberRemoved', t: 6000, group: 'g1', member: 'c1#1', reason: 'session-timeout' },
  { type: 'GenerationStarted', t: 6000, group: 'g1', generation: 2, members: ['c0#1'], leader: 'c0#1', protocol: 'range' },
  { type: 'Joined', t: 6000, member: 'c0#1', group: 'g1', generation: 2, leader: true },
  { type: 'Assigned', t: 6000, member: 'c0#1', group: 'g1', generation: 2, partitions: ['accounts-0', 'accounts-1'] },
  { type: 'Polled', t: 6000, member: 'c0#1', tp: 'accounts-0', offsets: [0] },
  { type: 'ProcessStarted', t: 6000, member: 'c0#1', tp: 'accounts-0', offset: 0 },
  { type: 'Processed', t: 6100, member: 'c0#1', tp: 'accounts-0', offset: 0 }, // 25: marked
  { type: 'CommitRequested', t: 6100, member: 'c0#1', group: 'g1', generation: 2, offsets: { 'accounts-0': 1 }, seq: 1 },
  { type: 'OffsetsStored', t: 6100, group: 'g1', member: 'c0#1', generation: 2, offsets: { 'accounts-0': 1 } },
  { type: 'CommitResult', t: 6100, member: 'c0#1', group: 'g1', generation: 2, offsets: { 'accounts-0': 1 }, seq: 1, error: 'NONE' },
  { type: 'CommitResult', t: 6100, member: 'c1#1', group: 'g1', generation: 1, offsets: { 'accounts-0': 1 }, seq: 1, error: 'ILLEGAL_GENERATION' },
  { type: 'Revoked', t: 6200, member: 'c0#1', group: 'g1', partitions: ['accounts-0', 'accounts-1'], reason: 'rebalance' },
  { type: 'Left', t: 6200, member: 'c0#1', group: 'g1' },
  { type: 'Quiesced', t: 8201, settled: true },
];
const MARKED = new Set([12, 25]);

const ARROWS = ['->>', '-->>', '-x', '--x', '->', '-->', '-)', '--)'];

/**
 * Checks a diagram line by line against the statements of Mermaid's sequence grammar that it
 * uses, and returns the declared participants and the statements that use each.
 */
const parseDiagram = (src: string) => {
  const lines = src.trimEnd().split('\n');
  expect(lines[0]).toBe('sequenceDiagram');
  const declared: string[] = [];
  const used: string[] = [];
  const texts: string[] = [];
  let depth = 0;
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = /^participant ([A-Za-z][A-Za-z0-9_]*) as (.+)$/.exec(line))) {
      expect(declared, `participant ${m[1]} declared twice`).not.toContain(m[1]);
      expect(used, `participant ${m[1]} declared after its first use`).not.toContain(m[1]);
      declared.push(m[1] as string);
      texts.push(m[2] as string);
    } else if ((m = /^Note over ([A-Za-z][A-Za-z0-9_]*)(?:,([A-Za-z][A-Za-z0-9_]*))?: (.+)$/.exec(line))) {
      used.push(m[1] as string);
      if (m[2] !== undefined) used.push(m[2]);
      texts.push(m[3] as string);
    } else if ((m = /^([A-Za-z][A-Za-z0-9_]*)(--?(?:>>|x|>|\)))([A-Za-z][A-Za-z0-9_]*): (.+)$/.exec(line))) {
      expect(ARROWS).toContain(m[2]);
      used.push(m[1] as string, m[3] as string);
      texts.push(m[4] as string);
    } else if (/^rect rgb\(\d{1,3},\d{1,3},\d{1,3}\)$/.test(line)) depth++;
    else if (line === 'end') {
      depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    } else throw new Error(`not a sequence-diagram statement: ${JSON.stringify(line)}`);
  }
  expect(depth, 'every rect is closed').toBe(0);
  for (const u of used) expect(declared, `participant ${u} is used but never declared`).toContain(u);
  // Mermaid's lexer ends a text at # (unless an entity code), ; or a newline; < > & would be HTML.
  for (const t of texts) {
    expect(t.replace(/#\d+;/g, '')).not.toMatch(/[#;<>&"`%{}]/);
  }
  return { lines, declared, texts };
};

describe('mermaidSequence', () => {
  const src = mermaidSequence(HISTORY, { marked: MARKED, violations: ['Record accounts-0@0 was processed 2 times in group g1, by c1#1 and c0#1.'] });

  it('is a valid sequence diagram: starts with sequenceDiagram, every participant declared before use', () => {
    const { declared } = parseDiagram(src);
    expect(declared).toEqual(['L', 'M1', 'M2', 'G1']);
  });

  it('declares the log, each member incarnation and the coordinator, with escaped names', () => {
    expect(src).toContain('participant L as producer / log');
    expect(src).toContain('participant M1 as c1#35;1');
    expect(src).toContain('participant M2 as c0#35;1');
    expect(src).toContain('participant G1 as coordinator g1');
  });

  it('draws requests and answers as arrows between the right participants', () => {
    expect(src).toMatch(/^ {2}L->>M1: \[10\] Polled accounts-0@0$/m);
    expect(src).toMatch(/^ {2}M1->>G1: \[13\] Commit #35;1 gen 1: accounts-0→1$/m);
    expect(src).toMatch(/^ {2}G1->>L: \[27\] Stored offsets of c0#35;1/m);
    expect(src).toMatch(/^ {2}G1-->>M2: \[28\] Commit #35;1 OK$/m);
    expect(src).toMatch(/^ {2}G1--xM1: \[29\] Commit #35;1 rejected ILLEGAL_GENERATION$/m);
    expect(src).toMatch(/^ {2}G1--xM1: \[19\] Removed c1#35;1 \(session-timeout\)$/m);
    expect(src).toMatch(/^ {2}G1-->>M1: \[5\] Joined g1 generation 1 as leader$/m);
    expect(src).toMatch(/^ {2}G1-->>M2: \[30\] Revoked \(rebalance\)/m);
    expect(src).toMatch(/^ {2}M2->>G1: \[31\] Left g1$/m);
    expect(src).toMatch(/^ {2}G1->>G1: \[20\] Generation 2 starts/m);
  });

  it('puts crashes and pauses in notes over the member', () => {
    expect(src).toMatch(/^ {2}Note over M1: \[16\] 💥 Crashed \(kill -9\)$/m);
    expect(src).toMatch(/^ {2}Note over M1: \[14\] ⏸ Paused for 20 ms$/m);
    expect(src).toMatch(/^ {2}Note over M1: \[15\] ▶ Resumed$/m);
  });

  it('highlights exactly the marked events in a red rect with ⚠', () => {
    const lines = src.split('\n');
    const highlighted = lines.flatMap((l, i) => (l.trim() === `rect ${VIOLATION_RGB}` ? [lines[i + 1]?.trim() ?? ''] : []));
    expect(highlighted).toEqual([
      'M1->>M1: ⚠ [12] Processed accounts-0@0',
      'M2->>M2: ⚠ [25] Processed accounts-0@0',
      'Note over L,G1: ⚠ Record accounts-0@0 was processed 2 times in group g1, by c1#35;1 and c0#35;1.',
    ]);
    for (const l of lines) if (l.includes('⚠')) expect(lines[lines.indexOf(l) + 1]?.trim()).toBe('end');
    // Unmarked events carry no ⚠.
    expect(lines.filter((l) => l.includes('⚠'))).toHaveLength(3);
  });

  it('folds adjacent positions and produces, and each ProcessStarted into its Processed', () => {
    expect(src).toContain('Note over M1: [8–9] Position accounts-0@0, accounts-1@0 (reset-earliest)');
    expect(src).toContain('Note over L: [1–2] Produced accounts-0@0, accounts-1@0 (2 records)');
    expect(src).not.toContain('Processing');
    const steps = foldSteps(HISTORY, MARKED);
    const processed = steps.find((s) => s.shown.includes(12));
    expect(processed?.indices).toEqual([11, 12]);
    // Every event is drawn by exactly one step.
    expect(steps.flatMap((s) => s.indices).sort((a, b) => a - b)).toEqual(HISTORY.map((_, i) => i));
  });

  it('never folds a marked event, and keeps a ProcessStarted that a crash interrupted', () => {
    const h: HistoryEvent[] = [
      { type: 'Positioned', t: 0, member: 'c1#1', tp: 'a-0', offset: 0, source: 'committed' },
      { type: 'Positioned', t: 0, member: 'c1#1', tp: 'a-1', offset: 0, source: 'committed' },
      { type: 'ProcessStarted', t: 0, member: 'c1#1', tp: 'a-0', offset: 0 },
      { type: 'Crashed', t: 50, member: 'c1#1' },
    ];
    const steps = foldSteps(h, new Set([1]));
    expect(steps.map((s) => s.shown)).toEqual([[0], [1], [2], [3]]);
    expect(stepLabel(steps[2]!)).toBe('Processing a-0@0');
  });

  it('notes each step of the virtual clock', () => {
    for (const t of [0, 100, 150, 170, 201, 6000, 6100, 6200, 8201]) expect(src).toContain(`Note over L,G1: t = ${t} ms`);
  });

  it('escapes the characters Mermaid would read as syntax or HTML', () => {
    expect(mermaidText('a#b;c<script>alert("x")</script> & `d` %% {e}\nf')).toBe(
      'a#35;b#59;c#60;script#62;alert(#34;x#34;)#60;/script#62; #38; #96;d#96; #37;#37; #123;e#125; f',
    );
    const h: HistoryEvent[] = [
      { type: 'Started', t: 0, member: 'c;1#1', group: 'g<1>', topics: ['t'], mode: 'subscribe', policy: 'p' },
      { type: 'Produced', t: 0, tp: 'orders;x-0', offset: 0, key: '<script>alert(1)</script>#x;y', value: 1 },
      { type: 'Joined', t: 0, member: 'c;1#1', group: 'g<1>', generation: 1, leader: false },
    ];
    const out = mermaidSequence(h, { marked: new Set([1]), violations: ['bad; <b>news</b>\n#2'] });
    const { texts } = parseDiagram(out);
    expect(out).not.toContain('<script>');
    expect(texts.join(' ')).toContain('#60;script#62;alert(1)#60;/script#62;#35;x#59;y');
    expect(out).toContain('participant M1 as c#59;1#35;1');
    expect(out).toContain('participant G1 as coordinator g#60;1#62;');
  });

  it('draws only the neighbourhood of the violation when a history is very long', () => {
    const long: HistoryEvent[] = [];
    for (let i = 0; i < 600; i++) long.push({ type: 'Polled', t: i, member: 'c1#1', tp: 'a-0', offsets: [i] });
    long.push({ type: 'Crashed', t: 600, member: 'c1#1' });
    const out = mermaidSequence(long, { marked: new Set([300]), maxSteps: 50 });
    parseDiagram(out);
    expect(out).toContain('⚠ [300] Polled a-0@300');
    expect(out).toMatch(/… \d+ step\(s\) not drawn/);
    expect(out.split('\n').length).toBeLessThan(200);
  });

  it('draws an empty history as a diagram with the log alone', () => {
    const out = mermaidSequence([]);
    expect(parseDiagram(out).declared).toEqual(['L']);
  });
});
