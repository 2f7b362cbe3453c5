import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import { SatisfactionReportModel } from './dto/satisfaction-report.model';
import { SatisfactionQuery } from './dto/survey.input';
import { FeedbackRepository } from './feedback.repository';
import { csatFromCounts, rate } from './satisfaction-math';
import { resolvePeriod } from './satisfaction-period';
import { SatisfactionReportRepository } from './satisfaction-report.repository';
import { summarise } from './survey.mapper';
import { SurveysRepository } from './surveys.repository';

const minutes = (seconds: number | null) =>
  seconds === null ? null : Math.round((Number(seconds) / 60) * 10) / 10;

@Injectable()
export class SatisfactionReportService {
  constructor(
    private readonly database: Database,
    private readonly report: SatisfactionReportRepository,
    private readonly surveys: SurveysRepository,
    private readonly feedback: FeedbackRepository,
    private readonly clock: Clock,
  ) {}

  /** NPS and CSAT over all survey responses, and complaint handling, for one period (and store). */
  async satisfaction(
    principal: Principal,
    query: SatisfactionQuery,
  ): Promise<SatisfactionReportModel> {
    const now = this.clock.now();
    const { from, to } = resolvePeriod(query, now);
    const scope = { from, to, now, storeId: query.storeId };
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const { time_zone } = await this.feedback.tenantSettings(tx);
      const scores = summarise(await this.surveys.scoreCounts(tx, scope, 'month', time_zone));
      const stats = await this.report.complaintStats(tx, scope);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        storeId: query.storeId ?? null,
        nps: scores.nps,
        csat: scores.csat,
        callBackCsat: csatFromCounts(await this.report.callBackCsatCounts(tx, scope)),
        complaints: {
          total: stats.total,
          byCategory: await this.report.complaintCounts(tx, scope, 'category'),
          byStore: await this.report.complaintCounts(tx, scope, 'store'),
        },
        timeToFirstResponse: {
          count: stats.responded,
          medianMinutes: minutes(stats.first_median),
          p90Minutes: minutes(stats.first_p90),
        },
        timeToResolution: {
          count: stats.resolved,
          medianMinutes: minutes(stats.resolution_median),
          p90Minutes: minutes(stats.resolution_p90),
        },
        sla: {
          measured: stats.sla_measured,
          breached: stats.sla_breached,
          breachRatePercent: rate(stats.sla_breached, stats.sla_measured),
        },
      };
    });
  }
}
