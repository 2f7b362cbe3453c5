import { Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal';
import { DomainError } from '../../common/errors/domain-error';
import { pageLimit } from '../../common/pagination';
import { toAuditEntryModel } from './audit.mapper';
import { AuditService } from './audit.service';
import type { AuditPageModel, AuditQuery, AuditVerifyModel } from './dto/audit.dto';

function decodeSeqCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  const seq = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw DomainError.field('cursor', 'invalid_cursor', 'cursor is not one this API issued.');
  return seq;
}

/** The read side of the audit log for the REST edge: filters, seq-keyset pages, verify. */
@Injectable()
export class AuditQueryService {
  constructor(private readonly audit: AuditService) {}

  async list(principal: Principal, query: AuditQuery): Promise<AuditPageModel> {
    const limit = pageLimit(query);
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from >= to)
      throw DomainError.field('to', 'before_from', 'to must be after from');
    await this.audit.flush();
    const rows = await this.audit.list(principal, {
      customerId: query.customerId?.toLowerCase(),
      actor: query.actor,
      action: query.action,
      from,
      to,
      beforeSeq: decodeSeqCursor(query.cursor),
      limit,
    });
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return {
      items: page.map(toAuditEntryModel),
      nextCursor: more
        ? Buffer.from(String(page[page.length - 1].seq)).toString('base64url')
        : null,
    };
  }

  verify(principal: Principal): Promise<AuditVerifyModel> {
    return this.audit.verify(principal);
  }
}
