import { InvalidInputError } from './errors';
import { readIdempotencyKey } from './idempotency-key';

describe('readIdempotencyKey', () => {
  const read = (value?: string | string[]) => readIdempotencyKey({ headers: value === undefined ? {} : { 'idempotency-key': value } });

  it('is absent when the header is', () => {
    expect(read()).toBeUndefined();
  });

  it('takes visible ASCII up to 255 characters', () => {
    expect(read('8e0f8a52-3a9e-4a8e-9f65-2f3c7c1d9b10')).toBe('8e0f8a52-3a9e-4a8e-9f65-2f3c7c1d9b10');
    expect(read('x'.repeat(255))).toHaveLength(255);
  });

  it.each([[''], ['a b'], ['x'.repeat(256)], ['ngày-hội']])('refuses %j, saying what a key is', (value) => {
    expect(() => read(value)).toThrow(new InvalidInputError(`Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, for instance), not "${value.slice(0, 100)}"`));
  });

  it('refuses a key given twice', () => {
    expect(() => read(['a', 'b'])).toThrow('Idempotency-Key must be given once');
  });
});
