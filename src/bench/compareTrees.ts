/**
 * `npx tsx src/bench/compareTrees.ts [row] [passes] <before-dir> [after-dir]`: the simulator's
 * events per CPU second for two checkouts of this repository in one process (issue 7), e.g. a
 * `git archive <commit> | tar -x -C /tmp/before` copy (with node_modules linked) against this
 * worktree. Both trees' modules load side by side (different paths, so no shared handlers);
 * passes alternate before/after, the first third is warm-up, and the medians of the rest are
 * printed with their ratio. It first checks that both give byte-identical histories on the corpus
 * (the bench's: 200 scenarios of the row, seed 1). On a loaded machine the absolute figures swing
 * by 2x between processes; the ratio, measured in one process, is the number to read.
 */
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { median } from './timing.ts';

const here = fileURLToPath(new URL('../..', import.meta.url));
const [row = 'per-message', passesArg = '40', before, after = here] = process.argv.slice(2);
if (before === undefined) throw new Error('usage: compareTrees.ts [row] [passes] <before-dir> [after-dir]');

const load = async (dir: string) => {
  const matrix = await import(`${dir}/src/check/matrix.ts`);
  const sim = await import(`${dir}/src/sim/simulate.ts`);
  const zoo = await import(`${dir}/models/zoo.ts`);
  const gen = await import(`${dir}/src/gen/command.arb.ts`);
  const r = matrix.rowById(row);
  return { r, simulate: sim.simulate, machines: zoo.machinesFor(r.config.variant), gen };
};
const trees = { before: await load(before), after: await load(after) };
type Tree = (typeof trees)['before'];
type Scenario = { commands: unknown[]; choices: number[] };
const corpus = fc.sample(trees.after.gen.scenarioArb(trees.after.r.config, trees.after.r.shape), { seed: 1, numRuns: 200 }) as Scenario[];
const run = (t: Tree, s: Scenario) => t.simulate(t.r.config, s.commands, s.choices, t.machines, 'compiled');
for (const [i, s] of corpus.entries()) {
  if (JSON.stringify(run(trees.before, s).history) !== JSON.stringify(run(trees.after, s).history)) throw new Error(`scenario ${i}: the two trees give different histories`);
}
const rates = { before: [] as number[], after: [] as number[] };
const passes = Number(passesArg);
for (let i = 0; i < passes; i++) {
  for (const k of i % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)) {
    const c0 = process.cpuUsage();
    let events = 0;
    for (const s of corpus) events += run(trees[k], s).stats.events;
    const c = process.cpuUsage(c0);
    if (i >= passes / 3) rates[k].push(events / ((c.user + c.system) / 1000));
  }
}
const [b, a] = [median(rates.before), median(rates.after)];
process.stdout.write(`${row}: before ${b.toFixed(1)}k, after ${a.toFixed(1)}k events/CPU-s, after/before ${(a / b).toFixed(3)} (${rates.before.length} passes each)\n`);
