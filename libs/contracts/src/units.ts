/**
 * Unit kinds. A kind is the level of a unit in the movement's tree; the administrative
 * subtype (huyện, thị xã, phường, ...) refines it.
 */
export const UNIT_KINDS = [
  'province',
  'district',
  'commune',
  'residential-area',
  'agency',
  'enterprise',
  'school',
] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const UNIT_SUBTYPES = [
  // province level
  'tinh',
  'thanh-pho-truc-thuoc-trung-uong',
  // district level
  'huyen',
  'thi-xa',
  'thanh-pho-thuoc-tinh',
  'quan',
  // commune level
  'xa',
  'phuong',
  'thi-tran',
  'dac-khu',
] as const;
export type UnitSubtype = (typeof UNIT_SUBTYPES)[number];

export const UNIT_TAGS = [
  'border',
  'coastal',
  'religious',
  'ethnic-minority',
  'economic-zone',
  'urban',
  'strategic-area',
] as const;
export type UnitTag = (typeof UNIT_TAGS)[number];

/** Free tags are lowercase words joined by hyphens, like the predefined ones. */
export const TAG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** Unit codes: letters, digits, dot, hyphen and underscore. */
export const UNIT_CODE_PATTERN = /^[A-Za-z0-9._-]+$/;

export const UNIT_STATUSES = ['active', 'closed'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

export const UNIT_CLOSE_REASONS = ['closed', 'merged', 'split', 'level-abolished'] as const;
export type UnitCloseReason = (typeof UNIT_CLOSE_REASONS)[number];

/**
 * Folds a Vietnamese name for search: no diacritics, đ as d, lower case, single spaces,
 * so that "nghe an" finds "Tỉnh Nghệ An".
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
