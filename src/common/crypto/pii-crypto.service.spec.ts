import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import { PiiCrypto } from './pii-crypto.service';

describe('PiiCrypto', () => {
  const crypto = new PiiCrypto({
    encryptionKeys: [{ id: 'k1', key: randomBytes(32) }],
    blindIndexKey: randomBytes(32),
  } as unknown as AppConfig);

  it('decrypts what it encrypts', () => {
    for (const text of ['', '上海市徐汇区漕溪北路 1 号', '+8613800138000'])
      expect(crypto.decrypt(crypto.encrypt(text))).toBe(text);
  });

  it('tells an empty plaintext from a non-empty one without decrypting (masked address)', () => {
    expect(crypto.hasPlaintext(crypto.encrypt(''))).toBe(false);
    expect(crypto.hasPlaintext(crypto.encrypt('a'))).toBe(true);
    expect(crypto.hasPlaintext(crypto.encrypt('上海市'))).toBe(true);
  });
});
