/**
 * Counterexample files: one versioned JSON document with everything a replay needs
 * (config, commands, choices) and what the run was (configuration id, invariant, seed and
 * fast-check path, package version). Replaying it is `simulate(config, commands, choices)`:
 * no seed is needed to reproduce, the seed and path only say where the search found it.
 *
 * Reading is strict: a damaged or foreign file gets an error naming the file, the line and
 * the field, never a stack trace.
 */
import { z } from 'zod';
import { commandSchema } from '../sim/command.ts';
import { ConfigError, simConfigSchema, type SimConfig } from '../sim/config.ts';
import type { Command } from '../sim/command.ts';
import type { Counterexample } from '../check/search.ts';
import type { Invariant } from '../check/invariant.ts';
import { invariantByName } from '../../properties/invariants/index.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { InputError, nearPath, parseJsonText, readText } from './readJson.ts';

export const COUNTEREXAMPLE_FORMAT = 'groupcheck.counterexample';
export const COUNTEREXAMPLE_VERSION = 1;

const violationSummary = z.object({ kind: z.string(), message: z.string(), events: z.array(z.number().int().min(0)) }).strict();

export const counterexampleFileSchema = z
  .object({
    format: z.literal(COUNTEREXAMPLE_FORMAT),
    formatVersion: z.literal(COUNTEREXAMPLE_VERSION),
    groupcheckVersion: z.string(),
    configuration: z.string(),
    title: z.string(),
    invariant: z.string(),
    expectation: z.enum(['holds', 'fails', 'report']),
    seed: z.number().int(),
    path: z.string(),
    duplicateBound: z.number().int().min(0).nullable(),
    config: simConfigSchema,
    commands: z.array(commandSchema),
    choices: z.array(z.number().int().min(0)),
    violations: z.array(violationSummary),
  })
  .strict();

export type CounterexampleFile = z.infer<typeof counterexampleFileSchema>;

export const toCounterexampleFile = (
  cx: Counterexample,
  meta: { title: string; expectation: 'holds' | 'fails' | 'report'; config: SimConfig; duplicateBound: number | undefined },
): CounterexampleFile => ({
  format: COUNTEREXAMPLE_FORMAT,
  formatVersion: COUNTEREXAMPLE_VERSION,
  groupcheckVersion: PACKAGE_VERSION,
  configuration: cx.row,
  title: meta.title,
  invariant: cx.invariant,
  expectation: meta.expectation,
  seed: cx.seed,
  path: cx.path,
  duplicateBound: meta.duplicateBound ?? null,
  config: meta.config,
  commands: [...cx.scenario.commands] as Command[],
  choices: [...cx.scenario.choices],
  violations: cx.violations.map((v) => ({ kind: v.kind, message: v.message, events: [...v.events] })),
});

/** One command per line, so diffs of committed regressions read well. */
export const serializeCounterexample = (f: CounterexampleFile): string => {
  const { commands, ...rest } = f;
  const head = JSON.stringify({ ...rest, commands: '__COMMANDS__' }, null, 2);
  const body = commands.length === 0 ? '[]' : `[\n${commands.map((c) => `    ${JSON.stringify(c)}`).join(',\n')}\n  ]`;
  return `${head.replace('"__COMMANDS__"', body)}\n`;
};

export const writeCounterexample = (path: string, f: CounterexampleFile): void => writeFileAtomic(path, serializeCounterexample(f));

export const parseCounterexample = (text: string, file: string): CounterexampleFile => {
  const json = parseJsonText(text, file);
  if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== COUNTEREXAMPLE_FORMAT) {
    throw new InputError(`${file}: not a groupcheck counterexample (expected "format": "${COUNTEREXAMPLE_FORMAT}")`);
  }
  const v = (json as { formatVersion?: unknown }).formatVersion;
  if (v !== COUNTEREXAMPLE_VERSION) {
    throw new InputError(`${file}: formatVersion ${JSON.stringify(v)} is not supported by groupcheck ${PACKAGE_VERSION} (it reads version ${COUNTEREXAMPLE_VERSION})`);
  }
  const r = counterexampleFileSchema.safeParse(json);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}${nearPath(text, i.path)}: ${i.message}`);
    throw new InputError(`${file}: invalid counterexample\n${lines.join('\n')}`);
  }
  return r.data;
};

export const readCounterexample = (file: string): CounterexampleFile => parseCounterexample(readText(file), file);

/** Reads a counterexample and resolves its invariant; an unknown invariant is bad input naming the field. */
export const readCounterexampleWithInvariant = (file: string): { cx: CounterexampleFile; inv: Invariant } => {
  const cx = readCounterexample(file);
  try {
    return { cx, inv: invariantByName(cx.invariant) };
  } catch (err) {
    throw new InputError(`${file}: field "invariant": ${(err as Error).message}`);
  }
};

export { ConfigError, InputError };
