// The usage report as charts need it: every day of the range (days without activity are zero),
// a rounded axis maximum, and the default range (the last 31 UTC days up to today).
import type { UsageDay } from '../protocol/admin_api';

export type UsageMetric = 'participant_minutes' | 'meetings' | 'peak_concurrency';
export const usageMetrics: UsageMetric[] = ['participant_minutes', 'meetings', 'peak_concurrency'];

/** YYYY-MM-DD of a UTC day. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The server's default range: 31 days ending today (UTC). */
export function defaultRange(nowMs: number): { from: string; to: string } {
  return { from: utcDay(nowMs - 30 * 86_400_000), to: utcDay(nowMs) };
}

/** Every day from `from` to `to` inclusive, with the report's figures or zeros; at most 366 days. */
export function fillDays(days: UsageDay[], from: string, to: string): UsageDay[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return [];
  const byDay = new Map(days.map((d) => [d.day, d]));
  const out: UsageDay[] = [];
  for (let t = start; t <= end && out.length < 366; t += 86_400_000) {
    const day = utcDay(t);
    out.push(byDay.get(day) ?? { day, participant_minutes: 0, participant_seconds: 0, meetings: 0, peak_concurrency: 0 });
  }
  return out;
}

/** A round number at or above `max` for the top of an axis (1, 2, 5 × 10^n; at least 1). */
export function axisMax(max: number): number {
  if (!(max > 1)) return 1; // a few seconds of use still draws against a whole unit
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Minutes to one decimal from seconds (the report's whole minutes hide meetings under a minute). */
export function minutesOf(seconds: number): number {
  return Math.round(seconds / 6) / 10;
}

/** A day's figure for a chart: participant-minutes to one decimal, the others as reported. */
export function dayValue(d: UsageDay, metric: UsageMetric): number {
  return metric === 'participant_minutes' ? minutesOf(d.participant_seconds) : d[metric];
}

/** Totals over the range: minutes and meetings add up, concurrency is the highest day. */
export function totals(days: UsageDay[]): Record<UsageMetric, number> {
  return {
    participant_minutes: minutesOf(days.reduce((s, d) => s + d.participant_seconds, 0)),
    meetings: days.reduce((s, d) => s + d.meetings, 0),
    peak_concurrency: days.reduce((m, d) => Math.max(m, d.peak_concurrency), 0),
  };
}
