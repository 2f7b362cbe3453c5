import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { GraphQLResolveInfo } from 'graphql';
import { Observable, tap } from 'rxjs';
import type { Principal } from '../../auth/principal';
import { DomainError } from '../../common/errors/domain-error';
import { auditedRoute, customerIdsIn, personalFieldsIn, verbFor } from './audit-targets';
import { AUDITED_KEY, AuditedOptions } from './audit.decorator';
import { AuditService } from './audit.service';

interface Target {
  principal: Principal;
  action: string;
  resource: string;
  customerIds: Set<string>;
  written: string[];
  requestId: string | null;
  ip: string | null;
}

/**
 * Audits every request that touches customer personal data, without the feature modules
 * doing anything: REST routes under /v1/customers (and privacy, segment exports, follow-ups),
 * GraphQL root fields returning a Customer type, and anything marked @Audited(). The entry
 * is queued after the handler answers (success or failure) — it never delays the response.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.audit.enabled) return next.handle();
    const target = this.describe(context);
    if (!target) return next.handle();
    return next.handle().pipe(
      tap({
        next: (result) => this.write(target, 'success', result),
        error: (error: unknown) => this.write(target, 'failure', undefined, error),
      }),
    );
  }

  private write(
    target: Target,
    outcome: 'success' | 'failure',
    result: unknown,
    error?: unknown,
  ): void {
    const ids = customerIdsIn(result, new Set(target.customerIds));
    const read = outcome === 'success' ? personalFieldsIn(result) : [];
    this.audit.record({
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
      details: error
        ? { code: error instanceof DomainError ? error.code : 'internal_error' }
        : undefined,
    });
  }

  private describe(context: ExecutionContext): Target | undefined {
    const options = this.reflector.getAllAndOverride<AuditedOptions | undefined>(AUDITED_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (options?.enabled === false) return undefined;
    if ((context.getType() as string) === 'graphql') return this.describeGraphql(context, options);
    if (context.getType() !== 'http') return undefined;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = request.principal;
    if (!principal) return undefined;
    const template = request.routeOptions?.url ?? request.url.split('?')[0];
    const kind = auditedRoute(template);
    if (!kind && !options) return undefined;
    const params = (request.params ?? {}) as Record<string, string>;
    const ids = new Set<string>();
    if (kind === 'customer' && params.id) ids.add(params.id.toLowerCase());
    const body = request.body;
    const written =
      body && typeof body === 'object' && !Array.isArray(body) && request.method !== 'GET'
        ? Object.keys(body)
        : [];
    if (
      body &&
      typeof body === 'object' &&
      typeof (body as { customerId?: unknown }).customerId === 'string'
    ) {
      ids.add((body as { customerId: string }).customerId.toLowerCase());
    }
    return {
      principal,
      action: options?.action ?? `${kind ?? 'resource'}.${verbFor(request.method)}`,
      resource: `${request.method} ${template}`,
      customerIds: ids,
      written,
      requestId: request.id,
      ip: request.ip,
    };
  }

  private describeGraphql(
    context: ExecutionContext,
    options: AuditedOptions | undefined,
  ): Target | undefined {
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const returns = String(info.returnType);
    if (!options && !/\bCustomer[A-Za-z]*\b/.test(returns)) return undefined;
    const request = gql.getContext<{ req?: FastifyRequest }>().req;
    const principal = request?.principal;
    if (!principal) return undefined;
    const args = gql.getArgs<Record<string, unknown>>();
    const ids = new Set<string>();
    for (const key of ['id', 'customerId'])
      if (typeof args[key] === 'string') ids.add((args[key] as string).toLowerCase());
    const isMutation = info.parentType.name === 'Mutation';
    const input = args.input && typeof args.input === 'object' ? Object.keys(args.input) : [];
    return {
      principal,
      action: options?.action ?? `customer.${isMutation ? 'write' : 'read'}`,
      resource: `graphql ${info.parentType.name}.${info.fieldName}`,
      customerIds: ids,
      written: isMutation ? input : [],
      requestId: request?.id ?? null,
      ip: request?.ip ?? null,
    };
  }
}
