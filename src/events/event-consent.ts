import { Injectable } from '@nestjs/common';
import { MARKETING_EVENT_TYPES } from './event-catalog';

/** What a consent checker is asked about: one marketing event going to one subscriber. */
export interface ConsentCheckInput {
  tenantId: string;
  eventId: string;
  type: string;
  customerId: string | null;
  payload: Record<string, unknown>;
  /** Who would receive it: a webhook subscription or a feed reader (API client / staff). */
  subscriber: { kind: 'webhook' | 'feed'; id: string };
}

/** Answers whether the customer consented to this marketing use; may be async. */
export type ConsentChecker = (input: ConsentCheckInput) => boolean | Promise<boolean>;

/**
 * The single place marketing events pass through before leaving Kehu. By default it allows
 * everything; the consent module calls `register(checker)` once at start-up to consult the
 * consent service instead. Non-marketing events never reach the checker.
 */
@Injectable()
export class EventConsentPolicy {
  private checker: ConsentChecker = () => true;

  /** Replaces the checker (the last registration wins; there is one consent service). */
  register(checker: ConsentChecker): void {
    this.checker = checker;
  }

  isMarketing(type: string): boolean {
    return MARKETING_EVENT_TYPES.has(type);
  }

  /** True when the event may go to the subscriber. A throwing checker propagates: the caller decides. */
  async allows(input: ConsentCheckInput): Promise<boolean> {
    if (!this.isMarketing(input.type)) return true;
    return Boolean(await this.checker(input));
  }
}
