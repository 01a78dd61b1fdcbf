/**
 * The movement's programmes. Their criteria, scoring and cycles are versioned data owned by
 * the assessments service; the set of programmes itself is shared vocabulary, so that every
 * service can refuse an unknown one.
 */
export const PROGRAMME_CODES = ['drug-free', 'safe-security-order', 'movement-classification', 'model-unit', 'key-complex-area'] as const;
export type ProgrammeCode = (typeof PROGRAMME_CODES)[number];

export function isProgrammeCode(code: string): code is ProgrammeCode {
  return (PROGRAMME_CODES as readonly string[]).includes(code);
}
