import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { buildAsyncApiDocument, messageId } from './asyncapi';
import { EVENT_CATALOGUE, type EventType } from './event-catalogue';
import { allEventJsonSchemas } from './json-schemas';

const generated = resolve(__dirname, '../generated');

describe('the published event contracts', () => {
  it('match the code: regenerate with `npm run asyncapi` after changing an event', () => {
    const committed = parse(readFileSync(resolve(generated, 'asyncapi.yaml'), 'utf8')) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildAsyncApiDocument())));

    const schemas = allEventJsonSchemas();
    const files = readdirSync(resolve(generated, 'schemas')).sort();
    expect(files).toEqual(Object.keys(schemas).map((type) => `${type}.schema.json`).sort());
    for (const [type, schema] of Object.entries(schemas)) {
      const onDisk = JSON.parse(readFileSync(resolve(generated, 'schemas', `${type}.schema.json`), 'utf8')) as unknown;
      expect(onDisk).toEqual(schema);
    }
  });

  it('is a valid AsyncAPI 3 document with a message for every catalogued event', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(buildAsyncApiDocument()));
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const messageIds = document?.allMessages().all().map((m) => m.id()) ?? [];
    for (const type of Object.keys(EVENT_CATALOGUE) as EventType[]) expect(messageIds).toContain(messageId(type));
  });
});
