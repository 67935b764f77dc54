/**
 * Reads a JSON file for the CLI with errors a person can act on: the file, the line and
 * column of a syntax error (located by jsonc-parser, since Node 20's JSON.parse does not say
 * where), and the line of a field that fails its schema.
 */
import { readFileSync } from 'node:fs';
import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Line and column of a character offset, 1-based. */
export const lineCol = (text: string, offset: number): string => {
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
};

/** The line where the last key of a JSON path first appears (best effort, for error messages). */
export const nearPath = (text: string, path: readonly PropertyKey[]): string => {
  const key = [...path].reverse().find((k) => typeof k === 'string');
  if (typeof key !== 'string') return '';
  const i = text.indexOf(`"${key}"`);
  return i < 0 ? '' : ` (${lineCol(text, i)})`;
};

export const readText = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
};

export const parseJsonText = (text: string, file: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    const where = first === undefined ? '' : `, ${lineCol(text, first.offset)}: ${printParseErrorCode(first.error)}`;
    throw new InputError(`${file}${where}: not valid JSON`);
  }
};

export const readJsonFile = (file: string): { text: string; json: unknown } => {
  const text = readText(file);
  return { text, json: parseJsonText(text, file) };
};
