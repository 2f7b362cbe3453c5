import { Injectable } from '@nestjs/common';
import { ConsentService } from '../consent/consent.service';
import { CustomerExtensions } from '../customers/customer-extensions';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import { PersonalDataRepository } from './personal-data.repository';

export interface ErasureSummary {
  profileColumnsCleared: string[];
  profileColumnsKept: string[];
  identitiesDeleted: number;
  tables: Record<string, string>;
  [key: string]: unknown;
}

/**
 * Irreversible anonymisation of one customer inside the caller's transaction (privacy request
 * or retention job): modules' erase handlers, then the generic policy for other tables,
 * consent evidence, identities, earlier export bundles, outbox payloads, and finally the
 * profile itself becomes a PII-free tombstone with status `erased`.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly personal: PersonalDataRepository,
    private readonly consent: ConsentService,
    private readonly extensions: CustomerExtensions,
    private readonly outbox: OutboxService,
  ) {}

  async erase(
    tx: Tx,
    customerId: string,
    now: Date,
    reason: 'privacy_request' | 'retention',
  ): Promise<ErasureSummary> {
    await this.extensions.runEraseHandlers(tx, customerId);
    const tables = await this.personal.eraseRelated(tx, customerId);
    await this.consent.scrubForErasure(tx, customerId);
    tables.consent_events = 'evidence scrubbed (purpose, status, time kept as proof)';
    const identitiesDeleted = await this.personal.deleteIdentities(tx, customerId);
    await this.personal.scrubPrivacyRequests(tx, customerId);
    tables.privacy_requests = 'export bundles, patches and notes removed';
    await this.personal.scrubEvents(tx, customerId);
    tables.events = 'payloads replaced by { customerId, erased }';
    const profile = await this.personal.eraseProfile(tx, customerId, now);
    await this.outbox.record(tx, {
      type: 'customer.erased',
      customerId,
      subjectType: 'customer',
      subjectId: customerId,
      payload: { customerId, reason },
    });
    return {
      profileColumnsCleared: profile.cleared,
      profileColumnsKept: profile.kept,
      identitiesDeleted,
      tables,
    };
  }
}
