/**
 * The satisfaction arithmetic, kept pure so it is unit-tested once and shared by survey
 * results and the satisfaction report. SQL only counts; the formulas live here.
 */

export interface NpsSummary {
  /** %promoters − %detractors, −100…100, rounded to one decimal; null without responses. */
  score: number | null;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Count per score 0–10. */
  distribution: number[];
}

export interface CsatSummary {
  /** Mean score 1–5, two decimals; null without responses. */
  mean: number | null;
  responses: number;
  /** Share of 4 and 5 answers in percent, one decimal. */
  satisfiedPercent: number | null;
  /** Count per score 1–5 (index 0 is score 1). */
  distribution: number[];
}

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** From counts per NPS score (score → count). Promoters 9–10, passives 7–8, detractors 0–6. */
export function npsFromCounts(
  counts: ReadonlyMap<number, number> | Record<number, number>,
): NpsSummary {
  const get = (score: number) =>
    counts instanceof Map
      ? (counts.get(score) ?? 0)
      : ((counts as Record<number, number>)[score] ?? 0);
  const distribution = Array.from({ length: 11 }, (_, score) => get(score));
  const responses = distribution.reduce((a, b) => a + b, 0);
  const promoters = distribution[9] + distribution[10];
  const passives = distribution[7] + distribution[8];
  const detractors = responses - promoters - passives;
  const score = responses ? round(((promoters - detractors) * 100) / responses, 1) : null;
  return { score, responses, promoters, passives, detractors, distribution };
}

/** From counts per CSAT score 1–5. */
export function csatFromCounts(
  counts: ReadonlyMap<number, number> | Record<number, number>,
): CsatSummary {
  const get = (score: number) =>
    counts instanceof Map
      ? (counts.get(score) ?? 0)
      : ((counts as Record<number, number>)[score] ?? 0);
  const distribution = [1, 2, 3, 4, 5].map(get);
  const responses = distribution.reduce((a, b) => a + b, 0);
  const sum = distribution.reduce((total, count, index) => total + count * (index + 1), 0);
  return {
    mean: responses ? round(sum / responses, 2) : null,
    responses,
    satisfiedPercent: responses
      ? round(((distribution[3] + distribution[4]) * 100) / responses, 1)
      : null,
    distribution,
  };
}

/** Breached / total in percent, one decimal; null when there is nothing to measure. */
export function rate(part: number, total: number): number | null {
  return total ? round((part * 100) / total, 1) : null;
}
