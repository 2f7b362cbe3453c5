import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { CustomerMergeService } from './customer-merge.service';
import { CustomerUpdatesService } from './customer-updates.service';
import { CustomersSearchService } from './customers-search.service';
import { IdentityInput } from './dto/customer.input';
import { CustomerModel, IdentityModel } from './dto/customer.model';
import { DuplicatePageModel, DuplicatesQuery, MergeCustomersInput } from './dto/search.dto';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/customers')
export class CustomerIdentitiesController {
  constructor(
    private readonly updates: CustomerUpdatesService,
    private readonly merging: CustomerMergeService,
    private readonly searching: CustomersSearchService,
  ) {}

  @Get('duplicates')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'Find likely duplicates',
    description:
      'Candidate pairs of active customers with reasons (same phone or e-mail after normalisation, same name and birthday, same name ' +
      'pinyin and phone tail) and a 0–1 score; highest first. Managers and admins only (store staff get 403).',
  })
  @ApiOkResponse({ type: DuplicatePageModel })
  @ApiProblems(401, 403, 422)
  duplicates(
    @CurrentPrincipal() principal: Principal,
    @Query() query: DuplicatesQuery,
  ): Promise<DuplicatePageModel> {
    return this.searching.duplicates(principal, query.limit);
  }

  @Post(':id/merge')
  @HttpCode(200)
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Merge customers into this one',
    description:
      "One transaction: identities, interactions, follow-ups and every other feature's rows (transactions, points, feedback, consents) " +
      "move to the survivor; the survivor's values win and its blanks are filled from the sources; sources become tombstones that " +
      "answer 308 to the survivor. Emits `customer.merged`. Merging into itself, an unknown (or other tenant's) source, or a merged target is refused.",
  })
  @ApiOkResponse({ type: CustomerModel })
  @ApiProblems(401, 403, 404, 409, 422)
  async merge(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: MergeCustomersInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerModel> {
    const { customer, etag } = await this.merging.merge(
      principal,
      id,
      input.sourceIds,
      input.reason,
    );
    void reply.header('ETag', etag);
    return customer;
  }

  @Get(':id/identities')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'List identities',
    description:
      'Every way this customer is recognised; phone and e-mail masked without `pii:read`.',
  })
  @ApiOkResponse({ type: [IdentityModel] })
  @ApiProblems(401, 403, 404)
  listIdentities(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<IdentityModel[]> {
    return this.updates.listIdentities(principal, id);
  }

  @Post(':id/identities')
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Add an identity',
    description:
      'Phone, e-mail, member number, WeChat openid/unionid (namespace = app id) or external id (namespace = source). Unique per tenant: 409 `identity_conflict` names the holder. Adding one the customer already has answers 200.',
  })
  @ApiCreatedResponse({ type: IdentityModel })
  @ApiOkResponse({ type: IdentityModel, description: 'The customer already had this identity.' })
  @ApiProblems(401, 403, 404, 409, 422)
  async addIdentity(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: IdentityInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IdentityModel> {
    const { identity, created } = await this.updates.addIdentity(principal, id, input);
    void reply.status(created ? 201 : 200);
    return identity;
  }

  @Delete(':id/identities/:identityId')
  @HttpCode(204)
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Remove an identity',
    description:
      "Removes a secondary identity. The profile's own phone, e-mail and member number change through PATCH (409 here).",
  })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems(401, 403, 404, 409)
  async removeIdentity(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('identityId') identityId: string,
  ): Promise<void> {
    await this.updates.removeIdentity(principal, id, identityId);
  }
}
