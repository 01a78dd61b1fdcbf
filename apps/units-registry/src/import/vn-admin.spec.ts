import { ImportFileError } from './unit-import-row';
import { oldProvinceIds, readVnAdmin, subtypeOf, vnAdminFile, type VnAdminFile } from './vn-admin';

describe('subtypeOf: the administrative subtype from a name', () => {
  it.each([
    ['Tỉnh Nghệ An', 'province', 'tinh'],
    ['Thành phố Hà Nội', 'province', 'thanh-pho-truc-thuoc-trung-uong'],
    ['Thành Phố Huế', 'province', 'thanh-pho-truc-thuoc-trung-uong'],
    ['Thành Phố Vinh', 'district', 'thanh-pho-thuoc-tinh'],
    ['Huyện Thanh Chương', 'district', 'huyen'],
    ['Thị xã Thái Hòa', 'district', 'thi-xa'],
    ['Thị Xã Hoàng Mai', 'district', 'thi-xa'],
    ['Quận Ba Đình', 'district', 'quan'],
    ['Xã Thanh Đồng', 'commune', 'xa'],
    ['XÃ ĐỒNG VĂN', 'commune', 'xa'],
    ['  Xã  Nghi Long', 'commune', 'xa'],
    ['Phường Bến Thủy', 'commune', 'phuong'],
    ['Thị trấn Con Cuông', 'commune', 'thi-tran'],
    ['Đặc khu Phú Quốc', 'commune', 'dac-khu'],
    ['Xã', 'commune', 'xa'],
  ] as const)('%s (%s) is %s', (name, level, subtype) => expect(subtypeOf(name, level)).toBe(subtype));

  it('reads decomposed (NFD) names like composed ones', () => expect(subtypeOf('Xã Thanh Đồng'.normalize('NFD'), 'commune')).toBe('xa'));

  it.each([
    ['Xãx Lạ', 'commune'],
    ['Thị xãy', 'district'],
    ['Khu Một', 'commune'],
    ['Tỉnhlỵ', 'province'],
  ] as const)('%s (%s) has none', (name, level) => expect(subtypeOf(name, level)).toBeUndefined());
});

describe('readVnAdmin', () => {
  const file: VnAdminFile = {
    provinces: { '33': { new_province_id: '33', new_province_name: 'Tỉnh Nghệ An', old_provinces: [{ old_province_id: '51', old_province_name: 'Tỉnh Nghệ An' }] } },
    wards: {
      '1': {
        new_ward_id: '1',
        new_ward_name: 'Xã Con Cuông',
        new_province_id: '33',
        old_wards: [{ old_ward_id: '9', old_ward_name: 'Thị trấn Con Cuông', old_district_id: '7', old_district_name: 'Thị xã Thái Hòa', old_province_id: '51', old_province_name: 'Tỉnh Nghệ An' }],
      },
    },
  };

  it('gives every old and new unit its subtype', () => {
    const { rows, plan } = readVnAdmin(file, '2024-01-01', '2025-07-01');
    expect(rows.map((r) => [r.row.code, r.row.subtype])).toEqual([['VN-P-51', 'tinh'], ['VN-D-7', 'thi-xa'], ['VN-W-9', 'thi-tran']]);
    expect(plan.provinces.map((p) => p.subtype)).toEqual(['tinh']);
    expect(plan.communes.map((c) => c.subtype)).toEqual(['xa']);
  });

  it('abolishes the district level within the old provinces it reorganises when limited to some, everywhere otherwise', () => {
    expect(readVnAdmin(file, '2024-01-01', '2025-07-01', { oldProvinceIds: ['51'] }).plan.abolishWithinCodes).toEqual(['VN-P-51']);
    expect(readVnAdmin(file, '2024-01-01', '2025-07-01').plan.abolishWithinCodes).toBeUndefined();
  });

  it('lists the old provinces the file holds', () => expect(oldProvinceIds(file)).toEqual(['51']));
});

describe('vnAdminFile: the mapping file checked before it is read', () => {
  const ward = { new_ward_id: '1', new_ward_name: 'Xã Một', new_province_id: '33', old_wards: [] };
  const provinces = { '33': { new_province_id: '33', new_province_name: 'Tỉnh Nghệ An', old_provinces: [{ old_province_id: '51', old_province_name: 'Tỉnh Nghệ An' }] } };

  it('takes the mapping file', () => expect(vnAdminFile({ provinces, wards: { '1': ward } })).toEqual({ provinces, wards: { '1': ward } }));

  it.each([
    [[], /^the file must hold the provinces and wards of a vn-admin mapping file$/],
    [{ provinces: [], wards: {} }, /^the file must hold the provinces and wards of a vn-admin mapping file$/],
    [{ provinces: {}, wards: {} }, /^the file holds no provinces$/],
    [{ provinces: { '33': { new_province_id: 33 } }, wards: {} }, /^provinces\["33"\]\.new_province_id must be a string$/],
    [{ provinces, wards: { '1': { ...ward, old_wards: [{ old_ward_id: '9' }] } } }, /^wards\["1"\]\.old_wards\[0\]\.old_ward_name must be a string$/],
    [{ provinces, wards: { '1': { ...ward, old_wards: undefined } } }, /^wards\["1"\]\.old_wards must be a list$/],
  ])('refuses %j', (data, message) => {
    expect(() => vnAdminFile(data)).toThrow(ImportFileError);
    expect(() => vnAdminFile(data)).toThrow(message);
  });
});
