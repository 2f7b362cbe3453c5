import { Global, Module } from '@nestjs/common';
import { OutboxService } from './outbox.service';

/** Global so any module can record events without importing the events feature. */
@Global()
@Module({ providers: [OutboxService], exports: [OutboxService] })
export class OutboxModule {}
