import { Global, Module } from '@nestjs/common';
import { EventConsentPolicy } from './event-consent';
import { JobRegistry } from './job-registry';
import { OutboxService } from './outbox.service';

/**
 * Global so any module can record events, register jobs and (the consent module) register the
 * marketing-consent checker without importing the events feature.
 */
@Global()
@Module({
  providers: [OutboxService, JobRegistry, EventConsentPolicy],
  exports: [OutboxService, JobRegistry, EventConsentPolicy],
})
export class OutboxModule {}
