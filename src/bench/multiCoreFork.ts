/**
 * One fork of the benchmark's multi-core section (measure.ts multiCore):
 * `node --import tsx src/bench/multiCoreFork.ts <runs> <threads>` searches the whole matrix
 * (seed 1, with shrinking) with that many search threads in this fresh process and prints a
 * MultiCoreFork as JSON.
 */
// First: V8 flags before the search code compiles (jit.ts).
import '../jit.ts';
import { measureMultiCoreFork } from './measure.ts';

const [runs, threads] = process.argv.slice(2).map(Number);
if (!Number.isInteger(runs) || !Number.isInteger(threads) || (runs as number) < 1 || (threads as number) < 1) {
  process.stderr.write('usage: node --import tsx src/bench/multiCoreFork.ts <runs> <threads>\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(await measureMultiCoreFork(runs as number, threads as number))}\n`);
