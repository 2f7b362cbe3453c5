import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import type { Tx } from '../database/tx';
import type { FeedbackRow } from './feedback.repository';

/**
 * Everything feedback needs from other features (customers, transactions, follow-ups, loyalty),
 * in one place so the feedback services read as their use cases and the seams are easy to find.
 */
@Injectable()
export class FeedbackLinks {
  /** 422 on `field` when the customer does not exist in the tenant (or is no longer active). */
  async requireCustomer(tx: Tx, customerId: string, field = 'customerId'): Promise<void> {
    // Interim until CustomersService.requireCustomer lands on main.
    const row = await tx.one(`SELECT 1 FROM customers WHERE tenant_id = $1 AND id = $2 AND status = 'active'`, [tx.tenant, customerId]);
    if (!row) throw DomainError.field(field, 'unknown_customer', `${field} does not name a customer of this tenant.`);
  }

  /** The transaction must exist and belong to the same customer (none when no customer is given). */
  async requireTransactionOfCustomer(tx: Tx, transactionId: string, customerId: string | null): Promise<void> {
    // Interim until TransactionsService.findTransactionCustomer lands on main.
    void tx;
    void transactionId;
    void customerId;
  }

  /** The 回访 after a resolved complaint, due in two days, for whoever handled the complaint. */
  async createSatisfactionFollowUp(tx: Tx, feedback: FeedbackRow, now: Date): Promise<void> {
    // Interim until FollowUpsService.create lands on main.
    void tx;
    void feedback;
    void now;
  }

  /**
   * Credits a survey reward through the loyalty ledger (reason `survey_reward`, external id =
   * response id, so one response is rewarded once). Returns the points credited.
   */
  async awardSurveyPoints(tx: Tx, reward: { customerId: string; points: number; responseId: string; surveyId: string }): Promise<number> {
    // Interim until LoyaltyService.awardPoints lands on main.
    void tx;
    void reward;
    return 0;
  }
}
