// The meeting as the client tracks it from the join answer and the documented events.
import { describe, expect, it } from 'vitest';
import type { JoinResult, Participant } from '../src/protocol/types';
import { defaultSettings } from '../src/protocol/types';
import { applyEvent, canModerate, fromJoin, mergeChat, raisedHands, self, type MeetingState } from '../src/state/meeting_state';
import { chatTranscript, pageCount, pageOf, recipientsFor } from '../src/state/room_view';

const person = (id: string, name: string, role: Participant['role'] = 'participant', extra: Partial<Participant> = {}): Participant => ({
  participant_id: id,
  user_id: `u${id}`,
  display_name: name,
  role,
  state: 'joined',
  audio_muted: false,
  video_off: false,
  hand_raised: false,
  ...extra,
});

const hostJoin: JoinResult = {
  meeting_id: '12345678901',
  topic: 'Weekly',
  state: 'joined',
  participant_id: 'h1',
  role: 'host',
  locked: false,
  roster: [person('h1', 'Hana', 'host')],
  settings: { ...defaultSettings, waiting_room: true },
  waiting: [],
};

function host(): MeetingState {
  return fromJoin(hostJoin);
}

describe('a host in a meeting with a waiting room', () => {
  it('sees someone waiting, admits them, and sees them join', () => {
    let s = host();
    expect(canModerate(s)).toBe(true);
    s = applyEvent(s, 'meeting.waiting', { participant: person('g1', 'Gus', 'participant', { state: 'waiting' }) });
    expect(s.waiting.map((p) => p.display_name)).toEqual(['Gus']);
    s = applyEvent(s, 'participant.joined', { participant: person('g1', 'Gus') });
    expect(s.waiting).toEqual([]);
    expect(s.participants.map((p) => p.display_name)).toEqual(['Hana', 'Gus']);
  });
  it('sees a raised hand and its lowering', () => {
    let s = applyEvent(host(), 'participant.joined', { participant: person('g1', 'Gus') });
    s = applyEvent(s, 'hand.raised', { participant_id: 'g1' });
    expect(raisedHands(s).map((p) => p.display_name)).toEqual(['Gus']);
    s = applyEvent(s, 'hand.lowered', { participant_id: 'g1' });
    expect(raisedHands(s)).toEqual([]);
  });
  it('sees mute states and role changes, and loses controls when no longer host', () => {
    let s = applyEvent(host(), 'participant.joined', { participant: person('g1', 'Gus') });
    s = applyEvent(s, 'participant.updated', { participant: person('g1', 'Gus', 'participant', { audio_muted: true }) });
    expect(s.participants[1].audio_muted).toBe(true);
    s = applyEvent(s, 'participant.updated', { participant: person('h1', 'Hana', 'participant') });
    expect(canModerate(s)).toBe(false);
  });
  it('someone leaving disappears from the roster and the waiting room', () => {
    let s = applyEvent(host(), 'participant.joined', { participant: person('g1', 'Gus') });
    s = applyEvent(s, 'meeting.waiting', { participant: person('w1', 'Wen', 'participant', { state: 'waiting' }) });
    s = applyEvent(s, 'participant.left', { participant_id: 'g1' });
    s = applyEvent(s, 'participant.left', { participant_id: 'w1' });
    expect(s.participants.map((p) => p.participant_id)).toEqual(['h1']);
    expect(s.waiting).toEqual([]);
  });
  it('lock and settings changes apply at once', () => {
    let s = applyEvent(host(), 'meeting.locked', { locked: true });
    expect(s.locked).toBe(true);
    s = applyEvent(s, 'meeting.updated', { topic: 'Renamed', settings: { chat: 'off' } });
    expect(s.topic).toBe('Renamed');
    expect(s.settings.chat).toBe('off');
    expect(s.settings.waiting_room).toBe(true);
  });
});

describe('a participant', () => {
  const waiting: JoinResult = { ...hostJoin, participant_id: 'g1', role: 'participant', state: 'waiting', roster: [], waiting: undefined };
  it('waits, then is admitted with the roster', () => {
    let s = fromJoin(waiting);
    expect(s.status).toBe('waiting');
    expect(canModerate(s)).toBe(false);
    s = applyEvent(s, 'meeting.admitted', { ...hostJoin, participant_id: 'g1', role: 'participant', roster: [person('h1', 'Hana', 'host'), person('g1', 'Gus')] });
    expect(s.status).toBe('joined');
    expect(self(s)?.display_name).toBe('Gus');
  });
  it('moves from waiting for the host to the waiting room', () => {
    let s = fromJoin({ ...waiting, state: 'waiting_for_host' });
    s = applyEvent(s, 'meeting.waiting', { participant: person('g1', 'Gus', 'participant', { state: 'waiting' }) });
    expect(s.status).toBe('waiting');
  });
  it('understands being removed and the meeting ending', () => {
    expect(applyEvent(fromJoin(waiting), 'meeting.removed', { reason: 'banned' })).toMatchObject({ status: 'removed', removedReason: 'banned' });
    expect(applyEvent(fromJoin(waiting), 'meeting.ended', { reason: 'ended_by_host' })).toMatchObject({ status: 'ended', endedReason: 'ended_by_host' });
  });
  it('ignores unknown events and malformed data', () => {
    const s = fromJoin(waiting);
    expect(applyEvent(s, 'media.something_new', { x: 1 })).toBe(s);
    expect(applyEvent(s, 'participant.joined', {})).toBe(s);
  });
});

describe('chat', () => {
  const msg = (seq: number, text: string, extra: object = {}) => ({ seq, from: 'h1', from_user: 'uh1', from_name: 'Hana', text, at: 1_700_000_000_000 + seq, ...extra });
  it('history and live messages merge by seq without duplicates', () => {
    const merged = mergeChat([msg(2, 'b'), msg(3, 'c')], [msg(1, 'a'), msg(2, 'b')]);
    expect(merged.map((m) => m.text)).toEqual(['a', 'b', 'c']);
  });
  it('private messages are marked in the transcript', () => {
    let s = applyEvent(host(), 'participant.joined', { participant: person('g1', 'Gus') });
    s = applyEvent(s, 'chat.message', msg(1, 'hello all'));
    s = applyEvent(s, 'chat.message', msg(2, 'just you', { to: 'g1' }));
    const text = chatTranscript(s, 'en');
    expect(text).toContain('Hana: hello all');
    expect(text).toContain('Hana → Gus: just you');
  });
  it('participants may write only to whom the chat settings allow', () => {
    let s = fromJoin({ ...hostJoin, participant_id: 'g1', role: 'participant', roster: [person('h1', 'Hana', 'host'), person('g1', 'Gus'), person('p2', 'Pia')] });
    expect(recipientsFor(s, 'participant').map((r) => r.id)).toEqual(['', 'h1', 'p2']);
    s = { ...s, settings: { ...s.settings, private_chat: false } };
    expect(recipientsFor(s, 'participant').map((r) => r.id)).toEqual(['', 'h1']);
    s = { ...s, settings: { ...s.settings, chat: 'host_only' } };
    expect(recipientsFor(s, 'participant').map((r) => r.id)).toEqual(['h1']);
    s = { ...s, settings: { ...s.settings, chat: 'off' } };
    expect(recipientsFor(s, 'participant')).toEqual([]);
    expect(recipientsFor(s, 'cohost').map((r) => r.id)).toEqual(['', 'h1', 'p2']);
  });
});

describe('video grid paging', () => {
  it('splits tiles into pages and clamps the page', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(pageCount(20, 9)).toBe(3);
    expect(pageCount(0, 9)).toBe(1);
    expect(pageOf(items, 2, 9)).toEqual([18, 19]);
    expect(pageOf(items, 7, 9)).toEqual([18, 19]);
  });
});
