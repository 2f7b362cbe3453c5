import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { CustomerUpdatesService } from './customer-updates.service';
import { CustomersSearchService } from './customers-search.service';
import { CustomersService } from './customers.service';
import { CreateCustomerInput, UpdateCustomerInput } from './dto/customer.input';
import { CustomerModel, CustomerPageModel } from './dto/customer.model';
import { CustomerSearchQuery } from './dto/search.dto';
import { LookupQueryDto } from './dto/lookup.query';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly updates: CustomerUpdatesService,
    private readonly searching: CustomersSearchService,
  ) {}

  @Post()
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Register a customer',
    description:
      'Creates one customer record. The phone is normalised to E.164 with the tenant region and the e-mail lower-cased; ' +
      'personal data is stored encrypted with blind indexes for exact look-ups. A member number (tenant prefix + Luhn check digit) ' +
      'is generated when absent. Every identity must be free in the tenant (409 `identity_conflict` names the holder). ' +
      'Custom attributes are checked against the attribute definitions. Honours `Idempotency-Key`.',
  })
  @ApiCreatedResponse({
    type: CustomerModel,
    description: 'Created; `Location` and `ETag` headers set.',
  })
  @ApiProblems(401, 403, 409, 422)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() input: CreateCustomerInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerModel> {
    const { customer, etag } = await this.customers.create(principal, input);
    void reply.status(201).header('Location', `/v1/customers/${customer.id}`).header('ETag', etag);
    return customer;
  }

  @Get()
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'Search customers',
    description:
      '`q` matches a name substring, full pinyin or initials (`zs` → 张三), the last 4 digits of the phone, a full phone, an e-mail or ' +
      'a member number. Filters: tag, tier, storeId, registeredBy, createdFrom/createdTo. Newest first, cursor-paginated. Store staff see their store only.',
  })
  @ApiOkResponse({ type: CustomerPageModel })
  @ApiProblems(401, 403, 422)
  search(
    @CurrentPrincipal() principal: Principal,
    @Query() query: CustomerSearchQuery,
  ): Promise<CustomerPageModel> {
    return this.searching.search(principal, query);
  }

  @Get('lookup')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'Look up a customer by phone, e-mail, member number or identity',
    description:
      'The POS hot path: exactly one of `phone`, `email`, `memberNo` or `identity` (`type:value` or `type:namespace:value`). ' +
      'Answers the active customer holding that identity with tier and points, in one indexed read; `include=views` adds stats, rfm and consents. 404 when nobody holds it.',
  })
  @ApiOkResponse({ type: CustomerModel })
  @ApiProblems(401, 403, 404, 422)
  async lookup(
    @CurrentPrincipal() principal: Principal,
    @Query() query: LookupQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerModel> {
    const { customer, etag } = await this.customers.lookup(principal, query);
    void reply.header('ETag', etag);
    return customer;
  }

  @Get(':id')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'Read a customer',
    description:
      'Profile with tier, points, completeness and the blocks other features add (stats, rfm, consents). Personal data is masked ' +
      'without scope `pii:read`. A merged id answers 308 with `Location` pointing at the survivor.',
  })
  @ApiOkResponse({
    type: CustomerModel,
    description: '`ETag` header carries the version for `If-Match`.',
  })
  @ApiResponse({ status: 308, description: 'The id was merged; `Location` names the survivor.' })
  @ApiProblems(401, 403, 404)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerModel | { mergedInto: string }> {
    const result = await this.customers.get(principal, id);
    if ('redirectTo' in result) {
      void reply.status(308).header('Location', `/v1/customers/${result.redirectTo}`);
      return { mergedInto: result.redirectTo };
    }
    void reply.header('ETag', result.etag);
    return result.customer;
  }

  @Patch(':id')
  @Scopes('customers:write')
  @ApiConsumes('application/merge-patch+json', 'application/json')
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'ETag from a previous read; a stale one answers 412.',
  })
  @ApiOperation({
    summary: 'Update a customer (JSON merge patch)',
    description:
      'RFC 7396: fields present are set, null clears a field, `attributes` and `address` merge key by key. With `If-Match` the write ' +
      'only happens when the record is unchanged since it was read (412 `precondition_failed` otherwise). A merged id lands on the survivor. ' +
      'A `phone` or `email` another customer holds goes through the tenant match rules: a `merge` rule merges the two (the older survives; ' +
      'recorded with the rule) and the patch applies to the survivor, whose record is answered; a `suggest` rule or different phones are 409 `identity_conflict`.',
  })
  @ApiOkResponse({ type: CustomerModel, description: 'The new `ETag` is in the header.' })
  @ApiProblems(401, 403, 404, 409, 412, 422)
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: UpdateCustomerInput,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerModel> {
    const { customer, etag } = await this.updates.update(principal, id, input, ifMatch);
    void reply.header('ETag', etag);
    return customer;
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Archive a customer',
    description:
      'Soft delete: the record stays readable with status `archived`, drops out of search and look-up, and its identities become free. Erasure is a privacy request.',
  })
  @ApiNoContentResponse({ description: 'Archived (also when it already was).' })
  @ApiProblems(401, 403, 404, 409)
  async archive(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.updates.archive(principal, id);
  }
}
