import { randomUUID } from 'node:crypto';
import { schemaUri, type Actor, type CloudEvent } from '@antq/contracts';
import type { EventFactory } from '@antq/messaging';

export const ACTOR: Actor = { agency: 'ca-nghe-an', principal: 'bench', roles: [] };

let sequence = 0;

/** The unit-created data of a fresh unit (a new unit id every time). */
function unitData(unitId: string) {
  sequence++;
  return {
    unitId,
    code: `BENCH-${sequence}`,
    name: 'Xã Thử Tải',
    kind: 'commune' as const,
    subtype: 'xa' as const,
    parentId: null,
    tags: ['border'],
    status: 'active' as const,
    effectiveFrom: '2024-01-01',
    version: 1,
  };
}

/** A unit-created event for a new unit, built by the registry's own EventFactory. */
export function unitCreated(factory: EventFactory): CloudEvent {
  const unitId = randomUUID();
  return factory.create({ type: 'antq.units.unit-created.v1', subject: unitId, actor: ACTOR, data: unitData(unitId) });
}

/** The JSON size of a platform event, so that the raw baseline's records weigh the same. */
export function sampleEventBytes(): number {
  const unitId = randomUUID();
  const event: CloudEvent = {
    specversion: '1.0',
    id: randomUUID(),
    source: '/antq/units-registry',
    type: 'antq.units.unit-created.v1',
    subject: unitId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: schemaUri('antq.units.unit-created.v1'),
    agency: ACTOR.agency,
    principal: ACTOR.principal,
    correlationid: `bench-${randomUUID()}`,
    data: unitData(unitId),
  };
  return Buffer.byteLength(JSON.stringify(event));
}
