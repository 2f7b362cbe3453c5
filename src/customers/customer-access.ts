import type { Principal } from '../auth/principal';
import { hasScope } from '../auth/principal';

/**
 * Staff of role `staff` work on their own store's customers only; managers, admins, auditors
 * and system clients see the whole tenant. Returns the store to restrict to, if any.
 */
export function restrictedStore(principal: Principal): string | null | undefined {
  if (principal.kind === 'staff' && principal.role === 'staff') return principal.storeId ?? null;
  return undefined;
}

/** Whether a customer in `storeId` is visible to the caller. */
export function canSee(principal: Principal, storeId: string | null): boolean {
  const restricted = restrictedStore(principal);
  return restricted === undefined || (restricted !== null && restricted === storeId);
}

export function canReadPii(principal: Principal): boolean {
  return hasScope(principal, 'pii:read');
}
