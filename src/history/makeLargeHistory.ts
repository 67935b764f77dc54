/**
 * `npx tsx src/history/makeLargeHistory.ts OUT [EVENTS] [--row ID] [--seed N] [--apart]`:
 * writes a JSON Lines history of at least EVENTS events (default 1,000,000) built from
 * simulator runs of the guarantee-matrix configuration ID (default per-message), for measuring
 * `groupcheck check-history` on big inputs (docs/history.md). By default the runs become
 * successive episodes of one long-lived group (continueHistories); with --apart each run keeps
 * its own group and topic (concatHistories), which gives thousands of groups.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import type { History } from '../../models/history.ts';
import { rowById } from '../check/matrix.ts';
import { scenarioArb } from '../gen/command.arb.ts';
import { simulate } from '../sim/simulate.ts';
import { concatHistories, continueHistories } from './concat.ts';
import { writeHistoryJsonl } from './jsonl.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { row: { type: 'string', default: 'per-message' }, seed: { type: 'string', default: '1' }, apart: { type: 'boolean', default: false } },
});
const [out, eventsArg = '1000000'] = positionals;
if (out === undefined) {
  process.stderr.write('usage: npx tsx src/history/makeLargeHistory.ts OUT [EVENTS] [--row ID] [--seed N] [--apart]\n');
  process.exit(2);
}
const target = Number(eventsArg);
const row = rowById(values.row);
let n = 0;
let parts = 0;

function* runs(): Generator<History> {
  let seed = Number(values.seed);
  while (n < target) {
    for (const s of fc.sample(scenarioArb(row.config, row.shape), { seed: seed++, numRuns: 50 })) {
      const h = simulate(row.config, s.commands, s.choices).history;
      n += h.length;
      parts++;
      yield h;
      if (n >= target) return;
    }
  }
}

const t0 = performance.now();
writeHistoryJsonl(out, values.apart ? concatHistories(runs()) : continueHistories(runs()));
process.stderr.write(`wrote ${out}: ${n} events from ${parts} runs of ${row.id} (${values.apart ? 'apart' : 'one long run'}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
