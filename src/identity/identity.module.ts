import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { IdentityClaimsService } from './identity-claims.service';
import { IdentityController } from './identity.controller';
import { IdentityResolver } from './identity.resolver';
import { MergePreviewService } from './merge-preview.service';
import { MergeSnapshotRepository } from './merge-snapshot.repository';
import { MergesController } from './merges.controller';
import { MergesRepository } from './merges.repository';
import { MergesService } from './merges.service';
import { MatchRulesService } from './match-rules.service';

/** Identity graph: namespaced ids, tenant match rules, merge preview, recorded and undoable merges. */
@Module({
  imports: [CustomersModule],
  controllers: [IdentityController, MergesController],
  providers: [
    IdentityResolver,
    MatchRulesService,
    IdentityClaimsService,
    MergeSnapshotRepository,
    MergesRepository,
    MergesService,
    MergePreviewService,
  ],
})
export class IdentityModule {}
