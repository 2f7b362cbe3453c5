import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { PageQuery } from '../common/pagination';
import { MergeModel, MergePageModel, MergePreviewInput } from './dto/merge.dto';
import { MergePreviewModel } from './dto/merge-preview.model';
import { MergePreviewService } from './merge-preview.service';
import { MergesService } from './merges.service';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('v1')
export class MergesController {
  constructor(
    private readonly merges: MergesService,
    private readonly previews: MergePreviewService,
  ) {}

  @Post('customers/merge/preview')
  @HttpCode(200)
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'Preview a merge',
    description:
      'What `POST /v1/customers/{survivorId}/merge` would do, computed by running the merge in a rolled-back savepoint (nothing is kept): ' +
      'the resulting record, per field the winning record and whether the records disagree, consent after the merge (most restrictive per ' +
      'purpose and channel), tier (best) and points (sum), and the identities that would move. Same 404/409/422 as the merge. Managers and admins only.',
  })
  @ApiOkResponse({ type: MergePreviewModel })
  @ApiProblems(401, 403, 404, 409, 422)
  preview(
    @CurrentPrincipal() principal: Principal,
    @Body() input: MergePreviewInput,
  ): Promise<MergePreviewModel> {
    return this.previews.preview(principal, input);
  }

  @Get('customers/:id/merges')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'Merges of a customer',
    description:
      'Merges the customer took part in, as survivor or source, newest first: actor, reason, the match rule of an automatic merge, status.',
  })
  @ApiOkResponse({ type: MergePageModel })
  @ApiProblems(401, 403, 404, 422)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<MergePageModel> {
    return this.merges.list(principal, id, query);
  }

  @Post('merges/:id/undo')
  @HttpCode(200)
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Undo a merge',
    description:
      'One transaction: the sources become active again with their own identities, transactions, ledger entries, consents, interactions and ' +
      'attributes as they were at the merge; survivor fields the merge filled go back unless changed since; anything added to the survivor after ' +
      'the merge stays on the survivor. Emits `customer.unmerged`; audited as `customer.unmerge`. 409 `invalid_transition` (reason ' +
      '`merge_already_undone`), 409 `conflict` with reason `customer_erased` (a customer in it was erased) or `survivor_merged` (undo the later merge first).',
  })
  @ApiOkResponse({ type: MergeModel })
  @ApiProblems(401, 403, 404, 409)
  undo(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<MergeModel> {
    return this.merges.undo(principal, id);
  }
}
