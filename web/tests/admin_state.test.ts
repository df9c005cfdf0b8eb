// The admin pages' pure parts: usage days filled for charts, axis tops, totals; audit filters
// turned into the route's query, and paging by sequence number.
import { describe, expect, it } from 'vitest';
import { isMissingRoute, tiers } from '../src/protocol/admin_api';
import { ParleyError } from '../src/protocol/errors';
import { AuditPager, auditQuery, localToMs } from '../src/state/audit_query';
import { axisMax, dayValue, defaultRange, fillDays, totals } from '../src/state/usage_series';

const day = (d: string, minutes: number, meetings: number, peak: number) => ({ day: d, participant_minutes: minutes, participant_seconds: minutes * 60 + 30, meetings, peak_concurrency: peak });

describe('usage for charts', () => {
  it('has every day of the range, zeros where the report has none', () => {
    const days = fillDays([day('2026-11-02', 12, 1, 3)], '2026-11-01', '2026-11-03');
    expect(days.map((d) => d.day)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(days.map((d) => d.meetings)).toEqual([0, 1, 0]);
    expect(days[1].peak_concurrency).toBe(3);
  });
  it('crosses months and leap days, and refuses a backwards range', () => {
    expect(fillDays([], '2028-02-28', '2028-03-01').map((d) => d.day)).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(fillDays([], '2026-11-03', '2026-11-01')).toEqual([]);
    expect(fillDays([], 'nonsense', '2026-11-01')).toEqual([]);
  });
  it('defaults to the 31 UTC days up to today, as the server does', () => {
    expect(defaultRange(Date.parse('2026-11-29T23:59:00Z'))).toEqual({ from: '2026-10-30', to: '2026-11-29' });
  });
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.1, 1, 3, 7, 10, 11, 240, 999].map(axisMax)).toEqual([1, 1, 1, 5, 10, 10, 20, 500, 1000]);
  });
  it('adds minutes from seconds and meetings; concurrency is the highest day', () => {
    expect(totals([day('2026-11-01', 1, 2, 4), day('2026-11-02', 1, 1, 9)])).toEqual({ participant_minutes: 3, meetings: 3, peak_concurrency: 9 });
  });
  it('chart minutes to a tenth from seconds, so a short meeting still shows', () => {
    const short = { day: '2026-11-01', participant_minutes: 0, participant_seconds: 4, meetings: 1, peak_concurrency: 1 };
    expect(dayValue(short, 'participant_minutes')).toBe(0.1);
    expect(dayValue(short, 'meetings')).toBe(1);
    expect(dayValue({ ...short, participant_seconds: 95 }, 'participant_minutes')).toBe(1.6);
  });
});

describe('audit filters', () => {
  it('send only what is set, times in unix ms', () => {
    const from = '2026-11-29T10:00';
    const q = auditQuery({ kind: ' user. ', actor: '00000000000000ab', from, to: '' }, { after: 0, limit: 50 });
    expect(q.get('kind')).toBe('user.');
    expect(q.get('actor')).toBe('00000000000000ab');
    expect(q.get('from')).toBe(String(new Date(from).getTime()));
    expect(q.has('to')).toBe(false);
    expect(q.has('after')).toBe(false);
    expect(q.get('limit')).toBe('50');
    expect(auditQuery({ kind: '', actor: '', from: '', to: '' }).toString()).toBe('');
    expect(localToMs('garbage')).toBeNull();
  });
  it('page forward by the last seq and back again', () => {
    const pager = new AuditPager(50);
    expect(pager.after).toBe(0);
    expect(pager.hasPrevious).toBe(false);
    expect(pager.hasNext(50)).toBe(true);
    expect(pager.hasNext(12)).toBe(false);
    pager.next(50);
    pager.next(117);
    expect(pager.after).toBe(117);
    expect(pager.index).toBe(2);
    pager.previous();
    expect(pager.after).toBe(50);
    pager.reset();
    expect(pager.after).toBe(0);
  });
});

describe('admin routes', () => {
  it('know the four tiers and their caps', () => {
    expect(tiers.map((x) => `${x.id}:${x.cap}`)).toEqual(['basic:100', 'pro:300', 'business:500', 'enterprise:1000']);
  });
  it('tell a route the server lacks from a missing user', () => {
    expect(isMissingRoute(new ParleyError('not_found', 'no such resource: /api/v1/admin/users/x/mfa/reset'))).toBe(true);
    expect(isMissingRoute(new ParleyError('not_found', 'no such user'))).toBe(false);
    expect(isMissingRoute(new ParleyError('forbidden', 'no such resource'))).toBe(false);
  });
});
