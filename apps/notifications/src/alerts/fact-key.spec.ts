import type { CloudEvent } from '@antq/contracts';
import { factKey } from './alerts.service';

const event = (type: string, data: Record<string, unknown>, id = 'e-1') => ({ id, type, subject: 'u', data }) as unknown as CloudEvent;

describe('the natural key of a fact', () => {
  it('is the same for the same fact under another event id, and differs for another fact', () => {
    const status = { unitId: 'u1', programme: 'drug-free', sequence: 3 };
    const key = factKey(event('antq.assessments.unit-status-changed.v1', status, 'e-1'));
    expect(factKey(event('antq.assessments.unit-status-changed.v1', status, 'e-2'))).toBe(key);
    expect(factKey(event('antq.assessments.unit-status-changed.v1', { ...status, sequence: 4 }))).not.toBe(key);
    expect(factKey(event('antq.assessments.unit-status-changed.v1', { ...status, programme: 'model-unit' }))).not.toBe(key);

    const overdue = { unitId: 'u1', programme: 'drug-free', cycle: 2024 };
    expect(factKey(event('antq.assessments.assessment-overdue.v1', overdue, 'a'))).toBe(factKey(event('antq.assessments.assessment-overdue.v1', overdue, 'b')));
    expect(factKey(event('antq.assessments.assessment-overdue.v1', { ...overdue, cycle: 2025 }))).not.toBe(factKey(event('antq.assessments.assessment-overdue.v1', overdue)));

    // A target's n-th transition: the same turn to at-risk twice in one day is two facts.
    const target = { targetId: 't1', previousState: 'on-track', state: 'at-risk', evaluatedOn: '2024-09-30', transition: 2 };
    expect(factKey(event('antq.campaigns.target-state-changed.v1', target, 'a'))).toBe(factKey(event('antq.campaigns.target-state-changed.v1', target, 'b')));
    expect(factKey(event('antq.campaigns.target-state-changed.v1', { ...target, transition: 4 }))).not.toBe(factKey(event('antq.campaigns.target-state-changed.v1', target)));
  });

  it('is the event id for events without a natural key', () => {
    expect(factKey(event('antq.assessments.assessment-submitted.v1', {}, 'e-9'))).toBe('event/e-9');
  });
});
