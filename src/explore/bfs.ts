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

export const spend = (b: Budgets, c: Command): Budgets | null => {
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

/** A state of the frontier: its world, monitor states and budgets. */
export interface Node {
  readonly id: number;
  readonly sim: Simulation;
  readonly monitors: unknown[];
  readonly budgets: Budgets;
  /** Whether its path-only monitor states may be stepped in place (not the root's: `initial` is shared). */
  readonly owned: boolean;
}

/** A new state found by expanding a node, before its path-only monitors are folded. */
export interface Child {
  id: number;
  readonly sim: Simulation;
  readonly events: HistoryEvent[];
  readonly monitors: unknown[];
  readonly budgets: Budgets;
  /** Its step's code (encodeStep) and its index among the node's enabled steps. */
  readonly code: number;
  readonly k: number;
  /** Transitions of the node's expansion up to and including this one. */
  readonly transitions: number;
}

/**
 * What the sequential search and each parallel worker share: monitors, the environment, the
 * fingerprint of a state, node expansion, the fold of path-only monitors and the confirmations.
 */
export class SearchCore {
  readonly config: Scope['config'];
  readonly monitors: readonly PathMonitor[];
  readonly wanted: readonly string[];
  readonly confirmMax: number;
  readonly mctx: MonitorContext;
  readonly perms: number[][];
  readonly env: Environment;
  readonly alphabet: readonly Command[];
  /** Monitors that are part of the fingerprint (stepped on every transition), and the others. */
  private readonly keyed: number[] = [];
  private readonly pathOnly: number[] = [];
  private readonly hashers: StateHasher[];
  fpLo = 0;
  fpHi = 0;
  readonly suspects: Record<string, number> = {};
  readonly confirmations: Record<string, number> = {};
  readonly unconfirmed = new Set<string>();
  readonly found = new Map<string, ExploreCounterexample>();
  /** Invariants another worker found (parallel search): not confirmed again. */
  readonly elsewhere = new Set<string>();

  constructor(
    readonly scope: Scope,
    readonly opts: ExploreOptions,
  ) {
    this.config = scope.config;
    const monitors = opts.monitors ?? defaultMonitors(opts.check, opts.invariants);
    this.monitors = monitors;
    const screened = [...new Set(monitors.flatMap((m) => m.screens))];
    this.wanted = (opts.invariants ?? screened).filter((i) => screened.includes(i));
    for (const name of opts.invariants ?? []) {
      invariantByName(name);
      if (!screened.includes(name)) throw new Error(`no monitor screens ${name}; screened: ${screened.join(', ')}`);
    }
    this.confirmMax = opts.confirmMax ?? 5000;
    const rows = slotTable(this.config);
    this.mctx = { groupOf: (member) => rows[Number(/^c(\d+)#/.exec(member)?.[1] ?? -1)]?.group.name ?? '' };
    this.perms = scope.symmetry && opts.naive !== true ? symmetryPermutations(this.config) : [rows.map((r) => r.slot)];
    this.env = environmentOf(scope);
    // One object per command, so a step code is its index in the alphabet.
    this.alphabet = this.env.alphabet;
    monitors.forEach((m, i) => (m.pathOnly === true ? this.pathOnly : this.keyed).push(i));
    // One hasher per slot permutation (each caches the hashes of the values it saw, renamed).
    this.hashers = this.perms.map((p) => new StateHasher(rows.length, this.perms.length > 1 ? p : null, renameSlots));
  }

  /** The root world (compiled step function: its actors clone cheaply; XState's own cannot be cloned). */
  root(): Node {
    const sim = new Simulation(this.config, [], machinesFor(this.config.variant), 'compiled');
    // A world's history holds only the events of the step that made it (clones start empty).
    sim.history.splice(0);
    return { id: 0, sim, monitors: this.monitors.map((m) => m.initial), budgets: this.scope.budgets, owned: false };
  }

  /** Sets fpLo, fpHi to the state's canonical fingerprint: the least over the permutations. */
  fingerprintOf(sim: Simulation, mons: readonly unknown[], b: Budgets): void {
    const hashers = this.hashers;
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
      for (let k = 0; k < this.keyed.length; k++) {
        const j = this.keyed[k] as number;
        const m = this.monitors[j] as PathMonitor;
        if (m.digest !== undefined) m.digest(mons[j], h);
        else h.str(m.encode(mons[j]));
      }
      h.finish();
      if (i === 0 || h.hi < this.fpHi || (h.hi === this.fpHi && h.lo < this.fpLo)) {
        this.fpLo = h.lo;
        this.fpHi = h.hi;
      }
    }
  }

  /**
   * Expands a node: every enabled step is applied (to a clone; the last to the node's own
   * world), the fingerprinted monitors stepped, and `add` asked whether the state is new (it
   * reads the fingerprint in fpLo, fpHi or the world itself; it returns the new state's id, or
   * -1). New states go to `out`; path-only monitors are left for `fold`. Returns the
   * transitions made, or -(transitions + 1) when `full()` said, after a new state, to stop
   * there (the state budget).
   */
  expand(node: Node, add: (sim: Simulation, mons: readonly unknown[], b: Budgets, code: number, k: number) => number, out: Child[], full: () => boolean): number {
    const enabled = enabledSteps(node.sim, node.budgets, this.env);
    let transitions = 0;
    for (let k = 0; k < enabled.length; k++) {
      const s = enabled[k] as Step;
      const budgets = s.type === 'command' ? spend(node.budgets, s.command) : node.budgets;
      if (budgets === null) continue;
      // The last successor takes the node's own world: nothing reads it after its expansion.
      const sim = k === enabled.length - 1 ? node.sim : node.sim.clone();
      if (!applyStep(sim, s)) continue;
      transitions++;
      const events: HistoryEvent[] = sim.history.splice(0);
      const mons = node.monitors.slice();
      for (let j = 0; j < this.keyed.length; j++) {
        const i = this.keyed[j] as number;
        mons[i] = (this.monitors[i] as PathMonitor).step(node.monitors[i], events, this.mctx);
      }
      const code = encodeStep(s, this.alphabet);
      const id = add(sim, mons, budgets, code, k);
      if (id < 0) continue;
      out.push({ id, sim, events, monitors: mons, budgets, code, k, transitions });
      if (full()) return -(transitions + 1);
    }
    return transitions;
  }

  /**
   * Folds the path-only monitors of a node's new children (in order), in place for the last one
   * when the node owns its states and no earlier child shares them (PathMonitor.stepOwned).
   */
  fold(node: Node, children: readonly Child[], from: number, to: number): void {
    if (this.pathOnly.length === 0) return;
    let shared = false;
    for (let c = from; c < to; c++) {
      const ch = children[c] as Child;
      const owned = node.owned && !shared && c === to - 1;
      for (let j = 0; j < this.pathOnly.length; j++) {
        const i = this.pathOnly[j] as number;
        const m = this.monitors[i] as PathMonitor;
        ch.monitors[i] = owned && m.stepOwned !== undefined ? m.stepOwned(node.monitors[i], ch.events, this.mctx) : m.step(node.monitors[i], ch.events, this.mctx);
      }
      if (ch.events.length === 0) shared = true;
    }
  }

  /** The invariants a state's monitors suspect, or null. */
  flagged(mons: readonly unknown[]): string[] | null {
    let flagged: string[] | null = null;
    for (let i = 0; i < this.monitors.length; i++) {
      const names = (this.monitors[i] as PathMonitor).suspects(mons[i]);
      if (names.length > 0) (flagged ??= []).push(...names);
    }
    return flagged;
  }

  /** Confirms suspects of state `id` (its path from `pathTo`); returns the invariants newly found. */
  confirm(names: readonly string[], depth: number, pathTo: () => Step[]): string[] {
    const { found, suspects, confirmations, unconfirmed } = this;
    const todo = names.filter((n) => this.wanted.includes(n) && !found.has(n) && !this.elsewhere.has(n));
    if (todo.length === 0) return [];
    for (const n of todo) suspects[n] = (suspects[n] ?? 0) + 1;
    const open = todo.filter((n) => (confirmations[n] ?? 0) < this.confirmMax);
    for (const n of todo) if (!open.includes(n)) unconfirmed.add(n);
    if (open.length === 0) return [];
    const steps = pathTo();
    const sc = pathToScenario(this.config, steps);
    for (const n of open) confirmations[n] = (confirmations[n] ?? 0) + 1;
    // When the translation is exact, the replayed world plus its own quiescence tail is the run
    // simulate() would give (explore.test.ts checks the prefix; the tail is deterministic): judge
    // that first and run simulate only to confirm a violation. Otherwise simulate decides alone.
    let judged = open;
    const ctx = this.opts.check ?? {};
    if (sc.exact) {
      const tail = tailHistory(sc.sim);
      if (tail !== null) judged = open.filter((n) => checkInvariant(invariantByName(n), tail, ctx).validity === false);
    }
    if (judged.length === 0) return [];
    const run = simulate(this.config, sc.commands, sc.choices);
    const out: string[] = [];
    for (const n of judged) {
      const r = checkInvariant(invariantByName(n), run.history, ctx);
      if (r.validity === false) {
        found.set(n, { invariant: n, depth, steps: steps.map(describeStep), commands: sc.commands, choices: sc.choices, exact: sc.exact, violations: r.violations });
        out.push(n);
      }
    }
    return out;
  }

  done(): boolean {
    return this.opts.stopWhenFound === true && this.wanted.every((n) => this.found.has(n));
  }

  /**
   * The node a path from the root leads to, rebuilt by replaying it (the parallel search moves
   * a state to another worker this way: worlds cannot be posted). Every monitor is folded along
   * the path, so the node is the one the search built step by step.
   */
  replay(id: number, steps: readonly Step[]): Node {
    const root = this.root();
    const sim = root.sim;
    const mons = root.monitors;
    let budgets: Budgets = root.budgets;
    // A path-only state is ours to step in place once a step with events copied it.
    const owned = this.monitors.map(() => false);
    for (const s of steps) {
      const b = s.type === 'command' ? spend(budgets, s.command) : budgets;
      if (b === null || !applyStep(sim, s)) throw new Error(`replay of state ${id}: step ${describeStep(s)} is not enabled`);
      budgets = b;
      const events: HistoryEvent[] = sim.history.splice(0);
      for (let i = 0; i < this.monitors.length; i++) {
        const m = this.monitors[i] as PathMonitor;
        mons[i] = owned[i] === true && m.stepOwned !== undefined ? m.stepOwned(mons[i], events, this.mctx) : m.step(mons[i], events, this.mctx);
        if (events.length > 0) owned[i] = true;
      }
    }
    return { id, sim, monitors: mons, budgets, owned: owned.every(Boolean) };
  }

  /** Whether any of these nodes has an enabled step (the depth bound cut something). */
  anyEnabled(frontier: readonly Node[]): boolean {
    return frontier.some((n) => enabledSteps(n.sim, n.budgets, this.env).length > 0);
  }
}

export const explore = (scope: Scope, opts: ExploreOptions = {}): ExploreResult => {
  const t0 = performance.now();
  const core = new SearchCore(scope, opts);
  const { monitors, alphabet } = core;
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
  /** The naive baseline's key: the full JSON text of the state (path-only monitors encode nothing). */
  const keyOf = (sim: Simulation, mons: readonly unknown[], b: Budgets): string => {
    const tail = `\nB${b.starts},${b.crashes},${b.pauses},${b.leaves},${b.records},${b.stalls},${b.drops},${b.moves},${b.adds},${b.seeks}\n${mons.map((s, i) => ((monitors[i] as PathMonitor).pathOnly === true ? '' : encodeMonitor(i, s))).join('\n')}`;
    const { slots, rest } = sim.canonical(naiveJson);
    return `${slots.join('\n')}\n${rest}${tail}`;
  };
  const naive = new Map<string, { readonly parent: number; readonly step: number }>();
  let naiveBytes = 0;
  const count = (): number => (opts.naive === true ? naive.size : visited.size);
  let from = -1;
  const full = (): boolean => count() >= scope.statesMax;
  /** Adds the state (naive: its key; else its fingerprint): its new id, or -1 if seen. */
  const add = (sim: Simulation, mons: readonly unknown[], b: Budgets, code: number): number => {
    let id: number;
    if (opts.naive === true) {
      const key = keyOf(sim, mons, b);
      if (naive.has(key)) return -1;
      naive.set(key, { parent: from, step: code });
      naiveBytes += key.length + 80;
      id = naive.size - 1;
    } else {
      core.fingerprintOf(sim, mons, b);
      id = visited.add(core.fpLo, core.fpHi);
      if (id < 0) return -1;
    }
    parent.push(from);
    step.push(code);
    return id;
  };
  const pathTo = (id: number): Step[] => {
    const out: Step[] = [];
    for (let i = id; parent.get(i) >= 0; i = parent.get(i)) out.push(decodeStep(step.get(i), alphabet));
    return out.reverse();
  };

  const root = core.root();
  from = -1;
  add(root.sim, root.monitors, scope.budgets, -1);
  let frontier: Node[] = [root];
  let transitions = 0;
  let depth = 0;
  let deepest = 0;
  let frontierPeak = 1;
  let cut = false;
  let depthBounded = false;
  /** When the search stopped at a confirmation: the states and transitions up to it. */
  let stoppedAt: { states: number; transitions: number } | null = null;
  const children: Child[] = [];

  search: while (frontier.length > 0 && !core.done()) {
    if (depth >= scope.depthMax) {
      depthBounded = core.anyEnabled(frontier);
      break;
    }
    const next: Node[] = [];
    for (const node of frontier) {
      children.length = 0;
      from = node.id;
      // At the state budget the expansion stops right after the last new state, whose
      // confirmation still runs below.
      let t = core.expand(node, add, children, full);
      if (t < 0) {
        cut = true;
        t = -t - 1;
      }
      core.fold(node, children, 0, children.length);
      for (let c = 0; c < children.length; c++) {
        const ch = children[c] as Child;
        deepest = depth + 1;
        const flagged = core.flagged(ch.monitors);
        if (flagged !== null) core.confirm(flagged, depth + 1, () => pathTo(ch.id));
        next.push({ id: ch.id, sim: ch.sim, monitors: ch.monitors, budgets: ch.budgets, owned: true });
        if (core.done()) {
          stoppedAt = { states: ch.id + 1, transitions: transitions + ch.transitions };
          break search;
        }
      }
      transitions += t;
      if (cut) break search;
    }
    frontierPeak = Math.max(frontierPeak, frontier.length + next.length);
    frontier = next;
    depth++;
    opts.onLevel?.(depth, count());
  }
  const elapsedMs = performance.now() - t0;
  const states = stoppedAt?.states ?? count();
  return {
    states,
    transitions: stoppedAt?.transitions ?? transitions,
    depth: deepest,
    exhausted: !cut && !depthBounded && !core.done(),
    depthBounded,
    elapsedMs,
    statesPerSecond: states / (elapsedMs / 1000),
    bytesPerState: opts.naive === true ? naiveBytes / states : (visited.bytes + parent.bytes + step.bytes) / states,
    frontierPeak,
    symmetryPermutations: core.perms.length,
    invariants: core.wanted,
    suspects: core.suspects,
    confirmations: core.confirmations,
    unconfirmed: [...core.unconfirmed],
    counterexamples: core.wanted.flatMap((n) => (core.found.has(n) ? [core.found.get(n) as ExploreCounterexample] : [])),
  };
};
