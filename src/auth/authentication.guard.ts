import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '../common/errors/domain-error';
import { PUBLIC_KEY, requestFromContext } from './auth.decorators';

/** Global: every route needs a valid bearer JWT unless marked @Public(). */
@Injectable()
export class AuthenticationGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super({ property: 'principal', session: false });
  }

  override canActivate(context: ExecutionContext) {
    if (
      this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [
        context.getHandler(),
        context.getClass(),
      ])
    ) {
      return true;
    }
    return super.canActivate(context);
  }

  override getRequest(context: ExecutionContext) {
    return requestFromContext(context);
  }

  override handleRequest<T>(
    error: unknown,
    principal: T,
    info: { message?: string; name?: string } | undefined,
  ): T {
    if (error || !principal) {
      const detail =
        info?.name === 'TokenExpiredError'
          ? 'The token has expired; request a new one.'
          : info?.message === 'No auth token'
            ? 'A bearer token is required.'
            : 'The bearer token is not valid.';
      throw new DomainError('unauthorized', detail, {
        headers: { 'WWW-Authenticate': 'Bearer realm="kehu", error="invalid_token"' },
      });
    }
    return principal;
  }
}
