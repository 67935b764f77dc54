/**
 * PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010; P and Coyote's
 * `--sch-pct`): every node gets a distinct random priority; at each scheduling point the
 * highest-priority node with something to do goes next; at d − 1 random change points the node
 * that just ran drops below every other. A bug of depth d is found with probability at least
 * 1 / (n · k^(d−1)) per run (n nodes, k steps), independent of how unlikely its interleaving is
 * under uniform choice.
 *
 * Determinism: the randomness comes from the run's `choices` (the numbers fast-check generated),
 * through a counter-based generator, so a run is still a pure function of (config, commands,
 * choices) and shrinking still works on the same numbers.
 */

/** mulberry32: a small counter-based PRNG; state is one 32-bit integer. */
const next = (state: number): [number, number] => {
  const s = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return [s, ((t ^ (t >>> 14)) >>> 0) / 4294967296];
};

export class PctScheduler {
  private rng: number;
  private readonly priority = new Map<string, number>();
  private readonly changePoints: Set<number>;
  private steps = 0;
  private lowest = 0;

  /**
   * @param choices the run's choices: their fold seeds the generator.
   * @param depth the bug depth d: d − 1 priority change points.
   * @param horizon the number of scheduling steps the change points are drawn from.
   */
  constructor(choices: readonly number[], depth: number, horizon: number) {
    let seed = 0x9e3779b9 | 0;
    for (const c of choices) seed = Math.imul(seed ^ (c | 0), 0x85ebca6b) | 0;
    this.rng = seed;
    this.changePoints = new Set<number>();
    for (let i = 0; i < Math.max(0, depth - 1); i++) this.changePoints.add(1 + Math.floor(this.random() * horizon));
  }

  private random(): number {
    const [s, r] = next(this.rng);
    this.rng = s;
    return r;
  }

  private priorityOf(node: string): number {
    let p = this.priority.get(node);
    if (p === undefined) {
      p = 1 + this.random(); // in (1, 2): above every demoted node
      this.priority.set(node, p);
    }
    return p;
  }

  /** Picks one of the candidate nodes (by index); the chosen node may then be demoted. */
  pick(nodes: readonly string[]): number {
    let best = 0;
    let bestP = -Infinity;
    nodes.forEach((n, i) => {
      const p = this.priorityOf(n);
      if (p > bestP) {
        bestP = p;
        best = i;
      }
    });
    this.steps++;
    if (this.changePoints.has(this.steps)) this.priority.set(nodes[best] as string, this.lowest--);
    return best;
  }
}
