import { Module } from '@nestjs/common';
import { AttributeDefinitionsRepository } from './attribute-definitions.repository';
import { CustomerAccessService } from './customer-access.service';
import { CustomerIdentityCodec } from './customer-identity-codec';
import { CustomerProfileBuilder } from './customer-profile-builder';
import { CustomerTenantSettingsService } from './customer-tenant-settings';
import { CustomersController } from './customers.controller';
import { CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';
import { CustomerJsonScalar } from './dto/json-object.scalar';
import { FollowUpsController } from './follow-ups.controller';
import { FollowUpsRepository } from './follow-ups.repository';
import { FollowUpsService } from './follow-ups.service';
import { InteractionsRepository } from './interactions.repository';
import { InteractionsService } from './interactions.service';

/** Customer records, identities, attributes, search, merge, interactions and follow-ups. */
@Module({
  controllers: [CustomersController, FollowUpsController],
  providers: [
    CustomersRepository,
    AttributeDefinitionsRepository,
    InteractionsRepository,
    FollowUpsRepository,
    CustomerTenantSettingsService,
    CustomerIdentityCodec,
    CustomerProfileBuilder,
    CustomerAccessService,
    CustomersService,
    InteractionsService,
    FollowUpsService,
    CustomerJsonScalar,
  ],
  exports: [CustomersService, FollowUpsService, InteractionsService],
})
export class CustomersModule {}
