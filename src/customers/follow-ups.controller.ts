import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
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
import { PageQuery } from '../common/pagination';
import {
  CompleteFollowUpInput,
  CreateFollowUpInput,
  FollowUpModel,
  FollowUpPageModel,
  FollowUpQuery,
  InteractionModel,
  InteractionPageModel,
  LogInteractionInput,
} from './dto/follow-up.dto';
import { FollowUpsService } from './follow-ups.service';
import { InteractionsService } from './interactions.service';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1')
export class FollowUpsController {
  constructor(
    private readonly followUps: FollowUpsService,
    private readonly interactions: InteractionsService,
  ) {}

  @Post('customers/:id/interactions')
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Log an interaction',
    description:
      'Records a call, SMS, e-mail, WeChat message, visit or note with the customer. A merged id lands on the survivor.',
  })
  @ApiCreatedResponse({ type: InteractionModel })
  @ApiProblems(401, 403, 404, 409, 422)
  logInteraction(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: LogInteractionInput,
  ): Promise<InteractionModel> {
    return this.interactions.log(principal, id, input);
  }

  @Get('customers/:id/interactions')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'List interactions',
    description: 'The contact log of one customer, newest first, cursor-paginated.',
  })
  @ApiOkResponse({ type: InteractionPageModel })
  @ApiProblems(401, 403, 404, 422)
  listInteractions(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<InteractionPageModel> {
    return this.interactions.list(principal, id, query);
  }

  @Post('customers/:id/follow-ups')
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Schedule a follow-up',
    description: 'A follow-up visit (回访) with a due date, reason and assignee.',
  })
  @ApiCreatedResponse({ type: FollowUpModel })
  @ApiProblems(401, 403, 404, 409, 422)
  createFollowUp(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: CreateFollowUpInput,
  ): Promise<FollowUpModel> {
    return this.followUps.createForCustomer(principal, id, input);
  }

  @Get('follow-ups')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'List follow-ups',
    description:
      'Filter by assignee, status and due date; soonest due first, cursor-paginated. Store staff see their store only.',
  })
  @ApiOkResponse({ type: FollowUpPageModel })
  @ApiProblems(401, 403, 422)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: FollowUpQuery,
  ): Promise<FollowUpPageModel> {
    return this.followUps.list(principal, query);
  }

  @Post('follow-ups/:id/complete')
  @HttpCode(200)
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Complete a follow-up',
    description:
      'Closes an open follow-up with its outcome and records the contact as an interaction. Completing twice → 409 `invalid_transition`.',
  })
  @ApiOkResponse({ type: FollowUpModel })
  @ApiProblems(401, 403, 404, 409, 422)
  complete(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: CompleteFollowUpInput,
  ): Promise<FollowUpModel> {
    return this.followUps.completeFromApi(principal, id, input);
  }
}
