import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/errors/domain-error';
import { requestFromContext } from './auth.decorators';

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Per-client fixed one-minute window, in memory. Each replica counts on its own, so the
 * effective limit is the setting times the replica count; good enough to stop a runaway
 * integration, which is what it is for.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const limit = this.config.rateLimitPerMinute;
    if (limit === 0) return true;
    const principal = requestFromContext(context).principal;
    if (!principal) return true;
    const key = `${principal.tenantId}:${principal.subject}`;
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= 60_000) {
      if (this.windows.size > 100_000) this.windows.clear();
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    if (window.count > limit) {
      const retryAfter = Math.max(1, Math.ceil((window.startedAt + 60_000 - now) / 1000));
      throw new DomainError(
        'rate_limited',
        `More than ${limit} requests a minute from this client.`,
        {
          headers: { 'Retry-After': String(retryAfter) },
        },
      );
    }
    return true;
  }
}
