import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

export interface QualityCountsRow {
  active: string;
  missing_name: string;
  missing_phone: string;
  missing_email: string;
  missing_contact: string;
  missing_birthday: string;
  unknown_gender: string;
  stale: string;
}

export interface ContactRow {
  id: string;
  name: string | null;
  phone_enc: string | null;
  phone_bidx: string | null;
  email_enc: string | null;
  email_bidx: string | null;
}

/** SQL of the data-quality report and the normalisation pass over customers. */
@Injectable()
export class DataQualityRepository {
  async counts(tx: Tx, staleBefore: Date): Promise<QualityCountsRow> {
    return (await tx.one<QualityCountsRow>(
      `SELECT count(*) AS active,
              count(*) FILTER (WHERE name IS NULL) AS missing_name,
              count(*) FILTER (WHERE phone_enc IS NULL) AS missing_phone,
              count(*) FILTER (WHERE email_enc IS NULL) AS missing_email,
              count(*) FILTER (WHERE phone_enc IS NULL AND email_enc IS NULL) AS missing_contact,
              count(*) FILTER (WHERE birth_month IS NULL) AS missing_birthday,
              count(*) FILTER (WHERE gender = 'unknown') AS unknown_gender,
              count(*) FILTER (WHERE confirmed_at IS NULL OR confirmed_at < $2) AS stale
         FROM customers WHERE tenant_id = $1 AND status = 'active'`,
      [tx.tenant, staleBefore],
    ))!;
  }

  /** The next customers with contact data after `afterId` (keyset on id). */
  async contacts(
    tx: Tx,
    afterId: string | null,
    limit: number,
    forUpdate = false,
  ): Promise<ContactRow[]> {
    return tx.query<ContactRow>(
      `SELECT id, name, phone_enc, phone_bidx, email_enc, email_bidx FROM customers
        WHERE tenant_id = $1 AND status = 'active' AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [tx.tenant, afterId, limit],
    );
  }

  async identityHolder(tx: Tx, type: string, bidx: string): Promise<string | undefined> {
    const row = await tx.one<{ customer_id: string }>(
      `SELECT customer_id FROM customer_identities WHERE tenant_id = $1 AND type = $2 AND namespace = '' AND value_bidx = $3`,
      [tx.tenant, type, bidx],
    );
    return row?.customer_id;
  }

  async updateContact(tx: Tx, id: string, columns: Record<string, string | null>): Promise<void> {
    const allowed = [
      'name',
      'name_pinyin',
      'name_initials',
      'phone_enc',
      'phone_bidx',
      'phone_tail_bidx',
      'email_enc',
      'email_bidx',
    ];
    const names = Object.keys(columns).filter((c) => allowed.includes(c));
    if (!names.length) return;
    await tx.query(
      `UPDATE customers SET ${names.map((n, i) => `${n} = $${i + 3}`).join(', ')}, version = version + 1, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id, ...names.map((n) => columns[n])],
    );
  }

  /** Moves the customer's phone or e-mail identity to the re-normalised value. */
  async replaceIdentity(
    tx: Tx,
    customerId: string,
    type: string,
    oldBidx: string | null,
    valueEnc: string,
    bidx: string,
  ): Promise<void> {
    await tx.query(
      `UPDATE customer_identities SET value_enc = $5, value_bidx = $6
        WHERE tenant_id = $1 AND customer_id = $2 AND type = $3 AND namespace = '' AND value_bidx = $4`,
      [tx.tenant, customerId, type, oldBidx, valueEnc, bidx],
    );
  }
}
