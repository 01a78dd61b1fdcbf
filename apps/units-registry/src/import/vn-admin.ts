import type { UnitSubtype } from '@antq/contracts';
import type { ReorganisationPlan } from '../tree/tree.service';
import { ImportFileError, UnitImportRow, type NumberedRow } from './unit-import-row';

/** The shape of Vietnam's 2025 "new to old" mapping file (see the fixture's README). */
interface OldWard {
  old_ward_id: string;
  old_ward_name: string;
  old_district_id: string;
  old_district_name: string;
  old_province_id: string;
  old_province_name: string;
}
export interface VnAdminFile {
  provinces: Record<string, { new_province_id: string; new_province_name: string; old_provinces: { old_province_id: string; old_province_name: string }[] }>;
  wards: Record<string, { new_ward_id: string; new_ward_name: string; new_province_id: string; old_wards: OldWard[] }>;
}

/**
 * The parsed JSON as a mapping file, checked field by field as readVnAdmin reads it: a file of
 * another shape is refused naming the first thing wrong, not left to fail halfway through.
 */
export function vnAdminFile(data: unknown): VnAdminFile {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(data) || !isObject(data['provinces']) || !isObject(data['wards'])) {
    throw new ImportFileError('the file must hold the provinces and wards of a vn-admin mapping file');
  }
  const strings = (item: unknown, path: string, fields: string[]) => {
    if (!isObject(item)) throw new ImportFileError(`${path} must be an object`);
    for (const field of fields) if (typeof item[field] !== 'string') throw new ImportFileError(`${path}.${field} must be a string`);
    return item;
  };
  const list = (item: Record<string, unknown>, path: string, field: string) => {
    const value = item[field];
    if (!Array.isArray(value)) throw new ImportFileError(`${path}.${field} must be a list`);
    return value as unknown[];
  };
  const { provinces, wards } = data;
  if (!Object.keys(provinces).length) throw new ImportFileError('the file holds no provinces');
  for (const [key, value] of Object.entries(provinces)) {
    const path = `provinces[${JSON.stringify(key)}]`;
    const province = strings(value, path, ['new_province_id', 'new_province_name']);
    list(province, path, 'old_provinces').forEach((old, i) => strings(old, `${path}.old_provinces[${i}]`, ['old_province_id', 'old_province_name']));
  }
  for (const [key, value] of Object.entries(wards)) {
    const path = `wards[${JSON.stringify(key)}]`;
    const ward = strings(value, path, ['new_ward_id', 'new_ward_name', 'new_province_id']);
    const fields = ['old_ward_id', 'old_ward_name', 'old_district_id', 'old_district_name', 'old_province_id', 'old_province_name'];
    list(ward, path, 'old_wards').forEach((old, i) => strings(old, `${path}.old_wards[${i}]`, fields));
  }
  return data as unknown as VnAdminFile;
}

/** The old provinces (data set ids) the file holds, in its order. */
export function oldProvinceIds(file: VnAdminFile): string[] {
  return [...new Set(Object.values(file.provinces).flatMap((p) => p.old_provinces.map((o) => o.old_province_id)))];
}

/** Unit codes: the data set's own ids, prefixed by level and era. */
export const vnCodes = {
  oldProvince: (id: string) => `VN-P-${id}`,
  oldDistrict: (id: string) => `VN-D-${id}`,
  oldCommune: (id: string) => `VN-W-${id}`,
  newProvince: (id: string) => `VN25-P-${id}`,
  newCommune: (id: string) => `VN25-W-${id}`,
};

// A name's first words, then a space or the end (`\b` would fail after a letter like "ã").
const startsWith = (words: string) => new RegExp(`^${words.replace(/ /g, '\\s+')}(?=\\s|$)`, 'iu');

const SUBTYPES: [RegExp, UnitSubtype][] = [
  [startsWith('tỉnh'), 'tinh'],
  [startsWith('thị xã'), 'thi-xa'],
  [startsWith('thị trấn'), 'thi-tran'],
  [startsWith('huyện'), 'huyen'],
  [startsWith('quận'), 'quan'],
  [startsWith('xã'), 'xa'],
  [startsWith('phường'), 'phuong'],
  [startsWith('đặc khu'), 'dac-khu'],
];
const CITY = startsWith('thành phố');

/** The administrative subtype from a name's first words (Tỉnh, Huyện, Phường, ...). */
export function subtypeOf(name: string, level: 'province' | 'district' | 'commune'): UnitSubtype | undefined {
  const text = name.normalize('NFC').trim();
  if (CITY.test(text)) return level === 'province' ? 'thanh-pho-truc-thuoc-trung-uong' : 'thanh-pho-thuoc-tinh';
  return SUBTYPES.find(([pattern]) => pattern.test(text))?.[1];
}

export interface VnAdminSelection {
  /** Only these old provinces (data set ids) and the new provinces formed from them. */
  oldProvinceIds?: string[];
}

/**
 * Reads the mapping file into the pre-2025 tree (provinces > districts > communes) and
 * the 1 July 2025 reorganisation plan (merges, splits, abolished district level).
 */
export function readVnAdmin(file: VnAdminFile, treeFrom: string, reorganiseOn: string, selection: VnAdminSelection = {}): { rows: NumberedRow[]; plan: ReorganisationPlan } {
  const keepOld = (id: string) => !selection.oldProvinceIds || selection.oldProvinceIds.includes(id);
  const provinces = Object.values(file.provinces).filter((p) => p.old_provinces.some((o) => keepOld(o.old_province_id)));
  const newProvinceIds = new Set(provinces.map((p) => p.new_province_id));
  const wards = Object.values(file.wards).filter((w) => newProvinceIds.has(w.new_province_id));

  const rows: NumberedRow[] = [];
  const add = (fields: Omit<UnitImportRow, 'effectiveFrom' | 'tags'>) => {
    rows.push({ line: rows.length + 1, row: Object.assign(new UnitImportRow(), { ...fields, effectiveFrom: treeFrom }) });
  };
  const seen = new Set<string>();
  for (const province of provinces) {
    for (const old of province.old_provinces) {
      if (seen.has(old.old_province_id)) continue;
      seen.add(old.old_province_id);
      add({ code: vnCodes.oldProvince(old.old_province_id), name: old.old_province_name, kind: 'province', subtype: subtypeOf(old.old_province_name, 'province') });
    }
  }
  for (const ward of wards) {
    for (const old of ward.old_wards) {
      const district = `d${old.old_district_id}`;
      if (!seen.has(district)) {
        seen.add(district);
        add({
          code: vnCodes.oldDistrict(old.old_district_id),
          name: old.old_district_name,
          kind: 'district',
          subtype: subtypeOf(old.old_district_name, 'district'),
          parentCode: vnCodes.oldProvince(old.old_province_id),
        });
      }
      const commune = `w${old.old_ward_id}`;
      if (!seen.has(commune)) {
        seen.add(commune);
        add({
          code: vnCodes.oldCommune(old.old_ward_id),
          name: old.old_ward_name,
          kind: 'commune',
          subtype: subtypeOf(old.old_ward_name, 'commune'),
          parentCode: vnCodes.oldDistrict(old.old_district_id),
        });
      }
    }
  }

  const plan: ReorganisationPlan = {
    effectiveFrom: reorganiseOn,
    abolishKind: 'district',
    // Limited to some provinces, districts elsewhere in the registry are none of this import's business.
    ...(selection.oldProvinceIds ? { abolishWithinCodes: [...new Set(provinces.flatMap((p) => p.old_provinces.map((o) => vnCodes.oldProvince(o.old_province_id))))] } : {}),
    provinces: provinces.map((p) => ({
      code: vnCodes.newProvince(p.new_province_id),
      name: p.new_province_name,
      subtype: subtypeOf(p.new_province_name, 'province'),
      predecessorCodes: p.old_provinces.map((o) => vnCodes.oldProvince(o.old_province_id)),
    })),
    communes: wards.map((w) => ({
      code: vnCodes.newCommune(w.new_ward_id),
      name: w.new_ward_name,
      subtype: subtypeOf(w.new_ward_name, 'commune'),
      provinceCode: vnCodes.newProvince(w.new_province_id),
      predecessorCodes: [...new Set(w.old_wards.map((o) => vnCodes.oldCommune(o.old_ward_id)))],
    })),
  };
  return { rows, plan };
}
