import { createSecretKey, KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { Principal, principalFromClaims, TokenClaims } from './principal';

export const JWT_ISSUER = 'kehu';
export const JWT_AUDIENCE = 'kehu-api';

/** Verified tokens kept; a client reuses its token for up to its lifetime. */
const CACHE_LIMIT = 10_000;

/** Who a request's bearer token proves, or why it proves nobody. */
export type Authentication = { principal: Principal } | { failure: string };

interface Verified {
  principal: Principal;
  /** Epoch ms when the token stops being valid. */
  expiresAt: number;
}

/**
 * Checks bearer JWTs (HS256, Kehu's issuer and audience). A token's claims never change, so a
 * verified token is remembered until it expires: the signature check and claim mapping happen
 * once per token, not once per request (a POS sends the same token thousands of times).
 */
@Injectable()
export class TokenVerifier {
  private readonly key: KeyObject;
  private readonly verified = new Map<string, Verified>();

  constructor(
    private readonly jwt: JwtService,
    config: AppConfig,
  ) {
    // A KeyObject, not the string: jsonwebtoken otherwise tries to parse the secret as a
    // public key on every verification.
    this.key = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
  }

  /** From an `Authorization` header value; never throws. */
  authenticate(header: unknown): Authentication {
    const token =
      typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : '';
    if (!token) return { failure: 'A bearer token is required.' };
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt > now) return { principal: hit.principal };
      this.verified.delete(token);
      return { failure: EXPIRED };
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
      return {
        failure: error instanceof TokenExpiredError ? EXPIRED : 'The bearer token is not valid.',
      };
    }
    const principal = principalFromClaims(claims);
    if (typeof claims.exp === 'number') {
      if (this.verified.size >= CACHE_LIMIT) {
        // Oldest first (a Map keeps insertion order): bounded memory, good enough as an LRU.
        this.verified.delete(this.verified.keys().next().value as string);
      }
      this.verified.set(token, { principal, expiresAt: claims.exp * 1000 });
    }
    return { principal };
  }
}

const EXPIRED = 'The token has expired; request a new one.';
