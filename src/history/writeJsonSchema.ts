/**
 * `npm run history:schema`: regenerates docs/history.schema.json from the zod schemas
 * (run it after changing src/history/schema.ts; the schema test fails until you do).
 */
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../report/atomicWrite.ts';
import { historyJsonSchemaText } from './jsonSchema.ts';

const out = process.argv[2] ?? fileURLToPath(new URL('../../docs/history.schema.json', import.meta.url));
writeFileAtomic(out, historyJsonSchemaText());
process.stdout.write(`wrote ${out}\n`);
