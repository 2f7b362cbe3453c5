import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyTextToNdjson, NdjsonCell } from './copy-to-ndjson';

/** A cell as PostgreSQL's COPY TO writes it in text format (CopyAttributeOutText). */
function copyCell(value: string | null): string {
  if (value === null) return '\\N';
  const letters: Record<string, string> = {
    '\b': 'b',
    '\f': 'f',
    '\n': 'n',
    '\r': 'r',
    '\t': 't',
    '\v': 'v',
    '\\': '\\',
  };
  return value.replace(/[\b\f\n\r\t\v\\]/g, (c) => `\\${letters[c]}`);
}

async function convert(
  fields: Array<{ name: string; cell: NdjsonCell }>,
  chunks: Buffer[],
): Promise<{ text: string; rows: number; pushes: number }> {
  const transform = new CopyTextToNdjson(fields);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    transform,
    new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return { text: Buffer.concat(out).toString('utf8'), rows: transform.rows, pushes: out.length };
}

const FIELDS: Array<{ name: string; cell: NdjsonCell }> = [
  { name: 'name', cell: 'string' },
  { name: 'points', cell: 'json' },
  { name: 'tags', cell: 'json' },
];

/** Every control character PostgreSQL text can hold, quotes, backslashes, CJK and emoji. */
const NASTY = [
  Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join(''),
  'say "hi" \\ back\\slash \\N',
  '\\N',
  '张三, 先生 😀',
  '',
  '\t\n',
];

describe('CopyTextToNdjson', () => {
  const rows: Array<{ name: string | null; points: number | null; tags: string[] }> = [
    ...NASTY.map((name, i) => ({ name, points: i * 1000 - 1, tags: [name, 'vip'] })),
    { name: null, points: null, tags: [] },
  ];
  const copyText = rows
    .map(
      (r) =>
        `${copyCell(r.name)}\t${copyCell(r.points === null ? null : String(r.points))}\t${copyCell(JSON.stringify(r.tags))}\n`,
    )
    .join('');
  const expected = rows.map((r) => `${JSON.stringify(r)}\n`).join('');

  it('writes the lines JSON.stringify writes, from COPY text cells', async () => {
    const { text, rows: count } = await convert(FIELDS, [Buffer.from(copyText)]);
    expect(text).toBe(expected);
    expect(count).toBe(rows.length);
  });

  it('carries rows, escapes and multi-byte characters split across chunks', async () => {
    const bytes = Buffer.from(copyText);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { text } = await convert(FIELDS, [bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(text).toBe(expected);
    }
    const oneByte = Array.from(bytes, (b) => Buffer.from([b]));
    expect((await convert(FIELDS, oneByte)).text).toBe(expected);
  });

  it('pushes big inputs in a few large chunks', async () => {
    const line = `${copyCell('x'.repeat(40))}\t7\t[]\n`;
    const { rows: count, pushes, text } = await convert(FIELDS, [Buffer.from(line.repeat(20_000))]);
    expect(count).toBe(20_000);
    expect(text.length).toBe(20_000 * `{"name":"${'x'.repeat(40)}","points":7,"tags":[]}\n`.length);
    expect(pushes).toBeLessThan(20);
  });

  it('writes nothing for no rows', async () => {
    expect(await convert(FIELDS, [])).toEqual({ text: '', rows: 0, pushes: 0 });
  });

  it.each([
    ['a row with a missing cell', 'x\t1\n'],
    ['a row with an extra cell', 'x\t1\t[]\t2\n'],
    ['a NULL in place of the last cells', 'x\t\\N\n'],
    ['an unknown escape', 'x\\q\t1\t[]\n'],
    ['an unfinished row', 'x\t1\t[]'],
  ])('fails the stream on %s', async (_what, text) => {
    await expect(convert(FIELDS, [Buffer.from(text)])).rejects.toThrow(/COPY/);
  });
});
