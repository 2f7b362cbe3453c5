import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { CreatePrivacyRequestInput, PrivacyRequestModel } from './dto/privacy.dto';
import { PrivacyService } from './privacy.service';

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/privacy/requests')
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Post()
  @HttpCode(201)
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'File a data-subject request',
    description:
      'access/export build the bundle at once (download from `resultUrl`; needs pii:read or privacy:admin). ' +
      'erasure anonymises the customer irreversibly in one transaction (admin role or privacy:admin). ' +
      'restriction stops marketing and profiling until a restriction request with `lift: true`. ' +
      'correction applies `patch` (a JSON merge patch checked and applied exactly as PATCH /v1/customers/{id}: 422 per field under `patch.…`, ' +
      'identity match rules included) in the same transaction that completes the request; the audit entry names the fields touched. ' +
      'A failed request writes nothing, not even the request. Every request has a deadline from the tenant ' +
      'setting privacy.requestDeadlineDays (default 15) and is audited.',
  })
  @ApiCreatedResponse({ type: PrivacyRequestModel })
  @ApiProblems(401, 403, 404, 409, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() input: CreatePrivacyRequestInput,
  ): Promise<PrivacyRequestModel> {
    return this.privacy.create(principal, input);
  }

  @Get(':id')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'A data-subject request',
    description: 'Status, deadline, what was done, and the result download path.',
  })
  @ApiOkResponse({ type: PrivacyRequestModel })
  @ApiProblems(401, 403, 404)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<PrivacyRequestModel> {
    return this.privacy.get(principal, id);
  }

  @Get(':id/result')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'Download an export bundle',
    description: `The JSON bundle of an access/export request (format \`kehu.privacy-export/1\`); needs pii:read or privacy:admin. Gone after the customer's erasure.`,
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  @ApiProblems(401, 403, 404)
  result(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<Record<string, unknown>> {
    return this.privacy.result(principal, id);
  }
}
