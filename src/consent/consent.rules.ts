/** Purposes a customer can consent to (PIPL / GDPR legal bases that need consent). */
export const CONSENT_PURPOSES = [
  'marketing',
  'analytics',
  'profiling',
  'third_party_sharing',
  'sensitive_data',
  'cross_border',
] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** Channels a marketing consent is given for; other purposes are channel-less. */
export const CONSENT_CHANNELS = ['sms', 'email', 'phone', 'wechat', 'push', 'mail'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

export const CONSENT_STATUSES = ['granted', 'withdrawn'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** Purposes that need a guardian's consent for a child under 14 (PIPL art. 31) before they count. */
export const GUARDIAN_PURPOSES: readonly ConsentPurpose[] = ['marketing', 'profiling'];

/**
 * Custom attribute keys that are sensitive personal information (PIPL art. 28) by default:
 * storing any of them needs a granted `sensitive_data` consent.
 */
export const SENSITIVE_ATTRIBUTE_KEYS: readonly string[] = [
  'id_number',
  'passport_number',
  'health',
  'medical',
  'precise_location',
  'biometric',
  'religion',
  'financial_account',
];

export function isChanneled(purpose: ConsentPurpose): boolean {
  return purpose === 'marketing';
}

export interface BirthParts {
  year: number | null;
  month: number | null;
  day: number | null;
}

/**
 * Under 14 on the clear birth columns, the same rule as SQL `kehu_under_14`: an unknown month
 * or day counts as the latest possible, so an uncertain birthday errs towards "minor".
 * `today` is the tenant-local date, YYYY-MM-DD.
 */
export function isUnder14(birth: BirthParts, today: string): boolean {
  if (birth.year === null || birth.year === undefined) return false;
  const [y, m, d] = today.split('-').map(Number);
  const born = [birth.year, birth.month ?? 12, birth.day ?? 31];
  const limit = [y - 14, m, d];
  for (let i = 0; i < 3; i++) {
    if (born[i] !== limit[i]) return born[i] > limit[i];
  }
  return false;
}

/** The calendar date at `now` in an IANA time zone, YYYY-MM-DD. */
export function localDate(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
