/**
 * `groupcheck replay FILE`: re-runs a counterexample from its config, commands and choices,
 * prints the timeline (violating events marked !!) and says whether the stored violation
 * reproduces. Exit 0 when it does, 1 when it does not, 2 on a bad file.
 */
import pc from 'picocolors';
import { checkInvariant } from '../check/checkHistory.ts';
import { describeCommand } from '../sim/command.ts';
import { simulate } from '../sim/simulate.ts';
import { readCounterexampleWithInvariant } from '../report/counterexample.ts';
import { timelineLines } from '../report/timeline.ts';
import { PACKAGE_VERSION } from '../version.ts';

export const runReplay = (file: string, opts: { full: boolean }): number => {
  const { cx, inv } = readCounterexampleWithInvariant(file);
  const out = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };
  out(pc.bold(`${cx.configuration} × ${cx.invariant}`) + ` — ${cx.title}`);
  if (cx.groupcheckVersion !== PACKAGE_VERSION) {
    out(pc.yellow(`note: written by groupcheck ${cx.groupcheckVersion}, replayed by ${PACKAGE_VERSION}; models may have changed.`));
  }
  out(`claim: ${inv.claim}`);
  out(`commands (${cx.commands.length}): ${cx.commands.map(describeCommand).join(' · ')}`);
  out(`scheduling choices (${cx.choices.length}): [${cx.choices.join(', ')}]`);
  const run = simulate(cx.config, cx.commands, cx.choices);
  const res = checkInvariant(inv, run.history, cx.duplicateBound === null ? {} : { duplicateBound: cx.duplicateBound });
  const marked = new Set(res.violations.flatMap((v) => v.events));
  out('');
  if (!opts.full) out(pc.dim('(ProcessStarted and OffsetsStored events are folded; --full shows every event)'));
  for (const line of timelineLines(run.history, { marked, compact: !opts.full })) out(marked.size > 0 && line.startsWith('!!') ? pc.red(line) : line);
  out('');
  for (const v of res.violations) out(`${pc.red(`[violation] ${v.invariant} (${v.kind})`)} ${v.message} events ${v.events.join(', ')}`);
  const reproduced = res.validity === false;
  const sameMessages = reproduced && cx.violations.every((v, i) => res.violations[i]?.message === v.message);
  if (reproduced) {
    out(pc.green(`reproduced: ${res.violations.length} violation(s) of ${cx.invariant}${sameMessages ? ', identical to the recorded ones' : ' (messages differ from the recorded ones)'}.`));
    return 0;
  }
  out(pc.yellow(`not reproduced: ${cx.invariant} ${res.validity === 'unknown' ? 'could not be decided (the run did not settle)' : 'holds on this run'}; the models changed since the file was written, or the file was edited.`));
  return 1;
};

/** Where `replay --target` runs a counterexample: the model (default) or a real client. */
export type ReplayTarget = 'model' | 'kafkajs' | 'librdkafka';
export const REPLAY_TARGETS: readonly ReplayTarget[] = ['model', 'kafkajs', 'librdkafka'];

/**
 * Replays on a real client (src/real/realReplay.ts, loaded only when asked for, so that model
 * replays never load the clients). Exit 0 when the real verdict matches the model's, 1 when it
 * does not, 2 on a bad file, a configuration the client cannot express, or an undecided run.
 */
export const runRealTargetReplay = async (
  file: string,
  opts: { target: Exclude<ReplayTarget, 'model'>; full: boolean; timeScale?: number; rttMs?: number; writeHistory?: string },
): Promise<number> => {
  const { runRealReplay } = await import('../real/realReplay.ts');
  return runRealReplay(file, opts);
};
