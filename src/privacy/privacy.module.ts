import { Module } from '@nestjs/common';
import { ConsentModule } from '../consent/consent.module';
import { CustomersModule } from '../customers/customers.module';
import { AuditModule } from './audit/audit.module';
import { ErasureService } from './erasure.service';
import { BackupService } from './maintenance/backup.service';
import { KeyRotationService } from './maintenance/key-rotation.service';
import { PersonalDataRepository } from './personal-data.repository';
import { PrivacyExportService } from './privacy-export.service';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { PrivacyController } from './privacy.controller';
import { PrivacyService } from './privacy.service';
import { RetentionJob } from './retention.job';

/** Audit log, data-subject requests, erasure and retention (key rotation and backups are CLI commands). */
@Module({
  imports: [AuditModule, ConsentModule, CustomersModule],
  controllers: [PrivacyController],
  providers: [
    PrivacyRequestsRepository,
    PersonalDataRepository,
    PrivacyExportService,
    ErasureService,
    PrivacyService,
    RetentionJob,
    KeyRotationService,
    BackupService,
  ],
  exports: [PrivacyService, ErasureService, RetentionJob, KeyRotationService, BackupService],
})
export class PrivacyModule {}
