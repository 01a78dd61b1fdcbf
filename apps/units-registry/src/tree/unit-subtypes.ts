import type { UnitKind, UnitSubtype } from '@antq/contracts';

/** The administrative subtypes each kind may take (the contracts list them by level). */
export const SUBTYPES_BY_KIND: Record<UnitKind, readonly UnitSubtype[]> = {
  province: ['tinh', 'thanh-pho-truc-thuoc-trung-uong'],
  district: ['huyen', 'thi-xa', 'thanh-pho-thuoc-tinh', 'quan'],
  commune: ['xa', 'phuong', 'thi-tran', 'dac-khu'],
  'residential-area': [],
  agency: [],
  enterprise: [],
  school: [],
};

/** Why a subtype does not fit a kind, or undefined when it does (no subtype always fits). */
export function subtypeMismatch(kind: UnitKind, subtype: UnitSubtype | null | undefined): string | undefined {
  if (!subtype || SUBTYPES_BY_KIND[kind].includes(subtype)) return undefined;
  const allowed = SUBTYPES_BY_KIND[kind];
  return `subtype ${subtype} does not fit a ${kind} (${allowed.length ? `a ${kind} is ${allowed.join(', ')}` : `a ${kind} has no subtype`})`;
}
