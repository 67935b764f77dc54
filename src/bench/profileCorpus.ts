/**
 * `npx tsx src/bench/profileCorpus.ts [row] [passes] [stepper]`: runs the simulator alone over the
 * bench's fixed scenario corpus (seed 1) a number of times, for `node --cpu-prof` profiles of the
 * hot path. Prints events/s per pass on stderr, per wall second and per CPU second of this
 * process (the latter is steadier on a loaded machine).
 */
import fc from 'fast-check';
import { rowById } from '../check/matrix.ts';
import { scenarioArb, type Scenario } from '../gen/command.arb.ts';
import { simulate, type Stepper } from '../sim/simulate.ts';
import { machinesFor } from '../../models/zoo.ts';

const [rowId = 'per-message', passesArg = '10', stepperArg = 'compiled'] = process.argv.slice(2);
const row = rowById(rowId);
const corpus: Scenario[] = fc.sample(scenarioArb(row.config, row.shape), { seed: 1, numRuns: 200 });
for (let i = 0; i < Number(passesArg); i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let ev = 0;
  for (const s of corpus) ev += simulate(row.config, s.commands, s.choices, machinesFor(row.config.variant), stepperArg as Stepper).stats.events;
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  process.stderr.write(`pass ${i}: ${ev} events, ${ms.toFixed(0)} ms wall, ${(ev / ms).toFixed(1)}k events/s wall, ${(ev / cpuMs).toFixed(1)}k events/CPU-s\n`);
}
