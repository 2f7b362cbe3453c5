import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { CustomersService } from '../customers/customers.service';
import { FollowUpsService } from '../customers/follow-ups.service';
import { LoyaltyService } from '../loyalty/loyalty.service';
import { TransactionsService } from '../transactions/transactions.service';
import type { Tx } from '../database/tx';
import type { FeedbackRow } from './feedback.repository';

/** How long after a complaint is resolved the satisfaction call-back (回访) is due. */
const FOLLOW_UP_AFTER_MS = 2 * 86_400_000;

/**
 * Everything feedback needs from other features (customers, transactions, follow-ups, loyalty),
 * in one place so the feedback services read as their use cases and the seams are easy to find.
 */
@Injectable()
export class FeedbackLinks {
  constructor(
    private readonly customers: CustomersService,
    private readonly followUps: FollowUpsService,
    private readonly transactions: TransactionsService,
    private readonly loyalty: LoyaltyService,
  ) {}

  /**
   * The customer a body field names, following merges to the survivor; a 422 on that field
   * when there is none in this tenant or it is no longer active (archived, erased).
   */
  async requireCustomer(tx: Tx, customerId: string, field = 'customerId'): Promise<string> {
    let customer: { id: string; status: string };
    try {
      customer = await this.customers.requireCustomer(tx, customerId);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_found') {
        throw DomainError.field(
          field,
          'unknown_customer',
          `${field} does not name a customer of this tenant.`,
        );
      }
      throw error;
    }
    if (customer.status !== 'active')
      throw DomainError.field(field, 'inactive_customer', `The customer is ${customer.status}.`);
    return customer.id;
  }

  /**
   * The transaction must exist and belong to the feedback's customer. Without a customer the
   * transaction's own customer is the one the feedback concerns, so it is returned to link it.
   * Both sides are compared after following merges.
   */
  async requireTransactionOfCustomer(
    tx: Tx,
    transactionId: string,
    customerId: string | null,
  ): Promise<string | null> {
    const owner = await this.transactions.findTransactionCustomer(tx, transactionId);
    if (owner === undefined)
      throw DomainError.field(
        'transactionId',
        'unknown_transaction',
        'transactionId does not name a transaction of this tenant.',
      );
    const survivor = owner === null ? null : (await this.customers.requireCustomer(tx, owner)).id;
    if (customerId !== null && survivor !== customerId) {
      throw DomainError.field(
        'transactionId',
        'other_customer',
        'The transaction belongs to another customer (or to none).',
      );
    }
    return survivor;
  }

  /**
   * The 回访 after a resolved complaint, due in two days, for whoever handled the complaint.
   * Keyed by the item's version, so each resolution (after a reopen too) gets one call-back.
   */
  async createSatisfactionFollowUp(
    tx: Tx,
    feedback: FeedbackRow,
    now: Date,
  ): Promise<string | undefined> {
    return this.followUps.create(tx, {
      customerId: feedback.customer_id!,
      reason: `Satisfaction call-back: ${feedback.subject}`.slice(0, 200),
      dueAt: new Date(now.getTime() + FOLLOW_UP_AFTER_MS),
      assignee: feedback.assignee,
      source: 'feedback',
      sourceKey: `feedback:${feedback.id}:${feedback.version}`,
    });
  }

  /** Completes the call-back (which also logs the contact as an interaction). */
  async completeFollowUp(
    tx: Tx,
    followUpId: string,
    completion: { outcome: string; by: string; type?: string },
  ): Promise<void> {
    await this.followUps.complete(tx, { id: followUpId, ...completion });
  }

  /**
   * Credits a survey reward through the loyalty ledger (reason `survey_reward`, external id =
   * response id, so one response is rewarded once). Returns the points credited.
   */
  async awardSurveyPoints(
    tx: Tx,
    reward: { customerId: string; points: number; responseId: string; surveyId: string },
  ): Promise<number> {
    await this.loyalty.awardPoints(tx, {
      customerId: reward.customerId,
      points: reward.points,
      reason: 'survey_reward',
      source: 'survey',
      externalId: reward.responseId,
      actor: `survey:${reward.surveyId}`,
    });
    return reward.points;
  }
}
