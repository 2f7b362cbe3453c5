import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** True for `whsec_` + base64 of 24–64 bytes (what verifier libraries accept). */
export function isValidWebhookSecret(secret: string): boolean {
  if (!secret.startsWith(PREFIX)) return false;
  const b64 = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  const length = Buffer.from(b64, 'base64').length;
  return length >= 24 && length <= 64;
}

/** The HMAC keys of `whsec_` secrets, decoded once per batch rather than once per delivery. */
export function signingKeys(secrets: string[]): Buffer[] {
  return secrets.map((secret) => Buffer.from(secret.slice(PREFIX.length), 'base64'));
}

/**
 * Standard Webhooks signature header value: `v1,<base64 HMAC-SHA256(id.timestamp.body)>` per
 * secret, space separated, so during a rotation receivers holding either secret verify.
 */
export function signWebhook(
  secrets: string[] | Buffer[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  const keys = secrets.map((s) => (typeof s === 'string' ? signingKeys([s])[0] : s));
  const content = `${messageId}.${timestampSeconds}.${body}`;
  return keys
    .map((key) => `v1,${createHmac('sha256', key).update(content).digest('base64')}`)
    .join(' ');
}
