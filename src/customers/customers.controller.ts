import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { CustomersService } from './customers.service';
import { CreateCustomerInput } from './dto/customer.input';
import { CustomerModel } from './dto/customer.model';
import { LookupQueryDto } from './dto/lookup.query';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

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
  @ApiCreatedResponse({ type: CustomerModel, description: 'Created; `Location` and `ETag` headers set.' })
  @ApiProblems(401, 403, 409, 422)
  async create(@CurrentPrincipal() principal: Principal, @Body() input: CreateCustomerInput, @Res({ passthrough: true }) reply: FastifyReply): Promise<CustomerModel> {
    const { customer, etag } = await this.customers.create(principal, input);
    void reply.status(201).header('Location', `/v1/customers/${customer.id}`).header('ETag', etag);
    return customer;
  }

  @Get('lookup')
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'Look up a customer by phone, e-mail, member number or identity',
    description:
      'The POS hot path: exactly one of `phone`, `email`, `memberNo` or `identity` (`type:value` or `type:namespace:value`). ' +
      'Answers the active customer holding that identity with tier and points, in one indexed read. 404 when nobody holds it.',
  })
  @ApiOkResponse({ type: CustomerModel })
  @ApiProblems(401, 403, 404, 422)
  async lookup(@CurrentPrincipal() principal: Principal, @Query() query: LookupQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<CustomerModel> {
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
  @ApiOkResponse({ type: CustomerModel, description: '`ETag` header carries the version for `If-Match`.' })
  @ApiResponse({ status: 308, description: 'The id was merged; `Location` names the survivor.' })
  @ApiProblems(401, 403, 404)
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<CustomerModel | { mergedInto: string }> {
    const result = await this.customers.get(principal, id);
    if ('redirectTo' in result) {
      void reply.status(308).header('Location', `/v1/customers/${result.redirectTo}`);
      return { mergedInto: result.redirectTo };
    }
    void reply.header('ETag', result.etag);
    return result.customer;
  }
}
