/**
 * History files: JSON Lines, one event per line (docs/history.md).
 *
 * Reading streams the file (node:readline over a file stream) and validates each line against
 * the history schema as it goes. Blank lines are allowed and skipped. An error names the file,
 * the 1-based line and the field: `history.jsonl:17: field "offset": Expected number, received
 * string`. Reading does not stop at the first bad line: it collects up to `maxErrors` errors
 * (20 by default), then throws one HistoryFormatError listing them all. No event after the
 * first bad line is handed out, so a consumer never acts on part of an invalid history.
 *
 * Writing is atomic (a temporary file in the same directory, then rename), in chunks, so a
 * reader never sees half a history and a million events never become one string.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { History, HistoryEvent } from '../../models/history.ts';
import { InputError } from '../report/readJson.ts';
import { formatIssue, validateHistoryEvent } from './schema.ts';

/** How many errors a read collects before it gives up. */
export const MAX_ERRORS_DEFAULT = 20;

/** One bad line (or one bad field of a line). */
export interface HistoryLineError {
  /** The file as the caller named it. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** Dotted path of the bad field, '' when the line as a whole is bad. */
  readonly field: string;
  readonly message: string;
}

/** `file:line: field "f": message`. */
export const formatLineError = (e: HistoryLineError): string => `${e.file}:${e.line}: ${formatIssue(e)}`;

/** An unreadable or invalid history file; `errors` lists what was found (at most maxErrors). */
export class HistoryFormatError extends InputError {
  constructor(
    readonly file: string,
    readonly errors: readonly HistoryLineError[],
    /** True when reading stopped at maxErrors: there may be more. */
    readonly truncated: boolean,
    /** Set instead of errors when the file could not be read at all. */
    readonly unreadable?: string,
  ) {
    super(
      unreadable !== undefined
        ? `${file}: cannot read (${unreadable})`
        : `${file}: invalid history (${errors.length}${truncated ? '+' : ''} error${errors.length === 1 ? '' : 's'}${truncated ? `, stopped after ${errors.length}` : ''})\n${errors.map((e) => `  ${formatLineError(e)}`).join('\n')}`,
    );
    this.name = 'HistoryFormatError';
  }
}

export interface ReadHistoryOptions {
  /** Stop after this many errors (default 20). */
  readonly maxErrors?: number;
  /** The name used in messages (default: the path, or `<stdin>`). */
  readonly name?: string;
}

/** One event and the 1-based line it came from. */
export interface LocatedEvent {
  readonly event: HistoryEvent;
  readonly line: number;
}

/** Where to read from: a path, `-` for standard input, or any readable stream of text. */
export type HistorySource = string | Readable;

const openSource = async (source: HistorySource, name: string | undefined): Promise<{ stream: Readable; name: string; close: () => Promise<void> }> => {
  if (typeof source !== 'string') return { stream: source, name: name ?? '<stream>', close: async () => {} };
  if (source === '-') return { stream: process.stdin, name: name ?? '<stdin>', close: async () => {} };
  try {
    const handle = await open(source, 'r');
    const stream = handle.createReadStream({ encoding: 'utf8', highWaterMark: 1 << 20 });
    return {
      stream,
      name: name ?? source,
      close: async () => {
        stream.destroy();
        await handle.close().catch(() => {});
      },
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new HistoryFormatError(name ?? source, [], false, e.code ?? e.message);
  }
};

/** The per-line work shared by the streaming and the loading reader. */
class LineChecker {
  readonly errors: HistoryLineError[] = [];
  truncated = false;
  line = 0;

  constructor(
    readonly name: string,
    private readonly maxErrors: number,
  ) {}

  /** The event on this line, or undefined (blank or bad line). Sets `truncated` at maxErrors. */
  next(text: string): HistoryEvent | undefined {
    this.line++;
    if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      if (text.trim() === '') return undefined;
      this.fail('', `not valid JSON (${(err as Error).message})`);
      return undefined;
    }
    const r = validateHistoryEvent(value);
    if (r.ok) return this.errors.length === 0 ? r.event : undefined;
    for (const issue of r.issues) this.fail(issue.field, issue.message);
    return undefined;
  }

  get stop(): boolean {
    return this.truncated;
  }

  private fail(field: string, message: string): void {
    if (this.errors.length >= this.maxErrors) {
      this.truncated = true;
      return;
    }
    this.errors.push({ file: this.name, line: this.line, field, message });
    if (this.errors.length >= this.maxErrors) this.truncated = true;
  }

  /** Throws what was found, if anything. */
  finish(streamError: Error | undefined): void {
    if (streamError !== undefined) throw new HistoryFormatError(this.name, this.errors, false, (streamError as NodeJS.ErrnoException).code ?? streamError.message);
    if (this.errors.length > 0) throw new HistoryFormatError(this.name, this.errors, this.truncated);
  }
}

/**
 * Streams the events of a JSON Lines history with their line numbers, validating each line.
 * @throws HistoryFormatError after the last good event when a line is bad (listing up to
 *   maxErrors errors) or when the file cannot be read.
 */
export async function* readHistoryJsonlLines(source: HistorySource, opts: ReadHistoryOptions = {}): AsyncGenerator<LocatedEvent, void, undefined> {
  const { stream, name, close } = await openSource(source, opts.name);
  const checker = new LineChecker(name, Math.max(1, opts.maxErrors ?? MAX_ERRORS_DEFAULT));
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let streamError: Error | undefined;
  stream.on('error', (err: Error) => {
    streamError = err;
    rl.close();
  });
  try {
    for await (const text of rl) {
      const event = checker.next(text);
      if (event !== undefined) yield { event, line: checker.line };
      if (checker.stop) break;
    }
  } finally {
    rl.close();
    await close();
  }
  checker.finish(streamError);
}

/**
 * Reads every line through a callback (no promise per line: about twice as fast as the async
 * iterator on big files), holding nothing but the current line: the way to check a history of
 * any length with the invariant monitors. Resolves when the input ends.
 * @throws HistoryFormatError as readHistoryJsonlLines, after the last good event was handed out
 *   (no event after the first bad line is).
 */
export const scanHistoryJsonl = async (source: HistorySource, opts: ReadHistoryOptions, onEvent: (e: HistoryEvent, line: number) => void): Promise<void> => {
  const { stream, name, close } = await openSource(source, opts.name);
  const checker = new LineChecker(name, Math.max(1, opts.maxErrors ?? MAX_ERRORS_DEFAULT));
  let streamError: Error | undefined;
  try {
    await new Promise<void>((resolve) => {
      const rl = createInterface({ input: stream, crlfDelay: Infinity });
      stream.on('error', (err: Error) => {
        streamError = err;
        rl.close();
      });
      rl.on('line', (text) => {
        if (checker.stop) return;
        const event = checker.next(text);
        if (event !== undefined) onEvent(event, checker.line);
        if (checker.stop) rl.close();
      });
      rl.on('close', resolve);
    });
  } finally {
    await close();
  }
  checker.finish(streamError);
};

/**
 * Streams the events of a JSON Lines history, validating each line (see readHistoryJsonlLines).
 *
 * @example
 * for await (const event of readHistoryJsonl('history.jsonl')) console.log(event.type);
 */
export async function* readHistoryJsonl(source: HistorySource, opts: ReadHistoryOptions = {}): AsyncGenerator<HistoryEvent, void, undefined> {
  for await (const { event } of readHistoryJsonlLines(source, opts)) yield event;
}

/** A whole history in memory, with the line of each event (blank lines shift them). */
export interface LoadedHistory {
  readonly history: HistoryEvent[];
  /** The 1-based line number of event `index` (0-based). */
  readonly lineOf: (index: number) => number;
}

/**
 * The line of each event, from the stream of (index, line) pairs: lines are index + 1 until a
 * blank line, so only the shifts are stored (first index, offset), one per run of blank lines.
 */
export class LineIndex {
  private readonly shiftAt: number[] = [];
  private readonly shiftBy: number[] = [];

  /** Records that event `index` (0-based, in order) is on 1-based `line`. */
  add(index: number, line: number): void {
    const offset = line - 1 - index;
    if (offset !== (this.shiftBy[this.shiftBy.length - 1] ?? 0)) {
      this.shiftAt.push(index);
      this.shiftBy.push(offset);
    }
  }

  /** The 1-based line number of event `index`. */
  readonly lineOf = (index: number): number => {
    let lo = 0;
    let hi = this.shiftAt.length - 1;
    let by = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.shiftAt[mid] as number) <= index) {
        by = this.shiftBy[mid] as number;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return index + 1 + by;
  };
}

/**
 * Reads a whole JSON Lines history into an array, as `Invariant.check` takes it (check-history
 * streams instead: scanHistoryJsonl and the monitors).
 * @throws HistoryFormatError as readHistoryJsonlLines (no history is returned when a line is bad).
 */
export const loadHistoryJsonl = async (source: HistorySource, opts: ReadHistoryOptions = {}): Promise<LoadedHistory> => {
  const history: HistoryEvent[] = [];
  const lines = new LineIndex();
  await scanHistoryJsonl(source, opts, (event, line) => {
    lines.add(history.length, line);
    history.push(event);
  });
  return { history, lineOf: lines.lineOf };
};

/** One line per event, newline-terminated (an empty history is the empty string). */
export const historyToJsonl = (history: History): string => history.map((e) => `${JSON.stringify(e)}\n`).join('');

const writeAll = (fd: number, text: string): void => {
  const buf = Buffer.from(text, 'utf8');
  for (let done = 0; done < buf.length; ) done += writeSync(fd, buf, done);
};

/**
 * Writes a history as JSON Lines, atomically (temporary file, then rename) and in chunks of
 * about a megabyte, so a big history is never built as one string.
 */
export const writeHistoryJsonl = (path: string, history: Iterable<HistoryEvent>): void => {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    let chunk: string[] = [];
    let size = 0;
    for (const e of history) {
      const line = `${JSON.stringify(e)}\n`;
      chunk.push(line);
      size += line.length;
      if (size >= 1 << 20) {
        writeAll(fd, chunk.join(''));
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length > 0) writeAll(fd, chunk.join(''));
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
};
