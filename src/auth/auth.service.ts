import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from '@node-rs/argon2';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/errors/domain-error';
import { uuid7 } from '../common/uuid7';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { AuthEvents } from './auth-events';
import { AuthRepository, TenantRow } from './auth.repository';
import { JWT_AUDIENCE, JWT_ISSUER } from './token-verifier';
import { ALL_SCOPES, isScope, Principal, ROLE_SCOPES, StaffRole, TokenClaims } from './principal';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** RFC 6749 §5.2 errors of the token endpoint, which are not problem+json by the spec. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type',
    readonly description: string,
    readonly status: number,
  ) {
    super(description);
  }
}

export interface CreatedClient {
  clientId: string;
  clientSecret: string;
  scopes: string[];
  tenant: string;
}

type TenantCreatedHook = (tx: Tx, tenant: TenantRow) => Promise<void>;

// Verifying against a fixed hash when the user is unknown keeps the response time the same,
// so login timing does not reveal which e-mails have accounts.
const DUMMY_HASH_PROMISE = argon2.hash('kehu-timing-equaliser');

@Injectable()
export class AuthService {
  private readonly tenantCreatedHooks: TenantCreatedHook[] = [];

  constructor(
    private readonly repository: AuthRepository,
    private readonly database: Database,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly events: AuthEvents,
  ) {}

  /** Lets other modules set up their per-tenant defaults in the tenant's creating transaction. */
  onTenantCreated(hook: TenantCreatedHook): void {
    this.tenantCreatedHooks.push(hook);
  }

  async issueClientToken(
    clientId: string,
    clientSecret: string,
    requestedScope?: string,
  ): Promise<IssuedToken> {
    const client = await this.repository.findClientByClientId(clientId);
    const valid = client?.active && (await argon2.verify(client.secret_hash, clientSecret));
    if (!client || !valid) {
      if (!client) await argon2.verify(await DUMMY_HASH_PROMISE, clientSecret);
      throw new OAuthError('invalid_client', 'Unknown client or wrong secret.', 401);
    }
    let scopes = client.scopes;
    if (requestedScope?.trim()) {
      const requested = requestedScope.trim().split(/\s+/);
      const refused = requested.filter((s) => !client.scopes.includes(s));
      if (refused.length)
        throw new OAuthError(
          'invalid_scope',
          `Not granted to this client: ${refused.join(' ')}`,
          400,
        );
      scopes = requested;
    }
    const tenant = await this.repository.findTenantById(client.tenant_id);
    void this.repository.touchClient(clientId).catch(() => undefined);
    return this.sign({
      sub: client.client_id,
      tid: client.tenant_id,
      ten: tenant!.slug,
      typ: 'client',
      scope: scopes.join(' '),
    });
  }

  /** `origin` (request id, IP) goes into the audited log-in event. */
  async loginStaff(
    tenantSlug: string,
    email: string,
    password: string,
    origin: { requestId?: string; ip?: string } = {},
  ): Promise<IssuedToken> {
    const tenant = await this.repository.findTenantBySlug(tenantSlug);
    const staff = tenant ? await this.repository.findStaffByEmail(tenant.id, email) : undefined;
    const refused = new DomainError('unauthorized', 'Wrong tenant, e-mail or password.');
    if (!tenant || !staff || !staff.active) {
      await argon2.verify(await DUMMY_HASH_PROMISE, password);
      throw refused;
    }
    const emit = (type: 'login.succeeded' | 'login.failed', detail?: string) =>
      this.events.emit({
        type,
        tenantId: tenant.id,
        actorKind: 'staff',
        actorId: staff.id,
        resource: 'POST /v1/auth/login',
        detail,
        requestId: origin.requestId,
        ip: origin.ip,
      });
    if (staff.locked_until && staff.locked_until.getTime() > Date.now()) {
      emit('login.failed', 'account locked');
      throw new DomainError(
        'unauthorized',
        'The account is locked after repeated failed log-ins; try again later.',
        {
          extensions: { lockedUntil: staff.locked_until.toISOString() },
        },
      );
    }
    if (!(await argon2.verify(staff.password_hash, password))) {
      await this.repository.recordLoginFailure(
        tenant.id,
        staff.id,
        this.config.loginMaxFailures,
        this.config.loginLockoutMinutes,
      );
      emit('login.failed', 'wrong password');
      throw refused;
    }
    await this.repository.recordLoginSuccess(tenant.id, staff.id);
    emit('login.succeeded');
    return this.sign({
      sub: staff.id,
      tid: tenant.id,
      ten: tenant.slug,
      typ: 'staff',
      scope: ROLE_SCOPES[staff.role].join(' '),
      role: staff.role,
      store: staff.store_id,
    });
  }

  async getTenant(principal: Principal): Promise<TenantRow> {
    const tenant = await this.repository.findTenantById(principal.tenantId);
    if (!tenant) throw DomainError.notFound('Tenant');
    return tenant;
  }

  async createTenant(input: {
    slug: string;
    name?: string;
    currency?: string;
    region?: string;
    timeZone?: string;
  }): Promise<TenantRow> {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(input.slug)) {
      throw DomainError.field(
        'slug',
        'invalid',
        'A tenant slug is 2–63 lower-case letters, digits or dashes.',
      );
    }
    if (await this.repository.findTenantBySlug(input.slug)) {
      throw new DomainError('conflict', `Tenant "${input.slug}" already exists.`);
    }
    return this.database.withSystem(async (tx) => {
      const tenant = await this.repository.insertTenant(tx, {
        id: uuid7(),
        slug: input.slug,
        name: input.name ?? input.slug,
        currency: input.currency ?? this.config.defaultCurrency,
        region: input.region ?? this.config.defaultRegion,
        time_zone: input.timeZone ?? this.config.defaultTimeZone,
        settings: {},
      });
      for (const hook of this.tenantCreatedHooks) await hook(tx, tenant);
      return tenant;
    });
  }

  async createClient(input: {
    tenantSlug: string;
    name: string;
    scopes: string[];
    clientId?: string;
    clientSecret?: string;
  }): Promise<CreatedClient> {
    const tenant = await this.requireTenant(input.tenantSlug);
    const unknown = input.scopes.filter((s) => !isScope(s));
    if (unknown.length)
      throw DomainError.field('scopes', 'unknown_scope', `Unknown scopes: ${unknown.join(', ')}`);
    const clientId = input.clientId ?? `kc_${randomBytes(12).toString('hex')}`;
    const clientSecret = input.clientSecret ?? `ks_${randomBytes(30).toString('base64url')}`;
    const secretHash = await argon2.hash(clientSecret);
    await this.database.withSystem((tx) =>
      this.repository.insertClient(tx, {
        tenant_id: tenant.id,
        id: uuid7(),
        client_id: clientId,
        secret_hash: secretHash,
        name: input.name,
        scopes: input.scopes,
        active: true,
      }),
    );
    return { clientId, clientSecret, scopes: input.scopes, tenant: tenant.slug };
  }

  async createStaff(input: {
    tenantSlug: string;
    email: string;
    password: string;
    name: string;
    role: StaffRole;
    storeId?: string | null;
  }): Promise<{ id: string }> {
    const tenant = await this.requireTenant(input.tenantSlug);
    if (!ROLE_SCOPES[input.role])
      throw DomainError.field(
        'role',
        'not_allowed',
        'Role must be admin, manager, staff or auditor.',
      );
    if (input.password.length < 10)
      throw DomainError.field('password', 'too_short', 'A password has at least 10 characters.');
    const id = uuid7();
    const passwordHash = await argon2.hash(input.password);
    await this.database.withSystem((tx) =>
      this.repository.insertStaff(tx, {
        tenant_id: tenant.id,
        id,
        email: input.email.trim().toLowerCase(),
        password_hash: passwordHash,
        name: input.name,
        role: input.role,
        store_id: input.storeId ?? null,
        active: true,
      }),
    );
    return { id };
  }

  /**
   * First start on an empty database: tenant `demo` and an all-scopes client, so a newcomer
   * can get a token straight away. Returns the credentials to print once, or undefined.
   */
  async bootstrapDemo(): Promise<CreatedClient | undefined> {
    if ((await this.repository.countTenants()) > 0) return undefined;
    await this.createTenant({ slug: 'demo', name: 'Demo retailer' });
    return this.createClient({
      tenantSlug: 'demo',
      name: 'bootstrap',
      scopes: [...ALL_SCOPES],
      clientId: this.config.bootstrapClientId,
      clientSecret: this.config.bootstrapClientSecret,
    });
  }

  private async requireTenant(slug: string): Promise<TenantRow> {
    const tenant = await this.repository.findTenantBySlug(slug);
    if (!tenant) throw DomainError.field('tenant', 'not_found', `No tenant "${slug}".`);
    return tenant;
  }

  private sign(claims: TokenClaims): IssuedToken {
    const token = this.jwt.sign(claims, {
      algorithm: 'HS256',
      expiresIn: this.config.jwtTtlSeconds,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      jwtid: uuid7(),
    });
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.config.jwtTtlSeconds,
      scope: claims.scope,
    };
  }
}
