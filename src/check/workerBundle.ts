/**
 * The search workers' code as one plain JavaScript module, bundled by esbuild (issue 7, item 2).
 *
 * A worker thread does not inherit the parent's tsx loader: booted through tsx, each worker
 * transformed every TypeScript source again (about a second per worker, and more under load).
 * Bundling once with esbuild (a dependency of tsx) makes a worker's start a plain module load.
 *
 * The bundle is cached in the OS temp directory, keyed by the entry's path, and rebuilt when any
 * of its inputs changed (size or modification time, from esbuild's metafile). It is written
 * atomically, so concurrent runs never load a half-written file. When esbuild is not available,
 * or GROUPCHECK_WORKER_BUNDLE=0, callers fall back to tsx (workerBoot.mjs).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Manifest {
  readonly entry: string;
  /** Input path (absolute) -> `${size}:${mtimeMs}`. */
  readonly inputs: Readonly<Record<string, string>>;
}

const stamp = (path: string): string | null => {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
};

const writeAtomic = (path: string, data: string | Uint8Array): void => {
  const tmp = `${path}.${process.pid}.${Math.trunc(performance.now() * 1000)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
};

/** A file: URL of the bundled `entry` (a file: URL of a TypeScript module), or null without esbuild. */
export const bundledWorker = async (entry: URL): Promise<URL | null> => {
  if (process.env.GROUPCHECK_WORKER_BUNDLE === '0') return null;
  const entryPath = fileURLToPath(entry);
  const key = createHash('sha256').update(entryPath).digest('hex').slice(0, 16);
  const out = join(tmpdir(), `groupcheck-worker-${key}.mjs`);
  const manifestPath = join(tmpdir(), `groupcheck-worker-${key}.json`);
  try {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (m.entry === entryPath && existsSync(out) && Object.entries(m.inputs).every(([p, s]) => stamp(p) === s)) return pathToFileURL(out);
  } catch {
    // No usable cache: build below.
  }
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  try {
    const r = await esbuild.build({
      entryPoints: [entryPath],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
      banner: { js: "import { createRequire as __groupcheckCreateRequire } from 'node:module'; const require = __groupcheckCreateRequire(import.meta.url);" },
    });
    const file = r.outputFiles?.[0];
    if (file === undefined) return null;
    const cwd = process.cwd();
    const inputs: Record<string, string> = {};
    for (const p of Object.keys(r.metafile?.inputs ?? {})) {
      const abs = resolve(cwd, p);
      const s = stamp(abs);
      if (s !== null) inputs[abs] = s;
    }
    writeAtomic(out, file.contents);
    writeAtomic(manifestPath, JSON.stringify({ entry: entryPath, inputs } satisfies Manifest));
    return pathToFileURL(out);
  } catch {
    return null;
  }
};
