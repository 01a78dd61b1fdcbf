/**
 * Roles an agency's principal can hold. Fine-grained rules (which role may do what, and
 * where) build on these.
 */
export const ROLES = [
  'admin',
  'registrar',
  'assessor',
  'verifier',
  'recogniser',
  'campaign-manager',
  'alert-manager',
  'viewer',
] as const;
export type Role = (typeof ROLES)[number];
