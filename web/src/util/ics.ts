// An RFC 5545 calendar file for a scheduled meeting.

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** UTC date-time in the iCalendar basic format: 20261129T113000Z. */
export function icsDate(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return (
    `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}` +
    `T${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`
  );
}

/** Escapes TEXT values: backslash, semicolon, comma and newlines. */
export function icsEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets as the RFC asks (continuations start with a space). */
export function foldLine(line: string): string {
  const bytes = new TextEncoder().encode(line);
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let size = 0;
  for (const ch of line) {
    const n = new TextEncoder().encode(ch).length;
    const limit = parts.length === 0 ? 75 : 74;
    if (size + n > limit) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += ch;
    size += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export interface IcsMeeting {
  meetingId: string;
  topic: string;
  startAt: number;
  durationMin: number;
  joinUrl: string;
  description: string;
  /** Time stamp of the file itself. */
  now: number;
}

export function buildIcs(m: IcsMeeting): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Parley//Meetings//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${m.meetingId}@parley`,
    `DTSTAMP:${icsDate(m.now)}`,
    `DTSTART:${icsDate(m.startAt)}`,
    `DTEND:${icsDate(m.startAt + m.durationMin * 60)}`,
    `SUMMARY:${icsEscape(m.topic)}`,
    `DESCRIPTION:${icsEscape(m.description)}`,
    `LOCATION:${icsEscape(m.joinUrl)}`,
    `URL:${m.joinUrl}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
