import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainError } from './errors/domain-error';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** `limit` and opaque `cursor` query parameters of every list endpoint. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's `nextCursor`." })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/** Position after the last row of a page, for keyset pagination on (created_at, id) descending. */
export interface Keyset {
  createdAt: string;
  id: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(position: Keyset): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Keyset | undefined {
  if (!cursor) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      string,
      string,
    ];
    if (
      typeof createdAt !== 'string' ||
      typeof id !== 'string' ||
      Number.isNaN(Date.parse(createdAt))
    )
      throw new Error();
    return { createdAt, id };
  } catch {
    throw DomainError.field('cursor', 'invalid_cursor', 'cursor is not one this API issued.');
  }
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only says there is more.
 * Rows must carry created_at and id (the keyset).
 */
export function toPage<Row extends { created_at: Date; id: string }, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor:
      more && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : null,
  };
}

/** SQL fragment and params for "after this cursor", newest first. `offset` is the next $n. */
export function keysetCondition(
  keyset: Keyset | undefined,
  offset: number,
  alias = '',
): { sql: string; params: unknown[] } {
  if (!keyset) return { sql: 'true', params: [] };
  const prefix = alias ? `${alias}.` : '';
  return {
    sql: `(${prefix}created_at, ${prefix}id) < ($${offset}::timestamptz, $${offset + 1}::uuid)`,
    params: [keyset.createdAt, keyset.id],
  };
}

export function pageLimit(query: PageQuery): number {
  return query.limit ?? DEFAULT_LIMIT;
}
