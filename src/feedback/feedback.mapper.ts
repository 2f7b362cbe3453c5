import { FeedbackModel, FeedbackNoteModel, FeedbackTransitionModel } from './dto/feedback.model';
import { allowedTransitions, OPEN_STATUSES } from './feedback-workflow';
import type { FeedbackRow, NoteRow, TransitionRow } from './feedback.repository';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function toFeedbackModel(
  row: FeedbackRow,
  now: Date,
  transitions?: TransitionRow[],
): FeedbackModel {
  return {
    id: row.id,
    customerId: row.customer_id,
    type: row.type,
    channel: row.channel,
    severity: row.severity,
    status: row.status,
    allowedTransitions: [...allowedTransitions(row.status)],
    subject: row.subject,
    body: row.body,
    storeId: row.store_id,
    transactionId: row.transaction_id,
    assignee: row.assignee,
    category: row.category,
    resolution: row.resolution,
    dueAt: row.due_at.toISOString(),
    overdue: OPEN_STATUSES.includes(row.status) && row.due_at.getTime() < now.getTime(),
    firstResponseAt: iso(row.first_response_at),
    resolvedAt: iso(row.resolved_at),
    closedAt: iso(row.closed_at),
    followUpId: row.follow_up_id,
    followUpCsat: row.follow_up_csat,
    createdBy: row.created_by,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    ...(transitions ? { transitions: transitions.map(toTransitionModel) } : {}),
  };
}

export function toTransitionModel(row: TransitionRow): FeedbackTransitionModel {
  return {
    id: row.id,
    from: row.from_status,
    to: row.to_status,
    actor: row.actor,
    note: row.note,
    at: row.created_at.toISOString(),
  };
}

export function toNoteModel(row: NoteRow): FeedbackNoteModel {
  return {
    id: row.id,
    feedbackId: row.feedback_id,
    author: row.author,
    body: row.body,
    createdAt: row.created_at.toISOString(),
  };
}
