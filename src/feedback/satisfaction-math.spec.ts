import { csatFromCounts, npsFromCounts, rate } from './satisfaction-math';

describe('satisfaction maths', () => {
  it('NPS is %promoters minus %detractors', () => {
    // 5 promoters (9,10), 3 passives (7,8), 2 detractors (0..6) of 10 → 50 % − 20 % = 30.
    const nps = npsFromCounts({ 10: 3, 9: 2, 8: 2, 7: 1, 6: 1, 0: 1 });
    expect(nps).toMatchObject({
      score: 30,
      responses: 10,
      promoters: 5,
      passives: 3,
      detractors: 2,
    });
    expect(nps.distribution).toEqual([1, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3]);
  });

  it('NPS spans −100 to 100 and is null without responses', () => {
    expect(npsFromCounts({ 0: 4, 6: 1 }).score).toBe(-100);
    expect(npsFromCounts(new Map([[10, 7]])).score).toBe(100);
    expect(npsFromCounts({ 7: 3, 8: 1 }).score).toBe(0);
    expect(npsFromCounts({}).score).toBeNull();
  });

  it('NPS rounds to one decimal', () => {
    // 1 promoter, 2 detractors of 3 → −33.333… → −33.3
    expect(npsFromCounts({ 9: 1, 3: 2 }).score).toBe(-33.3);
  });

  it('CSAT mean, satisfied share and distribution', () => {
    const csat = csatFromCounts({ 5: 2, 4: 1, 3: 1, 1: 1 });
    expect(csat.mean).toBe(3.6); // (10 + 4 + 3 + 1) / 5
    expect(csat.satisfiedPercent).toBe(60);
    expect(csat.distribution).toEqual([1, 0, 1, 1, 2]);
    expect(csatFromCounts({}).mean).toBeNull();
    expect(csatFromCounts({ 4: 2, 5: 1 }).mean).toBe(4.33);
  });

  it('rate is a percentage with one decimal, null for nothing', () => {
    expect(rate(1, 3)).toBe(33.3);
    expect(rate(0, 0)).toBeNull();
  });
});
