import { blankProfileColumns } from './customer-blank-profile';
import { mergeProfiles } from './customer-merge.service';
import type { CustomerRow } from './customers.repository';
import { duplicateScore, interpretQuery } from './customers-search.service';

describe('search query interpretation', () => {
  it('reads 4 digits as a phone tail, letters as pinyin, Chinese as a name substring', () => {
    expect(interpretQuery('8000', 'CN')).toEqual({ phoneTail: '8000', memberNo: '8000' });
    expect(interpretQuery('zs', 'CN')).toEqual({ pinyinPrefix: 'zs' });
    expect(interpretQuery('Zhang San', 'CN')).toMatchObject({
      pinyinPrefix: 'zhangsan',
      nameLike: 'zhang san',
    });
    expect(interpretQuery('张', 'CN')).toEqual({ nameLike: '张' });
    expect(interpretQuery('138 0013 8000', 'CN')).toMatchObject({ phone: '+8613800138000' });
    expect(interpretQuery('A@B.com', 'CN')).toMatchObject({ email: 'a@b.com' });
  });
});

describe('duplicate score', () => {
  it('combines reasons as independent evidence', () => {
    expect(duplicateScore(['same_phone'])).toBe(0.9);
    expect(duplicateScore(['same_phone', 'same_name_birthday'])).toBe(0.97);
    expect(duplicateScore([])).toBe(0);
  });
});

describe('merging profiles', () => {
  const row = (overrides: Partial<CustomerRow>): CustomerRow =>
    ({
      ...blankProfileColumns(),
      confirmed_at: null,
      ...overrides,
    }) as CustomerRow;

  it("keeps the survivor's values and fills its blanks from the sources in order", () => {
    const survivor = row({
      name: 'A',
      name_pinyin: 'a',
      tags: ['x'],
      attributes: { style: 'minimal' },
    });
    const first = row({
      name: 'B',
      email_enc: 'e1',
      email_bidx: 'b1',
      gender: 'female',
      tags: ['y'],
      attributes: { style: 'classic', pets: 1 },
    });
    const second = row({
      email_enc: 'e2',
      email_bidx: 'b2',
      clothing_size: 'M',
      attributes: { pets: 2, kids: 1 },
    });
    const merged = mergeProfiles(survivor, [first, second]);
    expect(merged.name).toBeUndefined();
    expect(merged).toMatchObject({
      email_enc: 'e1',
      email_bidx: 'b1',
      clothing_size: 'M',
      gender: 'female',
    });
    expect(merged.tags).toEqual(['x', 'y']);
    expect(merged.attributes).toEqual({ style: 'minimal', pets: 1, kids: 1 });
  });
});
