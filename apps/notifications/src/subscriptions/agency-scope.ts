import type { Actor } from '@antq/contracts';
import { ForbiddenError } from '@antq/platform';

/** The caller as the token names it: its agency, principal, roles and, if any, its jurisdiction (root unit ids). */
export type Caller = Actor & { jurisdiction?: string[] };

export const isAdmin = (actor: Pick<Actor, 'roles'>) => actor.roles.includes('admin');

/** Non-admins act for their own agency only; `admin` may act for any. */
export function requireOwnAgency(actor: Caller, agency: string, what: string): void {
  if (!isAdmin(actor) && agency !== actor.agency) {
    throw new ForbiddenError(`Agency ${actor.agency} may not ${what} of agency ${agency}: only its own, unless the caller is admin`);
  }
}

/**
 * SQL: the delivery aliased `d` belongs to the agency in parameter `$n` (its own webhook or
 * address, or one of its users'), or `$n` is NULL (an admin, who sees every delivery).
 */
export const DELIVERY_OF_AGENCY = (n: number) =>
  `($${n}::text IS NULL OR d.recipient = 'agency:' || $${n}::text OR starts_with(d.recipient, 'user:' || $${n}::text || '/'))`;

/** The recipient key (`agency:<code>` or `user:<agency>/<sub>`) is the agency's own or one of its users'. */
export const isOfAgency = (recipient: string, agency: string) => recipient === `agency:${agency}` || recipient.startsWith(`user:${agency}/`);

/** The agency whose deliveries, webhooks and the like the caller may see and manage, or null for every agency's (admin). */
export const agencyScope = (actor: Caller): string | null => (isAdmin(actor) ? null : actor.agency);
