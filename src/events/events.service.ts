import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { Database } from '../database/database.service';
import type { EventFeedQuery, EventPage } from './dto/event.model';
import { isEventType } from './event-catalog';
import { EventConsentPolicy } from './event-consent';
import { EventSequencer } from './event-sequencer.service';
import { toEventModel } from './events.mapper';
import { EventsRepository } from './events.repository';

const DEFAULT_FEED_LIMIT = 100;

/** The pull feed: the tenant's events in seq order, as webhooks would deliver them. */
@Injectable()
export class EventsService {
  constructor(
    private readonly database: Database,
    private readonly events: EventsRepository,
    private readonly sequencer: EventSequencer,
    private readonly consent: EventConsentPolicy,
  ) {}

  async feed(principal: Principal, query: EventFeedQuery): Promise<EventPage> {
    const after = Number(query.after ?? '0');
    const types = query.types
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const unknown = types?.filter((t) => !isEventType(t)) ?? [];
    if (unknown.length) {
      throw DomainError.field(
        'types',
        'unknown_event_type',
        `unknown event type(s): ${unknown.join(', ')}`,
      );
    }
    // Sequence what has committed so far, so a reader never waits for the background loop.
    await this.sequencer.sequenceTenant(principal.tenantId);
    const rows = await this.database.withTenant(principal.tenantId, (tx) =>
      this.events.feed(
        tx,
        after,
        types?.length ? types : undefined,
        query.limit ?? DEFAULT_FEED_LIMIT,
      ),
    );
    const piiAllowed = principal.scopes.has('pii:read');
    const subscriber = { kind: 'feed' as const, id: `${principal.kind}:${principal.subject}` };
    const answers = await this.consent.allowsMany(
      rows.map((row) => ({
        tenantId: principal.tenantId,
        eventId: row.id,
        type: row.type,
        customerId: row.customer_id,
        payload: row.payload,
        subscriber,
      })),
    );
    // When consent cannot be established (an Error), a marketing event does not go out.
    const items = rows
      .filter((_, i) => answers[i] === true)
      .map((row) => toEventModel(row, piiAllowed));
    // The cursor moves past suppressed events too: they are not coming back.
    return { items, nextCursor: rows.length ? String(rows[rows.length - 1].seq) : String(after) };
  }
}
