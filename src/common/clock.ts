import { Injectable } from '@nestjs/common';

/**
 * The time, injectable so tests can drive it (scheduled jobs, expiry, SLAs) instead of
 * waiting. Production never calls `set`.
 */
@Injectable()
export class Clock {
  private fixed?: Date;
  private offsetMs = 0;

  now(): Date {
    return this.fixed ? new Date(this.fixed) : new Date(Date.now() + this.offsetMs);
  }

  /** Tests: freeze the clock at this instant. */
  set(instant: Date | string): void {
    this.fixed = new Date(instant);
  }

  /** Tests: move the (frozen or running) clock forward. */
  advance(ms: number): void {
    if (this.fixed) this.fixed = new Date(this.fixed.getTime() + ms);
    else this.offsetMs += ms;
  }

  reset(): void {
    this.fixed = undefined;
    this.offsetMs = 0;
  }
}
