import { BackupProgress, BackupService } from '../../privacy/maintenance/backup.service';
import { KeyRotationService } from '../../privacy/maintenance/key-rotation.service';
import { CliCommand, CliUsageError } from '../cli-context';

/** A one-line progress bar on a terminal; nothing when output is piped (logs stay clean). */
function progressBar(label: string): { update(p: BackupProgress): void; done(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(p) {
      if (!tty || Date.now() - last < 100) return;
      last = Date.now();
      const ratio = p.totalRows
        ? Math.min(1, p.rows / p.totalRows)
        : p.tableIndex / Math.max(1, p.tableCount);
      const width = 30;
      const bar = '█'.repeat(Math.round(ratio * width)).padEnd(width, '░');
      process.stderr.write(
        `\r${label} ${bar} ${Math.round(ratio * 100)}%  table ${p.tableIndex}/${p.tableCount} ${p.table.padEnd(28).slice(0, 28)} ${p.rows} rows`,
      );
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

/** `kehu keys rotate [--batch 500]`: re-encrypt every *_enc column to the newest key; safe to stop and rerun. */
export const keysRotate: CliCommand = async (args, context) => {
  const batchSize = Number(args.flags.batch ?? 500);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new CliUsageError('--batch must be 1..10000');
  const rotation = (await context.app()).get(KeyRotationService);
  const results = await rotation.rotate({
    batchSize,
    onProgress: (p) =>
      process.stderr.write(
        `${process.stderr.isTTY ? '\r' : ''}${p.table}.${p.column}: ${p.rotated} re-encrypted, ${p.remaining} left${process.stderr.isTTY ? '   ' : '\n'}`,
      ),
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  for (const r of results)
    process.stdout.write(
      `${r.table}.${r.column}\trotated ${r.rotated}\tremaining ${r.remaining}\n`,
    );
  const left = results.reduce((n, r) => n + r.remaining, 0);
  process.stdout.write(
    left
      ? `${left} values still under older keys: run again\n`
      : 'all personal data is under the newest key; older keys may now be retired\n',
  );
};

/** `kehu keys status`: how many values each key id protects, per column. */
export const keysStatus: CliCommand = async (_args, context) => {
  const rotation = (await context.app()).get(KeyRotationService);
  for (const s of await rotation.status())
    process.stdout.write(`${s.table}.${s.column}\t${JSON.stringify(s.keys)}\n`);
};

/** `kehu backup <file>`: consistent snapshot, COPY per table, manifest with counts and checksums. */
export const backup: CliCommand = async (args, context) => {
  const file = args.words[1];
  if (!file) throw new CliUsageError('usage: kehu backup <file>');
  const bar = progressBar('backup ');
  const manifest = await (
    await context.app()
  )
    .get(BackupService)
    .backup(file, (p) => bar.update(p));
  bar.done();
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  process.stdout.write(
    `wrote ${file}: ${manifest.tables.length} tables, ${rows} rows, at migration ${manifest.migrations.at(-1)}\n`,
  );
};

/** `kehu restore <file>`: into an empty database only. */
export const restore: CliCommand = async (args, context) => {
  const file = args.words[1];
  if (!file) throw new CliUsageError('usage: kehu restore <file>');
  const bar = progressBar('restore');
  const manifest = await (
    await context.app()
  )
    .get(BackupService)
    .restore(file, (p) => bar.update(p));
  bar.done();
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  process.stdout.write(
    `restored ${file}: ${manifest.tables.length} tables, ${rows} rows, every count and checksum verified\n`,
  );
};
