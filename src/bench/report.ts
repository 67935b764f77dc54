/**
 * The benchmark's text report: plain aligned tables on stdout (colour only for headings, and
 * only where picocolors detects a terminal).
 */
import pc from 'picocolors';
import { ANCHOR_SOURCE, PEER } from './anchors.ts';
import type { BenchResult } from './bench.ts';
import { SIM_WARMUP_PASSES, type FirstCounterexample } from './measure.ts';

const num = (x: number, digits = 0): string =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

/** 45,072 → "45.1k"; small numbers stay exact. */
const si = (x: number): string => (!Number.isFinite(x) ? 'n/a' : x >= 10_000 ? `${num(x / 1000, 1)}k` : num(x, x < 100 ? 1 : 0));
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(a / b < 0.1 ? 3 : 2)}x` : 'n/a');

const table = (head: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [pc.bold(line(head)), rule, ...rows.map(line)].join('\n');
};

const heading = (s: string): string => `\n${pc.bold(pc.cyan(s))}`;

const ttfRow = (c: FirstCounterexample, maxRuns: number, shrink: boolean): string[] => {
  const all = c.found === c.seeds;
  return [
    `${c.row} × ${c.invariant}`,
    `${c.found}/${c.seeds}`,
    c.runs === null ? '-' : num(c.runs.median, Number.isInteger(c.runs.median) ? 0 : 1),
    c.runs === null ? `>${maxRuns}` : all ? num(c.runs.worst) : `>${maxRuns}`,
    c.ms === null ? '-' : num(c.ms.median, 1),
    c.ms === null ? '-' : all ? num(c.ms.worst, 1) : `(${num(c.ms.worst, 1)})`,
    c.shrunk === null ? (shrink ? '-' : 'skipped') : `${c.shrunk.from} → ${c.shrunk.to} (seed ${c.shrunk.seed})`,
    c.shrunk === null ? '-' : num(c.shrunk.ms, 0),
  ];
};

export const renderText = (r: BenchResult): string => {
  const p = r.params;
  const out: string[] = [];
  out.push(pc.bold(`groupcheck ${r.packageVersion} benchmark`));
  out.push(`Node ${r.node}, ${r.platform}, ${r.cpus} CPUs, xstate ${r.versions.xstate}, fast-check ${r.versions.fastCheck}; mode ${p.quick ? 'quick' : 'full'}; fixed seeds`);
  out.push('All rates are medians of repeats after a warm-up; ratios compare with baselines measured in this same process.');
  out.push(`Load average at start: ${r.loadavg.map((x) => x.toFixed(2)).join(', ')} (1, 5, 15 min) on ${r.cpus} CPUs: with other work running, read the ratios, not the absolute rates.`);

  out.push(heading(`1. Simulator throughput: simulate() over a fixed corpus (fc.sample seed 1, ${p.corpusRuns} scenarios per row), median of ${p.repeats}`));
  out.push(
    table(
      ['row', 'step function', 'commands/run', 'events/run', 'settled', 'events/s', 'min-max events/s', 'events/CPU-s', 'runs/s', 'cold events/s', 'warm-up', 'same histories'],
      r.simulator.map((s) => [
        s.row,
        s.stepper,
        num(s.commandsPerRun, 1),
        num(s.eventsPerRun, 1),
        `${s.settledRuns}/${s.scenarios}`,
        si(s.eventsPerSec.median),
        `${si(s.eventsPerSec.min)}-${si(s.eventsPerSec.max)}`,
        si(s.eventsPerSec.cpuMedian),
        num(s.runsPerSec, 0),
        s.eventsPerSec.cold === undefined ? '-' : si(s.eventsPerSec.cold),
        s.eventsPerSec.warmupPasses === undefined ? '-' : `${s.eventsPerSec.warmupPasses}${s.eventsPerSec.settled === false ? ' (not steady)' : ''}`,
        s.sameHistories ? 'yes' : 'NO',
      ]),
      new Set([2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ),
  );
  out.push(
    'compiled: src/sim (this version); spread (--previous only): the same step function with the handlers copying contexts by object spread, as before issue 7 round 2 (models/contextCopy.ts: the previous step function, same histories; its contexts make the shared handlers polymorphic, which slows the others measured beside it); xstate: the same simulator with XState actors (actor.send), whose handlers copy contexts the new way too. The frozen pre-issue-7 copy was dropped once the protocol features changed the effects it must interpret: 1.53-1.55x was measured against it (notes of issue 7).',
  );
  out.push(`events: commands applied + messages delivered + timers fired (RunStats.events), the quiescence tail included; invariants are not run here.`);
  out.push(
    `forks: each step function runs in ${r.simulator[0]?.forks ?? '?'} fresh processes per row, alternating with the others' (JMH-style forks): in one process, XState calling the models' shared handlers with its own argument shapes slowed the compiled step function about 2x. warm-up: in each fork, untimed passes over the corpus (at least ${SIM_WARMUP_PASSES} and ${p.quick ? 3 : 5} s) until the rate is steady: none of the last 3 passes more than 5% faster than the best before them (at most ${p.quick ? 200 : 100} passes or 30 s). V8 tiers the hot path up over about 200k events. cold: events/s of a fork's first pass (interpreter and baseline code), the rate a very short run sees.`,
  );
  out.push('events/s: median over every timed repeat of every fork; events/CPU-s counts only the CPU time the fork got, all its threads included (steadier when the machine is shared).');
  for (const row of new Set(r.simulator.map((s) => s.row))) {
    const comp = r.simulator.find((s) => s.row === row && s.stepper === 'compiled');
    for (const base of ['spread', 'xstate'] as const) {
      const b = r.simulator.find((s) => s.row === row && s.stepper === base);
      if (comp === undefined || b === undefined) continue;
      const note = b.sameHistories ? '' : ' (NOT comparable: its histories differ on this corpus)';
      out.push(`${row}: compiled / ${base} = ${ratio(comp.eventsPerSec.median, b.eventsPerSec.median)} (wall), ${ratio(comp.eventsPerSec.cpuMedian, b.eventsPerSec.cpuMedian)} (CPU time)${note}`);
    }
  }

  const c = r.check;
  out.push(heading(`2. Full check throughput: searchRow('${c.row}', seed 1, ${c.runs} runs, ${c.invariants} invariants, shrink off), median of ${c.runsPerSec.repeats}`));
  out.push(
    table(
      ['measure', 'runs/s', 'min-max runs/s', 'events/s', '~commands/s'],
      [['sample phase incl. invariants', num(c.runsPerSec.median, 0), `${num(c.runsPerSec.min, 0)}-${num(c.runsPerSec.max, 0)}`, si(c.eventsPerSec), si(c.runsPerSec.median * r.commandsPerRunOfCheckRow)]],
      new Set([1, 2, 3, 4]),
    ),
  );

  const b = r.baselines;
  out.push(heading(`3. Baselines, hand-written, measured in this run (median of ${b.send.repeats})`));
  out.push(
    table(
      ['baseline', 'work per repeat', 'rate'],
      [
        [`(a) actor.send, consumer machine, poll-loop script`, `${num(b.send.units)} events`, `${si(b.send.median)} events/s`],
        [`(b) pure transition(), same machine and script`, `${num(b.transition.units)} events`, `${si(b.transition.median)} events/s`],
        [`(c) fast-check, trivial property over scenarioArb('${c.row}')`, `${num(b.fastCheck.units)} runs`, `${si(b.fastCheck.median)} runs/s`],
      ],
      new Set([1, 2]),
    ),
  );

  out.push(heading('4. Ratios (this run) and peer figures (measured elsewhere)'));
  const rows: string[][] = [];
  for (const s of r.simulator) {
    rows.push([`simulator ${s.row} (${s.stepper}) events/s / (a) send`, ratio(s.eventsPerSec.median, b.send.median), `${PEER.send.what}: ${PEER.send.figure}`]);
    rows.push([`simulator ${s.row} (${s.stepper}) events/s / (b) transition()`, ratio(s.eventsPerSec.median, b.transition.median), `${PEER.transition.what}: ${PEER.transition.figure}`]);
  }
  rows.push([`(a) send / (b) transition()`, ratio(b.send.median, b.transition.median), `~4x (${PEER.goalG2.what}: ${PEER.goalG2.figure})`]);
  rows.push([`check runs/s / (c) fast-check generation`, ratio(c.runsPerSec.median, b.fastCheck.median), `${PEER.combo.what}: ${PEER.combo.figure}`]);
  rows.push([`check ~commands/s (this run: ${si(c.runsPerSec.median * r.commandsPerRunOfCheckRow)})`, '', `${PEER.goalG1.what}: ${PEER.goalG1.figure}`]);
  out.push(table(['measure', 'ratio', 'peer figure (elsewhere, not this run)'], rows, new Set([1])));
  out.push(`Peer figures: ${ANCHOR_SOURCE}.`);

  out.push(heading(`5. Time to first counterexample: searchRow(row, seed, ${p.ttfRuns} runs, shrink off, that invariant only), seeds ${p.ttfSeeds.join(',')}`));
  out.push(
    table(
      ['row × invariant (expect fails)', 'found', 'runs med', 'runs worst', 'ms med', 'ms worst', 'shrunk commands', 'shrink ms'],
      r.firstCounterexamples.map((x) => ttfRow(x, p.ttfRuns, p.shrink)),
      new Set([1, 2, 3, 4, 5, 7]),
    ),
  );
  out.push('runs/ms: over the seeds that found it; ">N" or (ms) in parentheses: some seeds found nothing within N runs.');
  if (p.shrink) {
    out.push('shrunk commands: commands of the first-found scenario → after fast-check shrinking (first seed that found it);');
    out.push('shrink ms: that shrinking search minus its unshrunk sample phase.');
  } else out.push('shrinking skipped in --quick mode (it dominates the run time); run without --quick for shrunk lengths.');
  if (r.multiCore !== undefined) {
    const m = r.multiCore;
    out.push(heading(`6. All cores: the whole matrix (${m.rows} configurations × ${m.runs} runs, seed 1, with shrinking): 1 thread, then the main thread + ${m.workers - 1} worker thread(s), each in a fresh process as \`check --workers N\` runs, ${m.rounds.length} round(s)`));
    out.push(
      table(
        ['round', 'runs', 'V8 flags', '1 thread', `${m.workers} threads`, 'speed-up', 'CPU s, 1 thread', `CPU s, ${m.workers} threads`, 'search thread CPU s, 1', `per-thread CPU s, ${m.workers}`, 'CPU speed-up', 'tasks'],
        m.rounds.map((x, i) => [
          String(i + 1),
          num(x.runs ?? m.runs),
          x.v8 === 'defaults' ? 'V8 defaults' : 'groupcheck',
          `${num(x.oneMs / 1000, 1)} s`,
          `${num(x.manyMs / 1000, 1)} s`,
          ratio(x.oneMs, x.manyMs),
          num(x.oneCpuMs / 1000, 1),
          num(x.manyCpuMs / 1000, 1),
          x.oneThreadCpuMs === null ? 'n/a' : num(x.oneThreadCpuMs / 1000, 1),
          x.workerCpuMs.map((c) => (c === null ? 'n/a' : num(c / 1000, 1))).join(' + '),
          x.cpuSpeedup === null ? 'n/a' : `${x.cpuSpeedup.toFixed(2)}x`,
          String(x.tasks),
        ]),
        new Set([1, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      ),
    );
    out.push('V8 flags: groupcheck = the flags `check` sets (src/jit.ts: a smaller TurboFan inlining budget, so less background compilation); V8 defaults = GROUPCHECK_V8_DEFAULTS=1, the previous baseline, same run. The full bench adds that round and one longer search: V8\'s compile work is a roughly fixed cost per isolate, so the speed-up grows with the search.');
    out.push('CPU s: CPU time of the whole process (all threads, V8 compiler and GC helpers included). With no other load, speed-up ≈ workers × (CPU 1 worker / CPU N workers); on a shared machine the wall times say less.');
    out.push('search/per-thread CPU s: the search thread alone (1 thread); this thread + each worker (N threads). CPU speed-up = the first / the busiest: the speed-up with a core per search thread, whatever else runs (Linux /proc only; tasks: sample chunks + shrinks).');
    out.push('The rest of the process CPU is V8 (TurboFan background compilation, GC helpers): with 1 thread it runs on the otherwise idle cores; each extra isolate compiles the search again. On 2 cores the wall speed-up is bounded by (search thread CPU, 1 thread) / (process CPU, N threads / 2).');
    out.push(`median speed-up ${m.speedup.toFixed(2)}x (rounds of ${num(m.runs)} runs, groupcheck flags); same results on 1 and ${m.workers} workers: ${m.identical ? 'yes' : 'NO'}; load average ${m.loadavg.before.map((x) => x.toFixed(1)).join('/')} before, ${m.loadavg.after.map((x) => x.toFixed(1)).join('/')} after.`);
  }
  out.push(...renderExplore(r.explore));
  out.push(`\nTotal wall time ${num(r.totalMs / 1000, 1)} s.`);
  return out.join('\n');
};

/** Section 7: the exhaustive BFS (exploreBench.ts), its baseline, symmetry and worker threads. */
export const renderExplore = (e: BenchResult['explore']): string[] => {
  const out: string[] = [];
  out.push(heading(`7. Exhaustive bounded BFS (src/explore): ${e.scope}, median of ${e.repeats}`));
  const exploreRow = (name: string, x: typeof e.naive): string[] => [name, num(x.states), num(x.transitions), String(x.depth), si(x.statesPerSec), `${si(x.minStatesPerSec)}-${si(x.maxStatesPerSec)}`, si(x.statesPerCpuSec), num(x.bytesPerState, 1)];
  out.push(
    table(
      ['visited set', 'states', 'transitions', 'depth', 'states/s', 'min-max states/s', 'states/CPU s', 'bytes/state'],
      [
        exploreRow('64-bit fingerprints, typed arrays', e.fingerprinted),
        exploreRow('baseline: Map of full JSON keys', e.naive),
        exploreRow(`fingerprints + every screen (${num(e.screened.confirmations)} confirmations)`, e.screened),
      ],
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  );
  out.push(`fingerprinted / baseline: ${ratio(e.fingerprinted.statesPerSec, e.naive.statesPerSec)} states/s, ${ratio(e.naive.bytesPerState, e.fingerprinted.bytesPerState)} fewer bytes/state (visited set, parents and steps; the frontier of worlds is the same for both and not counted; baseline bytes estimated as key characters + 80 per entry).`);
  out.push(`Symmetry reduction (${e.symmetry.scope}): ${num(e.symmetry.reduced)} states reduced vs ${num(e.symmetry.full)} without (${ratio(e.symmetry.full, e.symmetry.reduced)}).`);
  if (e.workers !== undefined) {
    const wk = e.workers;
    const cpu = (x: number | null): string => (x === null ? '-' : si(x));
    out.push(`Worker threads (src/explore/parallel.ts), ${wk.scope}, median of ${wk.repeats}, 1 and 2 workers alternated; load average ${wk.loadavg.before.map((x) => x.toFixed(1)).join('/')} before, ${wk.loadavg.after.map((x) => x.toFixed(1)).join('/')} after:`);
    out.push(
      table(
        ['monitors', 'workers', 'states', 'states/s', 'search states/s', 'states/busiest-thread CPU s', 'expanded per worker', 'rebuilt from paths', 'bytes/state'],
        wk.runs.flatMap((x) => [x.one, x.two].map((y) => [x.monitors, String(y.workers), num(y.states), si(y.statesPerSec), si(y.searchStatesPerSec), cpu(y.statesPerBusiestCpuSec), y.workerExpanded.map((n) => num(n)).join(' / '), y.workerReplayed.map((n) => num(n)).join(' / '), num(y.bytesPerState, 1)])),
        new Set([2, 3, 4, 5, 8]),
      ),
    );
    for (const x of wk.runs) {
      const cpuUp = x.one.statesPerBusiestCpuSec !== null && x.two.statesPerBusiestCpuSec !== null ? ratio(x.two.statesPerBusiestCpuSec, x.one.statesPerBusiestCpuSec) : '-';
      out.push(`${x.monitors}: 2 workers / 1: ${ratio(x.two.statesPerSec, x.one.statesPerSec)} states/s (start-up included), ${ratio(x.two.searchStatesPerSec, x.one.searchStatesPerSec)} in the search, ${cpuUp} per busiest-thread CPU s; same states, transitions, levels and counterexamples: ${x.identical ? 'yes' : 'NO'}.`);
    }
    out.push('search states/s: the slowest worker\'s own wall time (thread start-up, module load not counted). Busiest-thread CPU: the speed-up with a free core per worker, whatever else runs. bytes/state: shared table, columns and exchange buffer as allocated for the state budget.');
  }
  out.push('Target (issue #7 item 5): ≥100k distinct states/s at <200 bytes/state; peer, measured elsewhere (anchors.md): xstate/graph BFS ~41-44k states/s at ~8 KB/state.');
  return out;
};
