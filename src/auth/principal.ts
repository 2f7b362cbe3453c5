export const ALL_SCOPES = [
  'customers:read',
  'customers:write',
  'transactions:write',
  'loyalty:read',
  'loyalty:write',
  'segments:read',
  'segments:write',
  'feedback:read',
  'feedback:write',
  'consent:read',
  'consent:write',
  'privacy:admin',
  'audit:read',
  'webhooks:admin',
  'reports:read',
  'imports:write',
  'pii:read',
] as const;

export type Scope = (typeof ALL_SCOPES)[number];

export const STAFF_ROLES = ['admin', 'manager', 'staff', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** What each staff role may do; a staff token carries these scopes. */
export const ROLE_SCOPES: Record<StaffRole, readonly Scope[]> = {
  admin: ALL_SCOPES,
  manager: ALL_SCOPES.filter((s) => !['privacy:admin', 'audit:read', 'webhooks:admin'].includes(s)),
  staff: [
    'customers:read',
    'customers:write',
    'transactions:write',
    'loyalty:read',
    'segments:read',
    'feedback:read',
    'feedback:write',
    'consent:read',
    'consent:write',
  ],
  auditor: ['audit:read', 'customers:read', 'reports:read', 'consent:read'],
};

/** Who is calling, as proven by the bearer token. Passed explicitly into services. */
export interface Principal {
  tenantId: string;
  tenantSlug: string;
  kind: 'client' | 'staff';
  /** client_id for systems, staff user id for people. */
  subject: string;
  scopes: ReadonlySet<string>;
  role?: StaffRole;
  storeId?: string | null;
}

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(scope);
}

/** The claims Kehu puts in its JWTs. */
export interface TokenClaims {
  sub: string;
  tid: string;
  ten: string;
  typ: 'client' | 'staff';
  scope: string;
  role?: StaffRole;
  store?: string | null;
}

export function principalFromClaims(claims: TokenClaims): Principal {
  return {
    tenantId: claims.tid,
    tenantSlug: claims.ten,
    kind: claims.typ,
    subject: claims.sub,
    scopes: new Set(claims.scope ? claims.scope.split(' ') : []),
    role: claims.role,
    storeId: claims.store ?? null,
  };
}

/** Who did it, as stored in ledgers, transitions, notes and surveys: `client:<id>` or `staff:<id>`. */
export function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.subject}`;
}
