import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { allEventJsonSchemas, buildAsyncApiDocument } from '@antq/contracts';
import { ROOT } from './local-stack';

/** Writes the AsyncAPI document and the JSON Schemas generated from the event catalogue. */
const dir = resolve(ROOT, 'libs/contracts/generated');
mkdirSync(resolve(dir, 'schemas'), { recursive: true });
writeFileSync(resolve(dir, 'asyncapi.yaml'), stringify(buildAsyncApiDocument(), { lineWidth: 0 }));
for (const [type, schema] of Object.entries(allEventJsonSchemas())) {
  writeFileSync(resolve(dir, 'schemas', `${type}.schema.json`), JSON.stringify(schema, null, 2) + '\n');
}
process.stdout.write(`wrote ${dir}\n`);
