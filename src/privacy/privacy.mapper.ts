import type { PrivacyRequestModel } from './dto/privacy.dto';
import type { PrivacyRequestRow } from './privacy-requests.repository';

export function toPrivacyRequestModel(row: PrivacyRequestRow): PrivacyRequestModel {
  return {
    id: row.id,
    customerId: row.customer_id,
    type: row.type,
    status: row.status,
    requestedBy: row.requested_by,
    deadlineAt: row.deadline_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at ? row.completed_at.toISOString() : null,
    summary: row.result_summary,
    resultUrl: row.result_enc ? `/v1/privacy/requests/${row.id}/result` : null,
  };
}
