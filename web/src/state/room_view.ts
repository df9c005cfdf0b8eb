// Derived views of the meeting for the room screen: pages of tiles, chat recipients, the transcript.
import type { Participant, Role } from '../protocol/types';
import type { MeetingState } from './meeting_state';

export function pageCount(items: number, size: number): number {
  return Math.max(1, Math.ceil(items / size));
}

export function pageOf<T>(items: T[], page: number, size: number): T[] {
  const p = Math.max(0, Math.min(page, pageCount(items.length, size) - 1));
  return items.slice(p * size, p * size + size);
}

export interface Recipient {
  id: string; // '' = everyone
  name: string;
}

/**
 * Who the user may write to under the meeting's chat rules: hosts and co-hosts may always write
 * to anyone; participants follow `chat` and `private_chat`.
 */
export function recipientsFor(state: MeetingState, role: Role): Recipient[] {
  const others = state.participants.filter((p) => p.participant_id !== state.selfId);
  const moderators = (p: Participant) => p.role !== 'participant';
  if (role !== 'participant') return [{ id: '', name: '' }, ...others.map(toRecipient)];
  const { chat, private_chat } = state.settings;
  if (chat === 'off') return [];
  const privateTo = chat === 'host_only' || !private_chat ? others.filter(moderators) : others;
  return [...(chat === 'everyone' ? [{ id: '', name: '' }] : []), ...privateTo.map(toRecipient)];
}

function toRecipient(p: Participant): Recipient {
  return { id: p.participant_id, name: p.display_name };
}

/** The chat as a plain-text file: one line per message, oldest first. */
export function chatTranscript(state: MeetingState, locale: string): string {
  const names = new Map(state.participants.map((p) => [p.participant_id, p.display_name]));
  const lines = [`${state.topic} (${state.meetingId})`, ''];
  for (const m of state.chat) {
    const when = new Date(m.at).toLocaleString(locale, { hour12: false });
    const to = m.to ? ` → ${names.get(m.to) ?? m.to}` : '';
    lines.push(`[${when}] ${m.from_name}${to}: ${m.text}`);
  }
  return lines.join('\n') + '\n';
}
