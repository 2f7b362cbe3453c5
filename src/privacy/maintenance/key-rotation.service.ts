import { Injectable } from '@nestjs/common';
import { PiiCrypto } from '../../common/crypto/pii-crypto.service';
import { Database } from '../../database/database.service';
import type { Tx } from '../../database/tx';

const IDENT = /^[a-z_][a-z0-9_]*$/;

export interface EncryptedColumn {
  table: string;
  column: string;
}

export interface RotationProgress extends EncryptedColumn {
  rotated: number;
  remaining: number;
}

/**
 * Re-encrypts every `*_enc` column of every table to the newest configured key, in small
 * committed batches (FOR UPDATE SKIP LOCKED, so the API keeps running). It is resumable by
 * construction: each run only picks values not yet under the current key. Until it finishes,
 * every configured key still decrypts, so old keys must stay configured until `remaining` is 0.
 */
@Injectable()
export class KeyRotationService {
  constructor(
    private readonly database: Database,
    private readonly crypto: PiiCrypto,
  ) {}

  async columns(tx?: Tx): Promise<EncryptedColumn[]> {
    const sql = `SELECT c.table_name AS table, c.column_name AS column
                   FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
                  WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.column_name LIKE '%\\_enc' AND c.data_type = 'text'
                  ORDER BY 1, 2`;
    const rows = tx
      ? await tx.query<EncryptedColumn>(sql)
      : await this.database.systemQuery<EncryptedColumn>(sql);
    return rows.filter((r) => IDENT.test(r.table) && IDENT.test(r.column));
  }

  /** Values per key id, per column: what `keys status` prints. */
  async status(): Promise<{ table: string; column: string; keys: Record<string, number> }[]> {
    const out = [];
    for (const { table, column } of await this.columns()) {
      const rows = await this.database.systemQuery<{ key: string; n: string }>(
        `SELECT split_part(${column}, ':', 1) AS key, count(*) AS n FROM ${table} WHERE ${column} IS NOT NULL GROUP BY 1 ORDER BY 1`,
      );
      out.push({ table, column, keys: Object.fromEntries(rows.map((r) => [r.key, Number(r.n)])) });
    }
    return out;
  }

  /**
   * Rotates up to `maxBatches` batches (all when unset); returns per-column progress. Values
   * encrypted under a key that is no longer configured stop the run with an error naming them.
   */
  async rotate(
    options: {
      batchSize?: number;
      maxBatches?: number;
      onProgress?: (p: RotationProgress) => void;
    } = {},
  ): Promise<RotationProgress[]> {
    const batchSize = options.batchSize ?? 500;
    let budget = options.maxBatches ?? Number.POSITIVE_INFINITY;
    const prefix = `${this.crypto.currentKeyId}:`;
    const results: RotationProgress[] = [];
    for (const { table, column } of await this.columns()) {
      let rotated = 0;
      while (budget > 0) {
        const n = await this.database.withSystem(async (tx) => {
          const rows = await tx.query<{ ctid: string; value: string }>(
            `SELECT ctid::text AS ctid, ${column} AS value FROM ${table}
              WHERE ${column} IS NOT NULL AND left(${column}, length($1)) <> $1
              LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`,
            [prefix],
          );
          if (!rows.length) return 0;
          const values = rows.map((r) => {
            try {
              return this.crypto.encrypt(this.crypto.decrypt(r.value));
            } catch (error) {
              throw new Error(
                `${table}.${column}: a value under key "${this.crypto.keyIdOf(r.value)}" cannot be decrypted (${String(error)})`,
              );
            }
          });
          await tx.query(
            `UPDATE ${table} t SET ${column} = v.value
               FROM unnest($1::tid[], $2::text[], $3::text[]) AS v(ctid, value, old)
              WHERE t.ctid = v.ctid AND t.${column} = v.old`,
            [rows.map((r) => r.ctid), values, rows.map((r) => r.value)],
          );
          return rows.length;
        });
        if (!n) break;
        rotated += n;
        budget--;
        options.onProgress?.({
          table,
          column,
          rotated,
          remaining: await this.remaining(table, column, prefix),
        });
      }
      results.push({
        table,
        column,
        rotated,
        remaining: await this.remaining(table, column, prefix),
      });
    }
    return results;
  }

  private async remaining(table: string, column: string, prefix: string): Promise<number> {
    const rows = await this.database.systemQuery<{ n: string }>(
      `SELECT count(*) AS n FROM ${table} WHERE ${column} IS NOT NULL AND left(${column}, length($1)) <> $1`,
      [prefix],
    );
    return Number(rows[0].n);
  }
}
