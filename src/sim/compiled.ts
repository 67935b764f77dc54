/**
 * A compiled form of the XState machine definitions: the fast step function (issue 7, item 1).
 *
 * XState stays the specification: this reads the machine's own `config` (states, `on`,
 * `always`, `entry`, targets, `reenter`, `final`) and `implementations` (named guards, and the
 * pure handler behind every named action), and runs them with the subset of XState v5's
 * semantics that the groupcheck machines use:
 * - flat states under a root; an event is handled by the first enabled transition of the
 *   current state, else of the root (deepest first);
 * - a transition runs its actions, then, if it has a target that is another state (or
 *   `reenter: true`), the target's entry actions;
 * - then eventless `always` transitions are taken, with the same event, until none is enabled;
 * - a `final` state ignores every later event;
 * - guards: named, inline functions, `and([...])`; actions: named, with optional params.
 *
 * It skips what costs most in XState's runtime for these machines: building snapshots, action
 * objects and assign merges on every microstep (anchors.md §2.3). `compile` returns null for a
 * machine that uses anything outside the subset (e.g. a variant whose action has no pure
 * handler attached); the simulator then runs that machine as an XState actor. The differential
 * test (src/sim/compiled.test.ts) checks on random runs that both give the same states,
 * contexts and effects.
 */
import { and, type AnyStateMachine } from 'xstate';
import type { Effect, Step } from '../../models/effects.ts';

type Ctx = unknown;
type Ev = { readonly type: string };
type Guard = (ctx: Ctx, ev: Ev) => boolean;
type Handler = (ctx: Ctx, ev: Ev, params: unknown) => Step<Ctx>;

/** A named action: its pure handler and its params (called directly, no wrapper: hot path). */
interface Action {
  readonly handler: Handler;
  readonly params: unknown;
}

interface Transition {
  /** Stable name for coverage: `State.Event#i`, `*.Event#i` (root) or `State.always#i`. */
  readonly id: string;
  readonly guard: Guard | null;
  readonly actions: readonly Action[];
  /** null: a targetless transition (actions only, no exit or entry). */
  readonly target: string | null;
  /** The target's definition, resolved once every state is compiled. */
  targetDef: StateDef | null;
  readonly reenter: boolean;
}

interface StateDef {
  readonly name: string;
  readonly on: ReadonlyMap<string, readonly Transition[]>;
  readonly always: readonly Transition[];
  readonly entry: readonly Action[];
  readonly final: boolean;
}

export interface CompiledMachine {
  readonly id: string;
  /** Every state and every transition id, for coverage reports. */
  readonly allStates: readonly string[];
  readonly allTransitions: readonly string[];
  readonly initial: string;
  readonly states: ReadonlyMap<string, StateDef>;
  readonly context: (input: unknown) => Ctx;
}

class Unsupported extends Error {}

/** The `check` that XState attaches to every guard built by and(). */
const CHECK_AND = (and([]) as unknown as { check: unknown }).check;

const asArray = <T>(x: T | readonly T[] | undefined): readonly T[] => (x === undefined ? [] : Array.isArray(x) ? (x as readonly T[]) : [x as T]);

const compileGuard = (g: unknown, impl: Record<string, unknown>): Guard => {
  if (typeof g === 'string') {
    const f = impl[g];
    if (typeof f !== 'function') throw new Unsupported(`guard ${g}`);
    return compileGuard(f, impl);
  }
  if (typeof g === 'function') {
    const fn = g as { guards?: unknown[]; check?: unknown; name?: string } & ((args: { context: Ctx; event: Ev }, params?: unknown) => boolean);
    if (fn.check !== undefined) {
      // Recognised by XState's own check function, not by name (a bundler may rename `and`).
      if (fn.check !== CHECK_AND || !Array.isArray(fn.guards)) throw new Unsupported('a higher-order guard other than and()');
      const parts = fn.guards.map((x) => compileGuard(x, impl));
      return (c, e) => {
        for (const p of parts) if (!p(c, e)) return false;
        return true;
      };
    }
    // One argument object per guard, refilled on each call (guards are pure and keep nothing).
    const args = { context: undefined as Ctx, event: undefined as unknown as Ev };
    return (context, event) => {
      args.context = context;
      args.event = event;
      return fn(args);
    };
  }
  if (typeof g === 'object' && g !== null && 'type' in g) {
    const { type, params } = g as { type: string; params?: unknown };
    const f = impl[type] as ((args: { context: Ctx; event: Ev }, params?: unknown) => boolean) | undefined;
    if (typeof f !== 'function') throw new Unsupported(`guard ${type}`);
    const args = { context: undefined as Ctx, event: undefined as unknown as Ev };
    return (context, event) => {
      args.context = context;
      args.event = event;
      return f(args, params);
    };
  }
  throw new Unsupported('guard shape');
};

const compileAction = (a: unknown, impl: Record<string, unknown>): Action => {
  const [name, params] = typeof a === 'string' ? [a, undefined] : typeof a === 'object' && a !== null && 'type' in a ? [(a as { type: string }).type, (a as { params?: unknown }).params] : [null, undefined];
  if (name === null) throw new Unsupported('inline action');
  const f = impl[name] as { handler?: Handler } | undefined;
  const handler = f?.handler;
  if (handler === undefined) throw new Unsupported(`action ${name} has no pure handler`);
  return { handler, params };
};

const resolveTarget = (t: string, states: Record<string, unknown>): string => {
  const name = t.startsWith('.') ? t.slice(1) : t;
  if (!(name in states)) throw new Unsupported(`target ${t}`);
  return name;
};

const compileTransitions = (prefix: string, spec: unknown, states: Record<string, unknown>, guards: Record<string, unknown>, actions: Record<string, unknown>): Transition[] =>
  asArray(spec as object | string).map((t, i) => {
    const id = `${prefix}#${i}`;
    if (typeof t === 'string') return { id, guard: null, actions: [], target: resolveTarget(t, states), targetDef: null, reenter: false };
    const o = t as { guard?: unknown; actions?: unknown; target?: string; reenter?: boolean };
    return {
      id,
      guard: o.guard === undefined ? null : compileGuard(o.guard, guards),
      actions: asArray(o.actions).map((a) => compileAction(a, actions)),
      target: o.target === undefined ? null : resolveTarget(o.target, states),
      targetDef: null,
      reenter: o.reenter === true,
    };
  });

/** Compiles a machine, or returns null when it uses something outside the supported subset. */
export const compile = (machine: AnyStateMachine): CompiledMachine | null => {
  try {
    const config = machine.config as {
      id?: string;
      initial?: string;
      context?: (args: { input: unknown }) => Ctx;
      on?: Record<string, unknown>;
      states?: Record<string, { on?: Record<string, unknown>; always?: unknown; entry?: unknown; exit?: unknown; type?: string; states?: unknown; after?: unknown; invoke?: unknown }>;
    };
    const impl = machine.implementations as { guards: Record<string, unknown>; actions: Record<string, unknown> };
    const states = config.states ?? {};
    if (typeof config.context !== 'function' || config.initial === undefined) return null;
    const root = new Map<string, Transition[]>();
    for (const [ev, spec] of Object.entries(config.on ?? {})) root.set(ev, compileTransitions(`*.${ev}`, spec, states, impl.guards, impl.actions));
    const compiled = new Map<string, StateDef>();
    for (const [name, s] of Object.entries(states)) {
      if (s.states !== undefined || s.after !== undefined || s.invoke !== undefined || s.exit !== undefined) return null;
      const on = new Map<string, Transition[]>();
      for (const [ev, spec] of Object.entries(s.on ?? {})) on.set(ev, compileTransitions(`${name}.${ev}`, spec, states, impl.guards, impl.actions));
      // Deepest first: the state's own transitions, then the root's (XState v5 selection order).
      for (const [ev, ts] of root) on.set(ev, [...(on.get(ev) ?? []), ...ts]);
      compiled.set(name, {
        name,
        on,
        always: compileTransitions(`${name}.always`, s.always, states, impl.guards, impl.actions),
        entry: asArray(s.entry).map((a) => compileAction(a, impl.actions)),
        final: s.type === 'final',
      });
    }
    for (const def of compiled.values()) {
      for (const ts of def.on.values()) for (const t of ts) t.targetDef = t.target === null ? null : (compiled.get(t.target) as StateDef);
      for (const t of def.always) t.targetDef = t.target === null ? null : (compiled.get(t.target) as StateDef);
    }
    if (!compiled.has(config.initial)) return null;
    const contextFn = config.context;
    const allTransitions = new Set<string>();
    for (const ts of root.values()) for (const t of ts) allTransitions.add(t.id);
    for (const def of compiled.values()) {
      for (const ts of def.on.values()) for (const t of ts) allTransitions.add(t.id);
      for (const t of def.always) allTransitions.add(t.id);
    }
    return {
      id: config.id ?? 'machine',
      initial: config.initial,
      states: compiled,
      allStates: [...compiled.keys()],
      allTransitions: [...allTransitions].sort(),
      context: (input) => contextFn({ input }),
    };
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
};

/** Microsteps of eventless transitions allowed per event before we call it a livelock. */
const ALWAYS_MAX = 100;

/** Where a run records the states it visited and the transitions it took, per machine. */
export interface Coverage {
  readonly states: Set<string>;
  readonly transitions: Set<string>;
}

/** One running instance of a compiled machine, with the actor-like surface the simulator uses. */
export class CompiledActor<C = unknown> {
  /** The current state's definition (its name is `def.name`). */
  private def: StateDef;
  private ctx: Ctx;

  constructor(
    private readonly m: CompiledMachine,
    input: unknown,
    private readonly coverage: Coverage | null = null,
    /** Start in this state and context instead of the initial ones (a clone). */
    from?: { readonly def: StateDef; readonly ctx: Ctx },
  ) {
    if (from !== undefined) {
      this.def = from.def;
      this.ctx = from.ctx;
      return;
    }
    this.def = m.states.get(m.initial) as StateDef;
    coverage?.states.add(m.initial);
    this.ctx = m.context(input);
    const out: Effect[] = [];
    const init = { type: 'xstate.init' };
    this.run(this.def.entry, init, out);
    this.settle(init, out);
    if (out.length > 0) throw new Error(`${m.id}: initial entry actions emitted effects; the simulator would lose them`);
  }

  get value(): string {
    return this.def.name;
  }

  get context(): C {
    return this.ctx as C;
  }

  get done(): boolean {
    return this.def.final;
  }

  matches(state: string): boolean {
    return this.def.name === state;
  }

  /** Nothing to release: the simulator's runner interface. */
  stop(): void {}

  /** A copy in the same state: the context is immutable, so both share it until one steps. */
  clone(): CompiledActor<C> {
    return new CompiledActor<C>(this.m, undefined, this.coverage, { def: this.def, ctx: this.ctx });
  }

  /** Processes one event (a macrostep) and returns the effects it emitted, in order. */
  send(event: Ev): Effect[] {
    const out: Effect[] = [];
    const def = this.def;
    if (def.final) return out;
    const ts = def.on.get(event.type);
    if (ts !== undefined) {
      const t = this.select(ts, event);
      if (t !== null) this.take(t, event, out);
    }
    if (this.def.always.length > 0) this.settle(event, out);
    return out;
  }

  private select(ts: readonly Transition[], event: Ev): Transition | null {
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i] as Transition;
      if (t.guard === null || t.guard(this.ctx, event)) return t;
    }
    return null;
  }

  private run(actions: readonly Action[], event: Ev, out: Effect[]): void {
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i] as Action;
      const r = a.handler(this.ctx, event, a.params);
      const o = r.out;
      for (let j = 0; j < o.length; j++) out.push(o[j] as Effect);
      this.ctx = r.ctx;
    }
  }

  private take(t: Transition, event: Ev, out: Effect[]): void {
    this.coverage?.transitions.add(t.id);
    if (t.actions.length > 0) this.run(t.actions, event, out);
    const target = t.targetDef;
    if (target === null) return;
    if (target === this.def && !t.reenter) return;
    this.def = target;
    this.coverage?.states.add(target.name);
    if (target.entry.length > 0) this.run(target.entry, event, out);
  }

  private settle(event: Ev, out: Effect[]): void {
    for (let i = 0; i < ALWAYS_MAX; i++) {
      const def = this.def;
      if (def.final || def.always.length === 0) return;
      const t = this.select(def.always, event);
      if (t === null) return;
      this.take(t, event, out);
    }
    throw new Error(`${this.m.id}: more than ${ALWAYS_MAX} eventless transitions in one step (livelock in state ${this.def.name})`);
  }
}

const cache = new WeakMap<AnyStateMachine, CompiledMachine | null>();

/** compile(), memoized per machine object. */
export const compiled = (machine: AnyStateMachine): CompiledMachine | null => {
  if (!cache.has(machine)) cache.set(machine, compile(machine));
  return cache.get(machine) ?? null;
};
