import { CONSENT_CHANNELS, ConsentPurpose, CONSENT_PURPOSES } from './consent.rules';

const ALIAS = /^[a-z_][a-z0-9_]*$/i;
const PARAM = /^\$\d{1,3}$/;

/**
 * A boolean SQL expression: the customer behind `customerAlias` (a row of `customers`) may be
 * processed for `purpose` (on the channel in `channelRef`, for marketing). Set-based, so a
 * segment export of a million rows stays one query. It requires: customer active (not erased,
 * merged or archived), consent granted for the key, no active restriction for marketing and
 * profiling, and a guardian on the grant for a child under 14 (marketing, profiling).
 *
 * `channelRef` is a placeholder (`$3`) or a channel from the allow-list, never caller text.
 */
export function consentAllowedSql(
  customerAlias: string,
  purpose: ConsentPurpose,
  channelRef?: string,
): string {
  if (!ALIAS.test(customerAlias)) throw new Error(`invalid SQL alias "${customerAlias}"`);
  if (!CONSENT_PURPOSES.includes(purpose)) throw new Error(`unknown consent purpose "${purpose}"`);
  let channel = `''`;
  if (purpose === 'marketing') {
    if (!channelRef) throw new Error('marketing needs a channel');
    if (PARAM.test(channelRef)) channel = `${channelRef}::text`;
    else if ((CONSENT_CHANNELS as readonly string[]).includes(channelRef))
      channel = `'${channelRef}'`;
    else
      throw new Error(`channel must be a $n placeholder or a known channel, got "${channelRef}"`);
  }
  const c = customerAlias;
  const guarded = purpose === 'marketing' || purpose === 'profiling';
  const restricted = guarded
    ? ` AND NOT EXISTS (SELECT 1 FROM privacy_restrictions pr WHERE pr.tenant_id = ${c}.tenant_id AND pr.customer_id = ${c}.id)`
    : '';
  const minor = guarded
    ? ` AND (cs.guardian OR NOT kehu_under_14(${c}.birth_year, ${c}.birth_month, ${c}.birth_day, current_date))`
    : '';
  return (
    `(${c}.status = 'active' AND EXISTS (SELECT 1 FROM consent_state cs` +
    ` WHERE cs.tenant_id = ${c}.tenant_id AND cs.customer_id = ${c}.id AND cs.purpose = '${purpose}'` +
    ` AND cs.channel = ${channel} AND cs.status = 'granted'${minor})${restricted})`
  );
}

/** `consentAllowedSql(alias, 'marketing', channelRef)`: the filter for channel exports and campaigns. */
export function marketingAllowedSql(customerAlias: string, channelRef: string): string {
  return consentAllowedSql(customerAlias, 'marketing', channelRef);
}
