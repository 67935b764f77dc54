/**
 * What `Simulation.digest` feeds a state fingerprint with (the exhaustive search's hashed form of
 * `Simulation.canonical`): typed tokens, in the canonical text's order, with no strings built.
 * The implementation (src/explore/fingerprint.ts, `StateHasher`) hashes them; it may rename
 * process names by a slot permutation (symmetry reduction) and move whole slot sections.
 */
export interface DigestSink {
  /** Starts the tokens of member slot `slot` (0..slots-1), or of the rest of the world (-1). */
  section(slot: number): void;
  /** A small integer (a count, an age in ms, a flag). */
  int(n: number): void;
  /** A name or other short string (process, state, timer, node names). */
  str(s: string): void;
  /**
   * An immutable JSON-like value (a machine context, a message, a record, a snapshot): hashed
   * structurally and cached by object identity, so values shared by clones are hashed once.
   */
  value(v: unknown): void;
}
