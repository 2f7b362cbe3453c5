/**
 * The backup file: gzip of a sequence of frames, each `<type:1 byte><length:uint32 BE><payload>`.
 *   H  header JSON   { format, createdAt, migrations, tables: [{ name, columns, rows }] , sequences }
 *   T  table start   { name, columns }
 *   D  COPY text data chunk (raw bytes)
 *   E  table end     { name, rows, sha256 }
 *   M  manifest JSON { ...header, tables: [{ name, columns, rows, sha256 }] } — the last frame
 */
export const BACKUP_FORMAT = 'kehu-backup/1';

export interface BackupTable {
  name: string;
  columns: string[];
  rows: number;
  sha256?: string;
}

export interface BackupManifest {
  format: string;
  createdAt: string;
  migrations: string[];
  tables: BackupTable[];
  sequences: { name: string; value: string | null }[];
}

export function frame(
  type: 'H' | 'T' | 'D' | 'E' | 'M',
  payload: Buffer | string | object,
): Buffer {
  const body = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
  const head = Buffer.alloc(5);
  head.write(type, 0, 'ascii');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Pulls frames out of a byte stream (the gunzipped file) without holding it all in memory. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly iterator: AsyncIterator<Buffer>;
  private done = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  async next(): Promise<{ type: string; payload: Buffer } | undefined> {
    if (!(await this.fill(5))) {
      if (this.buffered.length) throw new Error('the backup file is truncated');
      return undefined;
    }
    const type = this.buffered.toString('ascii', 0, 1);
    const length = this.buffered.readUInt32BE(1);
    if (!'HTDEM'.includes(type)) throw new Error('not a Kehu backup file (bad frame)');
    if (!(await this.fill(5 + length))) throw new Error('the backup file is truncated');
    const payload = this.buffered.subarray(5, 5 + length);
    this.buffered = this.buffered.subarray(5 + length);
    return { type, payload };
  }

  private async fill(size: number): Promise<boolean> {
    while (this.buffered.length < size && !this.done) {
      const chunk = await this.iterator.next();
      if (chunk.done) this.done = true;
      else
        this.buffered = this.buffered.length
          ? Buffer.concat([this.buffered, chunk.value])
          : chunk.value;
    }
    return this.buffered.length >= size;
  }
}

/** Parents before children, so COPY into an empty schema satisfies foreign keys in one pass. */
export function topologicalOrder(
  tables: string[],
  edges: { child: string; parent: string }[],
): string[] {
  const set = new Set(tables);
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges)
    if (e.child !== e.parent && set.has(e.child) && set.has(e.parent))
      parents.get(e.child)!.add(e.parent);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string, path: Set<string>) => {
    if (seen.has(t)) return;
    if (path.has(t)) throw new Error(`foreign-key cycle through ${t}`);
    path.add(t);
    for (const p of [...parents.get(t)!].sort()) visit(p, path);
    path.delete(t);
    seen.add(t);
    out.push(t);
  };
  for (const t of [...tables].sort()) visit(t, new Set());
  return out;
}
