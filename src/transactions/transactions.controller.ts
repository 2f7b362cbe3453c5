import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { PageQuery } from '../common/pagination';
import { ClaimInput, TransactionBatchInput, TransactionInput } from './dto/transaction.input';
import {
  BatchResultModel,
  TransactionModel,
  TransactionPageModel,
  TransactionResultModel,
} from './dto/transaction.model';
import { TransactionPostingService } from './transaction-posting.service';
import { TransactionsService } from './transactions.service';

@ApiTags('transactions')
@ApiBearerAuth()
@Controller('v1')
export class TransactionsController {
  constructor(
    private readonly transactions: TransactionsService,
    private readonly posting: TransactionPostingService,
  ) {}

  @Post('transactions')
  @HttpCode(201)
  @Scopes('transactions:write')
  @ApiOperation({
    summary: 'Post a sale or a return',
    description:
      "Items must add up to `total`; the currency must be the program's or listed in tenant settings; occurredAt at most 5 minutes ahead. " +
      'Idempotent by (source, externalId) and by Idempotency-Key: a retry answers 200 with the first body and `Idempotent-Replayed: true`; ' +
      'the same key with a different body is 422 `idempotency_key_reuse`. A return names its sale (`originalExternalId`), never exceeds what ' +
      "was sold per line and takes back the sale's points proportionally (the balance goes negative only if they were already spent).",
  })
  @ApiCreatedResponse({ type: TransactionResultModel })
  @ApiOkResponse({ type: TransactionResultModel, description: 'Replay of a stored receipt.' })
  @ApiProblems(401, 403, 413, 422)
  async record(
    @CurrentPrincipal() principal: Principal,
    @Body() input: TransactionInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransactionResultModel> {
    const { result, replayed } = await this.posting.record(principal, input);
    if (replayed) void reply.status(200).header('Idempotent-Replayed', 'true');
    return result;
  }

  @Post('transactions/batch')
  @HttpCode(200)
  @Scopes('transactions:write')
  @ApiOperation({
    summary: 'Post up to 1,000 transactions',
    description:
      'For a till coming back online. Each item is validated and stored independently (set-based SQL); `results` are in input order with ' +
      '`status` created, duplicate (already stored: its id and first answer) or error (code, detail, per-field errors; nothing stored for it).',
  })
  @ApiOkResponse({ type: BatchResultModel })
  @ApiProblems(401, 403, 413, 422)
  async batch(
    @CurrentPrincipal() principal: Principal,
    @Body() input: TransactionBatchInput,
  ): Promise<BatchResultModel> {
    return { results: await this.posting.recordBatch(principal, input.transactions) };
  }

  @Post('transactions/:id/claim')
  @HttpCode(200)
  @Scopes('transactions:write')
  @ApiOperation({
    summary: 'Claim an anonymous receipt',
    description:
      'Attaches a receipt posted without a customer (and its returns) to a customer within the claim window (tenant setting `claimWindowDays`, default 30) and awards its points once. 409 if already claimed, 422 `claim_window_expired` after the window.',
  })
  @ApiOkResponse({ type: TransactionResultModel })
  @ApiProblems(401, 403, 404, 409, 422)
  claim(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: ClaimInput,
  ): Promise<TransactionResultModel> {
    return this.transactions.claim(principal, id, input);
  }

  @Get('transactions/:id')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'A transaction with its items',
    description: 'Sale or return as stored, with points it changed.',
  })
  @ApiOkResponse({ type: TransactionModel })
  @ApiProblems(401, 403, 404)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<TransactionModel> {
    return this.transactions.get(principal, id);
  }

  @Get('customers/:id/transactions')
  @Scopes('customers:read')
  @ApiOperation({
    summary: "A customer's transactions",
    description: 'Newest first, cursor-paginated.',
  })
  @ApiOkResponse({ type: TransactionPageModel })
  @ApiProblems(401, 403, 404, 422)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<TransactionPageModel> {
    return this.transactions.listForCustomer(principal, id, query);
  }
}
