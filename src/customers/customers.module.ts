import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AttributeDefinitionsController } from './attribute-definitions.controller';
import { AttributeDefinitionsService } from './attribute-definitions.service';
import { CustomerIdentitiesController } from './customer-identities.controller';
import { CustomerJobsService } from './customer-jobs.service';
import { CustomerMergeService } from './customer-merge.service';
import { CustomerUpdatesService } from './customer-updates.service';
import { CustomersSearchRepository } from './customers-search.repository';
import { CustomersSearchService } from './customers-search.service';
import { AttributeDefinitionsRepository } from './attribute-definitions.repository';
import { CustomerAccessService } from './customer-access.service';
import { CustomerIdentityClaimsService } from './customer-identity-claims.service';
import { CustomerIdentityCodec } from './customer-identity-codec';
import { CustomerProfileBuilder } from './customer-profile-builder';
import { CustomerTenantSettingsService } from './customer-tenant-settings';
import { CustomerLoadersService } from './customer-loaders.service';
import { CustomersController } from './customers.controller';
import { CustomersResolver } from './customers.resolver';
import { FollowUpsResolver } from './follow-ups.resolver';
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
  controllers: [
    CustomersController,
    CustomerIdentitiesController,
    AttributeDefinitionsController,
    FollowUpsController,
  ],
  providers: [
    CustomersRepository,
    AttributeDefinitionsRepository,
    InteractionsRepository,
    FollowUpsRepository,
    CustomerTenantSettingsService,
    CustomerIdentityCodec,
    CustomerProfileBuilder,
    CustomerAccessService,
    CustomerIdentityClaimsService,
    CustomersService,
    CustomerUpdatesService,
    CustomersSearchRepository,
    CustomersSearchService,
    CustomerMergeService,
    CustomerJobsService,
    AttributeDefinitionsService,
    InteractionsService,
    FollowUpsService,
    CustomerJsonScalar,
    CustomerLoadersService,
    CustomersResolver,
    FollowUpsResolver,
  ],
  exports: [
    CustomersService,
    CustomerUpdatesService,
    CustomerIdentityClaimsService,
    CustomersSearchService,
    FollowUpsService,
    InteractionsService,
    CustomerJobsService,
    CustomerMergeService,
    CustomersRepository,
    CustomerIdentityCodec,
  ],
})
export class CustomersModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** PATCH bodies are JSON merge patches (RFC 7396); parse them like JSON. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (
      !fastify?.addContentTypeParser ||
      fastify.hasContentTypeParser('application/merge-patch+json')
    )
      return;
    fastify.addContentTypeParser(
      'application/merge-patch+json',
      { parseAs: 'string' },
      fastify.getDefaultJsonParser('error', 'error'),
    );
  }
}
