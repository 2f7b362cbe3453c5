import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AttributeDefinitionsRepository } from '../customers/attribute-definitions.repository';
import { CustomerIdentityCodec } from '../customers/customer-identity-codec';
import { CustomerProfileBuilder } from '../customers/customer-profile-builder';
import { CustomerTenantSettingsService } from '../customers/customer-tenant-settings';
import { CustomerImportPreparer } from './customer-import.preparer';
import { CustomerImportProcessor } from './customer-import.processor';
import { CustomerImportRepository } from './customer-import.repository';
import { ImportWorker } from './import-worker';
import { DataQualityController } from './data-quality.controller';
import { DataQualityRepository } from './data-quality.repository';
import { DataQualityService } from './data-quality.service';
import { CustomersModule } from '../customers/customers.module';
import { TransactionImportProcessor } from './transaction-import.processor';
import { TransactionsModule } from '../transactions/transactions.module';
import { LoyaltyModule } from '../loyalty/loyalty.module';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';

const STREAMED_TYPES = ['text/csv', 'application/x-ndjson', 'application/ndjson'];

/**
 * Bulk imports of customers and transactions. The customers' builder, codec and settings are
 * provided here too (they are stateless), so imports normalise and encrypt exactly as the API.
 */
@Module({
  imports: [TransactionsModule, LoyaltyModule, CustomersModule],
  controllers: [ImportsController, DataQualityController],
  providers: [
    ImportsRepository,
    CustomerImportRepository,
    CustomerImportPreparer,
    CustomerImportProcessor,
    ImportWorker,
    TransactionImportProcessor,
    ImportsService,
    DataQualityRepository,
    DataQualityService,
    AttributeDefinitionsRepository,
    CustomerTenantSettingsService,
    CustomerIdentityCodec,
    CustomerProfileBuilder,
  ],
  exports: [ImportsService],
})
export class ImportsModule implements OnModuleInit {
  constructor(private readonly adapter: HttpAdapterHost) {}

  /**
   * CSV and NDJSON bodies reach the import route as the raw stream (no buffering, no global
   * body limit: the service counts bytes up to 2 GB). Other routes refuse these types.
   */
  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance() as FastifyInstance | undefined;
    if (!fastify || fastify.hasContentTypeParser('text/csv')) return;
    fastify.addContentTypeParser(STREAMED_TYPES, (request, payload, done) => {
      if (request.routeOptions?.url !== '/v1/imports' || request.method !== 'POST') {
        done(
          Object.assign(new Error('This route does not take CSV or NDJSON bodies.'), {
            statusCode: 415,
          }),
          undefined,
        );
        return;
      }
      done(null, payload);
    });
  }
}
