/**
 * What both consumer processes share: reading the ChildConfig, printing lines, the stdin
 * protocol and the watchdogs.
 *
 * stdin: a line `close` asks for a graceful close (finish the batch, commit what the policy owes,
 * leave the group, print Left, exit 0). End of stdin means the harness is gone: exit at once.
 * A watchdog ends the process after `lifetimeMs` whatever happens, so that no consumer outlives
 * its scenario even if the harness was killed with SIGKILL.
 *
 * stdout is a pipe, which Node writes synchronously on Linux: a line printed before a SIGKILL is
 * never lost, which is what makes a crash's history exact.
 */
import { createInterface } from 'node:readline';
import { CHILD_CONFIG_ENV, type ChildConfig, type ChildLine } from './protocol.ts';

export const readChildConfig = (): ChildConfig => {
  const raw = process.env[CHILD_CONFIG_ENV];
  if (raw === undefined) {
    process.stderr.write(`missing ${CHILD_CONFIG_ENV}: this process is started by src/real/runScenario.ts\n`);
    process.exit(2);
  }
  return JSON.parse(raw) as ChildConfig;
};

export const emit = (line: ChildLine): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

export const note = (text: string): void => emit({ type: '_note', text });

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Wires stdin and the watchdog. `onClose` runs once, on the first `close` line; `hardExit`
 * is the last resort of every path (watchdog, end of stdin, a close that hangs).
 */
export const childLifecycle = (cfg: ChildConfig, onClose: () => Promise<void>): void => {
  const hardExit = (code: number): never => process.exit(code);
  const watchdog = setTimeout(() => {
    process.stderr.write(`${cfg.member}: watchdog after ${cfg.lifetimeMs} ms\n`);
    hardExit(4);
  }, cfg.lifetimeMs);
  watchdog.unref();
  let closing = false;
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() !== 'close' || closing) return;
    closing = true;
    // A close that hangs (a coordinator that never answers) is bounded too.
    const bound = setTimeout(() => hardExit(5), Math.max(5000, cfg.sessionTimeoutMs * 3));
    bound.unref();
    onClose().then(
      () => hardExit(0),
      (err: unknown) => {
        process.stderr.write(`${cfg.member}: close failed: ${String(err)}\n`);
        hardExit(6);
      },
    );
  });
  rl.on('close', () => {
    if (!closing) hardExit(3);
  });
  process.on('uncaughtException', (err) => {
    process.stderr.write(`${cfg.member}: uncaught ${err.stack ?? String(err)}\n`);
    hardExit(7);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`${cfg.member}: unhandled rejection ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  });
};
