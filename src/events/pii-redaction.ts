/**
 * Keys that hold personal data wherever they appear in an event payload. Producers should put
 * personal data under `pii` (removed as a whole) or use these names; see docs/DEVELOPING.md.
 */
export const PII_KEYS: ReadonlySet<string> = new Set([
  'pii',
  'name',
  'phone',
  'email',
  'address',
  'birthday',
  'birthDate',
  'idNumber',
  'wechatOpenid',
  'wechatUnionid',
]);

/** Identity types whose `value` is personal data ({ type: 'phone', value: '+86…' }). */
const IDENTITY_TYPES: ReadonlySet<string> = new Set([
  'phone',
  'email',
  'member_no',
  'wechat_openid',
  'wechat_unionid',
  'wework_external_userid',
  'external',
]);

/**
 * A copy of the payload without personal data, for subscribers whose client lacks `pii:read`.
 * Identity values are personal data too (a phone number is one), so identities keep only type.
 */
export function redactPii(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPii);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (PII_KEYS.has(key)) continue;
    if (key === 'value' && IDENTITY_TYPES.has(String((value as Record<string, unknown>).type)))
      continue;
    out[key] = redactPii(inner);
  }
  return out;
}
