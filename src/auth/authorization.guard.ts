import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
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
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const principal = requestFromContext(context).principal;
    if (!principal) throw new DomainError('unauthorized', 'A bearer token is required.');
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets);
    const roles = this.reflector.getAllAndOverride<StaffRole[] | undefined>(ROLES_KEY, targets);
    if (!scopes && !roles) throw new DomainError('forbidden', 'This operation declares no permission.');
    const missing = (scopes ?? []).filter((scope) => !principal.scopes.has(scope));
    if (missing.length) {
      throw new DomainError('forbidden', `The token lacks the scope ${missing.join(', ')}.`, {
        extensions: { missingScopes: missing },
      });
    }
    if (roles && !(principal.kind === 'staff' && principal.role && roles.includes(principal.role))) {
      throw new DomainError('forbidden', `This operation needs a staff role: ${roles.join(' or ')}.`);
    }
    return true;
  }
}
