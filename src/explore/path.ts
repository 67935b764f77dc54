/**
 * Steps of the exhaustive search and their translation to a standard scenario.
 *
 * A step is one delivery (the k-th open channel, oldest head first), one timer firing, or one
 * environment command. A path is replayable as `simulate(config, commands, choices)`: the
 * commands are the path's own, and each run of deliveries and firings between two commands
 * becomes a `Wait` for the time it spans, with the scheduling choices runFor reads for them
 * (the index of the channel, or the "advance the clock" option), then one last choice that
 * lets the wait end. That needs no timer due at the end of the wait, which the search
 * guarantees before every command (Simulation.quiet) and which holds at the end of a path
 * unless two timers share a due time (then `exact` is false, and the confirmation says
 * whether the replay still shows the violation).
 */
import type { Command } from '../sim/command.ts';
import type { SimConfig } from '../sim/config.ts';
import { Simulation } from '../sim/simulate.ts';

export type Step = { readonly type: 'deliver'; readonly k: number } | { readonly type: 'fire' } | { readonly type: 'command'; readonly command: Command };

/** Steps packed in one integer (the search stores one per state). */
const FIRE = 0x10000;
const COMMAND = 0x20000;
export const encodeStep = (s: Step, alphabet: readonly Command[]): number => {
  if (s.type === 'deliver') return s.k;
  if (s.type === 'fire') return FIRE;
  const i = alphabet.indexOf(s.command);
  if (i < 0) throw new Error('encodeStep: command not in the alphabet');
  return COMMAND + i;
};
export const decodeStep = (code: number, alphabet: readonly Command[]): Step => {
  if (code < FIRE) return { type: 'deliver', k: code };
  if (code === FIRE) return { type: 'fire' };
  const command = alphabet[code - COMMAND];
  if (command === undefined) throw new Error(`decodeStep: no command ${code - COMMAND}`);
  return { type: 'command', command };
};

/** Applies one step; false when a command was not enabled (the simulator skipped it). */
export const applyStep = (sim: Simulation, s: Step): boolean => {
  switch (s.type) {
    case 'deliver':
      sim.deliverNth(s.k);
      return true;
    case 'fire':
      sim.fireNext();
      return true;
    case 'command':
      return sim.apply(s.command);
  }
};

export const describeStep = (s: Step): string => (s.type === 'deliver' ? `deliver #${s.k}` : s.type === 'fire' ? 'fire next timer' : JSON.stringify(s.command));

interface Pending {
  readonly open: number;
  readonly nextAt: number | undefined;
  readonly oldest: number;
  readonly pick: number;
}

export interface PathScenario {
  readonly commands: Command[];
  readonly choices: number[];
  /** Whether the translation is exact (no timer due where a wait must end). */
  readonly exact: boolean;
  /** The step-by-step replay's history (without the quiescence tail). */
  readonly history: Simulation['history'];
  /** The world the replay ended in (its history is `history`). */
  readonly sim: Simulation;
}

/** Replays steps on a fresh simulator and writes them as commands + choices. */
export const pathToScenario = (config: SimConfig, steps: readonly Step[]): PathScenario => {
  const sim = new Simulation(config, []);
  const commands: Command[] = [];
  const choices: number[] = [];
  let exact = true;
  let segment: Pending[] = [];
  let segmentStart = 0;
  const flush = (): void => {
    if (segment.length === 0) return;
    const target = sim.clockMs;
    commands.push({ type: 'Wait', ms: target - segmentStart });
    // runFor counts "advance" as an option when the clock may move to min(next due timer, target).
    for (const p of segment) {
      const due = p.nextAt !== undefined && p.nextAt <= target;
      const until = due ? (p.nextAt as number) : target;
      const mayAdvance = p.open === 0 || p.oldest + config.networkDelayMaxMs >= until;
      if (p.open + (mayAdvance ? 1 : 0) > 1) choices.push(p.pick);
    }
    // The wait ends on "advance" with no timer due.
    if (!sim.quiet()) exact = false;
    const open = sim.deliveries();
    if (open > 0) choices.push(open);
    segment = [];
  };
  for (const s of steps) {
    if (s.type === 'command') {
      flush();
      commands.push(s.command);
      applyStep(sim, s);
      continue;
    }
    if (segment.length === 0) segmentStart = sim.clockMs;
    const open = sim.deliveries();
    segment.push({ open, nextAt: sim.nextTimerAt(), oldest: sim.oldestInFlightMs(), pick: s.type === 'deliver' ? s.k : open });
    applyStep(sim, s);
  }
  flush();
  return { commands, choices, exact, history: sim.history, sim };
};
