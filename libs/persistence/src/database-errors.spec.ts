import { QueryFailedError } from 'typeorm';
import { uniqueViolation } from './database-errors';

describe('uniqueViolation', () => {
  const pgError = Object.assign(new Error('duplicate key value violates unique constraint "units_code_key"'), {
    code: '23505',
    constraint: 'units_code_key',
    detail: 'Key (code)=(NA) already exists.',
  });

  it('reads the index and detail of a unique violation, wrapped by TypeORM or not', () => {
    const expected = { constraint: 'units_code_key', detail: 'Key (code)=(NA) already exists.' };
    expect(uniqueViolation(pgError)).toEqual(expected);
    expect(uniqueViolation(new QueryFailedError('INSERT ...', [], pgError))).toEqual(expected);
  });

  it('is undefined for any other error', () => {
    expect(uniqueViolation(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBeUndefined();
    expect(uniqueViolation(new Error('boom'))).toBeUndefined();
    expect(uniqueViolation(undefined)).toBeUndefined();
  });
});
