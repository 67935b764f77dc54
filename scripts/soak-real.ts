/**
 * A longer real-system soak (not part of `npm test`): random scenarios from the model's own
 * generator (src/gen/command.arb.ts scenarioArb, fc.sample with a seed) run on real KafkaJS and
 * librdkafka consumers against librdkafka's mock cluster; every invariant judges each history;
 * violations are compared with the guarantee matrix's expectation for the policy (src/check/
 * matrix.ts) and every run with a violation is kept as JSON Lines under the output directory.
 *
 *   npm run soak:real -- --minutes 8 --clients kafkajs,librdkafka --seed 7
 *   npm run soak:real -- --runs 3 --policies commit-per-message --clients librdkafka
 *
 * Bounded: the budget (--minutes) is checked before each run, each run has its own hard timeout,
 * and every consumer process is killed after each run and on SIGINT / SIGTERM.
 * Writes OUT/soak-latest.json (every run: commands, verdicts, notes) and OUT/soak-latest.md.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { ProcessingPolicy } from '../models/types.ts';
import { INVARIANTS } from '../properties/invariants/index.ts';
import { checkHistory } from '../src/check/checkHistory.ts';
import { buildMatrix, type Expect } from '../src/check/matrix.ts';
import { scenarioArb } from '../src/gen/command.arb.ts';
import { writeHistoryJsonl } from '../src/history/jsonl.ts';
import { writeFileAtomic } from '../src/report/atomicWrite.ts';
import { describeCommand, type Command } from '../src/sim/command.ts';
import { killChildrenOnSignals } from '../src/real/processes.ts';
import { CLIENT_POLICIES, REAL_CLIENTS, type RealClient } from '../src/real/protocol.ts';
import { clientVersion } from '../src/real/realReplay.ts';
import { runRealScenario } from '../src/real/runScenario.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const minutes = Number(arg('minutes', '8'));
const runsMax = Number(arg('runs', '1000'));
const seed = Number(arg('seed', '7'));
const commandsMax = Number(arg('commands', '24'));
const scale = Number(arg('scale', '0.5'));
const outDir = arg('out', 'reports/real');
const clients = arg('clients', REAL_CLIENTS.join(',')).split(',') as RealClient[];
const policyFilter = arg('policies', '').split(',').filter(Boolean) as ProcessingPolicy[];

const ROWS: Readonly<Record<ProcessingPolicy, string>> = {
  'commit-after-batch': 'batch',
  'commit-per-message': 'per-message',
  'commit-before-process': 'before-process',
  'auto-commit-java': 'auto-java',
  'auto-commit-timer': 'auto-timer',
};
const matrix = buildMatrix();

interface RunRecord {
  client: RealClient;
  policy: ProcessingPolicy;
  index: number;
  commands: Command[];
  realMs: number;
  settled: boolean;
  aborted: boolean;
  verdicts: Record<string, { validity: boolean | 'unknown'; expect: Expect | undefined; violations: Array<{ kind: string; message: string; events: number[] }> }>;
  notes: string[];
  history: string | null;
}

/**
 * The generator's lists are often too short or too quiet to reach a rebalance; the soak keeps
 * the first sampled list that starts a consumer, produces, injects a fault, has at least 6
 * commands, and whose waits and pauses fit in about 40 s of real time.
 */
const interesting = (commands: readonly Command[]): boolean => {
  const has = (t: Command['type']): boolean => commands.some((c) => c.type === t);
  const starts = commands.filter((c) => c.type === 'Start').length;
  const realWaitMs = commands.reduce((ms, c) => ms + (c.type === 'Wait' ? c.ms * scale : 0), 0);
  return commands.length >= 6 && starts >= 1 && has('Produce') && (has('Crash') || has('Pause')) && realWaitMs + starts * 5000 <= 40_000;
};

const main = async (): Promise<void> => {
  killChildrenOnSignals();
  mkdirSync(join(outDir, 'histories'), { recursive: true });
  const deadline = Date.now() + minutes * 60_000;
  const records: RunRecord[] = [];
  const perClient = Math.max(1, Math.floor(runsMax));
  // Interleave clients so that a budget cut leaves both with runs.
  const plan: Array<{ client: RealClient; policy: ProcessingPolicy; index: number }> = [];
  for (let i = 0; i < perClient; i++) {
    for (const client of clients) {
      const policies = (Object.keys(CLIENT_POLICIES[client]) as ProcessingPolicy[]).filter((p) => policyFilter.length === 0 || policyFilter.includes(p));
      if (policies.length === 0) continue;
      plan.push({ client, policy: policies[i % policies.length]!, index: i });
    }
  }
  process.stdout.write(`soak: ${clients.map(clientVersion).join(', ')}; seed ${seed}; ${minutes} min budget; ≤ ${commandsMax} commands per scenario; 1 virtual ms = ${scale} real ms\n`);
  for (const step of plan) {
    if (Date.now() > deadline) break;
    const row = matrix.find((r) => r.id === ROWS[step.policy])!;
    const config = row.config;
    const candidates = fc.sample(scenarioArb(config, { ...row.shape, commandsMax }), { seed: seed * 1000 + step.index * 10 + REAL_CLIENTS.indexOf(step.client), numRuns: 200 });
    const commands = [...(candidates.find((c) => interesting(c.commands)) ?? candidates[0]!).commands];
    const started = Date.now();
    const r = await runRealScenario(config, commands, { client: step.client, timeScale: scale, quiesceMaxMs: 30_000 });
    const ctx = row.duplicateBound === undefined ? {} : { duplicateBound: row.duplicateBound };
    const results = checkHistory(INVARIANTS, r.history, ctx);
    const verdicts: RunRecord['verdicts'] = {};
    for (const res of results) {
      verdicts[res.invariant] = { validity: res.validity, expect: row.expect[res.invariant], violations: res.violations.map((v) => ({ kind: v.kind, message: v.message, events: [...v.events] })) };
    }
    const violated = results.filter((x) => x.validity === false);
    const name = `${step.client}-${ROWS[step.policy]}-s${seed}-${step.index}`;
    let historyFile: string | null = null;
    if (violated.length > 0 || !r.settled) {
      historyFile = join('histories', `${name}.jsonl`);
      writeHistoryJsonl(join(outDir, historyFile), r.history);
    }
    records.push({ client: step.client, policy: step.policy, index: step.index, commands, realMs: r.realMs, settled: r.settled, aborted: r.aborted, verdicts, notes: r.notes, history: historyFile });
    const summary = violated.map((x) => `${x.invariant}(${x.violations.length}${row.expect[x.invariant] === 'holds' ? ', UNEXPECTED' : ''})`).join(' ') || 'none';
    process.stdout.write(`${name}: ${commands.length} commands, ${((Date.now() - started) / 1000).toFixed(1)} s, ${r.settled ? 'settled' : 'NOT settled'}; violations: ${summary}\n`);
    writeFileAtomic(join(outDir, 'soak-latest.json'), `${JSON.stringify({ seed, scale, commandsMax, clients: clients.map(clientVersion), runs: records }, null, 2)}\n`);
  }
  writeFileAtomic(join(outDir, 'soak-latest.md'), markdown(records));
  process.stdout.write(`wrote ${join(outDir, 'soak-latest.json')} and soak-latest.md (${records.length} runs)\n`);
};

const markdown = (records: readonly RunRecord[]): string => {
  const lines = [
    '# Real-system soak (latest run)',
    '',
    `Generated by \`scripts/soak-real.ts\` (seed ${seed}, ≤ ${commandsMax} commands, 1 virtual ms = ${scale} real ms). See reports/real/findings.md for the analysis.`,
    '',
    '| run | commands | real s | settled | violations (expectation from the model\'s matrix) | history |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of records) {
    const v = Object.entries(r.verdicts)
      .filter(([, x]) => x.validity === false)
      .map(([n, x]) => `${n} ×${x.violations.length} (${x.expect ?? '-'})`)
      .join(', ');
    lines.push(`| ${r.client} ${ROWS[r.policy]} #${r.index} | ${r.commands.length} | ${(r.realMs / 1000).toFixed(1)} | ${r.settled ? 'yes' : '**no**'} | ${v || '—'} | ${r.history ?? ''} |`);
  }
  lines.push('', '## Commands', '');
  for (const r of records) lines.push(`- ${r.client} ${ROWS[r.policy]} #${r.index}: ${r.commands.map(describeCommand).join(' · ')}`);
  return `${lines.join('\n')}\n`;
};

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
