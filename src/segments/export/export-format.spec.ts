import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csvCell, csvLine, ExportEncoder } from './export-format';

async function encode(
  format: 'ndjson' | 'csv',
  rows: Record<string, unknown>[],
  bom = false,
): Promise<{ text: string; encoder: ExportEncoder }> {
  const chunks: Buffer[] = [];
  const encoder = new ExportEncoder(format, ['memberNo', 'name', 'points'], (row) => row, { bom });
  await pipeline(
    Readable.from(rows),
    encoder,
    new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
    }),
  );
  return { text: Buffer.concat(chunks).toString('utf8'), encoder };
}

describe('export format', () => {
  it('quotes RFC 4180 fields only when needed and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(['vip', 'new'])).toBe('vip;new');
    expect(csvLine(['M1', '张三', 3])).toBe('M1,张三,3\r\n');
  });

  it.each(['=1+1', '+86 138', '-2+3', '@SUM(A1)', '\tcmd', '=HYPERLINK("http://x","y")'])(
    'neutralises formula cell %j',
    (value) => {
      const cell = csvCell(value);
      expect(cell.replace(/^"/, '').startsWith("'")).toBe(true);
    },
  );

  it('leaves numbers alone, even negative ones', () => {
    expect(csvCell(-5)).toBe('-5');
  });

  it('writes a header, CRLF rows, Chinese text intact and an optional BOM', async () => {
    const { text, encoder } = await encode(
      'csv',
      [{ memberNo: 'M1', name: '张三, 先生', points: 10 }],
      true,
    );
    expect(text).toBe('\uFEFFmemberNo,name,points\r\nM1,"张三, 先生",10\r\n');
    expect(encoder.rows).toBe(1);
    expect((await encode('csv', [])).text).toBe('memberNo,name,points\r\n');
  });

  it('writes one JSON object per line for NDJSON, never a BOM', async () => {
    const { text } = await encode(
      'ndjson',
      [
        { memberNo: 'M1', name: '李四' },
        { memberNo: 'M2', name: null },
      ],
      true,
    );
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { memberNo: 'M1', name: '李四' },
      { memberNo: 'M2', name: null },
    ]);
    expect(text.charCodeAt(0)).toBe('{'.charCodeAt(0));
  });

  it('batches many rows into few chunks', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      memberNo: `M${i}`,
      name: 'x'.repeat(30),
      points: i,
    }));
    const chunks: number[] = [];
    await pipeline(
      Readable.from(rows),
      new ExportEncoder('ndjson', ['memberNo'], (r) => r, { bom: false }),
      new Writable({
        write(chunk, _e, cb) {
          chunks.push(chunk.length);
          cb();
        },
      }),
    );
    expect(chunks.length).toBeLessThan(10);
  });
});

describe('CSV line ends for COPY output', () => {
  const run = async (chunks: string[], bom = false) => {
    const { CsvLineEnds } = await import('./export-format');
    const transform = new CsvLineEnds(['memberNo', 'name'], { bom });
    const out: Buffer[] = [];
    await pipeline(
      Readable.from(chunks.map((c) => Buffer.from(c))),
      transform,
      new Writable({
        write(chunk, _e, cb) {
          out.push(chunk);
          cb();
        },
      }),
    );
    return { text: Buffer.concat(out).toString('utf8'), rows: transform.rows };
  };

  it('ends records with CRLF, keeps line breaks inside quoted cells, even across chunks', async () => {
    const { text, rows } = await run(['M1,"two\nli', 'nes"\nM2,"say ""hi""', '\n"\n', 'M3,张三\n']);
    expect(text).toBe('memberNo,name\r\nM1,"two\nlines"\r\nM2,"say ""hi""\n"\r\nM3,张三\r\n');
    expect(rows).toBe(3);
  });

  it('writes BOM and header even with no rows', async () => {
    expect(await run([], true)).toEqual({ text: '\uFEFFmemberNo,name\r\n', rows: 0 });
  });
});
