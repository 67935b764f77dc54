/**
 * `groupcheck replay FILE --target kafkajs|librdkafka`: re-runs a model counterexample's commands
 * on a real client against librdkafka's mock cluster (runScenario.ts), judges the real history
 * with the same invariant and says whether it breaks there too.
 *
 * Exit 0 when the real verdict matches the model's (both violated, or both hold), 1 when it does
 * not, 2 on a bad file, when the client cannot express the configuration (policy, manual assign,
 * more than 4 partitions), or when the real run did not settle and the invariant is an
 * eventually-claim (undecided).
 *
 * The model's scheduling choices have no meaning here: the real network and scheduler choose.
 * Timing-sensitive counterexamples (a commit in flight at a crash) may therefore hold on the real
 * client for a given run; run it again, or raise --rtt to widen the in-flight windows.
 */
import { createRequire } from 'node:module';
import pc from 'picocolors';
import { checkInvariant } from '../check/checkHistory.ts';
import type { Validity } from '../check/invariant.ts';
import { writeHistoryJsonl } from '../history/jsonl.ts';
import { readCounterexampleWithInvariant } from '../report/counterexample.ts';
import { timelineLines } from '../report/timeline.ts';
import { describeCommand } from '../sim/command.ts';
import { simulate } from '../sim/simulate.ts';
import { killChildrenOnSignals } from './processes.ts';
import { CLIENT_POLICIES, type RealClient } from './protocol.ts';
import { DEFAULT_TIME_SCALE, realConfigProblem, runRealScenario } from './runScenario.ts';

export interface RealReplayOptions {
  readonly target: RealClient;
  readonly full: boolean;
  readonly timeScale?: number;
  readonly rttMs?: number;
  readonly writeHistory?: string;
}

const require = createRequire(import.meta.url);

/** "kafkajs 2.2.4" / "node-rdkafka 3.6.1 (librdkafka 2.12.0)". */
export const clientVersion = (client: RealClient): string => {
  if (client === 'kafkajs') return `kafkajs ${(require('kafkajs/package.json') as { version: string }).version}`;
  const v = (require('node-rdkafka/package.json') as { version: string }).version;
  return `node-rdkafka ${v} (librdkafka ${(require('node-rdkafka') as { librdkafkaVersion: string }).librdkafkaVersion})`;
};

const verdict = (v: Validity): string => (v === false ? 'violated' : v === true ? 'holds' : 'undecided (the run did not settle)');

export const runRealReplay = async (file: string, opts: RealReplayOptions): Promise<number> => {
  const { cx, inv } = readCounterexampleWithInvariant(file);
  const out = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };
  out(pc.bold(`${cx.configuration} × ${cx.invariant}`) + ` — ${cx.title}`);
  const problem = realConfigProblem(opts.target, cx.config);
  if (problem !== undefined) {
    out(pc.yellow(`cannot replay on ${opts.target}: ${problem}`));
    return 2;
  }
  killChildrenOnSignals();
  const scale = opts.timeScale ?? DEFAULT_TIME_SCALE;
  out(`target: ${clientVersion(opts.target)} against librdkafka's mock cluster on 127.0.0.1; 1 virtual ms = ${scale} real ms${opts.rttMs ? `; broker rtt ${opts.rttMs} ms` : ''}`);
  for (const g of cx.config.groups) out(`group ${g.name}: ${g.consumer.policy} → ${CLIENT_POLICIES[opts.target][g.consumer.policy] ?? '?'}`);
  out(`claim: ${inv.claim}`);
  out(`commands (${cx.commands.length}): ${cx.commands.map(describeCommand).join(' · ')}`);
  out(pc.dim(`scheduling choices (${cx.choices.length}) are the model's; the real network chooses here`));
  const ctx = cx.duplicateBound === null ? {} : { duplicateBound: cx.duplicateBound };
  const model = checkInvariant(inv, simulate(cx.config, cx.commands, cx.choices).history, ctx);
  const run = await runRealScenario(cx.config, cx.commands, {
    client: opts.target,
    timeScale: scale,
    ...(opts.rttMs !== undefined ? { brokerRttMs: opts.rttMs } : {}),
    log: (s) => process.stderr.write(pc.dim(`${s}\n`)),
  });
  if (opts.writeHistory !== undefined) {
    writeHistoryJsonl(opts.writeHistory, run.history);
    process.stderr.write(`wrote ${run.history.length} events to ${opts.writeHistory}\n`);
  }
  const res = checkInvariant(inv, run.history, ctx);
  const marked = new Set(res.violations.flatMap((v) => v.events));
  out('');
  out(pc.dim(`real run: ${run.realMs} ms, ${run.history.length} events, times in real ms since the start${opts.full ? '' : '; ProcessStarted folded (--full shows every event)'}`));
  for (const line of timelineLines(run.history, { marked, compact: !opts.full })) out(marked.size > 0 && line.startsWith('!!') ? pc.red(line) : line);
  out('');
  for (const n of run.notes) out(pc.dim(`note: ${n}`));
  for (const v of res.violations) out(`${pc.red(`[violation] ${v.invariant} (${v.kind})`)} ${v.message} events ${v.events.join(', ')}`);
  out(`model: ${cx.invariant} ${verdict(model.validity)}; ${opts.target}: ${verdict(res.validity)}`);
  if (res.validity === 'unknown') {
    out(pc.yellow('undecided: the real run did not settle, so this eventually-claim cannot be judged.'));
    return 2;
  }
  if (res.validity === model.validity) {
    out(pc.green(res.validity === false ? `reproduced on ${opts.target}: the real client breaks ${cx.invariant} too.` : `same verdict: ${cx.invariant} holds on both.`));
    return 0;
  }
  out(
    pc.yellow(
      res.validity === true
        ? `not reproduced on ${opts.target}: ${cx.invariant} held on this real run (timing differs from the model's choices; try again or --rtt).`
        : `${opts.target} breaks ${cx.invariant} although the model's run does not.`,
    ),
  );
  return 1;
};
