/**
 * One fork of the benchmark's simulator throughput (measure.ts simulatorThroughputs):
 * `node --import tsx src/bench/simFork.ts <row> <stepper> <quick|full>` measures one step
 * function over the row's fixed corpus in this fresh process and prints a SimForkResult as JSON.
 */
// First: V8 flags before the search code compiles (jit.ts).
import '../jit.ts';
import { rowById } from '../check/matrix.ts';
import { measureSimFork, paramsFor, type BenchStepper } from './measure.ts';

const [rowId, stepper, mode] = process.argv.slice(2);
if (rowId === undefined || !['compiled', 'spread', 'xstate'].includes(stepper ?? '') || !['quick', 'full'].includes(mode ?? '')) {
  process.stderr.write('usage: node --import tsx src/bench/simFork.ts <row> <compiled|spread|xstate> <quick|full>\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(measureSimFork(rowById(rowId), paramsFor(mode === 'quick'), stepper as BenchStepper))}\n`);
