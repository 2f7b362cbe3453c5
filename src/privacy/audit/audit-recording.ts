import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GraphQLResolveInfo } from 'graphql';
import type { Principal } from '../../auth/principal';
import { DomainError } from '../../common/errors/domain-error';
import { auditedRoute, customerIdsIn, personalFieldsIn, verbFor } from './audit-targets';
import { AuditService } from './audit.service';

declare module 'fastify' {
  interface FastifyRequest {
    /** The response object before serialisation, kept for the audit entry. */
    auditBody?: unknown;
  }
}

interface Target {
  principal: Principal;
  action: string;
  resource: string;
  customerIds: Set<string>;
  written: string[];
  requestId: string | null;
  ip: string | null;
}

/** Refused before any handler ran; the guards audit permission failures themselves. */
const GUARD_STATUSES = new Set([401, 403, 429]);

/**
 * Audits every REST request that touches customer personal data (routes under /v1/customers,
 * privacy, segment exports and members, follow-ups), without the feature modules doing
 * anything. Fastify hooks rather than a Nest interceptor, so requests outside those routes pay
 * nothing: the response object is kept before serialisation, and the entry is queued when the
 * response is sent (success or failure) — it never delays the response.
 */
export function registerAuditHooks(fastify: FastifyInstance, audit: AuditService): void {
  fastify.addHook('preSerialization', (request, _reply, payload, done) => {
    request.auditBody = payload;
    done(null, payload);
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (audit.enabled && request.principal && !GUARD_STATUSES.has(reply.statusCode)) {
      const target = describeRest(request);
      if (target) {
        const body = request.auditBody;
        if (reply.statusCode < 400) write(audit, target, 'success', body);
        else write(audit, target, 'failure', undefined, (body as { code?: unknown })?.code);
      }
    }
    done(null, payload);
  });
}

/** The same for GraphQL: each resolver-backed field returning a Customer type. */
export function graphqlAuditPlugin(
  audit: AuditService,
): ApolloServerPlugin<{ req?: FastifyRequest }> {
  return {
    async requestDidStart() {
      if (!audit.enabled) return;
      return {
        async executionDidStart() {
          return {
            willResolveField({ info, args, contextValue }) {
              // Plain property fields have no resolver; they only repeat what a resolver returned.
              if (!info.parentType.getFields()[info.fieldName]?.resolve) return;
              if (!/\bCustomer[A-Za-z]*\b/.test(String(info.returnType))) return;
              return (error, result) => {
                // Read after the resolver ran: the guards set the principal inside it.
                const target = describeGraphql(info, args, contextValue.req);
                if (!target) return;
                // Nest's GraphQL exception handling returns the error as the field's value.
                const failure = error ?? (result instanceof Error ? result : undefined);
                if (failure) write(audit, target, 'failure', undefined, codeOf(failure));
                else write(audit, target, 'success', result);
              };
            },
          };
        },
      };
    },
  };
}

function write(
  audit: AuditService,
  target: Target,
  outcome: 'success' | 'failure',
  result: unknown,
  code?: unknown,
): void {
  const ids = customerIdsIn(result, new Set(target.customerIds));
  const read = outcome === 'success' ? personalFieldsIn(result) : [];
  audit.record({
    tenantId: target.principal.tenantId,
    actorKind: target.principal.kind,
    actorId: target.principal.subject,
    action: target.action,
    resource: target.resource,
    customerIds: [...ids],
    fields: [...new Set([...target.written, ...read])].sort(),
    outcome,
    requestId: target.requestId,
    ip: target.ip,
    details:
      outcome === 'failure'
        ? { code: typeof code === 'string' ? code : 'internal_error' }
        : undefined,
  });
}

function codeOf(error: Error): unknown {
  if (error instanceof DomainError) return error.code;
  const original = (error as { originalError?: unknown }).originalError;
  return original instanceof DomainError ? original.code : undefined;
}

function describeRest(request: FastifyRequest): Target | undefined {
  const template = request.routeOptions?.url;
  const kind = template === undefined ? undefined : auditedRoute(template);
  if (!kind) return undefined;
  const params = (request.params ?? {}) as Record<string, string>;
  const ids = new Set<string>();
  if (kind === 'customer' && params.id) ids.add(params.id.toLowerCase());
  const body = request.body;
  const record =
    body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  if (typeof record?.customerId === 'string') ids.add(record.customerId.toLowerCase());
  return {
    principal: request.principal!,
    action: `${kind}.${verbFor(request.method)}`,
    resource: `${request.method} ${template}`,
    customerIds: ids,
    written: record && request.method !== 'GET' ? Object.keys(record) : [],
    requestId: request.id,
    ip: request.ip,
  };
}

function describeGraphql(
  info: GraphQLResolveInfo,
  args: Record<string, unknown>,
  request: FastifyRequest | undefined,
): Target | undefined {
  const principal = request?.principal;
  if (!principal) return undefined;
  const ids = new Set<string>();
  for (const key of ['id', 'customerId'])
    if (typeof args[key] === 'string') ids.add((args[key] as string).toLowerCase());
  const isMutation = info.parentType.name === 'Mutation';
  const input = args.input && typeof args.input === 'object' ? Object.keys(args.input) : [];
  return {
    principal,
    action: `customer.${isMutation ? 'write' : 'read'}`,
    resource: `graphql ${info.parentType.name}.${info.fieldName}`,
    customerIds: ids,
    written: isMutation ? input : [],
    requestId: request?.id ?? null,
    ip: request?.ip ?? null,
  };
}
