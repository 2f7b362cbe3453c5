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
 * Answers a whole batch at once (one query for a dispatcher batch or a feed page): one
 * boolean per input, in input order. The inputs all belong to one tenant.
 */
export type BatchConsentChecker = (inputs: ConsentCheckInput[]) => Promise<boolean[]>;

/** Per input: the answer, or why none could be given (a throwing checker). */
export type ConsentAnswer = boolean | Error;

/**
 * The single place marketing events pass through before leaving Kehu. By default it allows
 * everything; the consent module registers a checker once at start-up to consult the consent
 * service instead. Non-marketing events never reach the checker.
 */
@Injectable()
export class EventConsentPolicy {
  private checker: (inputs: ConsentCheckInput[]) => Promise<ConsentAnswer[]> = (inputs) =>
    Promise.resolve(inputs.map(() => true));

  /** Replaces the checker with a per-event one (the last registration wins). */
  register(checker: ConsentChecker): void {
    this.checker = (inputs) =>
      Promise.all(
        inputs.map(async (input) => {
          try {
            return Boolean(await checker(input));
          } catch (error) {
            return toError(error);
          }
        }),
      );
  }

  /** Replaces the checker with a set-based one (the last registration wins). */
  registerBatch(checker: BatchConsentChecker): void {
    this.checker = async (inputs) => {
      try {
        const answers = await checker(inputs);
        return inputs.map((_, i) => Boolean(answers[i]));
      } catch (error) {
        const failure = toError(error);
        return inputs.map(() => failure);
      }
    };
  }

  isMarketing(type: string): boolean {
    return MARKETING_EVENT_TYPES.has(type);
  }

  /** True when the event may go to the subscriber. A throwing checker propagates: the caller decides. */
  async allows(input: ConsentCheckInput): Promise<boolean> {
    const [answer] = await this.allowsMany([input]);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  /**
   * One answer per input, in order, asking the checker once for all marketing events among
   * them; an Error in place of an answer says the check failed for that input.
   */
  async allowsMany(inputs: ConsentCheckInput[]): Promise<ConsentAnswer[]> {
    const answers: ConsentAnswer[] = inputs.map(() => true);
    const marketing = inputs.flatMap((input, i) => (this.isMarketing(input.type) ? [i] : []));
    if (!marketing.length) return answers;
    const checked = await this.checker(marketing.map((i) => inputs[i]));
    marketing.forEach((i, k) => (answers[i] = checked[k]));
    return answers;
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
