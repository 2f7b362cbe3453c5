import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { CurrentPrincipal, Public, Scopes } from './auth.decorators';
import { toMeModel, toTenantModel } from './auth.mapper';
import { AuthService, OAuthError } from './auth.service';
import { MeModel, TenantModel } from './dto/tenant.model';
import {
  OAuthErrorResponse,
  StaffLoginInput,
  TokenRequest,
  TokenResponse,
} from './dto/token.model';
import type { Principal } from './principal';

function readClientCredentials(
  request: FastifyRequest,
  body: Record<string, unknown>,
): { id?: string; secret?: string } {
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return {
        id: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { id: str(body.client_id), secret: str(body.client_secret) };
}

@ApiTags('auth')
@Controller('v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('oauth/token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Get an access token (OAuth2 client credentials)',
    description:
      'Systems (POS, e-shop, marketing tools) exchange their client id and secret for a JWT valid for ' +
      '`expires_in` seconds. Send JSON or `application/x-www-form-urlencoded`; credentials may also come as HTTP Basic. ' +
      'Errors follow RFC 6749 (`invalid_client` 401, `invalid_scope` 400).',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: TokenRequest })
  @ApiOkResponse({ type: TokenResponse })
  @ApiResponse({
    status: 400,
    type: OAuthErrorResponse,
    description: 'invalid_request, invalid_scope or unsupported_grant_type',
  })
  @ApiResponse({ status: 401, type: OAuthErrorResponse, description: 'invalid_client' })
  async token(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
      string,
      unknown
    >;
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    try {
      if (body.grant_type !== 'client_credentials') {
        throw body.grant_type
          ? new OAuthError('unsupported_grant_type', 'Only client_credentials is supported.', 400)
          : new OAuthError('invalid_request', 'grant_type is required.', 400);
      }
      const credentials = readClientCredentials(request, body);
      if (!credentials.id || !credentials.secret) {
        throw new OAuthError('invalid_request', 'client_id and client_secret are required.', 400);
      }
      const scope = typeof body.scope === 'string' ? body.scope : undefined;
      void reply
        .status(200)
        .send(await this.auth.issueClientToken(credentials.id, credentials.secret, scope));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.status === 401) void reply.header('WWW-Authenticate', 'Basic realm="kehu"');
      void reply
        .status(error.status)
        .send({ error: error.error, error_description: error.description });
    }
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Staff log-in',
    description:
      'Staff of a tenant log in with e-mail and password and get a JWT carrying their role and store. ' +
      'Repeated failures lock the account for a while (KEHU_LOGIN_MAX_FAILURES, KEHU_LOGIN_LOCKOUT_MINUTES).',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(401, 422)
  login(@Body() input: StaffLoginInput, @Req() request: FastifyRequest): Promise<TokenResponse> {
    return this.auth.loginStaff(input.tenant, input.email, input.password, {
      requestId: request.id,
      ip: request.ip,
    });
  }

  @Get('tenant')
  @Scopes()
  @ApiBearerAuth()
  @ApiOperation({
    summary: "The caller's tenant",
    description: 'Any valid token may read its own tenant.',
  })
  @ApiOkResponse({ type: TenantModel })
  @ApiProblems(401)
  async tenant(@CurrentPrincipal() principal: Principal): Promise<TenantModel> {
    return toTenantModel(await this.auth.getTenant(principal));
  }

  @Get('me')
  @Scopes()
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Who the token belongs to',
    description: 'Subject, kind, scopes, role and store of the bearer token.',
  })
  @ApiOkResponse({ type: MeModel })
  @ApiProblems(401)
  me(@CurrentPrincipal() principal: Principal): MeModel {
    return toMeModel(principal);
  }
}
