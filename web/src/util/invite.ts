// The invitation people paste into mail or chat; the password is left out unless the host adds it.
import { formatMeetingId } from './meeting_id';

export interface InviteFacts {
  hostName: string;
  topic: string;
  startAt: number;
  durationMin: number;
  link: string;
  meetingId: string;
  hasPassword: boolean;
}

export function inviteText(f: InviteFacts, t: (key: string, vars?: Record<string, string>) => string, locale: string): string {
  const lines = [t('invite.intro', { name: f.hostName }), '', `${t('invite.topic')}: ${f.topic}`];
  if (f.startAt) {
    const when = new Date(f.startAt * 1000).toLocaleString(locale, { dateStyle: 'full', timeStyle: 'short' });
    lines.push(`${t('invite.time')}: ${when} (${f.durationMin} min)`);
  }
  lines.push('', `${t('invite.join')}: ${f.link}`, `${t('invite.meetingId')}: ${formatMeetingId(f.meetingId)}`);
  if (f.hasPassword) lines.push(t('invite.passwordSeparately'));
  return lines.join('\n') + '\n';
}
