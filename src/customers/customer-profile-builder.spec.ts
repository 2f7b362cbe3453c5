import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { computeCompleteness, DEFAULT_COMPLETENESS_WEIGHTS } from './customer-completeness';
import { CustomerIdentityCodec } from './customer-identity-codec';
import { CustomerProfileBuilder } from './customer-profile-builder';
import type { CustomerTenantSettings } from './customer-tenant-settings';
import type { CustomerRow } from './customers.repository';

describe('CustomerProfileBuilder completeness', () => {
  const crypto = new PiiCrypto({
    encryptionKeys: [{ id: 'k1', key: randomBytes(32) }],
    blindIndexKey: randomBytes(32),
  } as unknown as AppConfig);
  const builder = new CustomerProfileBuilder(crypto, new CustomerIdentityCodec(crypto));
  const settings: CustomerTenantSettings = {
    region: 'CN',
    timeZone: 'Asia/Shanghai',
    memberNoPrefix: 'M',
    profileConfirmDays: 7,
    welcomeCallDays: 3,
    completenessWeights: DEFAULT_COMPLETENESS_WEIGHTS,
  };
  const none = {
    name: false,
    gender: false,
    birthday: false,
    phone: false,
    email: false,
    address: false,
    clothingSize: false,
    shoeSize: false,
    preferredStoreId: false,
  };
  const score = (filled: Partial<typeof none>) =>
    computeCompleteness({ ...none, ...filled }, {}, [], DEFAULT_COMPLETENESS_WEIGHTS);

  it('scores a new profile by the fields it sets', () => {
    const change = builder.apply(
      { name: '王伟', phone: '13800138000', gender: 'female' },
      undefined,
      settings,
      [],
    );
    expect(change.columns.completeness).toBe(score({ name: true, phone: true, gender: true }));
  });

  it('counts stored fields the change leaves alone and drops the ones it clears', () => {
    const stored = {
      name: '王伟',
      gender: 'male',
      birth_month: 5,
      phone_enc: crypto.encrypt('+8613800138000'),
      email_enc: crypto.encrypt('a@example.com'),
      city: '上海',
      tags: [],
      attributes: {},
    } as unknown as Partial<CustomerRow>;
    const change = builder.apply({ email: null, shoeSize: '42' }, stored, settings, []);
    expect(change.columns.email_enc).toBeNull();
    expect(change.columns.completeness).toBe(
      score({
        name: true,
        gender: true,
        birthday: true,
        phone: true,
        address: true,
        shoeSize: true,
      }),
    );
    // A gender reset to unknown no longer counts, whatever was stored.
    expect(builder.apply({ gender: null }, stored, settings, []).columns.completeness).toBe(
      score({ name: true, birthday: true, phone: true, email: true, address: true }),
    );
  });
});
