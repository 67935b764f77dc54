/**
 * The JUnit XML of a check report, parsed back: one testsuite per configuration, one testcase
 * per invariant, a failure for each broken expectation (with its message), expected
 * counterexamples passing with the counterexample file in system-out, and the counts that CI
 * dashboards read.
 */
import { describe, expect, it } from 'vitest';
import { renderJUnit } from './junit.ts';
import type { CheckReport } from './runReport.ts';

interface XmlNode {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlNode[];
  text: string;
}

const decode = (s: string): string =>
  s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );

/** A strict little XML parser: elements, attributes, text and CDATA; throws on mismatched tags. */
const parseXml = (xml: string): XmlNode => {
  const root: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  const re = /<\?[^?]*\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < xml.length) {
    re.lastIndex = pos;
    m = re.exec(xml);
    if (m === null) throw new Error(`XML syntax error at ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}`);
    pos = re.lastIndex;
    const top = stack[stack.length - 1] as XmlNode;
    if (m[1] !== undefined) top.text += m[1];
    else if (m[3] !== undefined) {
      if (m[2] === '/') {
        if (top.name !== m[3]) throw new Error(`</${m[3]}> closes <${top.name}>`);
        stack.pop();
      } else {
        const attrs: Record<string, string> = {};
        for (const a of (m[4] ?? '').matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1] as string] = decode(a[2] as string);
        const node: XmlNode = { name: m[3], attrs, children: [], text: '' };
        top.children.push(node);
        if (m[5] !== '/') stack.push(node);
      }
    } else if (m[6] !== undefined) {
      if (m[6].trim() !== '' && stack.length === 1) throw new Error('text outside the root element');
      top.text += decode(m[6]);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  return root;
};

const all = (n: XmlNode, name: string): XmlNode[] => [...(n.name === name ? [n] : []), ...n.children.flatMap((c) => all(c, name))];

type Cell = CheckReport['configurations'][number]['cells'][number];
const cell = (invariant: string, expect: string, outcome: Cell['outcome'], met: boolean, cx: Partial<NonNullable<Cell['counterexample']>> | null = null): Cell => ({
  invariant,
  expect,
  outcome,
  met,
  violatedRuns: outcome === 'counterexample' ? 3 : 0,
  unknownRuns: 0,
  counterexample:
    cx === null ? null : { file: null, commands: 4, choices: 1, shrinks: 7, foundAfterRuns: 12, timeToFirstMs: 80, firstViolation: '', ...cx },
});

const REPORT: CheckReport = {
  tool: 'groupcheck',
  version: '0.1.0',
  seed: 42,
  runsPerConfiguration: 40,
  ok: false,
  brokenExpectations: 2,
  totals: { runs: 80, events: 9000, elapsedMs: 2500 },
  coverage: [],
  configurations: [
    {
      id: 'per-message',
      title: 'commit after every message (crashes, pauses)',
      runs: 40,
      settledRuns: 40,
      events: 5000,
      elapsedMs: 1500,
      witnesses: {},
      cells: [
        cell('singleOwnerPerPartition', 'holds', 'holds', true),
        cell('noDuplicateProcessing', 'fails', 'counterexample', true, {
          file: 'reports/counterexamples/per-message--noDuplicateProcessing.json',
          firstViolation: 'Record accounts-0@0 was processed 2 times in group g1, by c1#1 and c0#1.',
        }),
        cell('concurrentProcessing', 'report', 'counterexample', true, { file: 'reports/counterexamples/per-message--concurrentProcessing.json' }),
        cell('atLeastOnce', 'holds', 'counterexample', false, {
          file: 'reports/counterexamples/per-message--atLeastOnce.json',
          firstViolation: 'Group g1 never processed <script>alert("1")</script> & more ]]> end',
        }),
      ],
    },
    {
      id: 'auto-timer',
      title: 'librdkafka timer auto-commit',
      witnesses: {},
      runs: 40,
      settledRuns: 38,
      events: 4000,
      elapsedMs: 1000,
      cells: [cell('singleOwnerPerPartition', 'holds', 'holds', true), cell('atLeastOnce', 'fails', 'holds', false)],
    },
  ],
};

describe('renderJUnit', () => {
  const xml = renderJUnit(REPORT);
  const doc = parseXml(xml);
  const root = doc.children[0] as XmlNode;

  it('is well-formed XML with a testsuites root whose counts add up', () => {
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '6', failures: '2', errors: '0', skipped: '0' });
    expect(all(root, 'testcase')).toHaveLength(6);
    expect(all(root, 'failure')).toHaveLength(2);
  });

  it('has one testsuite per configuration and one testcase per invariant', () => {
    const suites = all(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['per-message', 'auto-timer']);
    expect(suites.map((s) => [s.attrs.tests, s.attrs.failures])).toEqual([
      ['4', '1'],
      ['2', '1'],
    ]);
    expect(suites[0]?.attrs.time).toBe('1.5');
    expect(all(suites[0] as XmlNode, 'testcase').map((t) => t.attrs.name)).toEqual(['singleOwnerPerPartition', 'noDuplicateProcessing', 'concurrentProcessing', 'atLeastOnce']);
    expect(all(suites[1] as XmlNode, 'testcase').every((t) => t.attrs.classname === 'groupcheck.auto-timer')).toBe(true);
    const props = Object.fromEntries(all(suites[1] as XmlNode, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).toMatchObject({ title: 'librdkafka timer auto-commit', runs: '40', settledRuns: '38', seed: '42' });
  });

  it('fails a broken expectation with a message saying what was expected and found', () => {
    const [unexpected, missing] = all(root, 'failure');
    expect(unexpected?.attrs.type).toBe('UnexpectedCounterexample');
    expect(unexpected?.attrs.message).toBe(
      'per-message × atLeastOnce: expected to hold, but 3 run(s) violated it: Group g1 never processed <script>alert("1")</script> & more ]]> end (replay: npm run replay -- reports/counterexamples/per-message--atLeastOnce.json)',
    );
    expect(missing?.attrs.type).toBe('MissingCounterexample');
    expect(missing?.attrs.message).toBe('auto-timer × atLeastOnce: expected a counterexample, but no run violated it');
  });

  it('passes an expected counterexample and names its file in system-out', () => {
    const tc = all(root, 'testcase').find((t) => t.attrs.name === 'noDuplicateProcessing');
    expect(tc && all(tc, 'failure')).toEqual([]);
    const out = tc && all(tc, 'system-out')[0]?.text;
    expect(out).toContain('counterexample file: reports/counterexamples/per-message--noDuplicateProcessing.json');
    expect(out).toContain('replay: npm run replay -- reports/counterexamples/per-message--noDuplicateProcessing.json');
    expect(out).toContain('violation: Record accounts-0@0 was processed 2 times');
  });

  it('passes a reported-only cell, saying what was seen', () => {
    const tc = all(root, 'testcase').find((t) => t.attrs.name === 'concurrentProcessing');
    expect(tc && all(tc, 'failure')).toEqual([]);
    expect(tc && all(tc, 'system-out')[0]?.text).toContain('expected: report; outcome: counterexample');
  });

  it('keeps text intact through CDATA, `]]>` included', () => {
    const tc = all(root, 'testcase').find((t) => t.attrs.name === 'atLeastOnce' && t.attrs.classname === 'groupcheck.per-message');
    expect(tc && all(tc, 'system-out')[0]?.text).toContain('violation: Group g1 never processed <script>alert("1")</script> & more ]]> end');
  });

  it('builds a fresh document each time (no state shared between reports)', () => {
    expect(renderJUnit(REPORT)).toBe(xml);
    const ok = renderJUnit({ ...REPORT, ok: true, brokenExpectations: 0, configurations: [] });
    expect(parseXml(ok).children[0]?.attrs).toMatchObject({ tests: '0', failures: '0' });
  });
});
