import { randomUUID } from 'node:crypto';
import { schemaUri, type CloudEvent, type EventData, type EventType, type UnitStatusChangedData } from '@antq/contracts';

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

/** A commune's drug-free recognition revoked: the fact the default critical rule alerts on. */
export function drugFreeRevocation(unitId = randomUUID(), options: TestEventOptions = {}): CloudEvent<UnitStatusChangedData> {
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
