import { Injectable } from '@nestjs/common';
import { ConsentService } from '../consent/consent.service';
import { CustomerExtensions } from '../customers/customer-extensions';
import type { Tx } from '../database/tx';
import { AuditRepository } from './audit/audit.repository';
import { toAuditEntryModel } from './audit/audit.mapper';
import { PersonalDataRepository } from './personal-data.repository';

export const EXPORT_FORMAT = 'kehu.privacy-export/1';

/**
 * The access/export bundle: everything Kehu holds about one customer, machine-readable.
 *  - profile (decrypted), identities (decrypted), custom attributes and tags (in profile)
 *  - views other modules add to the customer record (tier, points, stats, rfm, consents …)
 *  - consents: current state and full history with evidence
 *  - related: every table with a customer_id — transactions (+ items), points ledger and lots,
 *    feedback (+ notes, transitions), survey responses, interactions, follow-ups, segment
 *    memberships, customer stats, outbox events — found in the catalogue, so new modules count
 *  - privacyRequests: earlier requests (without their bundles)
 *  - accessLog: every audit entry that names the customer (who accessed their data)
 */
@Injectable()
export class PrivacyExportService {
  constructor(
    private readonly personal: PersonalDataRepository,
    private readonly consent: ConsentService,
    private readonly extensions: CustomerExtensions,
    private readonly audit: AuditRepository,
  ) {}

  async bundle(
    tx: Tx,
    customerId: string,
    now: Date,
  ): Promise<{ bundle: Record<string, unknown>; sections: Record<string, number> }> {
    const profile = await this.personal.profile(tx, customerId);
    const identities = await this.personal.identities(tx, customerId);
    const consents = await this.consent.exportFor(tx, customerId);
    const views = (await this.extensions.loadViews(tx, [customerId])).get(customerId) ?? {};
    const related = await this.personal.related(tx, customerId);
    const privacyRequests = await this.personal.privacyRequests(tx, customerId);
    const accessLog = (await this.audit.forCustomer(tx, customerId, 100_000)).map(
      toAuditEntryModel,
    );
    const sections: Record<string, number> = {
      profile: profile ? 1 : 0,
      identities: identities.length,
      consentEvents: consents.history.length,
      privacyRequests: privacyRequests.length,
      accessLog: accessLog.length,
    };
    for (const [table, rows] of Object.entries(related.rows)) sections[table] = rows.length;
    const bundle = {
      format: EXPORT_FORMAT,
      generatedAt: now.toISOString(),
      customerId,
      includes: Object.keys(sections),
      truncated: related.truncated,
      profile,
      identities,
      views,
      consents,
      related: related.rows,
      privacyRequests,
      accessLog,
    };
    return { bundle, sections };
  }
}
