/**
 * The HTML report of a real (small) search: the guarantee matrix, the invariants with their
 * references, the counterexample with its drawings, text timeline and replay command; every
 * piece of run text escaped; nothing loaded from outside the file. Also the Markdown report's
 * Mermaid diagram, and `groupcheck check` writing all four reports atomically.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INVARIANTS } from '../../properties/invariants/index.ts';
import { rowById, type MatrixRow } from '../check/matrix.ts';
import { searchRow, type RowResult } from '../check/search.ts';
import { runCheck } from '../cli/check.ts';
import { esc, renderHtml } from './html.ts';
import { buildCheckReport, renderMarkdown, type CheckReport } from './runReport.ts';

const CX_FILE = 'reports/counterexamples/per-message--noDuplicateProcessing.json';

let row: MatrixRow;
let result: RowResult;
let report: CheckReport;
let html: string;

beforeAll(() => {
  row = rowById('per-message');
  result = searchRow(row, { seed: 42, numRuns: 40 });
  report = buildCheckReport([result], { seed: 42, runs: 40, files: new Map([['per-message/noDuplicateProcessing', CX_FILE]]) });
  html = renderHtml(report, [row], [result]);
});

describe('renderHtml', () => {
  it('is one complete HTML document', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
  });

  it('contains the guarantee matrix: a row per invariant, a column per configuration, each cell its outcome', () => {
    const matrix = /<table class="matrix"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect(matrix).toContain('<th class="cfg" title="commit after every message (crashes, pauses)">per-message</th>');
    for (const c of result.cells) expect(matrix).toContain(`<td class="inv" title="${esc(INVARIANTS.find((i) => i.name === c.invariant)?.claim ?? '')}">${c.invariant}<small>`);
    expect((matrix.match(/<td class="cell /g) ?? []).length).toBe(result.cells.length);
    // noDuplicateProcessing must fail for per-message: an expected counterexample, linked to its section.
    expect(matrix).toMatch(/<td class="cell expected-cx"[^>]*><span class="main"><a href="#cx-per-message-noDuplicateProcessing">✗ \d+ cmds?<\/a>/);
    expect(matrix).toMatch(/<td class="cell holds"[^>]*><span class="main">✓ holds<\/span><\/td>/);
    expect(matrix).toContain('<td class="cell report"');
    expect(html).toContain('Every expectation of the guarantee matrix is met.');
  });

  it('highlights an unmet expectation in the matrix and the banner', () => {
    const cells = result.cells.map((c) => (c.invariant === 'atLeastOnce' ? { ...c, expect: 'fails' as const, met: false } : c));
    const broken = { ...result, cells };
    const r = buildCheckReport([broken], { seed: 42, runs: 40, files: new Map() });
    const page = renderHtml(r, [row], [broken]);
    expect(page).toContain('<div class="banner bad">');
    expect(page).toContain('1 expectation broken');
    expect(page).toMatch(/<td class="cell broken" title="per-message × atLeastOnce: expected fails, got holds — EXPECTATION BROKEN"><span class="main"><span class="bang">!<\/span> ✓ holds<\/span><span class="sub">must fail<\/span>/);
  });

  it('says what each invariant means and where it comes from', () => {
    for (const c of result.cells) {
      const inv = INVARIANTS.find((i) => i.name === c.invariant);
      expect(inv).toBeDefined();
      expect(html).toContain(`<dd>${esc(inv?.claim ?? '')}<div class="ref">Reference: ${esc(inv?.reference ?? '')}</div></dd>`);
    }
  });

  it('shows runs, events and time', () => {
    expect(html).toContain(`<b>${result.runs}</b><span>runs</span>`);
    expect(html).toContain(`<b>${result.events.toLocaleString('en-US')}</b><span>simulated events</span>`);
    expect(html).toMatch(/<b>[\d.]+ (ms|s)<\/b><span>search time<\/span>/);
  });

  it('draws each counterexample: overview over virtual time, sequence with the violation in red, text timeline, replay command', () => {
    const section = /<article class="card cx expected" id="cx-per-message-noDuplicateProcessing">[\s\S]*?<\/article>/.exec(html)?.[0] ?? '';
    expect(section).not.toBe('');
    expect(section).toContain('<svg class="overview"');
    expect(section).toContain('<svg class="sequence"');
    for (const lane of ['producer / log', 'coordinator g1']) expect(section).toContain(`>${lane}</text>`);
    const cx = result.cells.find((c) => c.invariant === 'noDuplicateProcessing')?.counterexample;
    const marked = cx?.violations.flatMap((v) => v.events) ?? [];
    expect(marked.length).toBeGreaterThan(0);
    // Each marked event: a red dot in the overview and a red row in the sequence.
    expect((section.match(/fill="#d1242f" stroke="#fff" stroke-width="2"><title>⚠ /g) ?? []).length).toBe(marked.length);
    expect((section.match(/class="lbl lbl-marked"/g) ?? []).length).toBe(marked.length);
    expect(section).toMatch(/<pre class="timeline"> +0 {2}t=/);
    expect(section).toMatch(/<mark>!!\s*\d+ {2}t=/);
    expect(section).toContain(`<span>npm run replay -- ${CX_FILE}</span>`);
    expect(section).toContain('class="violation"><b>duplicate</b>');
  });

  it('escapes run text: a <script> in a message, title or file name stays text', () => {
    const evil = '<script>alert("x")</script>';
    const cells = result.cells.map((c) =>
      c.counterexample === null ? c : { ...c, counterexample: { ...c.counterexample, violations: c.counterexample.violations.map((v) => ({ ...v, message: `${v.message} ${evil}` })) } },
    );
    const evilResult = { ...result, title: `${evil} & co`, cells };
    const evilRow = { ...row, title: `${evil} & co` };
    const r = buildCheckReport([evilResult], { seed: 42, runs: 40, files: new Map([['per-message/noDuplicateProcessing', `reports/${evil}.json`]]) });
    const page = renderHtml(r, [evilRow], [evilResult]);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(page).toContain(`npm run replay -- reports/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.json`);
    expect(esc(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('is self-contained: no script, no stylesheet link, no external http(s) reference', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|audio|video|source)\b/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/@import/i);
    for (const m of html.matchAll(/\bhref="([^"]*)"/g)) expect(m[1]).toMatch(/^#/);
    for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]).toMatch(/^#/);
    // Every url(#id) and href="#id" points at an element of the page; ids are unique.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of html.matchAll(/(?:url\(#|href="#)([^)"]+)/g)) expect(ids).toContain(m[1]);
  });
});

describe('renderMarkdown', () => {
  it('puts a Mermaid sequence diagram beside the text timeline of each counterexample', () => {
    const md = renderMarkdown(report, [row], [result]);
    const section = md.slice(md.indexOf('### per-message × noDuplicateProcessing'));
    expect(section).toMatch(/```mermaid\nsequenceDiagram\n {2}participant L as producer \/ log\n/);
    const mermaid = section.slice(section.indexOf('```mermaid'), section.indexOf('```', section.indexOf('```mermaid') + 3));
    expect(mermaid).toContain('rect rgb(255,220,220)');
    expect(mermaid).toMatch(/⚠ \[\d+\] Processed accounts-0@0/);
    const mermaidAt = section.indexOf('```mermaid');
    const timelineAt = section.search(/```\n {2,}0 {2}t=/);
    expect(mermaidAt).toBeGreaterThan(-1);
    expect(timelineAt).toBeGreaterThan(mermaidAt);
    expect(section).toMatch(/^!!\d+ {2}t= *\d+ {2}c1#1 +Processed accounts-0@0$/m);
  });
});

describe('groupcheck check writes its reports', () => {
  it('writes latest.md, .json, .html and .junit.xml atomically, after the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'groupcheck-reports-'));
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    let code: number;
    try {
      code = await runCheck({ seed: 42, runs: 40, only: ['per-message'], outDir: dir, json: false, workers: 1 });
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    expect(code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['counterexamples', 'latest.html', 'latest.json', 'latest.junit.xml', 'latest.md', 'latest.run.json']);
    expect(readFileSync(join(dir, 'latest.html'), 'utf8')).toContain('<table class="matrix"');
    expect(readFileSync(join(dir, 'latest.html'), 'utf8')).toContain(`npm run replay -- ${join(dir, 'counterexamples', 'per-message--noDuplicateProcessing.json')}`);
    const xml = readFileSync(join(dir, 'latest.junit.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite name="per-message"[^>]* tests="12" failures="0"/);
    expect(readFileSync(join(dir, 'latest.md'), 'utf8')).toContain('```mermaid');
  });
});
