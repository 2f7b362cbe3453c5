import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error';
import { PUBLIC_KEY, requestFromContext } from './auth.decorators';
import type { Authentication } from './token-verifier';
import { TokenVerifier } from './token-verifier';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the onRequest hook (app.factory) from the bearer token, before any Nest code. */
    authentication?: Authentication;
  }
}

/**
 * Global: every route needs a valid bearer JWT unless marked @Public(). The token was already
 * checked when the request arrived (so Fastify-level hooks such as Idempotency-Key know the
 * caller); this guard decides whether the route may go on.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (
      this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [
        context.getHandler(),
        context.getClass(),
      ])
    ) {
      return true;
    }
    const request = requestFromContext(context);
    const outcome =
      (request.authentication as Authentication | undefined) ??
      this.tokens.authenticate(
        (request.headers as Record<string, unknown> | undefined)?.authorization,
      );
    if ('failure' in outcome) {
      throw new DomainError('unauthorized', outcome.failure, {
        headers: { 'WWW-Authenticate': 'Bearer realm="kehu", error="invalid_token"' },
      });
    }
    request.principal = outcome.principal;
    return true;
  }
}
