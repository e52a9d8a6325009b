// Writes resources/report.schema.json from the zod schema in src/main/report/schema.ts.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from '../src/main/report/schema.ts';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'report.schema.json');
writeFileSync(out, `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
console.log(out);
