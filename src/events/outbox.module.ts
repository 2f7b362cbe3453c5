import { Global, Module } from '@nestjs/common';
import { JobRegistry } from './job-registry';
import { OutboxService } from './outbox.service';

/** Global so any module can record events and register jobs without importing the events feature. */
@Global()
@Module({ providers: [OutboxService, JobRegistry], exports: [OutboxService, JobRegistry] })
export class OutboxModule {}
