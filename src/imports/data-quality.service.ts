import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { CustomerIdentityCodec } from '../customers/customer-identity-codec';
import {
  namePinyin,
  normaliseEmail,
  normalisePhone,
  phoneTail,
} from '../customers/customer-normalisation';
import { CustomerTenantSettingsService } from '../customers/customer-tenant-settings';
import { CustomersSearchService } from '../customers/customers-search.service';
import { ContactRow, DataQualityRepository } from './data-quality.repository';
import type {
  DataQualityReportModel,
  DataQualitySampleModel,
  NormaliseResultModel,
} from './dto/data-quality.model';
import { cleanText, toHalfWidth } from './import-values';

const BATCH = 1000;
const DAY_MS = 24 * 3600 * 1000;

interface Verdict {
  phone?: { value: string } | 'invalid';
  email?: { value: string } | 'invalid';
  name?: string;
}

/**
 * Data cleaning: a report of what is wrong with the customer library, and a batched pass that
 * re-normalises phones, e-mails and names with the customers' own rules (trim, full-width →
 * half-width; traditional and simplified Chinese are kept as written).
 */
@Injectable()
export class DataQualityService {
  constructor(
    private readonly db: Database,
    private readonly repository: DataQualityRepository,
    private readonly settings: CustomerTenantSettingsService,
    private readonly search: CustomersSearchService,
    private readonly crypto: PiiCrypto,
    private readonly codec: CustomerIdentityCodec,
    private readonly clock: Clock,
  ) {}

  async report(principal: Principal): Promise<DataQualityReportModel> {
    const duplicates = await this.search.duplicates(principal, 50);
    let invalidPhones = 0;
    let invalidEmails = 0;
    let notNormalised = 0;
    const sample: DataQualitySampleModel[] = [];
    const note = (customerId: string, problem: string) =>
      sample.length < 50 && sample.push({ customerId, problem });
    // Batches keep each read transaction short on a large library.
    let after: string | null = null;
    for (;;) {
      const rows: ContactRow[] = await this.db.withTenant(principal.tenantId, async (tx) => {
        const region = (await this.settings.get(tx)).region;
        const batch = await this.repository.contacts(tx, after, BATCH);
        for (const row of batch) {
          const verdict = this.judge(row, region);
          if (verdict.phone === 'invalid') {
            invalidPhones++;
            note(row.id, 'invalid_phone');
          }
          if (verdict.email === 'invalid') {
            invalidEmails++;
            note(row.id, 'invalid_email');
          }
          if (
            typeof verdict.phone === 'object' ||
            typeof verdict.email === 'object' ||
            verdict.name !== undefined
          ) {
            notNormalised++;
            note(row.id, 'not_normalised');
          }
        }
        return batch;
      });
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1].id;
    }
    return this.db.withTenant(principal.tenantId, async (tx) => {
      const settings = await this.settings.get(tx);
      const counts = await this.repository.counts(
        tx,
        new Date(this.clock.now().getTime() - settings.profileConfirmDays * DAY_MS),
      );
      return {
        customers: Number(counts.active),
        invalidPhones,
        invalidEmails,
        notNormalised,
        missing: {
          name: Number(counts.missing_name),
          phone: Number(counts.missing_phone),
          email: Number(counts.missing_email),
          contact: Number(counts.missing_contact),
          birthday: Number(counts.missing_birthday),
          gender: Number(counts.unknown_gender),
        },
        staleProfiles: Number(counts.stale),
        likelyDuplicates: duplicates.items.length,
        duplicateSample: duplicates.items,
        sample,
      };
    });
  }

  /** Re-normalises every active customer, one transaction per 1,000; invalid values are left and counted. */
  async normalise(principal: Principal): Promise<NormaliseResultModel> {
    const result: NormaliseResultModel = {
      scanned: 0,
      changed: 0,
      invalid: 0,
      conflicts: 0,
      batches: 0,
    };
    let after: string | null = null;
    for (;;) {
      const rows: ContactRow[] = await this.db.withTenant(principal.tenantId, async (tx) => {
        const region = (await this.settings.get(tx)).region;
        const batch = await this.repository.contacts(tx, after, BATCH, true);
        for (const row of batch) await this.fix(tx, row, this.judge(row, region), result);
        return batch;
      });
      result.batches++;
      result.scanned += rows.length;
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1].id;
    }
    return result;
  }

  /** What normalising would change (`{ value }`), or that the value is invalid. */
  private judge(row: ContactRow, region: string): Verdict {
    const verdict: Verdict = {};
    if (row.phone_enc) {
      const stored = this.crypto.decrypt(row.phone_enc);
      const phone = normalisePhone(toHalfWidth(stored), region);
      if (!phone) verdict.phone = 'invalid';
      else if (phone !== stored) verdict.phone = { value: phone };
    }
    if (row.email_enc) {
      const stored = this.crypto.decrypt(row.email_enc);
      const email = normaliseEmail(toHalfWidth(stored));
      if (!email) verdict.email = 'invalid';
      else if (email !== stored) verdict.email = { value: email };
    }
    if (row.name) {
      const name = cleanText(row.name);
      if (name !== row.name && name) verdict.name = name;
    }
    return verdict;
  }

  private async fix(
    tx: Tx,
    row: ContactRow,
    verdict: Verdict,
    result: NormaliseResultModel,
  ): Promise<void> {
    const columns: Record<string, string | null> = {};
    if (verdict.phone === 'invalid') result.invalid++;
    if (verdict.email === 'invalid') result.invalid++;
    if (typeof verdict.phone === 'object') {
      const bidx = this.codec.bidx('phone', verdict.phone.value);
      const holder = await this.repository.identityHolder(tx, 'phone', bidx);
      if (holder && holder !== row.id) result.conflicts++;
      else {
        const enc = this.crypto.encrypt(verdict.phone.value);
        Object.assign(columns, {
          phone_enc: enc,
          phone_bidx: bidx,
          phone_tail_bidx: this.codec.phoneTailBidx(phoneTail(verdict.phone.value)),
        });
        await this.repository.replaceIdentity(
          tx,
          row.id,
          'phone',
          row.phone_bidx,
          this.crypto.encrypt(verdict.phone.value),
          bidx,
        );
      }
    }
    if (typeof verdict.email === 'object') {
      const bidx = this.codec.bidx('email', verdict.email.value);
      const holder = await this.repository.identityHolder(tx, 'email', bidx);
      if (holder && holder !== row.id) result.conflicts++;
      else {
        Object.assign(columns, {
          email_enc: this.crypto.encrypt(verdict.email.value),
          email_bidx: bidx,
        });
        await this.repository.replaceIdentity(
          tx,
          row.id,
          'email',
          row.email_bidx,
          this.crypto.encrypt(verdict.email.value),
          bidx,
        );
      }
    }
    if (verdict.name !== undefined) {
      const pinyin = namePinyin(verdict.name);
      Object.assign(columns, {
        name: verdict.name,
        name_pinyin: pinyin.full,
        name_initials: pinyin.initials,
      });
    }
    if (Object.keys(columns).length) {
      await this.repository.updateContact(tx, row.id, columns);
      result.changed++;
    }
  }
}
