import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthEvents } from './auth-events';
import { DomainError } from '../common/errors/domain-error';
import { PUBLIC_KEY, requestFromContext, ROLES_KEY, SCOPES_KEY } from './auth.decorators';
import type { Scope, StaffRole } from './principal';

/**
 * Global, after authentication: the token must carry the route's scopes and, where a route
 * names roles, be a staff token with one of them. A route that declares neither is refused,
 * so forgetting the decorator fails closed.
 */
@Injectable()
export class AuthorizationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly events: AuthEvents,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = requestFromContext(context);
    const principal = request.principal;
    if (!principal) throw new DomainError('unauthorized', 'A bearer token is required.');
    // Permission failures are audited (privacy module subscribes to AuthEvents).
    const deny = (error: DomainError): DomainError => {
      this.events.emit({
        type: 'permission.denied',
        tenantId: principal.tenantId,
        actorKind: principal.kind,
        actorId: principal.subject,
        resource: describeOperation(context, request),
        detail: error.detail,
        requestId: typeof request.id === 'string' ? request.id : null,
        ip: typeof request.ip === 'string' ? request.ip : null,
      });
      return error;
    };
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets);
    const roles = this.reflector.getAllAndOverride<StaffRole[] | undefined>(ROLES_KEY, targets);
    if (!scopes && !roles)
      throw deny(new DomainError('forbidden', 'This operation declares no permission.'));
    const missing = (scopes ?? []).filter((scope) => !principal.scopes.has(scope));
    if (missing.length) {
      throw deny(
        new DomainError('forbidden', `The token lacks the scope ${missing.join(', ')}.`, {
          extensions: { missingScopes: missing },
        }),
      );
    }
    if (
      roles &&
      !(principal.kind === 'staff' && principal.role && roles.includes(principal.role))
    ) {
      throw deny(
        new DomainError('forbidden', `This operation needs a staff role: ${roles.join(' or ')}.`),
      );
    }
    return true;
  }
}

function describeOperation(context: ExecutionContext, request: Record<string, unknown>): string {
  if ((context.getType() as string) === 'graphql')
    return `graphql ${context.getClass().name}.${context.getHandler().name}`;
  const route =
    (request.routeOptions as { url?: string } | undefined)?.url ?? String(request.url ?? '');
  return `${String(request.method)} ${route}`;
}
