/**
 * The Vitest config Stryker runs (`npm run mutation`, stryker.config.json): only the fast unit suites
 * over the mutated files. The search suites (guarantee matrix, zoo, scenarios, CLI) take minutes per
 * run and would be re-run for every mutant; they are left to `npm test`.
 *
 * Seeds: every fast-check property in these files has a pinned seed, so its test name (which
 * @fast-check/vitest suffixes with `(with seed=N)`) is the same in the dry run and in each mutant run
 * (anchors.md §4). The plugin below makes a `test.prop` without a seed throw at collection, so a
 * random seed cannot slip back in unnoticed.
 *
 * Speed: @fast-check/vitest 0.4.1 builds `.prop` for every chain of vitest 4.1's test modifiers
 * (`test.skip.only.concurrent...`) at import time, which takes 5-6 s per test file. Stryker re-imports
 * the covering test files for each mutant, so this import alone put the first run at over two hours. The
 * plugin below limits the chains to depth 2 (`test.prop`, `test.skip.prop`, `it.concurrent.prop` still
 * exist). Both patches apply only to this config; `npm test` uses the package as published.
 */
import { defineConfig, type Plugin } from 'vitest/config';

const FC_VITEST = /@fast-check[\\/]vitest[\\/]lib[\\/]vitest-fast-check\.js$/;
const RECURSION = 'if (!ancestors.has(key) && typeof testFnExtended[key] === "function")';
const RANDOM_SEED = 'else customParams.seed = Date.now() ^ Math.random() * 4294967296;';
const NO_RANDOM_SEED =
  'else throw new Error(`test.prop(\'${label}\') has no seed: pin one, a random seed in the test name defeats Stryker (anchors.md §4)`);';

const fastCheckVitestForStryker: Plugin = {
  name: 'groupcheck:fast-check-vitest-for-stryker',
  enforce: 'pre',
  transform(code, id) {
    if (!FC_VITEST.test(id)) return null;
    if (!code.includes(RECURSION) || !code.includes(RANDOM_SEED)) {
      throw new Error(`${id}: the @fast-check/vitest patches no longer apply; update vitest.stryker.config.ts`);
    }
    const patched = code.replace(RECURSION, `if (ancestors.size < 2 && ${RECURSION.slice(4)}`).replace(RANDOM_SEED, NO_RANDOM_SEED);
    return { code: patched, map: null };
  },
};

export default defineConfig({
  plugins: [fastCheckVitestForStryker],
  test: {
    include: [
      'properties/invariants/**/*.test.ts',
      'models/**/*.test.ts',
      'models/**/*.mutation.test.ts',
      'properties/**/*.mutation.test.ts',
    ],
    exclude: [
      'node_modules/**',
      'properties/guaranteeMatrix.prop.test.ts',
      'properties/zoo.prop.test.ts',
      'properties/scenarios.test.ts',
      'src/cli/cli.test.ts',
    ],
    testTimeout: 60_000,
    // Inlined so that the plugin above can transform it.
    server: { deps: { inline: ['@fast-check/vitest'] } },
    reporters: ['default'],
  },
});
