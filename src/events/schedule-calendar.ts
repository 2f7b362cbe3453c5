/** Calendar helpers for tenant-local scheduling; pure functions so they are unit-tested. */

export interface LocalTime {
  /** YYYY-MM-DD in the tenant's zone. */
  day: string;
  /** HH:MM in the tenant's zone. */
  time: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(instant: Date, timeZone: string): LocalTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
  };
}

export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * The tenant-local days a daily job still owes, oldest first. After downtime it catches up
 * every missed day (bounded, so a restore from an old backup does not replay months); a job
 * never run before starts with today, once today's time has come.
 */
export function daysDue(
  lastPlanned: string | undefined,
  now: LocalTime,
  at: string,
  maxCatchUpDays = 7,
): string[] {
  const end = now.time >= at ? now.day : addDays(now.day, -1);
  let start = lastPlanned ? addDays(lastPlanned, 1) : now.time >= at ? now.day : undefined;
  if (!start) return [];
  const earliest = addDays(now.day, -maxCatchUpDays);
  if (start < earliest) start = earliest;
  const days: string[] = [];
  for (let day = start; day <= end; day = addDays(day, 1)) days.push(day);
  return days;
}
