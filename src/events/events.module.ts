import { Module } from '@nestjs/common';
import { DeliveriesRepository } from './deliveries.repository';
import { EventSequencer } from './event-sequencer.service';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import { EventsWorker } from './events-worker.service';
import { JobScheduler } from './job-scheduler.service';
import { ScheduledRunsRepository } from './scheduled-runs.repository';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * Delivery of the outbox (feed, webhooks) and the daily-job scheduler. OutboxService,
 * JobRegistry and EventConsentPolicy live in the global OutboxModule so features use them
 * without depending on this one.
 */
@Module({
  controllers: [EventsController, WebhooksController],
  providers: [
    EventsRepository,
    WebhooksRepository,
    DeliveriesRepository,
    ScheduledRunsRepository,
    EventSequencer,
    EventsService,
    WebhooksService,
    WebhookDispatcher,
    JobScheduler,
    EventsWorker,
  ],
  exports: [EventSequencer, WebhookDispatcher, JobScheduler, EventsWorker],
})
export class EventsModule {}
