import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { fromMinorUnits } from '../common/money';
import { Database } from '../database/database.service';
import { SegmentsService } from '../segments/segments.service';
import { OverviewQuery, ProfileQualityQuery } from './dto/report.input';
import { OverviewReportModel, ProfileQualityReportModel, RfmReportModel } from './dto/report.model';
import { ReportsRepository } from './reports.repository';

const ratio = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;

/** KPIs managers read: overview, RFM grid, profile-quality leaderboard, in the tenant's calendar. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly database: Database,
    private readonly reports: ReportsRepository,
    private readonly segments: SegmentsService,
    private readonly clock: Clock,
  ) {}

  async overview(principal: Principal, query: OverviewQuery): Promise<OverviewReportModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const period = await this.reports.period(tx, this.clock.now(), query.from, query.to);
      if (period.from > period.to)
        throw DomainError.field('from', 'after_to', 'from must not be after to.');
      const settings = await this.segments.settingsFor(tx);
      const storeId = query.storeId ?? null;
      const row = await this.reports.overview(tx, period, storeId, settings.lapsed_days);
      const tiers = await this.reports.tierMix(tx, storeId);
      const points = await this.reports.points(tx, period);
      const n = (v: string) => Number(v);
      return {
        period: { from: period.from, to: period.to, timeZone: period.time_zone },
        customers: {
          total: n(row.total),
          new: n(row.new),
          active: n(row.active),
          lapsed: n(row.lapsed),
        },
        repeatPurchaseRate: ratio(n(row.repeaters), n(row.active)),
        retentionRate: ratio(n(row.retained), n(row.prev_active)),
        previousPeriodActive: n(row.prev_active),
        averageOrderValue: fromMinorUnits(
          n(row.orders) > 0 ? BigInt(row.sales_total) / BigInt(row.orders) : 0n,
          period.currency,
        ),
        revenue: fromMinorUnits(row.revenue, period.currency),
        memberRevenueShare: ratio(n(row.member_revenue), n(row.revenue)),
        currency: period.currency,
        tierMix: tiers.map((t) => ({ tier: t.tier, customers: n(t.customers) })),
        points: {
          issued: n(points.issued),
          redeemed: n(points.redeemed),
          expired: n(points.expired),
        },
      };
    });
  }

  async rfm(principal: Principal): Promise<RfmReportModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const { currency } = await this.reports.period(tx, this.clock.now(), undefined, undefined);
      const cells = new Map((await this.reports.rfmGrid(tx)).map((c) => [`${c.r}:${c.f}`, c]));
      const grid = [];
      for (let r = 5; r >= 1; r--) {
        for (let f = 5; f >= 1; f--) {
          const cell = cells.get(`${r}:${f}`);
          grid.push({
            r,
            f,
            customers: Number(cell?.customers ?? 0),
            monetary: fromMinorUnits(cell?.monetary ?? 0, currency),
          });
        }
      }
      const segments = await this.reports.rfmSegments(tx);
      const computed = segments.map((s) => s.computed_at.getTime());
      return {
        grid,
        segments: segments.map((s) => ({
          segment: s.segment,
          customers: Number(s.customers),
          monetary: fromMinorUnits(s.monetary, currency),
        })),
        computedAt: computed.length ? new Date(Math.max(...computed)).toISOString() : null,
        currency,
      };
    });
  }

  async profileQuality(
    principal: Principal,
    query: ProfileQualityQuery,
  ): Promise<ProfileQualityReportModel> {
    const groupBy = query.groupBy ?? 'store';
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const { time_zone } = await this.reports.period(tx, this.clock.now(), undefined, undefined);
      const rows = await this.reports.profileQuality(
        tx,
        groupBy === 'staff' ? 'registered_by' : 'store_id',
        query.from ?? null,
        query.to ?? null,
        time_zone,
      );
      return {
        groupBy,
        rows: rows.map((row) => {
          const registered = Number(row.registered);
          return {
            group: row.group_key,
            registered,
            averageCompleteness: Number(row.average_completeness),
            validPhoneShare: ratio(Number(row.with_phone), registered) ?? 0,
            duplicateRate: ratio(Number(row.duplicates), registered) ?? 0,
          };
        }),
      };
    });
  }
}
