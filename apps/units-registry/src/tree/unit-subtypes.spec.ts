import { UNIT_KINDS, UNIT_SUBTYPES } from '@antq/contracts';
import { SUBTYPES_BY_KIND, subtypeMismatch } from './unit-subtypes';

describe('subtypes by kind', () => {
  it('gives every subtype to exactly one kind', () => {
    expect(Object.values(SUBTYPES_BY_KIND).flat().sort()).toEqual([...UNIT_SUBTYPES].sort());
  });

  it('accepts a fitting subtype or none', () => {
    expect(subtypeMismatch('province', 'thanh-pho-truc-thuoc-trung-uong')).toBeUndefined();
    expect(subtypeMismatch('district', 'thi-xa')).toBeUndefined();
    expect(subtypeMismatch('commune', 'dac-khu')).toBeUndefined();
    for (const kind of UNIT_KINDS) expect(subtypeMismatch(kind, null)).toBeUndefined();
  });

  it('refuses a subtype of another kind, saying which fit', () => {
    expect(subtypeMismatch('province', 'xa')).toBe('subtype xa does not fit a province (a province is tinh, thanh-pho-truc-thuoc-trung-uong)');
    expect(subtypeMismatch('commune', 'huyen')).toMatch(/a commune is xa, phuong, thi-tran, dac-khu/);
    expect(subtypeMismatch('school', 'xa')).toBe('subtype xa does not fit a school (a school has no subtype)');
  });
});
