import { cleanText, toHalfWidth } from './import-values';

/** cleanText as it was before cells without anything to clean were returned as they are. */
function reference(input: string): string {
  // eslint-disable-next-line no-control-regex
  return toHalfWidth(input.replace(/\u0000/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

describe('cleanText', () => {
  it.each([
    ['  王 伟  ', '王 伟'],
    ['１３８００１３８０００', '13800138000'],
    ['u1＠example．com', 'u1@example.com'],
    ['a\u3000b', 'a b'],
    ['a\u0000b', 'ab'],
    ['a\t\n b', 'a b'],
    ['\u00a0x\ufeff', 'x'],
    ['=HYPERLINK("x")', '=HYPERLINK("x")'],
    ['13800138000', '13800138000'],
    ['', ''],
  ])('%p → %p', (input, expected) => expect(cleanText(input)).toBe(expected));

  it('agrees with the full clean-up on every character class it may meet', () => {
    // Each string mixes plain text with one code unit from the ranges that matter (ASCII and
    // Latin-1, the Unicode spaces, CJK punctuation, full-width forms, lone surrogates).
    const probes: number[] = [];
    for (let c = 0; c <= 0x3100; c++) probes.push(c);
    for (let c = 0xd7f0; c <= 0xffff; c++) probes.push(c);
    const mismatches = probes.filter((c) => {
      const ch = String.fromCharCode(c);
      return [ch, `a${ch}b`, `${ch}王${ch}`, `1${ch}${ch}2`].some(
        (s) => cleanText(s) !== reference(s),
      );
    });
    expect(mismatches).toEqual([]);
  });
});
