// Meeting ids, calendar files, invitations, texts in both languages, stored sessions, reconnect delays.
import { describe, expect, it } from 'vitest';
import { errorText, keysOf, pickLocale, translate } from '../src/i18n/i18n';
import { backoffDelay } from '../src/protocol/connection';
import { loadSession, saveSession } from '../src/state/session_store';
import { buildIcs, foldLine, icsDate, icsEscape } from '../src/util/ics';
import { inviteText } from '../src/util/invite';
import { formatMeetingId, joinLink, parseMeetingInput } from '../src/util/meeting_id';

describe('meeting ids', () => {
  it('are found in what people type or paste', () => {
    expect(parseMeetingInput('12345678901')).toBe('12345678901');
    expect(parseMeetingInput(' 123 4567 8901 ')).toBe('12345678901');
    expect(parseMeetingInput('123-4567-8901')).toBe('12345678901');
    expect(parseMeetingInput('https://meet.example.com/j/12345678901')).toBe('12345678901');
    expect(parseMeetingInput('9876543210')).toBe('9876543210');
  });
  it('reject what is not one', () => {
    for (const bad of ['', 'abc', '123', '01234567890', '123456789012', 'https://x/j/abc']) expect(parseMeetingInput(bad)).toBeNull();
  });
  it('are grouped for reading and linked without secrets', () => {
    expect(formatMeetingId('12345678901')).toBe('123 4567 8901');
    expect(formatMeetingId('9876543210')).toBe('987 654 3210');
    expect(joinLink('https://h:8443', '12345678901')).toBe('https://h:8443/j/12345678901');
  });
});

describe('calendar files', () => {
  it('hold the meeting as one event in UTC', () => {
    const ics = buildIcs({ meetingId: '12345678901', topic: 'Plan; Q3, all', startAt: 1_800_000_000, durationMin: 45, joinUrl: 'https://h/j/12345678901', description: 'Join:\nhttps://h/j/12345678901', now: 1_799_000_000 });
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics).toContain('DTSTART:20270115T080000Z');
    expect(ics).toContain('DTEND:20270115T084500Z');
    expect(ics).toContain('SUMMARY:Plan\\; Q3\\, all');
    expect(ics).toContain('UID:12345678901@parley');
    expect(ics.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
    for (const line of ics.split('\r\n')) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
  });
  it('escape and fold long lines, also in Chinese', () => {
    expect(icsEscape('a\\b\nc')).toBe('a\\\\b\\nc');
    expect(icsDate(0)).toBe('19700101T000000Z');
    const folded = foldLine('SUMMARY:' + '会议'.repeat(40));
    expect(folded.split('\r\n ').join('')).toBe('SUMMARY:' + '会议'.repeat(40));
    for (const part of folded.split('\r\n')) expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75);
  });
});

describe('texts', () => {
  it('exist in both languages for every key', () => {
    expect(keysOf('zh-CN').sort()).toEqual(keysOf('en').sort());
  });
  it('fill placeholders and name errors in the user language', () => {
    expect(translate('en', 'home.hello', { name: 'Ann' })).toBe('Hello, Ann');
    expect(translate('zh-CN', 'home.hello', { name: 'Ann' })).toBe('你好，Ann');
    expect(errorText('en', 'meeting_locked', '')).toBe('The host locked this meeting.');
    expect(errorText('zh-CN', 'bad_password', '')).toBe('会议密码错误。');
    expect(errorText('en', 'something_new', 'details')).toContain('details');
  });
  it('follow the browser unless the user chose', () => {
    expect(pickLocale(null, ['zh-CN', 'en'])).toBe('zh-CN');
    expect(pickLocale(null, ['de-DE'])).toBe('en');
    expect(pickLocale('en', ['zh-CN'])).toBe('en');
  });
  it('make an invitation without the password', () => {
    const text = inviteText({ hostName: 'Ann', topic: 'Sync', startAt: 0, durationMin: 30, link: 'https://h/j/12345678901', meetingId: '12345678901', hasPassword: true }, (k, v) => translate('en', k, v), 'en');
    expect(text).toContain('Ann is inviting you');
    expect(text).toContain('https://h/j/12345678901');
    expect(text).toContain('123 4567 8901');
    expect(text).toContain('password will be shared separately');
  });
});

describe('sessions and reconnecting', () => {
  class MemoryStorage {
    private m = new Map<string, string>();
    getItem(k: string) { return this.m.get(k) ?? null; }
    setItem(k: string, v: string) { this.m.set(k, v); }
    removeItem(k: string) { this.m.delete(k); }
  }
  it('a saved sign-in is used until it expires', () => {
    const store = new MemoryStorage() as unknown as Storage;
    saveSession(store, { token: 't', expires_at: 100, user: { id: '1', username: 'a', display_name: 'A' } });
    expect(loadSession(store, 50)?.token).toBe('t');
    expect(loadSession(store, 100)).toBeNull();
    expect(loadSession(store, 50)).toBeNull();
  });
  it('reconnect attempts back off and then keep a steady pace', () => {
    const schedule = [500, 1000, 2000];
    expect([0, 1, 2, 3, 9].map((a) => backoffDelay(a, schedule))).toEqual([500, 1000, 2000, 2000, 2000]);
  });
});

describe('the schedule form time field', () => {
  it('round-trips a start time through the local date-time input', async () => {
    const { fromLocalInput, toLocalInput } = await import('../src/ui/schedule_form');
    const start = 1_800_000_000 - (1_800_000_000 % 60);
    expect(fromLocalInput(toLocalInput(start))).toBe(start);
    expect(fromLocalInput('not a date')).toBe(0);
  });
});
