/**
 * The exhaustive search on several threads (issue #7, item 2): a level-synchronous BFS over
 * worker_threads sharing one visited set (shared.ts: lock-free open addressing on a
 * SharedArrayBuffer) and the parent pointers and step codes, indexed by state id.
 *
 * Every worker expands the first levels identically (the same states, in the same order) until
 * a level holds at least 8 states per worker; then worker w owns that level's states whose
 * index hashes to w (ownerOf). A worker expands the states it owns; a child goes to the worker
 * whose transition owns it once the level is over: the transition of least priority (rank of its
 * source in the level, index of the step), the one the sequential search (bfs.ts) takes first.
 * A barrier ends each level; the workers then exchange how many children each kept and their
 * priorities (sorted), so that each child gets the id the sequential search gives it (its rank
 * among the level's new states, after the levels before). Parent pointers, steps, monitor folds
 * (in place for a node's last new child, as in bfs.ts), suspects and the counterexample found
 * first are therefore the sequential search's, whatever the timing: the states and transitions
 * per level are equal (explore.test.ts), and so is each counterexample (the least id confirmed
 * for each invariant). What may differ: the counts of suspects and confirmations (a worker does
 * not know, within a level, that another found the invariant already), and `confirmMax` bounds
 * each worker's confirmations, not their sum.
 *
 * A world cannot be posted between threads, so a worker keeps the worlds it owns; when a
 * level's shares drift apart, the plan computed alike by every worker moves some states to
 * the workers under their share, which rebuild them by replaying their paths (rebalance). Workers load the search bundled by esbuild, or through tsx (src/check's
 * workerBundle.ts and workerBoot.mjs, as the parallel random search does).
 */
import { Worker } from 'node:worker_threads';
import { bundledWorker } from '../check/workerBundle.ts';
import { threadCpuMs } from '../check/threadCpu.ts';
import type { CheckContext } from '../check/invariant.ts';
import { SearchCore, type Child, type ExploreCounterexample, type ExploreOptions, type ExploreResult, type Node } from './bfs.ts';
import { ledgerMonitor, type PathMonitor } from './monitor.ts';
import { decodeStep, type Step } from './path.ts';
import type { Budgets, Scope } from './scope.ts';
import { ABORTED, Barrier, SharedVisited } from './shared.ts';
import type { Simulation } from '../sim/simulate.ts';

/** The monitors a worker builds (functions cannot be posted): the default screens, or the ledger alone. */
export type MonitorSet = 'default' | 'ledger';

export interface ParallelExploreOptions {
  readonly workers: number;
  readonly monitorSet?: MonitorSet;
  readonly invariants?: readonly string[];
  readonly check?: CheckContext;
  readonly stopWhenFound?: boolean;
  readonly confirmMax?: number;
  readonly onLevel?: (depth: number, states: number) => void;
}

export interface ParallelExploreResult extends ExploreResult {
  readonly workers: number;
  /** New states per level (level 0: the root), as the sequential search finds them. */
  readonly levels: readonly number[];
  /** Per worker: CPU time of its thread in the search (null where it cannot be read), states it expanded. */
  readonly workerCpuMs: readonly (number | null)[];
  readonly workerExpanded: readonly number[];
  readonly workerReplayed: readonly number[];
  /** Wall time of the search itself: the slowest worker's, worker start-up not counted (elapsedMs counts it). */
  readonly searchMs: number;
}

/** ctl words. */
const ARRIVALS = 0;
const GENERATION = 1;
const ABORT = 2;
const ENTRIES = 3;
const DEPTH_BOUNDED = 4;
const COUNTS = 5;
const NO_ID = 0x7fffffff;
/** A state's priority in its level: rank of the source * STEPS + index of the step. */
const STEPS = 256;
const RANK_MAX = Math.floor(0x7fffffff / STEPS);
/** Bound on the shared buffers, which are allocated for the whole state budget up front. */
const SHARED_BYTES_MAX = 2 ** 31;
/** Levels expanded by every worker until one holds this many states per worker. */
const SPLIT_PER_WORKER = 8;
/** A worker's share of a level may exceed the even share by this much before states move. */
const REBALANCE_SLACK = 0.05;
/**
 * What rebuilding a state by replaying its path costs, in state expansions (a fresh root and
 * one step per level; measured about 220 µs against about 70 µs per state at depth 15-20).
 */
const REPLAY_COST = 3;

interface Buffers {
  readonly table: SharedArrayBuffer;
  readonly ctl: SharedArrayBuffer;
  /** parent, step, transitions of each expanded state, transitions of its parent up to each state. */
  readonly cols: SharedArrayBuffer;
  readonly exchange: SharedArrayBuffer;
}

export interface WorkerInit {
  readonly w: number;
  readonly n: number;
  readonly scope: Scope;
  readonly monitorSet: MonitorSet;
  readonly invariants?: readonly string[];
  readonly check?: CheckContext;
  readonly stopWhenFound?: boolean;
  readonly confirmMax?: number;
  readonly buffers: Buffers;
}

export type WorkerMessage =
  | { readonly kind: 'level'; readonly depth: number; readonly states: number }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'done'; readonly result: WorkerResult };

export interface WorkerResult {
  readonly w: number;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly cut: boolean;
  readonly depthBounded: boolean;
  readonly stopped: boolean;
  readonly frontierPeak: number;
  readonly levels: readonly number[];
  readonly expanded: number;
  /** States this worker rebuilt from their paths to even out the levels. */
  readonly replayed: number;
  readonly cpuMs: number | null;
  /** Wall time of this worker's search (its start-up and module load not counted). */
  readonly searchMs: number;
  readonly symmetryPermutations: number;
  readonly invariants: readonly string[];
  readonly suspects: Readonly<Record<string, number>>;
  readonly confirmations: Readonly<Record<string, number>>;
  readonly unconfirmed: readonly string[];
  readonly found: readonly { readonly id: number; readonly cx: ExploreCounterexample }[];
}

/** The worker that owns state `i` of the level where the workers split (a fixed mix of i). */
export const ownerOf = (i: number, n: number): number => {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % n;
};

/** Capacity of the shared table: a power of two, at least 4 × the state budget (half may be used). */
export const tableCapacity = (statesMax: number): number => {
  let c = 1024;
  while (c < 4 * (statesMax + 1)) c *= 2;
  return c;
};

/** Ids a search of this budget may give (the root and its first child even with a budget of 0 or 1). */
const columnLength = (statesMax: number): number => Math.max(statesMax, 1) + 1;

const ctlWords = (n: number, wanted: number): number => COUNTS + n + wanted;

const monitorsOf = (set: MonitorSet): readonly PathMonitor[] | undefined => (set === 'ledger' ? [ledgerMonitor as PathMonitor] : undefined);

/** One worker's part of the search (run in a worker thread; exported for tests in one thread too). */
export const searchWorker = (init: WorkerInit, post: (m: WorkerMessage) => void = () => undefined): WorkerResult => {
  const { w, n, scope, buffers } = init;
  const cpu0 = threadCpuMs();
  const t0 = performance.now();
  const monitors = monitorsOf(init.monitorSet);
  const opts: ExploreOptions = {
    ...(monitors === undefined ? {} : { monitors }),
    ...(init.invariants === undefined ? {} : { invariants: init.invariants }),
    ...(init.check === undefined ? {} : { check: init.check }),
    ...(init.stopWhenFound === undefined ? {} : { stopWhenFound: init.stopWhenFound }),
    ...(init.confirmMax === undefined ? {} : { confirmMax: init.confirmMax }),
  };
  const core = new SearchCore(scope, opts);
  const ctl = new Int32Array(buffers.ctl);
  const barrier = new Barrier(ctl, ARRIVALS, GENERATION, ABORT, n);
  const visited = new SharedVisited(buffers.table, ctl, ENTRIES);
  const cap = columnLength(scope.statesMax);
  const parent = new Int32Array(buffers.cols, 0, cap);
  const step = new Int32Array(buffers.cols, 4 * cap, cap);
  const nodeTrans = new Int32Array(buffers.cols, 8 * cap, cap);
  const childTrans = new Int32Array(buffers.cols, 12 * cap, cap);
  const exchange = new Int32Array(buffers.exchange);
  const foundWord = (i: number): number => COUNTS + n + i;
  const wanted = core.wanted;
  const statesMax = scope.statesMax;
  const pathTo = (id: number): Step[] => {
    const out: Step[] = [];
    for (let i = id; parent[i] as number >= 0; i = parent[i] as number) out.push(decodeStep(step[i] as number, core.alphabet));
    return out.reverse();
  };

  try {
    const root = core.root();
    core.fingerprintOf(root.sim, root.monitors, root.budgets);
    visited.insert(core.fpLo, core.fpHi, 1, 0);
    parent[0] = -1;
    step[0] = -1;
    let mine: Node[] = [root];
    let replicated = true;
    let levelStart = 0;
    let levelWidth = 1;
    let depth = 0;
    let deepest = 0;
    let frontierPeak = 1;
    let cut = false;
    let depthBounded = false;
    let stopAt = -1;
    let expanded = 0;
    const levels = [1];

    // add() for core.expand: the priority of the transition (rank of its source, index of the step).
    let rank = 0;
    let tag = 2;
    const add = (sim: Simulation, mons: readonly unknown[], b: Budgets, _code: number, k: number): number => {
      if (k >= STEPS) throw new Error(`a state has more than ${STEPS} enabled steps`);
      core.fingerprintOf(sim, mons, b);
      return visited.insert(core.fpLo, core.fpHi, tag, rank * STEPS + k);
    };
    const never = (): boolean => false;
    let replayed = 0;
    /**
     * Evens out the next level: a worker over ceil(width / N) by more than REBALANCE_SLACK gives
     * states spread over its ranks to the workers under it, which rebuild them by replaying their
     * paths (SearchCore.replay: worlds cannot be posted). Every worker computes the same plan
     * from the level's owners. Without it the shares drift apart: a state reached from several
     * sources goes to the owner of the least one, and subtrees grow unevenly.
     */
    const rebalance = (next: Node[], owner: Int32Array, width: number, nextStart: number): Node[] => {
      if (n < 2 || width < SPLIT_PER_WORKER * n) return next;
      const counts = new Array<number>(n).fill(0);
      for (let r = 0; r < width; r++) counts[owner[r] as number] = (counts[owner[r] as number] as number) + 1;
      const target = Math.ceil(width / n);
      if (Math.max(...counts) <= target * (1 + REBALANCE_SLACK)) return next;
      const need = counts.map((c) => Math.max(0, target - c));
      const moved = new Map<number, number>();
      for (let v = 0; v < n; v++) {
        // A replay costs the receiver about REPLAY_COST expansions: with x states moved, the donor
        // expands c - x, the receiver its own + x (1 + REPLAY_COST); about even at this x.
        const excess = Math.floor((((counts[v] as number) - target) * 2) / (2 + REPLAY_COST));
        if (excess <= 0) continue;
        // Spread over the donor's ranks: giving its last states would leave the receiver with
        // the highest ranks, whose shared children the donor's lower-ranked states then win back.
        const ranksOf: number[] = [];
        for (let r = 0; r < width; r++) if (owner[r] === v) ranksOf.push(r);
        for (let j = 0; j < excess; j++) {
          const u = need.findIndex((x) => x > 0);
          if (u < 0) break;
          need[u] = (need[u] as number) - 1;
          moved.set(ranksOf[Math.floor(((j + 0.5) * ranksOf.length) / excess)] as number, u);
        }
      }
      const out: Node[] = [];
      for (const node of next) if (!moved.has(node.id - nextStart)) out.push(node);
      for (const [r, u] of moved) {
        if (u !== w) continue;
        out.push(core.replay(nextStart + r, pathTo(nextStart + r)));
        replayed++;
      }
      // Expanded in id order: the priorities of a worker's children must increase.
      return out.sort((a, b) => a.id - b.id);
    };
    const cand: Child[] = [];
    const candNode: number[] = [];
    const foundIds = new Map<string, number>();

    for (;;) {
      if (core.opts.stopWhenFound === true && wanted.every((_, i) => Atomics.load(ctl, foundWord(i)) !== NO_ID)) break;
      if (levelWidth === 0) break;
      if (depth >= scope.depthMax) {
        if (core.anyEnabled(mine)) Atomics.store(ctl, DEPTH_BOUNDED, 1);
        barrier.wait();
        depthBounded = Atomics.load(ctl, DEPTH_BOUNDED) !== 0;
        break;
      }
      if (levelWidth > RANK_MAX) throw new Error(`a BFS level holds more than ${RANK_MAX} states`);
      const nextStart = levelStart + levelWidth;
      tag = depth + 2;
      cand.length = 0;
      candNode.length = 0;
      for (let j = 0; j < mine.length; j++) {
        const node = mine[j] as Node;
        rank = node.id - levelStart;
        const before = cand.length;
        const t = core.expand(node, add, cand, never);
        nodeTrans[node.id] = t;
        for (let c = before; c < cand.length; c++) candNode.push(j);
      }
      expanded += mine.length;
      barrier.wait();
      // The children this worker's transitions still own, in priority order (= id order).
      const kept: number[] = [];
      const prios: number[] = [];
      for (let c = 0; c < cand.length; c++) {
        const ch = cand[c] as Child;
        const prio = ((mine[candNode[c] as number] as Node).id - levelStart) * STEPS + ch.k;
        if (!visited.owns(ch.id, prio)) continue;
        kept.push(c);
        prios.push(prio);
      }
      let total = kept.length;
      let owner: Int32Array | null = null;
      // Ranks among the level's new states: merge with the other workers' sorted priorities.
      const ranks = prios.map((_, i) => i);
      if (!replicated) {
        Atomics.store(ctl, COUNTS + w, kept.length);
        barrier.wait();
        const counts: number[] = [];
        let offset = 0;
        total = 0;
        for (let v = 0; v < n; v++) {
          const c = Atomics.load(ctl, COUNTS + v);
          counts.push(c);
          if (v < w) offset += c;
          total += c;
        }
        if (total > exchange.length) throw new Error('the parallel search exchange buffer is full: raise --states');
        for (let i = 0; i < prios.length; i++) exchange[offset + i] = prios[i] as number;
        barrier.wait();
        // Merge every worker's sorted priorities: the owner of each rank (every worker
        // computes the same), and this worker's ranks.
        owner = new Int32Array(total);
        const at = new Int32Array(n);
        const start = new Int32Array(n);
        for (let v = 1; v < n; v++) start[v] = (start[v - 1] as number) + (counts[v - 1] as number);
        for (let r = 0; r < total; r++) {
          let best = -1;
          let bp = 0;
          for (let v = 0; v < n; v++) {
            if ((at[v] as number) >= (counts[v] as number)) continue;
            const p = exchange[(start[v] as number) + (at[v] as number)] as number;
            if (best < 0 || p < bp) {
              best = v;
              bp = p;
            }
          }
          owner[r] = best;
          if (best === w) ranks[at[w] as number] = r;
          at[best] = (at[best] as number) + 1;
        }
      }
      // The state budget: the sequential search stops at the state of id statesMax - 1.
      // (The sequential search checks the budget after adding a state: the root's first child
      // is added even with a budget of 1.)
      const room = Math.max(1, statesMax - nextStart);
      if (total >= room) cut = true;
      const width = Math.min(total, room);
      const children: Child[] = [];
      const childNode: number[] = [];
      for (let i = 0; i < kept.length; i++) {
        const r = ranks[i] as number;
        if (r >= room) continue;
        const c = kept[i] as number;
        const ch = cand[c] as Child;
        const node = mine[candNode[c] as number] as Node;
        ch.id = nextStart + r;
        parent[ch.id] = node.id;
        step[ch.id] = ch.code;
        childTrans[ch.id] = ch.transitions;
        children.push(ch);
        childNode.push(candNode[c] as number);
      }
      // Path-only monitors, per source node (its new children are consecutive), then suspects.
      for (let a = 0; a < children.length; ) {
        let b = a + 1;
        while (b < children.length && childNode[b] === childNode[a]) b++;
        core.fold(mine[childNode[a] as number] as Node, children, a, b);
        a = b;
      }
      for (const ch of children) {
        const flagged = core.flagged(ch.monitors);
        if (flagged === null) continue;
        for (const name of core.confirm(flagged, depth + 1, () => pathTo(ch.id))) {
          foundIds.set(name, ch.id);
          const word = foundWord(wanted.indexOf(name));
          let cur = Atomics.load(ctl, word);
          while (ch.id < cur) {
            const seen = Atomics.compareExchange(ctl, word, cur, ch.id);
            if (seen === cur) break;
            cur = seen;
          }
        }
      }
      barrier.wait();
      wanted.forEach((name, i) => {
        if (Atomics.load(ctl, foundWord(i)) !== NO_ID && !core.found.has(name)) core.elsewhere.add(name);
      });
      if (width > 0) deepest = depth + 1;
      const stop = core.opts.stopWhenFound === true && wanted.every((_, i) => Atomics.load(ctl, foundWord(i)) !== NO_ID);
      // As the sequential search counts it: a level cut short (budget, or stopped) is not a frontier.
      if (!stop && !cut) frontierPeak = Math.max(frontierPeak, levelWidth + width);
      levels.push(width);
      let next: Node[] = children.map((ch) => ({ id: ch.id, sim: ch.sim, monitors: ch.monitors, budgets: ch.budgets, owned: true }));
      if (owner !== null) next = rebalance(next, owner, width, nextStart);
      levelStart = nextStart;
      levelWidth = width;
      depth++;
      if (w === 0) post({ kind: 'level', depth, states: levelStart + levelWidth });
      if (stop) {
        stopAt = Math.max(...wanted.map((_, i) => Atomics.load(ctl, foundWord(i))));
        break;
      }
      if (cut) {
        stopAt = nextStart + room - 1;
        break;
      }
      if (replicated && width >= SPLIT_PER_WORKER * n) {
        // From the next level on, each worker expands its share of this one.
        // Shared children go to the owner of their least source; index mod N would favour
        // worker 0 (a state's first sibling is even more often than not): a mixed index.
        mine = next.filter((_, i) => ownerOf(i, n) === w);
        replicated = false;
        if (w !== 0) {
          // Worker 0 keeps the counts of the levels every worker expanded.
          for (const k of Object.keys(core.suspects)) delete core.suspects[k];
          for (const k of Object.keys(core.confirmations)) delete core.confirmations[k];
          core.unconfirmed.clear();
        }
      } else mine = next;
    }
    // States and transitions as the sequential search counts them.
    const sum = (to: number): number => {
      let t = 0;
      for (let g = 0; g < to; g++) t += nodeTrans[g] as number;
      return t;
    };
    const states = stopAt >= 0 ? stopAt + 1 : levelStart + levelWidth;
    // Every state below the last frontier was expanded, none of it (depth bound, or empty).
    const transitions = stopAt >= 0 ? sum(parent[stopAt] as number) + (childTrans[stopAt] as number) : sum(levelStart);
    // Worker 0 alone holds the counts of the levels every worker expanded.
    const counts = !replicated || w === 0;
    return {
      w,
      states,
      transitions,
      depth: deepest,
      cut,
      depthBounded,
      stopped: stopAt >= 0 && !cut,
      frontierPeak,
      levels,
      expanded,
      replayed,
      cpuMs: cpu0 === null ? null : (threadCpuMs() ?? cpu0) - cpu0,
      searchMs: performance.now() - t0,
      symmetryPermutations: core.perms.length,
      invariants: wanted,
      suspects: counts ? core.suspects : {},
      confirmations: counts ? core.confirmations : {},
      unconfirmed: counts ? [...core.unconfirmed] : [],
      found: [...core.found.entries()].map(([name, cx]) => ({ id: foundIds.get(name) as number, cx })),
    };
  } catch (err) {
    barrier.abort();
    throw err;
  }
};

/** How a worker thread is started: the esbuild bundle, else tsx's loader on the sources. */
const workerEntry = async (): Promise<{ url: URL; module?: string }> => {
  const source = new URL('./exploreWorker.ts', import.meta.url);
  const bundle = await bundledWorker(source);
  return bundle !== null ? { url: bundle } : { url: new URL('../check/workerBoot.mjs', import.meta.url), module: source.href };
};

/** Why a state budget is too large for the parallel search's shared buffers, or null. */
export const sharedMemoryError = (statesMax: number): string | null => {
  const capacity = tableCapacity(statesMax);
  const bytes = capacity * 16 + capacity * 2 + 16 * columnLength(statesMax);
  if (bytes <= SHARED_BYTES_MAX) return null;
  return `a budget of ${statesMax} states needs ${Math.round(bytes / 2 ** 20)} MB of shared memory for the parallel search (allocated up front, at most ${SHARED_BYTES_MAX / 2 ** 20} MB): lower --states or use --workers 1`;
};

/** The shared buffers of a search of this scope by n workers. */
export const sharedBuffers = (scope: Scope, n: number, wanted: number): Buffers => {
  const capacity = tableCapacity(scope.statesMax);
  const tooBig = sharedMemoryError(scope.statesMax);
  if (tooBig !== null) throw new Error(tooBig);
  const ctl = new SharedArrayBuffer(4 * ctlWords(n, wanted));
  new Int32Array(ctl).fill(NO_ID, COUNTS + n);
  return {
    table: SharedVisited.buffer(capacity),
    ctl,
    cols: new SharedArrayBuffer(16 * columnLength(scope.statesMax)),
    exchange: new SharedArrayBuffer(4 * (capacity / 2)),
  };
};

/** Merges the workers' results into the sequential search's result shape. */
export const mergeWorkers = (rs: readonly WorkerResult[], elapsedMs: number, bytes: number): ParallelExploreResult => {
  const r0 = rs[0] as WorkerResult;
  const sum = (pick: (r: WorkerResult) => Readonly<Record<string, number>>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of rs) for (const [k, v] of Object.entries(pick(r))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const best = new Map<string, { id: number; cx: ExploreCounterexample }>();
  for (const r of rs) for (const f of r.found) if ((best.get(f.cx.invariant)?.id ?? Infinity) > f.id) best.set(f.cx.invariant, f);
  return {
    states: r0.states,
    transitions: r0.transitions,
    depth: r0.depth,
    exhausted: !r0.cut && !r0.depthBounded && !r0.stopped,
    depthBounded: r0.depthBounded,
    elapsedMs,
    statesPerSecond: r0.states / (elapsedMs / 1000),
    bytesPerState: bytes / r0.states,
    frontierPeak: r0.frontierPeak,
    symmetryPermutations: r0.symmetryPermutations,
    invariants: r0.invariants,
    suspects: sum((r) => r.suspects),
    confirmations: sum((r) => r.confirmations),
    unconfirmed: [...new Set(rs.flatMap((r) => r.unconfirmed))],
    counterexamples: r0.invariants.flatMap((n) => (best.has(n) ? [(best.get(n) as { cx: ExploreCounterexample }).cx] : [])),
    workers: rs.length,
    levels: r0.levels,
    workerCpuMs: rs.map((r) => r.cpuMs),
    workerExpanded: rs.map((r) => r.expanded),
    searchMs: Math.max(...rs.map((r) => r.searchMs)),
    workerReplayed: rs.map((r) => r.replayed),
  };
};

/**
 * The search on `workers` worker threads (this thread waits for them). Same states,
 * transitions, levels and counterexamples as `explore` (bfs.ts); see the file comment.
 */
export const exploreParallel = async (scope: Scope, opts: ParallelExploreOptions): Promise<ParallelExploreResult> => {
  const t0 = performance.now();
  const n = opts.workers;
  if (!Number.isInteger(n) || n < 1) throw new Error(`workers must be a positive integer, got ${n}`);
  const monitorSet = opts.monitorSet ?? 'default';
  // The wanted invariants, as every worker will compute them (this also checks the names).
  const wanted = new SearchCore(scope, { ...(monitorsOf(monitorSet) === undefined ? {} : { monitors: monitorsOf(monitorSet) as readonly PathMonitor[] }), ...(opts.invariants === undefined ? {} : { invariants: opts.invariants }), ...(opts.check === undefined ? {} : { check: opts.check }) }).wanted;
  const buffers = sharedBuffers(scope, n, wanted.length);
  const entry = await workerEntry();
  const base = { n, scope, monitorSet, buffers, ...(opts.invariants === undefined ? {} : { invariants: opts.invariants }), ...(opts.check === undefined ? {} : { check: opts.check }), ...(opts.stopWhenFound === undefined ? {} : { stopWhenFound: opts.stopWhenFound }), ...(opts.confirmMax === undefined ? {} : { confirmMax: opts.confirmMax }) };
  const workers: Worker[] = [];
  const ctl = new Int32Array(buffers.ctl);
  /** Stops the other workers at their next barrier (they throw ABORTED). */
  const abort = (): void => {
    Atomics.store(ctl, ABORT, 1);
    Atomics.notify(ctl, GENERATION);
  };
  try {
    const settled = await Promise.allSettled(
      Array.from({ length: n }, (_, w) => {
        const init: WorkerInit = { ...base, w };
        // A larger young generation: fewer scavenges, fewer frontier worlds promoted early (in the
        // main thread, --max-semi-space-size=128 made the search 13-15% faster; measured in workers
        // under load, 128-256 MB did no worse than the default).
        const worker = new Worker(entry.url, { workerData: { module: entry.module, init }, resourceLimits: { maxYoungGenerationSizeMb: 128 } });
        workers.push(worker);
        return new Promise<WorkerResult>((resolve, reject) => {
          let settled = false;
          const fail = (err: Error): void => {
            if (settled) return;
            settled = true;
            abort();
            reject(err);
          };
          worker.on('message', (m: WorkerMessage) => {
            if (m.kind === 'level') opts.onLevel?.(m.depth, m.states);
            else if (m.kind === 'error') fail(new Error(m.message));
            else if (!settled) {
              settled = true;
              resolve(m.result);
            }
          });
          worker.on('error', fail);
          worker.on('exit', (code) => fail(new Error(`explore worker ${w} exited with code ${code}`)));
        });
      }),
    );
    // The worker that failed first says why; the others only stopped because it did.
    const errors = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    if (errors.length > 0) throw errors.find((e) => !e.message.includes(ABORTED)) ?? errors[0];
    const results = settled.map((r) => (r as PromiseFulfilledResult<WorkerResult>).value);
    const bytes = buffers.table.byteLength + buffers.cols.byteLength + buffers.exchange.byteLength;
    return mergeWorkers(results, performance.now() - t0, bytes);
  } finally {
    await Promise.all(workers.map((wk) => wk.terminate()));
  }
};
