import { MATRIX as matrix, rowById as rowByIdImpl, type MatrixRow } from './check/matrix.ts';
import { searchRow as searchRowImpl, type RowResult, type SearchOptions } from './check/search.ts';
import { parseSimConfig as parseSimConfigImpl, type SimConfig } from './sim/config.ts';

/**
 * groupcheck's library API (`import { ... } from 'groupcheck'`). See docs/api.md.
 *
 * The package ships TypeScript sources and runs them through tsx (a dependency): run your code
 * with `tsx`, `node --import tsx`, or vitest (which transpiles TypeScript itself). The `.`
 * export and `types` both point at this file.
 *
 * Three ways in:
 * 1. Check your own consumer: record what it does with a {@link HistoryRecorder} (or emit the
 *    JSON Lines format of docs/history.md from any language) and judge it with
 *    {@link expectInvariants} / {@link checkHistoryInvariants} / {@link checkHistory}.
 * 2. Drive the reference models: {@link simulate} a scenario over a {@link SimConfig}.
 * 3. Search: {@link searchRow} explores one row of the guarantee matrix ({@link MATRIX}).
 */

// --- the history format ---------------------------------------------------------------------

export type {
  CommitError,
  DistributiveOmit,
  History,
  HistoryEvent,
  HistoryEventType,
  PositionSource,
  RemoveReason,
  RevokeReason,
} from '../models/history.ts';
export type { TopicPartition } from '../models/types.ts';
export { tpKey, tpParse } from '../models/types.ts';
/** zod schemas of the history events (strict), and helpers to validate one value. */
export {
  HISTORY_EVENT_TYPES,
  TOPIC_PARTITION_PATTERN,
  formatIssue,
  historyEventSchema,
  historyEventSchemas,
  parseHistoryEvent,
  validateHistoryEvent,
  type EventIssue,
} from './history/schema.ts';
/** The JSON Schema of one history event (the same as docs/history.schema.json). */
export { HISTORY_SCHEMA_ID, historyJsonSchema } from './history/jsonSchema.ts';
/** JSON Lines history files: streaming, validated reading; atomic writing. */
export {
  HistoryFormatError,
  MAX_ERRORS_DEFAULT,
  formatLineError,
  historyToJsonl,
  loadHistoryJsonl,
  readHistoryJsonl,
  readHistoryJsonlLines,
  scanHistoryJsonl,
  writeHistoryJsonl,
  type HistoryLineError,
  type HistorySource,
  type LoadedHistory,
  type LocatedEvent,
  type ReadHistoryOptions,
} from './history/jsonl.ts';
/** One valid example of every event type. */
export { EVENT_EXAMPLES } from './history/examples.ts';

// --- checking a history ---------------------------------------------------------------------

export { HistoryRecorder, type HistoryRecorderOptions, type StartedOptions } from './api/recorder.ts';
export {
  InvariantsFailedError,
  checkHistoryInvariants,
  expectInvariants,
  recordAdapter,
  type CheckHistoryOptions,
  type ConsumerAdapter,
  type ExpectInvariantsOptions,
  type HistoryVerdict,
} from './api/invariants.ts';
/** Every invariant in report order, the lookup by name, and each invariant by itself. */
export {
  INVARIANTS,
  atLeastOnce,
  committedNotAheadOfProcessed,
  concurrentProcessing,
  duplicatesBounded,
  fencedCommitRejected,
  invariantByName,
  noDuplicateProcessing,
  orderedWithinOwnership,
  processingOnlyOwned,
  singleOwnerPerPartition,
} from '../properties/invariants/index.ts';
/**
 * Lower level: run invariants over a history and merge validities as Jepsen does; StreamCheck
 * runs every invariant's monitor over a stream of events without holding them.
 */
export { checkHistory, checkInvariant, mergeValidity, StreamCheck, type InvariantResult } from './check/checkHistory.ts';
export { HORIZON_DEFAULT, runMonitor } from './check/invariant.ts';
export type { AnomalyKind, CheckContext, Expectation, Invariant, Monitor, MonitorVerdict, Validity, Violation } from './check/invariant.ts';
/** A history as a readable timeline, one line per event (what `groupcheck replay` prints). */
export { describeEvent, timelineLines, type TimelineOptions } from './report/timeline.ts';

// --- the simulator and the search ---------------------------------------------------------------

export { simulate, type RunResult, type RunStats } from './sim/simulate.ts';
export { ConfigError, defaultConsumerConfig, defaultSimConfig, simConfigSchema, type GroupSpec, type SimConfig } from './sim/config.ts';
export { commandSchema, describeCommand, type Command } from './sim/command.ts';
export type { ConsumerConfig, ProcessingPolicy } from '../models/types.ts';
export { PROCESSING_POLICIES } from '../models/types.ts';
export { buildMatrix, type Expect, type MatrixRow } from './check/matrix.ts';
export type { CellResult, Counterexample, RowResult, SearchOptions } from './check/search.ts';
export { PACKAGE_VERSION } from './version.ts';

/**
 * Validates a simulation config (a JSON value). Missing top-level fields, group fields and
 * consumer settings take the built-in default's values (defaultSimConfig), so a config may give
 * only what differs.
 * @param source - names the config in error messages (a file name).
 * @param where - optional: the text position of a field path, for error messages.
 * @throws ConfigError listing every bad field.
 */
export const parseSimConfig: (value: unknown, source?: string, where?: (path: readonly PropertyKey[]) => string) => SimConfig = parseSimConfigImpl;

/**
 * The guarantee matrix over the built-in default config: per consumer configuration (row), which
 * invariants must hold, must fail (a counterexample is expected) or are only reported.
 * `buildMatrix(base)` builds it over your own base config.
 */
export const MATRIX: readonly MatrixRow[] = matrix;

/**
 * The matrix row with this id (`batch`, `per-message`, `auto-timer`...).
 * @throws Error naming the known ids.
 */
export const rowById: (id: string, matrix?: readonly MatrixRow[]) => MatrixRow = rowByIdImpl;

/**
 * Searches one row of the matrix: `numRuns` random scenarios from `seed`, every invariant of the
 * row judged on each run, and each violated invariant's first counterexample shrunk and
 * minimized. Synchronous; deterministic for a given seed. What `groupcheck check` runs per row.
 *
 * @example
 * const res = searchRow(rowById('per-message'), { seed: 42, numRuns: 100 });
 * const dup = res.cells.find((c) => c.invariant === 'noDuplicateProcessing')?.counterexample;
 */
export const searchRow: (row: MatrixRow, opts: SearchOptions) => RowResult = searchRowImpl;
