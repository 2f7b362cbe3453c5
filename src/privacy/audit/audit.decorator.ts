import { SetMetadata } from '@nestjs/common';

export const AUDITED_KEY = 'kehu:audited';

export interface AuditedOptions {
  /** e.g. `segment.export`; defaults to `<resource>.<read|write|delete>` from the route. */
  action?: string;
  /** Set false to opt a route out of automatic auditing (e.g. a pure count). */
  enabled?: boolean;
}

/**
 * Marks a route or resolver as touching customer personal data so the AuditInterceptor
 * records it. Routes under `/v1/customers` and `/v1/privacy`, and GraphQL fields returning
 * customers, are audited without it.
 */
export const Audited = (options: AuditedOptions = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(AUDITED_KEY, { enabled: true, ...options });
