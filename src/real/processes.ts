/**
 * Consumer processes of the real-system harness: spawning, a registry of every process this
 * harness started, and killing them whatever happens.
 *
 * Every child is tracked from spawn to exit. `killAll` (SIGCONT then SIGKILL, so a stopped
 * process dies too) runs in each scenario's finally and, as a last resort, in this process's
 * `exit` handler. Children also end themselves: on end of stdin (the harness is gone) and on a
 * lifetime watchdog (childRuntime.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CHILD_CONFIG_ENV, type ChildConfig, type RealClient } from './protocol.ts';

const ENTRY: Readonly<Record<RealClient, string>> = {
  kafkajs: fileURLToPath(new URL('./consumer-kafkajs.ts', import.meta.url)),
  librdkafka: fileURLToPath(new URL('./consumer-rdkafka.ts', import.meta.url)),
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const live = new Set<ChildProcess>();
/** Every pid ever spawned by this process (tests assert that none survives). */
export const spawnedPids: number[] = [];

let exitHookInstalled = false;
const installExitHook = (): void => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) signal(c, 'SIGCONT');
    for (const c of live) signal(c, 'SIGKILL');
  });
};

const signal = (c: ChildProcess, sig: NodeJS.Signals): boolean => {
  if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return false;
  try {
    return c.kill(sig);
  } catch {
    return false;
  }
};

export interface ConsumerProcess {
  readonly member: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited and its stdout has been read to the end. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines of its stderr, for notes and failures. */
  readonly stderrTail: string[];
  send(line: string): void;
  signal(sig: NodeJS.Signals): boolean;
  readonly exited: () => boolean;
}

/**
 * Starts one consumer process; `onLine` gets every stdout line, in order, until the end.
 * @throws when the process cannot be spawned.
 */
export const spawnConsumer = (cfg: ChildConfig, onLine: (line: string) => void): ConsumerProcess => {
  installExitHook();
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY[cfg.client]], {
    env: { ...process.env, [CHILD_CONFIG_ENV]: JSON.stringify(cfg), NODE_OPTIONS: '', UV_THREADPOOL_SIZE: '8' },
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  if (child.pid === undefined) throw new Error(`could not spawn the ${cfg.client} consumer ${cfg.member}`);
  live.add(child);
  spawnedPids.push(child.pid);
  const stderrTail: string[] = [];
  child.stderr?.setEncoding('utf8');
  createInterface({ input: child.stderr! }).on('line', (l) => {
    stderrTail.push(l);
    if (stderrTail.length > 40) stderrTail.shift();
  });
  child.stdin?.on('error', () => {}); // EPIPE after the child died
  const stdoutClosed = new Promise<void>((resolve) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', onLine);
    rl.on('close', () => resolve());
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, sig) => {
      live.delete(child);
      resolve({ code, signal: sig });
    });
    child.on('error', () => {
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  const done = Promise.all([exit, stdoutClosed]).then(([e]) => e);
  return {
    member: cfg.member,
    pid: child.pid,
    child,
    done,
    stderrTail,
    send: (line: string) => {
      if (child.stdin?.writable === true) child.stdin.write(`${line}\n`);
    },
    signal: (sig) => signal(child, sig),
    exited: () => child.exitCode !== null || child.signalCode !== null,
  };
};

/** Kills these processes (default: every live child of this harness) and waits, bounded, until they are gone. */
export const killAll = async (boundMs = 5000, only?: readonly ConsumerProcess[]): Promise<void> => {
  const children = only === undefined ? [...live] : only.map((p) => p.child);
  for (const c of children) signal(c, 'SIGCONT');
  for (const c of children) signal(c, 'SIGKILL');
  await Promise.race([
    Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))))),
    new Promise<void>((r) => setTimeout(r, boundMs).unref()),
  ]);
};

/** Pids of spawned processes that still exist (signal 0 probes without killing). */
export const survivingPids = (pids: readonly number[] = spawnedPids): number[] =>
  pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });

/** Kills the children on SIGINT / SIGTERM (for CLIs and scripts; tests rely on the exit hook). */
export const killChildrenOnSignals = (): void => {
  installExitHook();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of live) signal(c, 'SIGCONT');
      for (const c of live) signal(c, 'SIGKILL');
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
};
