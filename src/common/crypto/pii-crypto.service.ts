import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, EncryptionKey } from '../../config/app-config';
import { randomBytesPooled } from '../random-pool';

/**
 * Field encryption for personal data (AES-256-GCM) and keyed blind indexes (HMAC-SHA256) for
 * exact look-ups on encrypted values. Ciphertexts carry their key id, so keys can rotate:
 * the newest configured key encrypts, every configured key decrypts.
 */
@Injectable()
export class PiiCrypto {
  private readonly keys: Map<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(private readonly config: AppConfig) {
    this.keys = new Map(config.encryptionKeys.map((k) => [k.id, k.key]));
    this.current = config.encryptionKeys[config.encryptionKeys.length - 1];
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  /** `<keyId>:<base64(iv | tag | ciphertext)>` */
  encrypt(plaintext: string): string {
    const iv = randomBytesPooled(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${this.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  encryptNullable(plaintext: string | null | undefined): string | null {
    return plaintext === null || plaintext === undefined ? null : this.encrypt(plaintext);
  }

  decrypt(value: string): string {
    const colon = value.indexOf(':');
    const key = this.keys.get(value.slice(0, colon));
    if (colon < 1 || !key)
      throw new Error(`no encryption key "${value.slice(0, Math.max(colon, 0))}" is configured`);
    const raw = Buffer.from(value.slice(colon + 1), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  decryptNullable(value: string | null | undefined): string | null {
    return value === null || value === undefined ? null : this.decrypt(value);
  }

  /** Whether a ciphertext holds a non-empty plaintext, told by its length without decrypting. */
  hasPlaintext(value: string): boolean {
    // iv (12) and tag (16) precede the ciphertext, which is as long as the plaintext.
    return Buffer.byteLength(value.slice(value.indexOf(':') + 1), 'base64') > 28;
  }

  keyIdOf(value: string): string {
    return value.slice(0, value.indexOf(':'));
  }

  /**
   * Deterministic keyed digest of a normalised value, namespaced by kind so the same string
   * as a phone and as an e-mail never collide. Without the key it cannot be reversed or
   * brute-forced offline.
   */
  blindIndex(kind: string, normalisedValue: string): string {
    return createHmac('sha256', this.config.blindIndexKey)
      .update(`${kind}\u0000${normalisedValue}`)
      .digest('base64url');
  }
}
