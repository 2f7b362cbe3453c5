import { createSecretKey, KeyObject } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { PUBLIC_KEY, requestFromContext } from './auth.decorators';
import { Principal, principalFromClaims, TokenClaims } from './principal';

export const JWT_ISSUER = 'kehu';
export const JWT_AUDIENCE = 'kehu-api';

/** Verified tokens kept; a client reuses its token for up to its lifetime. */
const CACHE_LIMIT = 10_000;

interface Verified {
  principal: Principal;
  /** Epoch ms when the token stops being valid. */
  expiresAt: number;
}

/**
 * Global: every route needs a valid bearer JWT (HS256, Kehu's issuer and audience) unless
 * marked @Public(). A token's claims never change, so a verified token is remembered until it
 * expires: the signature check and claim mapping happen once per token, not once per request
 * (the POS look-up path sends the same token thousands of times).
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly key: KeyObject;
  private readonly verified = new Map<string, Verified>();

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    config: AppConfig,
  ) {
    // A KeyObject, not the string: jsonwebtoken otherwise tries to parse the secret as a
    // public key on every verification.
    this.key = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
  }

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
    const header = (request.headers as Record<string, unknown> | undefined)?.authorization;
    const token =
      typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : '';
    if (!token) throw unauthorized('A bearer token is required.');
    request.principal = this.principalFor(token);
    return true;
  }

  private principalFor(token: string): Principal {
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt > now) return hit.principal;
      this.verified.delete(token);
      throw unauthorized('The token has expired; request a new one.');
    }
    let claims: TokenClaims & { exp?: number };
    try {
      claims = this.jwt.verify<TokenClaims & { exp?: number }>(token, {
        secret: this.key as unknown as string,
        algorithms: ['HS256'],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
    } catch (error) {
      throw unauthorized(
        error instanceof TokenExpiredError
          ? 'The token has expired; request a new one.'
          : 'The bearer token is not valid.',
      );
    }
    const principal = principalFromClaims(claims);
    if (typeof claims.exp === 'number') {
      if (this.verified.size >= CACHE_LIMIT) {
        // Oldest first (Map keeps insertion order): a bounded memory, good enough as an LRU.
        this.verified.delete(this.verified.keys().next().value as string);
      }
      this.verified.set(token, { principal, expiresAt: claims.exp * 1000 });
    }
    return principal;
  }
}

function unauthorized(detail: string): DomainError {
  return new DomainError('unauthorized', detail, {
    headers: { 'WWW-Authenticate': 'Bearer realm="kehu", error="invalid_token"' },
  });
}
