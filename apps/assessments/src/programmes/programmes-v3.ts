import type { ProgrammeCode } from '@antq/contracts';
import type { CriterionDefinition } from './programme-definition';
import { PROGRAMMES_V2, type ShippedVersion } from './programmes-v2';

const safe = PROGRAMMES_V2['safe-security-order'] as ShippedVersion;

/** What each number criterion can be: shares in per cent, counts from none up. */
const BOUNDS: Record<string, Pick<CriterionDefinition, 'min' | 'max'>> = {
  'safe-residential-share': { min: 0, max: 100 },
  'staff-briefed-percent': { min: 0, max: 100 },
  'working-models': { min: 0 },
};

/**
 * Version 3 of safe-security-order: version 2 with the values its number criteria can take,
 * so that a share of 250 % or -3 working models is refused rather than recorded. It takes
 * effect at the start of cycle 2027 (residential areas' cycle starts first, on 1 Nov 2026);
 * assessments made before stay on the version they were made under. This file is what the
 * migration that shipped it wrote and does not change.
 */
export const PROGRAMMES_V3: Partial<Record<ProgrammeCode, ShippedVersion>> = {
  'safe-security-order': {
    validFrom: '2026-11-01',
    definition: {
      ...safe.definition,
      criteria: Object.fromEntries(
        Object.entries(safe.definition.criteria).map(([kind, list]) => [kind, list.map((criterion) => ({ ...criterion, ...BOUNDS[criterion.code] }))]),
      ),
    },
  },
};
