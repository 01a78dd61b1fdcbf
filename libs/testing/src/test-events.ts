import { randomUUID } from 'node:crypto';
import { schemaUri, type CloudEvent, type EventData, type EventType, type UnitCreatedData, type UnitStatusChangedData } from '@antq/contracts';

export interface TestEventOptions {
  id?: string;
  source?: string;
  agency?: string;
  principal?: string;
  correlationId?: string;
}

/** A catalogued event in the platform's envelope, as a service's EventFactory would build it, for tests and benchmarks to publish. */
export function testEvent<T extends EventType>(type: T, subject: string, data: EventData<T>, options: TestEventOptions = {}): CloudEvent<EventData<T>> {
  return {
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source: options.source ?? '/antq/tests',
    type,
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: schemaUri(type),
    agency: options.agency ?? 'ca-nghe-an',
    principal: options.principal ?? 'tester',
    correlationid: options.correlationId ?? randomUUID(),
    data,
  };
}

/** A unit created in the registry (a province unless `data` says otherwise), as the registry's EventFactory builds the event. */
export function unitCreatedEvent(data: Partial<UnitCreatedData> = {}, options: TestEventOptions = {}): CloudEvent<UnitCreatedData> {
  const unitId = data.unitId ?? randomUUID();
  return testEvent(
    'antq.units.unit-created.v1',
    unitId,
    { unitId, code: `RAW-${unitId.slice(0, 8)}`, name: 'Tỉnh Thử Nghiệm', kind: 'province', subtype: null, parentId: null, tags: [], status: 'active', effectiveFrom: '2024-01-01', version: 1, ...data },
    { source: '/antq/units-registry', ...options },
  );
}

/** A commune's drug-free recognition revoked: the fact the default critical rule alerts on. */
export function drugFreeRevocation(unitId: string = randomUUID(), options: TestEventOptions = {}): CloudEvent<UnitStatusChangedData> {
  return testEvent(
    'antq.assessments.unit-status-changed.v1',
    unitId,
    {
      unitId,
      unitKind: 'commune',
      programme: 'drug-free',
      before: { status: 'recognised', grade: null, score: null, since: '2024-06-01', validUntil: '2024-12-31' },
      after: { status: 'revoked', grade: null, score: null, since: '2024-09-01', validUntil: null },
      effectiveFrom: '2024-09-01',
      source: 'assessment',
      assessmentId: null,
      sequence: 2,
    },
    options,
  );
}

/** An assessment's results meeting both drug-free criteria. */
export const DRUG_FREE_RESULTS = [
  { criterion: 'no-drug-crime', value: true },
  { criterion: 'no-addicts', value: true },
];
