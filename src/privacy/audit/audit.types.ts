/** One audited access to personal data, as modules hand it to AuditService.record. */
export interface AuditEntryInput {
  tenantId: string;
  actorKind: 'client' | 'staff' | 'system' | 'anonymous';
  /** client_id, staff user id, or a system name (`job:retention`, `cli`). */
  actorId: string;
  /** e.g. `customer.read`, `customer.write`, `privacy.erasure`, `auth.login`, `auth.denied`. */
  action: string;
  /** e.g. `GET /v1/customers/:id`, `graphql Query.customer`. */
  resource: string;
  customerIds?: string[];
  /** Personal-data fields read or written. */
  fields?: string[];
  outcome?: 'success' | 'failure' | 'denied';
  requestId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
  occurredAt?: Date;
}
