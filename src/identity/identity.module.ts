import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { IdentityClaimsService } from './identity-claims.service';
import { IdentityController } from './identity.controller';
import { MatchRulesService } from './match-rules.service';

/** Identity graph: namespaced ids, tenant match rules, merge preview, recorded and undoable merges. */
@Module({
  imports: [CustomersModule],
  controllers: [IdentityController],
  providers: [MatchRulesService, IdentityClaimsService],
})
export class IdentityModule {}
