import { Module } from '@nestjs/common';
import { ConsentModule } from '../consent/consent.module';
import { AuditModule } from './audit/audit.module';

/** Audit log, data-subject requests, key rotation, backups and retention. */
@Module({
  imports: [AuditModule, ConsentModule],
})
export class PrivacyModule {}
