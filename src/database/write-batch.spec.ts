import { arrayLiteral } from './write-batch';

// node-postgres's own conversion, which arrayLiteral must match element for element.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

describe('arrayLiteral', () => {
  it('sends what node-postgres would for flat scalar arrays', () => {
    const samples: unknown[][] = [
      ['0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20', null, '', 'NULL', 'a,b', '{x}', ' padded '],
      ['quote " and \\ backslash', '{"json": "with \\"escapes\\""}', '汉字 \u2028', '\\'],
      [1, 0, -2.5, 1e21, NaN, 12345678901234567890n, true, false, undefined],
      [],
    ];
    for (const sample of samples) expect(arrayLiteral(sample)).toBe(prepareValue(sample));
  });

  it('leaves Dates, objects and nested arrays to node-postgres', () => {
    for (const sample of [[new Date()], [{ a: 1 }], [[1, 2]], ['a', new Date()]])
      expect(arrayLiteral(sample)).toBe(sample);
  });
});
