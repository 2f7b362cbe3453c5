import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ConsentService } from './consent.service';
import { RecordConsentInput } from './dto/consent.input';
import { ConsentEventModel, CustomerConsentsModel } from './dto/consent.model';

@Resolver()
export class ConsentResolver {
  constructor(private readonly consent: ConsentService) {}

  @Query(() => CustomerConsentsModel, { description: "A customer's current consents and history." })
  @Scopes('consent:read')
  customerConsents(
    @CurrentPrincipal() principal: Principal,
    @Args('customerId', { type: () => ID }) customerId: string,
  ): Promise<CustomerConsentsModel> {
    return this.consent.get(principal, customerId);
  }

  @Mutation(() => ConsentEventModel, { description: 'Record a consent or its withdrawal.' })
  @Scopes('consent:write')
  recordConsent(
    @CurrentPrincipal() principal: Principal,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('input') input: RecordConsentInput,
  ): Promise<ConsentEventModel> {
    return this.consent.record(principal, customerId, input);
  }
}
