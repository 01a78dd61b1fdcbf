import type { UnitKind, UnitStatus, UnitSubtype } from '@antq/contracts';

/** One version of a unit: its state over [validFrom, validTo). */
export interface UnitState {
  id: string;
  code: string;
  kind: UnitKind;
  version: number;
  validFrom: string;
  validTo: string | null;
  name: string;
  subtype: UnitSubtype | null;
  parentId: string | null;
  tags: string[];
  status: UnitStatus;
  change: UnitChangeKind;
}

export type UnitChangeKind = 'created' | 'updated' | 'moved' | 'closed' | 'merged' | 'split';

export interface PlacementRule {
  childKind: UnitKind;
  parentKind: UnitKind | null;
  validFrom: string | null;
  validTo: string | null;
}

export interface MergePolicy {
  kind: UnitKind;
  acrossParents: boolean;
  validFrom: string | null;
  validTo: string | null;
}

/** Whether a dated rule holds on a date (bounds are [from, to)). */
export function holdsOn(rule: { validFrom: string | null; validTo: string | null }, date: string): boolean {
  return (rule.validFrom === null || rule.validFrom <= date) && (rule.validTo === null || date < rule.validTo);
}
