import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { AuditQueryService } from './audit-query.service';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/**
 * The audit log, global so any feature can `AuditService.record(...)` without importing the
 * privacy feature. Customer routes and GraphQL customer fields are audited by the hooks and
 * the Apollo plugin in audit-recording.ts.
 */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [AuditController],
  providers: [AuditRepository, AuditService, AuditQueryService],
  exports: [AuditService, AuditRepository],
})
export class AuditModule {}
