import { SegmentCustomerModel, SegmentModel, SegmentRefreshJobModel } from './dto/segment.model';
import type { CustomerSampleRow } from './segment-membership.repository';
import type { RefreshJobRow, SegmentRow } from './segments.repository';

export function toSegmentModel(row: SegmentRow): SegmentModel {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    query: row.query_text,
    tree: row.query_tree,
    builtIn: row.builtin_key,
    memberCount: row.member_count,
    refreshedAt: row.refreshed_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toSegmentCustomerModel(row: CustomerSampleRow): SegmentCustomerModel {
  return {
    customerId: row.id,
    memberNo: row.member_no,
    gender: row.gender,
    city: row.city,
    storeId: row.store_id,
    tier: row.tier_code,
    enteredAt: row.entered_at?.toISOString() ?? null,
  };
}

export function toRefreshJobModel(row: RefreshJobRow): SegmentRefreshJobModel {
  return {
    id: row.id,
    segmentId: row.segment_id,
    status: row.status,
    memberCount: row.member_count,
    entered: row.entered_count,
    exited: row.exited_count,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
