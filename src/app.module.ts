import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { CommonModule } from './common/common.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { formatGraphqlError } from './graphql/graphql-errors';
import { queryLimitsPlugin } from './graphql/query-limits.plugin';
import { IdentityModule } from './identity/identity.module';
import { HealthModule } from './health/health.module';
import { LoyaltyModule } from './loyalty/loyalty.module';
import { TransactionsModule } from './transactions/transactions.module';
import { OutboxModule } from './events/outbox.module';
import { EventsModule } from './events/events.module';
import { CustomerExtensionsModule } from './customers/customer-extensions';
import { FeedbackModule } from './feedback/feedback.module';
import { CustomersModule } from './customers/customers.module';
import { SegmentsModule } from './segments/segments.module';
import { ReportsModule } from './reports/reports.module';
import { ConsentModule } from './consent/consent.module';
import { PrivacyModule } from './privacy/privacy.module';
import { graphqlAuditPlugin } from './privacy/audit/audit-recording';
import { AuditService } from './privacy/audit/audit.service';
import { ImportsModule } from './imports/imports.module';

/** Feature modules; each new capability adds its module here. */
export const FEATURE_MODULES = [
  AuthModule,
  HealthModule,
  CustomersModule,
  FeedbackModule,
  SegmentsModule,
  ReportsModule,
  ConsentModule,
  PrivacyModule,
  EventsModule,
  LoyaltyModule,
  TransactionsModule,
  ImportsModule,
  IdentityModule,
];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, dataSource: DataSource): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(dataSource),
        CommonModule,
        OutboxModule,
        CustomerExtensionsModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [AuditService],
          useFactory: (audit: AuditService) => ({
            path: '/graphql',
            autoSchemaFile: true,
            sortSchema: true,
            introspection: config.graphqlIntrospection,
            playground: false,
            includeStacktraceInErrorResponses: false,
            formatError: formatGraphqlError,
            plugins: [
              queryLimitsPlugin({
                maxDepth: config.graphqlMaxDepth,
                maxComplexity: config.graphqlMaxComplexity,
              }),
              graphqlAuditPlugin(audit),
            ],
          }),
        }),
        ...FEATURE_MODULES,
      ],
    };
  }
}
