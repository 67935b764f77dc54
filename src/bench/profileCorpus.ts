/**
 * `npx tsx src/bench/profileCorpus.ts [row] [passes] [steppers]`: runs the simulator alone over
 * the bench's fixed scenario corpus (200 scenarios, seed 1) for `node --cpu-prof` profiles of the
 * hot path, or to compare step functions: `steppers` is a comma-separated list of compiled,
 * spread (compiled with the previous object-spread context copies) and xstate, run in turn in
 * every pass. Prints
 * events/s per pass on stderr, per wall second and per CPU second of this process (the latter
 * is steadier on a loaded machine), then the medians of the second half of the passes.
 */
// First: V8 flags before the search code compiles (jit.ts).
import '../jit.ts';
import fc from 'fast-check';
import { rowById } from '../check/matrix.ts';
import { scenarioArb, type Scenario } from '../gen/command.arb.ts';
import { simulate } from '../sim/simulate.ts';
import { machinesFor } from '../../models/zoo.ts';
import { median } from './timing.ts';
import { withContextCopy } from './measure.ts';

const [rowId = 'per-message', passesArg = '10', steppersArg = 'compiled'] = process.argv.slice(2);
const row = rowById(rowId);
const machines = machinesFor(row.config.variant);
const corpus: Scenario[] = fc.sample(scenarioArb(row.config, row.shape), { seed: 1, numRuns: 200 });
const steppers = steppersArg.split(',');
const runs: Record<string, (s: Scenario) => number> = {
  compiled: (s) => simulate(row.config, s.commands, s.choices, machines, 'compiled').stats.events,
  spread: (s) => withContextCopy('spread', () => simulate(row.config, s.commands, s.choices, machines, 'compiled').stats.events),
  xstate: (s) => simulate(row.config, s.commands, s.choices, machines, 'xstate').stats.events,
};
const rates = new Map<string, { wall: number[]; cpu: number[] }>(steppers.map((s) => [s, { wall: [], cpu: [] }]));
for (let i = 0; i < Number(passesArg); i++) {
  for (const stepper of steppers) {
    const run = runs[stepper];
    if (run === undefined) throw new Error(`unknown step function ${stepper}; expected compiled, spread or xstate`);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let ev = 0;
    for (const s of corpus) ev += run(s);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpuMs = (c.user + c.system) / 1000;
    process.stderr.write(`pass ${i} ${stepper}: ${ev} events, ${ms.toFixed(0)} ms wall, ${(ev / ms).toFixed(1)}k events/s wall, ${(ev / cpuMs).toFixed(1)}k events/CPU-s\n`);
    if (i >= Number(passesArg) / 2) {
      rates.get(stepper)?.wall.push(ev / ms);
      rates.get(stepper)?.cpu.push(ev / cpuMs);
    }
  }
}
for (const [stepper, r] of rates) process.stderr.write(`${rowId} ${stepper}: median ${median(r.wall).toFixed(1)}k events/s wall, ${median(r.cpu).toFixed(1)}k events/CPU-s\n`);
