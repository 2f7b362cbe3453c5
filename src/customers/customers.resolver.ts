import {
  Args,
  Context,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { MAX_LIMIT } from '../common/pagination';
import { CustomerLoadersService } from './customer-loaders.service';
import { CustomerMergeService } from './customer-merge.service';
import { CustomerUpdatesService } from './customer-updates.service';
import { CustomersSearchService } from './customers-search.service';
import { CustomersService } from './customers.service';
import { CustomerFiltersInput } from './dto/customer-filters.input';
import { CreateCustomerInput, IdentityInput, UpdateCustomerInput } from './dto/customer.input';
import { CustomerModel, CustomerPageModel, IdentityModel } from './dto/customer.model';
import { FollowUpModel, InteractionModel } from './dto/follow-up.dto';
import { LookupQueryDto } from './dto/lookup.query';
import { DuplicatePageModel, MergeCustomersInput } from './dto/search.dto';

/** GraphQL mirror of the REST customer endpoints: same service methods, nested fields batched. */
@Resolver(() => CustomerModel)
export class CustomersResolver {
  constructor(
    private readonly customerService: CustomersService,
    private readonly updates: CustomerUpdatesService,
    private readonly searching: CustomersSearchService,
    private readonly merging: CustomerMergeService,
    private readonly loaders: CustomerLoadersService,
  ) {}

  @Query(() => CustomerModel, { description: 'One customer; a merged id answers the survivor.' })
  @Scopes('customers:read')
  async customer(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CustomerModel> {
    return (await this.customerService.getFollowingMerge(principal, id)).customer;
  }

  @Query(() => CustomerModel, {
    description: 'POS look-up by exactly one of phone, email, memberNo, identity.',
  })
  @Scopes('customers:read')
  async customerLookup(
    @CurrentPrincipal() principal: Principal,
    @Args() query: LookupQueryDto,
  ): Promise<CustomerModel> {
    return (await this.customerService.lookup(principal, query)).customer;
  }

  @Query(() => CustomerPageModel, {
    description:
      'Search (name, pinyin, phone tail, e-mail, member no.) with filters; cursor-paginated.',
  })
  @Scopes('customers:read')
  customers(
    @CurrentPrincipal() principal: Principal,
    @Args('q', { type: () => String, nullable: true }) q: string | undefined,
    @Args('filters', { type: () => CustomerFiltersInput, nullable: true })
    filters: CustomerFiltersInput | undefined,
    @Args('first', { type: () => Int, nullable: true }) first: number | undefined,
    @Args('after', { type: () => String, nullable: true }) after: string | undefined,
  ): Promise<CustomerPageModel> {
    if (first !== undefined && first !== null && (first < 1 || first > MAX_LIMIT)) {
      throw DomainError.field('first', 'out_of_range', `first is 1–${MAX_LIMIT}`);
    }
    return this.searching.search(principal, {
      ...(filters ?? {}),
      q: q ?? undefined,
      limit: first ?? undefined,
      cursor: after ?? undefined,
    });
  }

  @Query(() => DuplicatePageModel, {
    description: 'Likely duplicate pairs with reasons and score.',
  })
  @Scopes('customers:read')
  duplicates(
    @CurrentPrincipal() principal: Principal,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
  ): Promise<DuplicatePageModel> {
    return this.searching.duplicates(principal, limit ?? undefined);
  }

  @Mutation(() => CustomerModel)
  @Scopes('customers:write')
  async createCustomer(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateCustomerInput,
  ): Promise<CustomerModel> {
    return (await this.customerService.create(principal, input)).customer;
  }

  @Mutation(() => CustomerModel, {
    description: 'JSON merge patch semantics; ifMatch is the ETag (version) read before.',
  })
  @Scopes('customers:write')
  async updateCustomer(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateCustomerInput,
    @Args('ifMatch', { type: () => String, nullable: true }) ifMatch?: string,
  ): Promise<CustomerModel> {
    return (await this.updates.update(principal, id, input, ifMatch ?? undefined)).customer;
  }

  @Mutation(() => CustomerModel)
  @Scopes('customers:write')
  async mergeCustomers(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: MergeCustomersInput,
  ): Promise<CustomerModel> {
    return (await this.merging.merge(principal, id, input.sourceIds)).customer;
  }

  @Mutation(() => IdentityModel)
  @Scopes('customers:write')
  async addIdentity(
    @CurrentPrincipal() principal: Principal,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('input') input: IdentityInput,
  ): Promise<IdentityModel> {
    return (await this.updates.addIdentity(principal, customerId, input)).identity;
  }

  @ResolveField(() => [IdentityModel])
  identities(
    @Parent() customer: CustomerModel,
    @CurrentPrincipal() principal: Principal,
    @Context('req') request: object,
  ): Promise<IdentityModel[]> {
    return this.loaders.forRequest(request, principal).identities.load(customer.id);
  }

  @ResolveField(() => [FollowUpModel], { description: 'Open follow-ups, soonest due first.' })
  openFollowUps(
    @Parent() customer: CustomerModel,
    @CurrentPrincipal() principal: Principal,
    @Context('req') request: object,
  ): Promise<FollowUpModel[]> {
    return this.loaders.forRequest(request, principal).openFollowUps.load(customer.id);
  }

  @ResolveField(() => [InteractionModel], { description: 'The five newest interactions.' })
  recentInteractions(
    @Parent() customer: CustomerModel,
    @CurrentPrincipal() principal: Principal,
    @Context('req') request: object,
  ): Promise<InteractionModel[]> {
    return this.loaders.forRequest(request, principal).recentInteractions.load(customer.id);
  }
}
