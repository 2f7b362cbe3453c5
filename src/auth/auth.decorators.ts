import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { DomainError } from '../common/errors/domain-error';
import type { Principal, Scope, StaffRole } from './principal';

export const PUBLIC_KEY = 'kehu:public';
export const SCOPES_KEY = 'kehu:scopes';
export const ROLES_KEY = 'kehu:roles';

/** No token needed (token endpoint, login, health). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** The token must carry every listed scope. Every non-public route declares its scopes. */
export const Scopes = (...scopes: Scope[]): MethodDecorator & ClassDecorator =>
  SetMetadata(SCOPES_KEY, scopes);

/** Staff tokens must carry one of these roles; system clients are refused. */
export const Roles = (...roles: StaffRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);

export function requestFromContext(context: ExecutionContext): {
  principal?: Principal;
  [key: string]: unknown;
} {
  if ((context.getType() as string) === 'graphql') {
    return GqlExecutionContext.create(context).getContext().req;
  }
  return context.switchToHttp().getRequest();
}

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = requestFromContext(context).principal;
    if (!principal) throw new DomainError('unauthorized', 'A bearer token is required.');
    return principal;
  },
);
