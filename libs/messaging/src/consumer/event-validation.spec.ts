import { randomUUID } from 'node:crypto';
import { decodeEvent } from './event-validation';
import { InvalidEventError } from './event-errors';

function unitCreated(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  const unitId = randomUUID();
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/antq/units-registry',
    type: 'antq.units.unit-created.v1',
    subject: unitId,
    time: '2026-01-01T00:00:00.000Z',
    datacontenttype: 'application/json',
    agency: 'ca-nghe-an',
    principal: 'alice',
    correlationid: 'c-1',
    data: { unitId, code: 'NA', name: 'Tỉnh Nghệ An', kind: 'province', tags: [], status: 'active', effectiveFrom: '2024-01-01', version: 1, ...data },
    ...overrides,
  };
}

describe('decodeEvent', () => {
  it('accepts a valid catalogued event', () => {
    const event = unitCreated();
    expect(decodeEvent(Buffer.from(JSON.stringify(event)), event.subject)).toEqual(event);
  });

  it.each([
    ['an empty record', null, 'record has no value'],
    ['bytes that are not JSON', Buffer.from('{oops'), 'not JSON'],
    ['a JSON array', Buffer.from('[]'), 'not a JSON object'],
  ])('rejects %s', (_, value, message) => {
    expect(() => decodeEvent(value)).toThrow(InvalidEventError);
    expect(() => decodeEvent(value)).toThrow(message);
  });

  it('names every envelope and payload problem', () => {
    const bad = unitCreated({ specversion: '0.3', id: 'x' }, { kind: 'planet' });
    expect(() => decodeEvent(JSON.stringify(bad))).toThrow(/specversion.*; id/);
    const badData = unitCreated({}, { kind: 'planet', version: 0 });
    expect(() => decodeEvent(JSON.stringify(badData))).toThrow(/data\.kind: .*data\.version/);
  });

  it('takes only an RFC 3339 timestamp as the time, and versions within the integer range', () => {
    expect(() => decodeEvent(JSON.stringify(unitCreated({ time: '2026-01-01' })))).toThrow(/time must be an RFC 3339 timestamp/);
    expect(() => decodeEvent(JSON.stringify(unitCreated({ time: '2026-01-01T07:00:00+07:00' })))).not.toThrow();
    expect(() => decodeEvent(JSON.stringify(unitCreated({}, { version: 2 ** 31 })))).toThrow(/data\.version/);
  });

  it.each(['"constructor": "x"', '"constructor": {"name": "CloudEventEnvelope"}', '"__proto__": {"id": "x"}'])(
    'checks the envelope and the payload of an event that carries %s',
    (extra) => {
      const badEnvelope = JSON.stringify(unitCreated({ id: 'not-a-uuid' })).replace(/^\{/, `{${extra}, `);
      expect(() => decodeEvent(badEnvelope)).toThrow(/id: id must be a UUID/);
      const badPayload = JSON.stringify(unitCreated({}, { kind: 'planet' })).replace(/"data":\{/, `"data":{${extra}, `);
      expect(() => decodeEvent(badPayload)).toThrow(/data\.kind/);
    },
  );

  it('rejects a record whose key is not the subject', () => {
    const event = unitCreated();
    expect(() => decodeEvent(JSON.stringify(event), randomUUID())).toThrow('differs from subject');
  });

  it('lets unknown event types through with only the envelope checked', () => {
    const event = unitCreated({ type: 'antq.future.something-new.v1', data: { anything: true } });
    expect(decodeEvent(JSON.stringify(event)).type).toBe('antq.future.something-new.v1');
  });
});
