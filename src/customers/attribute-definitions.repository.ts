import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import type { AttributeDefinitionLike, AttributeType } from './customer-completeness';

export interface AttributeDefinitionRow {
  key: string;
  label: string;
  type: AttributeType;
  options: string[];
  group: 'hard' | 'soft';
  weight: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'key, label, type, options, "group", weight, created_at, updated_at';

export function toDefinitionLike(row: AttributeDefinitionRow): AttributeDefinitionLike {
  return {
    key: row.key,
    type: row.type,
    options: row.options,
    group: row.group,
    weight: Number(row.weight),
  };
}

@Injectable()
export class AttributeDefinitionsRepository {
  async list(tx: Tx): Promise<AttributeDefinitionRow[]> {
    return tx.query<AttributeDefinitionRow>(
      `SELECT ${COLUMNS} FROM attribute_definitions WHERE tenant_id = $1 ORDER BY key`,
      [tx.tenant],
    );
  }

  async find(tx: Tx, key: string, forUpdate = false): Promise<AttributeDefinitionRow | undefined> {
    return tx.one<AttributeDefinitionRow>(
      `SELECT ${COLUMNS} FROM attribute_definitions WHERE tenant_id = $1 AND key = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [tx.tenant, key],
    );
  }

  /** Undefined when the key already exists. */
  async insert(
    tx: Tx,
    row: Omit<AttributeDefinitionRow, 'created_at' | 'updated_at'>,
    now: Date,
  ): Promise<AttributeDefinitionRow | undefined> {
    return tx.one<AttributeDefinitionRow>(
      `INSERT INTO attribute_definitions (tenant_id, key, label, type, options, "group", weight, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (tenant_id, key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [tx.tenant, row.key, row.label, row.type, row.options, row.group, row.weight, now],
    );
  }

  async update(
    tx: Tx,
    key: string,
    values: { label: string; options: string[]; group: string; weight: string },
    now: Date,
  ): Promise<AttributeDefinitionRow> {
    const row = await tx.one<AttributeDefinitionRow>(
      `UPDATE attribute_definitions SET label = $3, options = $4, "group" = $5, weight = $6, updated_at = $7
        WHERE tenant_id = $1 AND key = $2
       RETURNING ${COLUMNS}`,
      [tx.tenant, key, values.label, values.options, values.group, values.weight, now],
    );
    return row!;
  }
}
