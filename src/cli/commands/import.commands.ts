import { createReadStream, readFileSync, statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ALL_SCOPES, Principal } from '../../auth/principal';
import { CliCommand, CliUsageError } from '../cli-context';
import type { ImportModel } from '../../imports/dto/import.model';
import { IMPORT_KINDS, ImportKind } from '../../imports/import-mapping';
import { ImportsService } from '../../imports/imports.service';

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** One progress line: a bar on a terminal, plain text otherwise (logs, CI). */
export function progressLine(
  phase: string,
  done: number,
  total: number,
  rate: number,
  unit: string,
  width = 30,
): string {
  const fraction = total ? Math.min(done / total, 1) : 0;
  const eta = rate > 0 && total ? (total - done) / rate : NaN;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  return `${phase.padEnd(9)} ${bar} ${(fraction * 100).toFixed(1).padStart(5)}%  ${done.toLocaleString('en')} ${unit}  ${Math.round(rate).toLocaleString('en')}/s  ETA ${formatDuration(eta)}`;
}

/**
 * `kehu import customers|transactions <file> --map map.json [--tenant demo] [--charset gb18030] [--dry-run]`.
 * Runs the same service as POST /v1/imports in this process (`.gz` files are unpacked on the
 * fly), showing upload then merge progress: rows, rate and ETA.
 */
export const importCommand: CliCommand = async (args, context) => {
  const kind = args.words[1] as ImportKind;
  const file = args.words[2];
  if (!IMPORT_KINDS.includes(kind) || !file)
    throw new CliUsageError(
      'usage: kehu import customers|transactions <file.csv|.ndjson[.gz]> --map map.json [--tenant demo] [--charset utf-8|gb18030] [--dry-run]',
    );
  const mapping = args.flags.map
    ? (JSON.parse(readFileSync(args.flags.map, 'utf8')) as unknown)
    : undefined;
  const app = await context.app();
  const { AuthRepository } = await import('../../auth/auth.repository');
  const slug = args.flags.tenant ?? 'demo';
  const tenant = await app.get(AuthRepository).findTenantBySlug(slug);
  if (!tenant)
    throw new CliUsageError(`no tenant "${slug}" (create it with: kehu tenant create ${slug})`);
  const principal: Principal = {
    tenantId: tenant.id,
    tenantSlug: slug,
    kind: 'staff',
    subject: 'cli',
    scopes: new Set(ALL_SCOPES),
    role: 'admin',
    storeId: null,
  };

  const tty = process.stderr.isTTY === true;
  const size = statSync(file).size;
  let read = 0;
  const started = Date.now();
  let last = 0;
  const show = (line: string, force = false) => {
    const now = Date.now();
    if (!force && now - last < (tty ? 200 : 2000)) return;
    last = now;
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
  const raw = createReadStream(file, { highWaterMark: 1024 * 1024 });
  raw.on('data', (chunk) => {
    read += chunk.length;
    const seconds = (Date.now() - started) / 1000;
    show(progressLine('reading', read, size, read / Math.max(seconds, 0.001), 'bytes'));
  });
  // Piped, never read directly: the 'data' listener above puts `raw` in flowing mode, and
  // chunks emitted before the import starts reading would otherwise be lost.
  const body = raw.pipe(file.endsWith('.gz') ? createGunzip() : new PassThrough());
  const format = /\.ndjson(\.gz)?$|\.jsonl(\.gz)?$/.test(file) ? 'ndjson' : 'csv';
  const imports = app.get(ImportsService);
  let result: ImportModel = await imports.start(
    principal,
    {
      kind,
      dryRun: args.flags['dry-run'] === 'true',
      format,
      charset: args.flags.charset,
      mapping,
    },
    body,
  );
  show(progressLine('read', size, size, 0, 'bytes'), true);
  if (tty) process.stderr.write('\n');
  while (result.status !== 'completed' && result.status !== 'failed') {
    await new Promise((r) => setTimeout(r, tty ? 250 : 1000));
    result = await imports.get(principal, result.id);
    show(progressLine('merging', result.processed, result.totalRows, result.rate, 'rows'));
  }
  show(progressLine('merged', result.processed, result.totalRows, result.rate, 'rows'), true);
  if (tty) process.stderr.write('\n');
  process.stdout.write(
    `${JSON.stringify({ id: result.id, status: result.status, totalRows: result.totalRows, receipts: result.totalGroups, created: result.created, updated: result.updated, skipped: result.skipped, failed: result.failed, seconds: Math.round((Date.now() - started) / 100) / 10, errors: `/v1/imports/${result.id}/errors` })}\n`,
  );
  if (result.status === 'failed') process.exitCode = 1;
};
