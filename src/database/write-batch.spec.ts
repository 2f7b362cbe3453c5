import { arrayLiteral } from './write-batch';

// node-postgres's own conversion, which arrayLiteral must match element for element.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

describe('arrayLiteral', () => {
  it('sends what node-postgres would for flat scalar arrays', () => {
    const samples: unknown[][] = [
      ['0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20', null, '', 'NULL', 'a,b', '{x}', ' padded '],
      ['quote " and \\ backslash', '{"json": "with \\"escapes\\""}', '汉字 \u2028', '\\'],
      // Quoted by JSON.stringify unless it holds what JSON would escape differently.
      [
        '{"a":"b\\\\c","d":[1,null]}',
        '"\n"',
        '"\u0001\\',
        '"😀',
        '"\ud800',
        '"\udfff x',
        '"\u001f',
        '"\u0020\u007f\u2028',
      ],
      [1, 0, -2.5, 1e21, NaN, 12345678901234567890n, true, false, undefined],
      [],
    ];
    for (const sample of samples) expect(arrayLiteral(sample)).toBe(prepareValue(sample));
  });

  it('writes Dates as UTC ISO text naming the same instant as node-postgres does', () => {
    const instants = [
      new Date('2026-03-29T00:59:59.999Z'),
      new Date(0),
      new Date('0001-01-01T00:00:00Z'),
    ];
    const literal = arrayLiteral([...instants, null]) as string;
    expect(literal).toBe(
      '{"2026-03-29T00:59:59.999Z","1970-01-01T00:00:00.000Z","0001-01-01T00:00:00.000Z",NULL}',
    );
    // node-postgres writes local time with its offset: the same instants.
    const theirs = (prepareValue(instants) as string).slice(2, -2).split('","');
    expect(theirs.map((text) => new Date(text.replace(' ', 'T')).getTime())).toEqual(
      instants.map((d) => d.getTime()),
    );
  });

  it('writes each of many Dates, repeated or not, as its own instant', () => {
    const now = new Date('2026-11-23T12:00:00.000Z');
    const later = new Date(now.getTime() + 1);
    expect(arrayLiteral([now, new Date(now.getTime()), later, now])).toBe(
      '{"2026-11-23T12:00:00.000Z","2026-11-23T12:00:00.000Z","2026-11-23T12:00:00.001Z","2026-11-23T12:00:00.000Z"}',
    );
    expect(arrayLiteral([later, later])).toBe(
      '{"2026-11-23T12:00:00.001Z","2026-11-23T12:00:00.001Z"}',
    );
  });

  it('leaves invalid and out-of-range Dates, objects and nested arrays to node-postgres', () => {
    const samples = [
      [new Date(NaN)],
      [new Date('0000-12-31T23:59:59Z')],
      [new Date('+010000-01-01T00:00:00Z')],
      [{ a: 1 }],
      [[1, 2]],
      ['a', new Date(NaN)],
    ];
    for (const sample of samples) expect(arrayLiteral(sample)).toBe(sample);
  });
});
