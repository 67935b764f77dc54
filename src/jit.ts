/**
 * V8 settings for groupcheck's processes (issue 7, item 4: all cores). Imported first by every
 * entry point that searches (the CLI, the benchmark's forks), before the search code is compiled.
 *
 * Why: a search's own thread is not all the CPU it costs. TurboFan compiles hot functions on
 * background threads, and the models' many context shapes keep deoptimising and re-optimising
 * them: 1,217 optimising compiles, 522 deoptimisations and 10.4 s of compile time for a 25 s
 * search of the matrix (seed 1, 300 runs, `--trace-opt --trace-deopt`). With one search thread
 * that work runs on the idle second core for free; with two search threads (or a worker per
 * core) it competes with them, and the wall-clock speed-up of `check --workers 2` stalled at
 * 1.21-1.31x. Halving TurboFan's cumulative inlining budget (920 → 150 bytes of bytecode per
 * optimised function) roughly halves the compile time (5.2 s) and does not slow the search
 * thread itself (24.3 s of CPU either way); see the issue notes for the figures.
 *
 * Flags are process-wide, so worker threads get them too. A flag given on the command line or in
 * NODE_OPTIONS wins; GROUPCHECK_V8_DEFAULTS=1 leaves V8's defaults (for comparisons).
 */
import v8 from 'node:v8';

export const JIT_FLAGS: readonly string[] = ['--max-inlined-bytecode-size-cumulative=150'];

/**
 * The flags to set: JIT_FLAGS less those whose name the command line (execArgv) or NODE_OPTIONS
 * already gives (with or without a value, `--name` or `--name=...`); none with GROUPCHECK_V8_DEFAULTS=1.
 */
export const jitFlagsToApply = (execArgv: readonly string[], env: NodeJS.ProcessEnv): string[] => {
  if (env.GROUPCHECK_V8_DEFAULTS === '1') return [];
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return JIT_FLAGS.filter((flag) => {
    const name = flag.split('=')[0] as string;
    return !given.some((a) => a === name || a.startsWith(`${name}=`) || a === `--no-${name.slice(2)}`);
  });
};

/** Sets the flags (process-wide: worker threads started later get them too); returns those set. */
export const applyJitFlags = (execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): readonly string[] => {
  const flags = jitFlagsToApply(execArgv, env);
  for (const flag of flags) v8.setFlagsFromString(flag);
  return flags;
};

applyJitFlags();
