import { Injectable } from '@nestjs/common';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { DomainError } from '../common/errors/domain-error';
import { normaliseEmail, normaliseMemberNo, normalisePhone } from './customer-normalisation';
import { IDENTITY_TYPES, IdentityType } from './dto/customer.input';

export interface NormalisedIdentity {
  type: IdentityType;
  namespace: string;
  /** Normalised clear value (E.164 phone, lower-case e-mail, upper-case member no). */
  value: string;
  /** Keyed blind index: what the unique index and look-ups compare. */
  bidx: string;
  /** Confirmed by the writer (SMS code, WeChat getPhoneNumber). */
  verified?: boolean;
}

/**
 * Types whose ids are only unique within a namespace, which is therefore required: openids per
 * WeChat app id (an official account and a mini-program give one person different openids),
 * unionids per open-platform account, 企业微信 external user ids per corp, external ids per source.
 */
export const NAMESPACED: ReadonlySet<string> = new Set([
  'wechat_openid',
  'wechat_unionid',
  'wework_external_userid',
  'external',
]);

const NAMESPACE_OF: Record<string, string> = {
  wechat_openid: 'the WeChat app id (official account or mini-program)',
  wechat_unionid: 'the WeChat open-platform account',
  wework_external_userid: 'the WeCom (企业微信) corp id',
  external: 'the source system, e.g. shopify:123',
};

/**
 * Turns identity input (`{ type, value, namespace }` or `type:value` / `type:namespace:value`)
 * into the normalised value and blind index, so every path (create, add, look-up, merge) agrees.
 */
@Injectable()
export class CustomerIdentityCodec {
  private readonly tails = new Map<string, string>();

  constructor(private readonly crypto: PiiCrypto) {}

  normalise(
    input: { type: string; value: string; namespace?: string | null; verified?: boolean },
    region: string,
    field = 'identity',
  ): NormalisedIdentity {
    if (!(IDENTITY_TYPES as readonly string[]).includes(input.type)) {
      throw DomainError.field(
        `${field}.type`,
        'not_allowed',
        `identity type must be one of ${IDENTITY_TYPES.join(', ')}`,
      );
    }
    const type = input.type as IdentityType;
    let namespace = (input.namespace ?? '').trim();
    let raw = input.value.trim();
    if (type === 'external' && !namespace) {
      // `shopify:123` names its source inline.
      const colon = raw.indexOf(':');
      if (colon > 0) {
        namespace = raw.slice(0, colon);
        raw = raw.slice(colon + 1);
      }
    }
    if (!NAMESPACED.has(type)) namespace = '';
    if (NAMESPACED.has(type) && !namespace) {
      throw DomainError.field(
        `${field}.namespace`,
        'required',
        `${type} identities need a namespace: ${NAMESPACE_OF[type]}`,
      );
    }
    if (namespace && !/^[A-Za-z0-9_.-]{1,64}$/.test(namespace)) {
      throw DomainError.field(
        `${field}.namespace`,
        'invalid',
        'namespace is 1–64 letters, digits, dot, dash or underscore',
      );
    }
    let value: string | undefined = raw;
    if (type === 'phone') value = normalisePhone(raw, region);
    else if (type === 'email') value = normaliseEmail(raw);
    else if (type === 'member_no')
      value = /^[A-Za-z0-9-]{1,32}$/.test(raw) ? normaliseMemberNo(raw) : undefined;
    else if (!raw || raw.length > 200) value = undefined;
    if (!value) {
      const code =
        type === 'phone' ? 'invalid_phone' : type === 'email' ? 'invalid_email' : 'invalid';
      throw DomainError.field(`${field}.value`, code, `${field} is not a valid ${type}`);
    }
    return {
      type,
      namespace,
      value,
      bidx: this.bidx(type, value),
      verified: input.verified === true,
    };
  }

  /** `type:value` or `type:namespace:value` (the look-up and reference form). */
  parse(ref: string, region: string, field = 'identity'): NormalisedIdentity {
    const colon = ref.indexOf(':');
    if (colon < 1)
      throw DomainError.field(
        field,
        'invalid',
        'identity must be type:value or type:namespace:value',
      );
    const type = ref.slice(0, colon);
    let rest = ref.slice(colon + 1);
    let namespace: string | undefined;
    const second = rest.indexOf(':');
    if (NAMESPACED.has(type) && second > 0) {
      namespace = rest.slice(0, second);
      rest = rest.slice(second + 1);
    }
    return this.normalise({ type, value: rest, namespace }, region, field);
  }

  bidx(type: string, value: string): string {
    return this.crypto.blindIndex(type, value);
  }

  /** At most 10,000 distinct tails: each is keyed once per process, not once per customer. */
  phoneTailBidx(tail: string): string {
    let bidx = this.tails.get(tail);
    if (bidx === undefined) {
      bidx = this.crypto.blindIndex('phone_tail', tail);
      if (this.tails.size < 20_000) this.tails.set(tail, bidx);
    }
    return bidx;
  }
}
