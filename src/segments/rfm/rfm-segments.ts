/**
 * The standard RFM segments and the score map that assigns them (R and F/M are quintile
 * scores 1–5, 5 best: most recent, most frequent, highest spend). The map follows the widely
 * used 11-segment scheme; F and M are averaged into one "FM" score, rounded down, and the
 * first matching row wins:
 *
 *   segment              R      FM
 *   champions            4–5    4–5
 *   loyal                3–5    3–5   (loyal customers: buy often, recently enough)
 *   potential_loyalists  4–5    2–3
 *   new                  5      1
 *   promising            4      1
 *   need_attention       3      2–3
 *   about_to_sleep       3      1
 *   cant_lose_them       1      4–5   (were the best, gone for long)
 *   at_risk              1–2    3–5
 *   hibernating          2      1–2
 *   lost                 1      1–2
 *
 * Every (R, FM) pair falls into exactly one segment (a unit test walks the 25 cells).
 */
export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose_them',
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export const RFM_SEGMENT_LABELS: Record<RfmSegment, string> = {
  champions: 'Champions',
  loyal: 'Loyal',
  potential_loyalists: 'Potential loyalists',
  new: 'New customers',
  promising: 'Promising',
  need_attention: 'Need attention',
  about_to_sleep: 'About to sleep',
  at_risk: 'At risk',
  cant_lose_them: "Can't lose them",
  hibernating: 'Hibernating',
  lost: 'Lost',
};

/** Ordered rules: [segment, rMin, rMax, fmMin, fmMax]. */
export const RFM_SCORE_MAP: ReadonlyArray<readonly [RfmSegment, number, number, number, number]> = [
  ['champions', 4, 5, 4, 5],
  ['loyal', 3, 5, 3, 5],
  ['potential_loyalists', 4, 5, 2, 3],
  ['new', 5, 5, 1, 1],
  ['promising', 4, 4, 1, 1],
  ['need_attention', 3, 3, 2, 3],
  ['about_to_sleep', 3, 3, 1, 1],
  ['cant_lose_them', 1, 1, 4, 5],
  ['at_risk', 1, 2, 3, 5],
  ['hibernating', 2, 2, 1, 2],
  ['lost', 1, 1, 1, 2],
];

export function rfmSegmentOf(r: number, f: number, m: number): RfmSegment {
  const fm = Math.floor((f + m) / 2);
  for (const [segment, rMin, rMax, fmMin, fmMax] of RFM_SCORE_MAP) {
    if (r >= rMin && r <= rMax && fm >= fmMin && fm <= fmMax) return segment;
  }
  throw new Error(`no RFM segment for r=${r} f=${f} m=${m}`);
}

/** The same map as a SQL CASE over columns r, f, m (constants only: no caller input). */
export function rfmSegmentCaseSql(r: string, f: string, m: string): string {
  const fm = `((${f} + ${m}) / 2)`;
  const arms = RFM_SCORE_MAP.map(
    ([segment, rMin, rMax, fmMin, fmMax]) =>
      `WHEN ${r} BETWEEN ${rMin} AND ${rMax} AND ${fm} BETWEEN ${fmMin} AND ${fmMax} THEN '${segment}'`,
  );
  return `CASE ${arms.join(' ')} END`;
}

export const VALUE_CLASSES = ['high', 'mid', 'low'] as const;
