import type { FollowUpModel, InteractionModel } from './dto/follow-up.dto';
import type { FollowUpRow } from './follow-ups.repository';
import type { InteractionRow } from './interactions.repository';

export function toInteractionModel(row: InteractionRow): InteractionModel {
  return {
    id: row.id,
    customerId: row.customer_id,
    type: row.type,
    summary: row.summary,
    outcome: row.outcome,
    staffId: row.staff_id,
    followUpId: row.follow_up_id,
    occurredAt: row.occurred_at.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}

export function toFollowUpModel(row: FollowUpRow): FollowUpModel {
  return {
    id: row.id,
    customerId: row.customer_id,
    reason: row.reason,
    dueAt: row.due_at.toISOString(),
    assignee: row.assignee,
    status: row.status,
    source: row.source,
    outcome: row.outcome,
    completedAt: row.completed_at?.toISOString() ?? null,
    completedBy: row.completed_by,
    createdAt: row.created_at.toISOString(),
  };
}
