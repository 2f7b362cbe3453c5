import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { Database } from '../../database/database.service';
import {
  BACKUP_FORMAT,
  BackupManifest,
  BackupTable,
  frame,
  FrameReader,
  topologicalOrder,
} from './backup-format';

const IDENT = /^[a-z_][a-z0-9_]*$/;
/** TypeORM's bookkeeping: the target gets it from running the migrations, so it is compared, not copied. */
const MIGRATIONS_TABLE = 'schema_migrations';

export interface BackupProgress {
  table: string;
  tableIndex: number;
  tableCount: number;
  rows: number;
  totalRows: number;
}

const quote = (name: string) => `"${name}"`;

/**
 * `kehu backup` / `kehu restore` without pg_dump: one REPEATABLE READ snapshot, COPY per
 * table (parents first), a manifest with row counts and SHA-256 per table. Restore goes into
 * an empty, migrated database in one transaction and checks every count and checksum before
 * committing, so a damaged file changes nothing.
 */
@Injectable()
export class BackupService {
  constructor(private readonly database: Database) {}

  async backup(file: string, onProgress?: (p: BackupProgress) => void): Promise<BackupManifest> {
    const client = await this.database.pool.connect();
    const gzip = createGzip();
    const done = pipeline(gzip, createWriteStream(file, { mode: 0o600 }));
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const tables = await this.describe(client, true);
      const migrations = await this.migrations(client);
      const sequences = await client.query<{ name: string; value: string | null }>(
        `SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`,
      );
      const header: BackupManifest = {
        format: BACKUP_FORMAT,
        createdAt: new Date().toISOString(),
        migrations,
        tables,
        sequences: sequences.rows,
      };
      await write(gzip, frame('H', header));
      const totalRows = tables.reduce((n, t) => n + t.rows, 0);
      let copied = 0;
      for (const [index, table] of tables.entries()) {
        await write(gzip, frame('T', { name: table.name, columns: table.columns }));
        const hash = createHash('sha256');
        let rows = 0;
        const stream = client.query(
          copyTo(`COPY ${quote(table.name)} (${table.columns.map(quote).join(', ')}) TO STDOUT`),
        );
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          hash.update(chunk);
          rows += countNewlines(chunk);
          await write(gzip, frame('D', chunk));
          onProgress?.({
            table: table.name,
            tableIndex: index,
            tableCount: tables.length,
            rows: copied + rows,
            totalRows,
          });
        }
        copied += rows;
        table.rows = rows;
        table.sha256 = hash.digest('hex');
        await write(gzip, frame('E', { name: table.name, rows, sha256: table.sha256 }));
        onProgress?.({
          table: table.name,
          tableIndex: index + 1,
          tableCount: tables.length,
          rows: copied,
          totalRows,
        });
      }
      await client.query('COMMIT');
      const manifest = { ...header, tables };
      await write(gzip, frame('M', manifest));
      gzip.end();
      await done;
      return manifest;
    } catch (error) {
      gzip.destroy();
      await done.catch(() => undefined);
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async restore(file: string, onProgress?: (p: BackupProgress) => void): Promise<BackupManifest> {
    const client = await this.database.pool.connect();
    let broken = false;
    try {
      const target = await this.describe(client, false);
      const filled: string[] = [];
      for (const table of target) {
        const row = await client.query<{ found: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM ${quote(table.name)}) AS found`,
        );
        if (row.rows[0].found) filled.push(table.name);
      }
      if (filled.length) {
        throw new Error(
          `refusing to restore into a non-empty database (rows in ${filled.slice(0, 5).join(', ')}${filled.length > 5 ? ', …' : ''}); ` +
            'restore needs a new, empty database (migrated or not)',
        );
      }
      const reader = new FrameReader(createReadStream(file).pipe(createGunzip()));
      const first = await reader.next();
      if (first?.type !== 'H') throw new Error('not a Kehu backup file (no header)');
      const header = JSON.parse(first.payload.toString('utf8')) as BackupManifest;
      if (header.format !== BACKUP_FORMAT)
        throw new Error(`unsupported backup format ${header.format}`);
      const migrations = await this.migrations(client);
      if (migrations.join() !== header.migrations.join()) {
        throw new Error(
          `schema mismatch: the backup was taken at migration ${header.migrations.at(-1)}, this database is at ${migrations.at(-1)}`,
        );
      }
      const known = new Map(target.map((t) => [t.name, t]));
      const totalRows = header.tables.reduce((n, t) => n + t.rows, 0);

      await client.query('BEGIN');
      const seen: BackupTable[] = [];
      let copied = 0;
      for (;;) {
        const next = await reader.next();
        if (!next) throw new Error('the backup file is truncated (no manifest)');
        if (next.type === 'M') {
          const manifest = JSON.parse(next.payload.toString('utf8')) as BackupManifest;
          this.checkManifest(manifest, seen);
          for (const sequence of manifest.sequences) {
            if (IDENT.test(sequence.name) && sequence.value !== null) {
              await client.query(`SELECT setval($1::regclass, $2::bigint)`, [
                sequence.name,
                sequence.value,
              ]);
            }
          }
          await client.query('COMMIT');
          return manifest;
        }
        if (next.type !== 'T') throw new Error('the backup file is damaged (expected a table)');
        const start = JSON.parse(next.payload.toString('utf8')) as {
          name: string;
          columns: string[];
        };
        const table = known.get(start.name);
        if (!table || !start.columns.every((c) => table.columns.includes(c) && IDENT.test(c))) {
          throw new Error(`table ${start.name} does not match this database's schema`);
        }
        const hash = createHash('sha256');
        let rows = 0;
        const sink = client.query(
          copyFrom(`COPY ${quote(start.name)} (${start.columns.map(quote).join(', ')}) FROM STDIN`),
        );
        const finished = new Promise<void>((resolve, reject) => {
          sink.on('finish', resolve);
          sink.on('error', reject);
        });
        // A COPY left open would block the ROLLBACK: any failure while it runs aborts it (CopyFail).
        const abort = async (error: unknown): Promise<never> => {
          sink.destroy(error instanceof Error ? error : new Error(String(error)));
          await finished.catch(() => undefined);
          throw error;
        };
        for (;;) {
          const part = await reader.next().catch(abort);
          if (!part) await abort(new Error('the backup file is truncated'));
          if (part!.type === 'E') {
            sink.end();
            await finished;
            const end = JSON.parse(part!.payload.toString('utf8')) as {
              rows: number;
              sha256: string;
            };
            const sha256 = hash.digest('hex');
            if (end.rows !== rows || end.sha256 !== sha256)
              throw new Error(`table ${start.name}: rows or checksum do not match the backup`);
            seen.push({ name: start.name, columns: start.columns, rows, sha256 });
            break;
          }
          if (part!.type !== 'D')
            await abort(new Error('the backup file is damaged (expected data)'));
          hash.update(part!.payload);
          rows += countNewlines(part!.payload);
          if (!sink.write(part!.payload))
            await Promise.race([once(sink, 'drain'), finished]).catch(abort);
          onProgress?.({
            table: start.name,
            tableIndex: seen.length,
            tableCount: header.tables.length,
            rows: copied + rows,
            totalRows,
          });
        }
        copied += rows;
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private checkManifest(manifest: BackupManifest, seen: BackupTable[]): void {
    const got = new Map(seen.map((t) => [t.name, t]));
    for (const table of manifest.tables) {
      const restored = got.get(table.name);
      if (!restored || restored.rows !== table.rows || restored.sha256 !== table.sha256) {
        throw new Error(`table ${table.name}: restored data does not match the manifest`);
      }
    }
    if (seen.length !== manifest.tables.length)
      throw new Error('the backup holds tables its manifest does not list');
  }

  /** Base tables of the public schema (without the migrations table) in foreign-key order, with columns. */
  private async describe(client: PoolClient, withCounts: boolean): Promise<BackupTable[]> {
    const tables = await client.query<{ name: string; columns: string[] }>(
      `SELECT c.relname AS name,
              array_agg(a.attname::text ORDER BY a.attnum) AS columns
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        WHERE c.relkind IN ('r', 'p') AND c.relname <> $1
        GROUP BY c.relname`,
      [MIGRATIONS_TABLE],
    );
    const edges = await client.query<{ child: string; parent: string }>(
      `SELECT cc.relname AS child, pc.relname AS parent
         FROM pg_constraint k JOIN pg_class cc ON cc.oid = k.conrelid JOIN pg_class pc ON pc.oid = k.confrelid
         JOIN pg_namespace n ON n.oid = cc.relnamespace AND n.nspname = 'public'
        WHERE k.contype = 'f'`,
    );
    const byName = new Map(tables.rows.filter((t) => IDENT.test(t.name)).map((t) => [t.name, t]));
    const out: BackupTable[] = [];
    for (const name of topologicalOrder([...byName.keys()], edges.rows)) {
      const table = byName.get(name)!;
      let rows = 0;
      if (withCounts)
        rows = Number(
          (await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(name)}`)).rows[0].n,
        );
      out.push({ name, columns: table.columns, rows });
    }
    return out;
  }

  private async migrations(client: PoolClient): Promise<string[]> {
    const rows = await client.query<{ name: string }>(
      `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY timestamp, name`,
    );
    return rows.rows.map((r) => r.name);
  }
}

function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}

async function write(stream: NodeJS.WritableStream, data: Buffer): Promise<void> {
  if (!stream.write(data)) await once(stream as unknown as NodeJS.EventEmitter, 'drain');
}
