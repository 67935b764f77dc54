/**
 * Exhaustive bounded breadth-first search over one scope (issue #7, item 2).
 *
 * States are worlds of the one simulator (src/sim/simulate.ts, stepped one delivery, timer or
 * command at a time and cloned to branch) plus the monitors' small states and the remaining
 * budgets. The visited set keeps 64-bit fingerprints of each state's canonical text
 * (fingerprint.ts), canonicalised over interchangeable member slots where that is sound
 * (symmetry.ts); each new state keeps a parent pointer and the step that reached it, so a
 * path is rebuilt from the root. Breadth-first order makes the first confirmed path of each
 * invariant a shortest one (in steps) within the scope.
 *
 * Invariants: monitors (monitor.ts) screen each new state; each suspect is confirmed by
 * running its path through `simulate` (with the quiescence tail) and judging the full history
 * with the real invariant (properties/invariants). Only confirmed violations are reported.
 */
import type { HistoryEvent } from '../../models/history.ts';
import type { Command } from '../sim/command.ts';
import { slotTable } from '../sim/config.ts';
import { machinesFor } from '../../models/zoo.ts';
import { EventsExhausted, Simulation, simulate } from '../sim/simulate.ts';
import { checkInvariant } from '../check/checkHistory.ts';
import type { CheckContext, Violation } from '../check/invariant.ts';
import { INVARIANTS, invariantByName } from '../../properties/invariants/index.ts';
import { FingerprintSet, IntColumn, StateHasher } from './fingerprint.ts';
import { faultTailMonitor, invariantsMonitor, ledgerMonitor, type MonitorContext, type PathMonitor } from './monitor.ts';
import { decodeStep, describeStep, encodeStep, pathToScenario, applyStep, type Step } from './path.ts';
import { budgetOf, environmentOf, type Budgets, type Environment, type Scope } from './scope.ts';
import { renameSlots, symmetryPermutations } from './symmetry.ts';

/**
 * The default screens: every always-invariant's own monitor on every state, the ledger (its
 * facts are part of the fingerprint), and every invariant after each fault or intervention.
 */
export const defaultMonitors = (check: CheckContext = {}, only?: readonly string[]): PathMonitor[] => [
  // Only the looked-for invariants' monitors are folded (each costs a clone per step with events).
  invariantsMonitor(only === undefined ? INVARIANTS : INVARIANTS.filter((i) => only.includes(i.name)), check) as PathMonitor,
  ledgerMonitor as PathMonitor,
  faultTailMonitor(INVARIANTS.map((i) => i.name)) as PathMonitor,
];
/** The default screens (for their names; explore builds its own with the check context). */
export const DEFAULT_MONITORS: readonly PathMonitor[] = defaultMonitors();

export interface ExploreOptions {
  /** Invariants to look for (default: every one a monitor screens). */
  readonly invariants?: readonly string[];
  /** Default defaultMonitors(check). */
  readonly monitors?: readonly PathMonitor[];
  readonly check?: CheckContext;
  /** Stop once every looked-for invariant has a confirmed counterexample. */
  readonly stopWhenFound?: boolean;
  /** Bound on confirmation runs per invariant (each is a full simulate). */
  readonly confirmMax?: number;
  readonly onLevel?: (depth: number, states: number) => void;
  /**
   * The benchmark's naive baseline (xstate/graph style): the visited set is a Map keyed by the
   * full JSON text of each state (no fingerprints, no cache of encoded values, no symmetry).
   */
  readonly naive?: boolean;
}

export interface ExploreCounterexample {
  readonly invariant: string;
  /** Steps of the path (the quiescence tail of the confirming run not counted). */
  readonly depth: number;
  readonly steps: readonly string[];
  readonly commands: readonly Command[];
  readonly choices: readonly number[];
  readonly exact: boolean;
  readonly violations: readonly Violation[];
}

export interface ExploreResult {
  readonly states: number;
  readonly transitions: number;
  /** Steps of the deepest distinct state found. */
  readonly depth: number;
  /** Every state within the depth bound was expanded (no state budget cut). */
  readonly exhausted: boolean;
  /** Some state at the depth bound still had successors. */
  readonly depthBounded: boolean;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
  /**
   * Bytes per distinct state of the visited set, parent pointers and step codes (typed arrays:
   * exact; naive: estimated as key characters plus 80 bytes per Map entry and its record).
   */
  readonly bytesPerState: number;
  /** Largest number of worlds held at once (two BFS levels). */
  readonly frontierPeak: number;
  readonly symmetryPermutations: number;
  readonly invariants: readonly string[];
  readonly suspects: Readonly<Record<string, number>>;
  readonly confirmations: Readonly<Record<string, number>>;
  /** Invariants whose confirmations hit confirmMax: not every suspect was checked. */
  readonly unconfirmed: readonly string[];
  readonly counterexamples: readonly ExploreCounterexample[];
}

interface Node {
  readonly id: number;
  readonly sim: Simulation;
  readonly monitors: readonly unknown[];
  readonly budgets: Budgets;
}

const spend = (b: Budgets, c: Command): Budgets | null => {
  const key = budgetOf(c);
  if (key === null || b[key] <= 0) return null;
  // Field by field (one hidden class for every budget object; a computed-key spread is slow).
  const n: { -readonly [K in keyof Budgets]: number } = {
    starts: b.starts,
    crashes: b.crashes,
    pauses: b.pauses,
    leaves: b.leaves,
    records: b.records,
    stalls: b.stalls,
    drops: b.drops,
    moves: b.moves,
    adds: b.adds,
    seeks: b.seeks,
  };
  n[key]--;
  return n;
};

/** Step objects, made once: a search builds the enabled steps of every state it expands. */
const DELIVER: Step[] = [];
const deliverStep = (k: number): Step => {
  let s = DELIVER[k];
  if (s === undefined) {
    s = { type: 'deliver', k };
    DELIVER[k] = s;
  }
  return s;
};
const FIRE: Step = { type: 'fire' };
const commandSteps = new WeakMap<Command, Step>();
const commandStep = (command: Command): Step => {
  let s = commandSteps.get(command);
  if (s === undefined) {
    s = { type: 'command', command };
    commandSteps.set(command, s);
  }
  return s;
};

/** The steps enabled in a world within the budgets (commands only where runFor could end a Wait). */
export const enabledSteps = (sim: Simulation, b: Budgets, env: Environment): Step[] => {
  const out: Step[] = [];
  const o = sim.stepOptions();
  for (let k = 0; k < o.deliveries; k++) out.push(deliverStep(k));
  if (o.mayFire) out.push(FIRE);
  if (!o.quiet) return out;
  for (let s = 0; s < env.slots; s++) {
    const st = sim.slotState(s);
    if (st === 'down') {
      if (b.starts > 0) out.push(commandStep(env.start[s] as Command));
      continue;
    }
    if (b.crashes > 0) out.push(commandStep(env.crash[s] as Command));
    if (b.pauses > 0 && st !== 'paused') out.push(commandStep(env.pause[s] as Command));
    if (b.leaves > 0 && st !== 'leaving') out.push(commandStep(env.leave[s] as Command));
    if (b.stalls > 0 && st !== 'paused') out.push(commandStep(env.stall[s] as Command));
    if (b.seeks > 0 && st !== 'paused') for (const c of env.seek[s] as readonly Command[]) out.push(commandStep(c));
  }
  if (b.records > 0) for (const c of env.produce) out.push(commandStep(c));
  if (b.drops > 0) for (const c of env.drop) out.push(commandStep(c));
  if (b.moves > 0) for (const c of env.move) out.push(commandStep(c));
  if (b.adds > 0) for (const c of env.add) out.push(commandStep(c));
  return out;
};

/** The world's history with its quiescence tail run in place, or null if the run hit eventsMax. */
const tailHistory = (sim: Simulation): readonly HistoryEvent[] | null => {
  try {
    sim.quiesce();
    return sim.history;
  } catch (err) {
    if (err instanceof EventsExhausted) return null;
    throw err;
  } finally {
    sim.dispose();
  }
};

export const explore = (scope: Scope, opts: ExploreOptions = {}): ExploreResult => {
  const t0 = performance.now();
  const config = scope.config;
  const monitors = opts.monitors ?? defaultMonitors(opts.check, opts.invariants);
  const screened = [...new Set(monitors.flatMap((m) => m.screens))];
  const wanted = (opts.invariants ?? screened).filter((i) => screened.includes(i));
  for (const name of opts.invariants ?? []) {
    invariantByName(name);
    if (!screened.includes(name)) throw new Error(`no monitor screens ${name}; screened: ${screened.join(', ')}`);
  }
  const confirmMax = opts.confirmMax ?? 5000;
  const rows = slotTable(config);
  const mctx: MonitorContext = {
    groupOf: (member) => rows[Number(/^c(\d+)#/.exec(member)?.[1] ?? -1)]?.group.name ?? '',
  };
  const perms = scope.symmetry && opts.naive !== true ? symmetryPermutations(config) : [rows.map((r) => r.slot)];
  const env = environmentOf(scope);
  // One object per command, so a step code is its index in the alphabet.
  const alphabet = env.alphabet;

  const naiveJson = (v: object): string => JSON.stringify(v);
  const visited = new FingerprintSet(10);
  const parent = new IntColumn(1024);
  const step = new IntColumn(1024);
  // Monitor states are immutable and shared by a parent and a child the step left unchanged.
  const monitorTexts = monitors.map(() => new WeakMap<object, string>());
  const encodeMonitor = (i: number, state: unknown): string => {
    const m = monitors[i] as PathMonitor;
    if (typeof state !== 'object' || state === null) return m.encode(state);
    const cache = monitorTexts[i] as WeakMap<object, string>;
    let text = cache.get(state);
    if (text === undefined) {
      text = m.encode(state);
      cache.set(state, text);
    }
    return text;
  };
  /** The naive baseline's key: the full JSON text of the state. */
  const keyOf = (sim: Simulation, mons: readonly unknown[], b: Budgets): string => {
    const tail = `\nB${b.starts},${b.crashes},${b.pauses},${b.leaves},${b.records},${b.stalls},${b.drops},${b.moves},${b.adds},${b.seeks}\n${mons.map((s, i) => encodeMonitor(i, s)).join('\n')}`;
    const { slots, rest } = sim.canonical(naiveJson);
    return `${slots.join('\n')}\n${rest}${tail}`;
  };
  // One hasher per slot permutation (each caches the hashes of the values it saw, renamed).
  const hashers = perms.map((p) => new StateHasher(rows.length, perms.length > 1 ? p : null, renameSlots));
  let fpLo = 0;
  let fpHi = 0;
  /** Sets fpLo, fpHi to the state's canonical fingerprint: the least over the permutations. */
  const fingerprintOf = (sim: Simulation, mons: readonly unknown[], b: Budgets): void => {
    for (let i = 0; i < hashers.length; i++) {
      const h = hashers[i] as StateHasher;
      h.begin();
      sim.digest(h);
      h.int(b.starts);
      h.int(b.crashes);
      h.int(b.pauses);
      h.int(b.leaves);
      h.int(b.records);
      h.int(b.stalls);
      h.int(b.drops);
      h.int(b.moves);
      h.int(b.adds);
      h.int(b.seeks);
      for (let j = 0; j < monitors.length; j++) {
        const m = monitors[j] as PathMonitor;
        if (m.digest !== undefined) m.digest(mons[j], h);
        else h.str(encodeMonitor(j, mons[j]));
      }
      h.finish();
      if (i === 0 || h.hi < fpHi || (h.hi === fpHi && h.lo < fpLo)) {
        fpLo = h.lo;
        fpHi = h.hi;
      }
    }
  };
  const naive = new Map<string, { readonly parent: number; readonly step: number }>();
  let naiveBytes = 0;
  /** Adds the state (naive: its key; else the fingerprint in fpLo, fpHi): its new id, or -1 if seen. */
  const add = (sim: Simulation, mons: readonly unknown[], b: Budgets, from: number, code: number): number => {
    if (opts.naive === true) {
      const key = keyOf(sim, mons, b);
      if (naive.has(key)) return -1;
      naive.set(key, { parent: from, step: code });
      naiveBytes += key.length + 80;
      parent.push(from);
      step.push(code);
      return naive.size - 1;
    }
    fingerprintOf(sim, mons, b);
    const id = visited.add(fpLo, fpHi);
    if (id >= 0) {
      parent.push(from);
      step.push(code);
    }
    return id;
  };
  const count = (): number => (opts.naive === true ? naive.size : visited.size);
  const pathTo = (id: number): Step[] => {
    const out: Step[] = [];
    for (let i = id; parent.get(i) >= 0; i = parent.get(i)) out.push(decodeStep(step.get(i), alphabet));
    return out.reverse();
  };

  const suspects: Record<string, number> = {};
  const confirmations: Record<string, number> = {};
  const unconfirmed = new Set<string>();
  const found = new Map<string, ExploreCounterexample>();
  const confirm = (id: number, names: readonly string[], depth: number): void => {
    const todo = names.filter((n) => wanted.includes(n) && !found.has(n));
    if (todo.length === 0) return;
    for (const n of todo) suspects[n] = (suspects[n] ?? 0) + 1;
    const open = todo.filter((n) => (confirmations[n] ?? 0) < confirmMax);
    for (const n of todo) if (!open.includes(n)) unconfirmed.add(n);
    if (open.length === 0) return;
    const steps = pathTo(id);
    const sc = pathToScenario(config, steps);
    for (const n of open) confirmations[n] = (confirmations[n] ?? 0) + 1;
    // When the translation is exact, the replayed world plus its own quiescence tail is the run
    // simulate() would give (explore.test.ts checks the prefix; the tail is deterministic): judge
    // that first and run simulate only to confirm a violation. Otherwise simulate decides alone.
    let judged = open;
    if (sc.exact) {
      const tail = tailHistory(sc.sim);
      if (tail !== null) judged = open.filter((n) => checkInvariant(invariantByName(n), tail, opts.check ?? {}).validity === false);
    }
    if (judged.length === 0) return;
    const run = simulate(config, sc.commands, sc.choices);
    for (const n of judged) {
      const r = checkInvariant(invariantByName(n), run.history, opts.check ?? {});
      if (r.validity === false) {
        found.set(n, { invariant: n, depth, steps: steps.map(describeStep), commands: sc.commands, choices: sc.choices, exact: sc.exact, violations: r.violations });
      }
    }
  };

  // The compiled step function: its actors clone cheaply (XState's own cannot be cloned).
  const root = new Simulation(config, [], machinesFor(config.variant), 'compiled');
  // A world's history holds only the events of the step that made it (clones start empty).
  root.history.splice(0);
  const rootMons = monitors.map((m) => m.initial);
  add(root, rootMons, scope.budgets, -1, -1);
  let frontier: Node[] = [{ id: 0, sim: root, monitors: rootMons, budgets: scope.budgets }];
  let transitions = 0;
  let depth = 0;
  let deepest = 0;
  let frontierPeak = 1;
  let cut = false;
  let depthBounded = false;
  const done = (): boolean => opts.stopWhenFound === true && wanted.every((n) => found.has(n));

  search: while (frontier.length > 0 && !done()) {
    if (depth >= scope.depthMax) {
      depthBounded = frontier.some((n) => enabledSteps(n.sim, n.budgets, env).length > 0);
      break;
    }
    const next: Node[] = [];
    for (const node of frontier) {
      const enabled = enabledSteps(node.sim, node.budgets, env);
      for (let k = 0; k < enabled.length; k++) {
        const s = enabled[k] as Step;
        const budgets = s.type === 'command' ? spend(node.budgets, s.command) : node.budgets;
        if (budgets === null) continue;
        // The last successor takes the node's own world: nothing reads it after its expansion.
        const sim = k === enabled.length - 1 ? node.sim : node.sim.clone();
        if (!applyStep(sim, s)) continue;
        transitions++;
        const events: HistoryEvent[] = sim.history.splice(0);
        const mons = monitors.map((m, i) => m.step(node.monitors[i], events, mctx));
        const id = add(sim, mons, budgets, node.id, encodeStep(s, alphabet));
        if (id < 0) continue;
        deepest = depth + 1;
        let flagged: string[] | null = null;
        for (let i = 0; i < monitors.length; i++) {
          const names = (monitors[i] as PathMonitor).suspects(mons[i]);
          if (names.length > 0) (flagged ??= []).push(...names);
        }
        if (flagged !== null) confirm(id, flagged, depth + 1);
        next.push({ id, sim, monitors: mons, budgets });
        if (count() >= scope.statesMax) {
          cut = true;
          break search;
        }
        if (done()) break search;
      }
    }
    frontierPeak = Math.max(frontierPeak, frontier.length + next.length);
    frontier = next;
    depth++;
    opts.onLevel?.(depth, count());
  }
  const elapsedMs = performance.now() - t0;
  const states = count();
  return {
    states,
    transitions,
    depth: deepest,
    exhausted: !cut && !depthBounded && !done(),
    depthBounded,
    elapsedMs,
    statesPerSecond: states / (elapsedMs / 1000),
    bytesPerState: opts.naive === true ? naiveBytes / states : (visited.bytes + parent.bytes + step.bytes) / states,
    frontierPeak,
    symmetryPermutations: perms.length,
    invariants: wanted,
    suspects,
    confirmations,
    unconfirmed: [...unconfirmed],
    counterexamples: wanted.flatMap((n) => (found.has(n) ? [found.get(n) as ExploreCounterexample] : [])),
  };
};
