import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { PageQuery } from '../common/pagination';
import { CustomerLoyaltyModel } from './dto/customer-loyalty.model';
import { LoyaltyProgramInput, LoyaltyProgramModel } from './dto/loyalty-program.input';
import {
  AdjustmentInput,
  PointsChangeModel,
  PointsLedgerPageModel,
  RedemptionInput,
} from './dto/points.input';
import { LoyaltyProgramService } from './loyalty-program.service';
import { PointsAccountService } from './points-account.service';

// A malformed id can name no customer: 404, as for an unknown one.
const uuid = new ParseUUIDPipe({ exceptionFactory: () => DomainError.notFound('Customer') });

@ApiTags('loyalty')
@ApiBearerAuth()
@Controller('v1')
export class LoyaltyController {
  constructor(
    private readonly programs: LoyaltyProgramService,
    private readonly accounts: PointsAccountService,
  ) {}

  @Get('loyalty/program')
  @Scopes('loyalty:read')
  @ApiOperation({
    summary: 'The loyalty program',
    description:
      'Currency, points per unit, rounding, expiry, tiers and earn rules. A tenant that never saved one gets the default: its currency, 1 point per whole unit, 24-month expiry, base tier `member` (version 0).',
  })
  @ApiOkResponse({ type: LoyaltyProgramModel })
  @ApiProblems(401, 403)
  getProgram(@CurrentPrincipal() principal: Principal): Promise<LoyaltyProgramModel> {
    return this.programs.get(principal);
  }

  @Put('loyalty/program')
  @Scopes('loyalty:write')
  @ApiOperation({
    summary: 'Replace the loyalty program',
    description:
      'Validated as a whole: unique tier codes and ranks, a base tier (lowest rank) without thresholds, every other tier with a spend and/or points threshold, multipliers up to 4 decimals, promotions ending after they start. Applies to postings from now on.',
  })
  @ApiOkResponse({ type: LoyaltyProgramModel })
  @ApiProblems(401, 403, 422)
  putProgram(
    @CurrentPrincipal() principal: Principal,
    @Body() input: LoyaltyProgramInput,
  ): Promise<LoyaltyProgramModel> {
    return this.programs.put(principal, input);
  }

  @Get('customers/:id/loyalty')
  @Scopes('loyalty:read')
  @ApiOperation({
    summary: "A customer's tier and points",
    description:
      'Tier and since when, next tier and progress towards it (12-month spend and points), balance, and points expiring within 30 days.',
  })
  @ApiOkResponse({ type: CustomerLoyaltyModel })
  @ApiProblems(401, 403, 404)
  view(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
  ): Promise<CustomerLoyaltyModel> {
    return this.accounts.view(principal, id);
  }

  @Get('customers/:id/points/ledger')
  @Scopes('loyalty:read')
  @ApiOperation({
    summary: 'Points ledger',
    description:
      'Every earn, redeem, adjust, expire and reverse entry, newest first; the balance is their sum.',
  })
  @ApiOkResponse({ type: PointsLedgerPageModel })
  @ApiProblems(401, 403, 404, 422)
  ledger(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Query() query: PageQuery,
  ): Promise<PointsLedgerPageModel> {
    return this.accounts.ledger(principal, id, query);
  }

  @Post('customers/:id/points/redemptions')
  @HttpCode(201)
  @Scopes('loyalty:write')
  @ApiOperation({
    summary: 'Redeem points',
    description:
      'Spends points (oldest-expiring first). 422 `insufficient_points` when the balance is short; concurrent redemptions are serialised on the customer, so the balance never goes negative. Idempotent by `externalId`: a retry answers 200 with `Idempotent-Replayed: true`.',
  })
  @ApiCreatedResponse({ type: PointsChangeModel })
  @ApiOkResponse({
    type: PointsChangeModel,
    description: 'Replay of an earlier redemption with the same externalId.',
  })
  @ApiProblems(401, 403, 404, 422)
  async redeem(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() input: RedemptionInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PointsChangeModel> {
    const { change, replayed } = await this.accounts.redeem(principal, id, input);
    if (replayed) void reply.status(200).header('Idempotent-Replayed', 'true');
    return change;
  }

  @Post('customers/:id/points/adjustments')
  @HttpCode(201)
  @Scopes('loyalty:write')
  @Roles('manager', 'admin')
  @ApiOperation({
    summary: 'Adjust points (manager/admin)',
    description:
      'Adds or removes points with a reason, for staff with role manager or admin. A deduction may not take the balance below zero (422 `insufficient_points`). Idempotent by optional `externalId`.',
  })
  @ApiCreatedResponse({ type: PointsChangeModel })
  @ApiProblems(401, 403, 404, 422)
  async adjust(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() input: AdjustmentInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PointsChangeModel> {
    const { change, replayed } = await this.accounts.adjust(principal, id, input);
    if (replayed) void reply.status(200).header('Idempotent-Replayed', 'true');
    return change;
  }
}
