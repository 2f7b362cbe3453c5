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
import { ConsentService } from './consent.service';
import { RecordConsentInput } from './dto/consent.input';
import { ConsentEventModel, CustomerConsentsModel } from './dto/consent.model';

@ApiTags('consent')
@ApiBearerAuth()
@Controller('v1/customers/:id/consents')
export class ConsentController {
  constructor(private readonly consent: ConsentService) {}

  @Post()
  @HttpCode(201)
  @Scopes('consent:write')
  @ApiOperation({
    summary: 'Record a consent or its withdrawal',
    description:
      'Appends a consent event for one purpose (and channel, for marketing) and updates the current state at once; ' +
      'withdrawing works exactly like granting. A customer under 14 needs `guardian` to grant marketing or profiling ' +
      '(422 `guardian_required`). Emits `consent.changed`.',
  })
  @ApiCreatedResponse({ type: ConsentEventModel })
  @ApiProblems(401, 403, 404, 409, 422)
  record(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: RecordConsentInput,
  ): Promise<ConsentEventModel> {
    return this.consent.record(principal, id, input);
  }

  @Get()
  @Scopes('consent:read')
  @ApiOperation({
    summary: "A customer's consents",
    description:
      'Current state per purpose × channel (with whether it counts now) and the history, newest first.',
  })
  @ApiOkResponse({ type: CustomerConsentsModel })
  @ApiProblems(401, 403, 404, 409)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<CustomerConsentsModel> {
    return this.consent.get(principal, id);
  }
}
