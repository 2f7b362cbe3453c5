import { PiiCrypto } from '../../src/common/crypto/pii-crypto.service';
import { uuid7 } from '../../src/common/uuid7';
import type { TestApp } from './test-app';

export interface CustomerRowOptions {
  name?: string;
  phone?: string;
  email?: string;
  address?: string;
  birthYear?: number | null;
  birthMonth?: number | null;
  birthDay?: number | null;
  status?: string;
  attributes?: Record<string, unknown>;
  updatedAt?: Date;
}

/**
 * Inserts a customer row straight into the table (as the owner), encrypted the way the
 * customers module stores it. Consent/privacy tests use it so they do not depend on the
 * customers API; anything they assert still goes through HTTP.
 */
export async function insertCustomer(
  t: TestApp,
  tenantId: string,
  options: CustomerRowOptions = {},
): Promise<string> {
  const crypto = t.app.get(PiiCrypto);
  const id = uuid7();
  const phone =
    options.phone ?? `+86138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const email = options.email ?? `c-${id.slice(-8)}@example.com`;
  await t.sql(
    `INSERT INTO customers (tenant_id, id, member_no, status, name, birth_year, birth_month, birth_day, birthday_enc,
                            phone_enc, phone_bidx, phone_tail_bidx, email_enc, email_bidx, address_enc, province, city,
                            tags, attributes, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, '上海', '上海', '{vip}', $16, $17)`,
    [
      tenantId,
      id,
      `M${id.slice(-10)}`,
      options.status ?? 'active',
      options.name ?? '张三',
      options.birthYear === undefined ? 1990 : options.birthYear,
      options.birthMonth === undefined ? 5 : options.birthMonth,
      options.birthDay === undefined ? 17 : options.birthDay,
      crypto.encrypt('1990-05-17'),
      crypto.encrypt(phone),
      crypto.blindIndex('phone', phone),
      crypto.blindIndex('phone_tail', phone.slice(-4)),
      crypto.encrypt(email),
      crypto.blindIndex('email', email),
      crypto.encrypt(options.address ?? '上海市徐汇区漕溪北路 1 号'),
      JSON.stringify(options.attributes ?? { style: 'casual' }),
      options.updatedAt ?? new Date(),
    ],
  );
  await t.sql(
    `INSERT INTO customer_identities (tenant_id, id, customer_id, type, namespace, value_enc, value_bidx)
     VALUES ($1, $2, $3, 'phone', '', $4, $5), ($1, $6, $3, 'wechat_openid', 'wx-app', $7, $8)`,
    [
      tenantId,
      uuid7(),
      id,
      crypto.encrypt(phone),
      crypto.blindIndex('phone', phone),
      uuid7(),
      crypto.encrypt(`o-${id}`),
      crypto.blindIndex('wechat_openid', `o-${id}`),
    ],
  );
  return id;
}
