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
