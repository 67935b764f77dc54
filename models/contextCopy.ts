/**
 * How the pure handlers copy a machine context (issue 7): by a literal of every field (the
 * default, consumer.logic.ts draft() and coordinator.logic.ts withCtx()), or by object spread as
 * they did before. Both give equal contexts with the same key order, so runs are identical
 * either way; spread is much slower in V8 for clones of clones. Only the benchmark turns spread
 * on, to measure the previous step function in the same process (src/bench/measure.ts).
 */
export const CONTEXT_COPY = { spread: false };
