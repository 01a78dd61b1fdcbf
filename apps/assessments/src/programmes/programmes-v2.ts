import type { ProgrammeCode } from '@antq/contracts';
import type { ProgrammeDefinition } from './programme-definition';
import { PROGRAMMES_V1 } from './programmes-v1';

/** A programme version shipped with the platform, and the day it takes effect. */
export interface ShippedVersion {
  validFrom: string;
  definition: ProgrammeDefinition;
}

const safe = PROGRAMMES_V1['safe-security-order'];
const classification = PROGRAMMES_V1['movement-classification'];

/**
 * Version 2 of the programmes whose windows and deadlines differ by unit kind: the same
 * criteria and scoring as version 1, plus the kind's own cycle or deadline. Each takes
 * effect at the start of its cycle 2026 (a cycle is assessed under the version in force on
 * 30 June of its year, so cycles up to 2025 stay on version 1). This file is what the
 * migration that shipped them wrote and does not change.
 */
export const PROGRAMMES_V2: Partial<Record<ProgrammeCode, ShippedVersion>> = {
  'safe-security-order': {
    // Residential areas' cycle 2026 starts first, on 1 Nov 2025.
    validFrom: '2025-11-01',
    definition: {
      ...safe,
      cycleByKind: { 'residential-area': { startMonth: 11, startDay: 1 } },
      note: 'Circular 124/2021/TT-BCA: residential areas are evaluated 1 Nov - 31 Oct, communes and organisations 16 Nov - 15 Nov.',
    },
  },
  'movement-classification': {
    validFrom: '2025-11-16',
    definition: {
      ...classification,
      deadlines: {
        'residential-area': { month: 11, day: 20 },
        commune: { month: 11, day: 30 },
        agency: { month: 11, day: 30 },
        enterprise: { month: 11, day: 30 },
        school: { month: 11, day: 30 },
        district: { month: 12, day: 15 },
      },
      note: `${classification.note ?? ''} Deadlines: residential areas by 20 Nov, communes and organisations by 30 Nov, district level by 15 Dec.`.trim(),
    },
  },
};
