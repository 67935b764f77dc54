/**
 * Peer figures from /work/shared/notes/anchors.md (§0, §2.3, §6). They were measured elsewhere
 * (a 2-core machine of this project's kind, Node 20.20.2, fast-check 4.10.2, xstate 5.33.3, on a
 * 5-state toy consumer machine), not in this run: they are printed beside this run's ratios for
 * orientation only, never compared with them.
 */

export interface PeerAnchor {
  readonly what: string;
  readonly figure: string;
  readonly where: string;
}

export const ANCHOR_SOURCE =
  'anchors.md: measured elsewhere on a 2-core Node 20.20.2 machine of this kind, on a 5-state toy machine, NOT in this run';

export const PEER = {
  send: { what: 'XState actor.send, 5-state toy machine', figure: '~260-300k events/s', where: 'anchors.md §0, §2.3' },
  transition: { what: 'XState pure transition(), same toy', figure: '~68k events/s (~4x slower than send)', where: 'anchors.md §0, §2.3' },
  combo: { what: 'fast-check + 3 XState actors, ~25 commands/run', figure: '~6.4k runs/s, ~162k commands/s', where: 'anchors.md §0, §2.3' },
  modelRun: { what: 'fast-check modelRun, toy group model', figure: '~25.5k runs/s (~640k commands/s)', where: 'anchors.md §0' },
  goalG1: { what: 'goal G1, random-search throughput', figure: '>=150k commands/s, >=5k runs/s', where: 'anchors.md §6' },
  goalG2: { what: 'goal G2, step function', figure: '>=250k events/s, no per-step transition()', where: 'anchors.md §6' },
} as const satisfies Record<string, PeerAnchor>;
