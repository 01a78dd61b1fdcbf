import { coalesce } from './derivation.worker';
import { derivedSince, requiredRecognised } from './unit-status.service';

const row = (id: string, unit_id: string, effective_on: string, programme = 'drug-free', correlation_id: string | null = `c${id}`) => ({ id, unit_id, programme, effective_on, correlation_id });

describe('coalesce', () => {
  it('derives each parent and programme once, from the latest date, carrying that change’s correlation id', () => {
    const derivations = coalesce([
      row('1', 'b', '2024-06-01'),
      row('2', 'a', '2024-07-01'),
      row('3', 'b', '2024-08-01'),
      row('4', 'b', '2024-05-01'),
      row('5', 'b', '2024-06-01', 'other'),
    ]);
    expect(derivations).toEqual([
      { unitId: 'a', programme: 'drug-free', effectiveOn: '2024-07-01', correlationId: 'c2', rowIds: ['2'] },
      { unitId: 'b', programme: 'drug-free', effectiveOn: '2024-08-01', correlationId: 'c3', rowIds: ['1', '3', '4'] },
      { unitId: 'b', programme: 'other', effectiveOn: '2024-06-01', correlationId: 'c5', rowIds: ['5'] },
    ]);
  });

  it('orders the parents the same way whatever order the rows came in, so concurrent passes lock alike', () => {
    const rows = [row('1', 'c', '2024-01-01'), row('2', 'a', '2024-01-01'), row('3', 'b', '2024-01-01')];
    const order = (list: typeof rows) => coalesce(list).map((d) => d.unitId);
    expect(order(rows)).toEqual(['a', 'b', 'c']);
    expect(order([...rows].reverse())).toEqual(['a', 'b', 'c']);
  });
});

describe('derivedSince', () => {
  it('begins on the change, after the last child recognised, and never before the status it replaces', () => {
    expect(derivedSince('2024-06-10', null, null)).toBe('2024-06-10');
    expect(derivedSince('2024-06-10', '2024-06-20', null)).toBe('2024-06-20');
    expect(derivedSince('2024-08-01', null, '2024-09-01')).toBe('2024-09-01');
    expect(derivedSince('2024-10-01', '2024-06-20', '2024-09-01')).toBe('2024-10-01');
  });
});

describe('requiredRecognised', () => {
  it('asks for the share of the children, rounded up, without floating point surprises', () => {
    expect(requiredRecognised(100, 0.55)).toBe(55);
    expect(requiredRecognised(100, 0.07)).toBe(7);
    expect(requiredRecognised(25, 0.28)).toBe(7);
    expect(requiredRecognised(3, 0.5)).toBe(2);
    expect(requiredRecognised(7, 1)).toBe(7);
    expect(requiredRecognised(10, 0.01)).toBe(1);
  });
});
