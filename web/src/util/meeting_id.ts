// Meeting ids as people type, paste and read them.

/**
 * The 11-digit meeting id in what someone typed: the id itself, grouped with spaces or dashes,
 * or a join link (`https://host/j/12345678901`). A 10-digit personal meeting id is accepted too.
 * Null when there is none.
 */
export function parseMeetingInput(input: string): string | null {
  const text = input.trim();
  const link = /\/j\/([0-9][0-9 -]*[0-9])/.exec(text);
  const candidate = (link ? link[1] : text).replace(/[\s-]/g, '');
  if (!/^[0-9]{10,11}$/.test(candidate)) return null;
  if (candidate.startsWith('0')) return null;
  return candidate;
}

/** `12345678901` → `123 4567 8901`; a 10-digit PMI → `123 456 7890`. */
export function formatMeetingId(id: string): string {
  if (/^[0-9]{11}$/.test(id)) return `${id.slice(0, 3)} ${id.slice(3, 7)} ${id.slice(7)}`;
  if (/^[0-9]{10}$/.test(id)) return `${id.slice(0, 3)} ${id.slice(3, 6)} ${id.slice(6)}`;
  return id;
}

/** The absolute join link for an id (passwords never go into links). */
export function joinLink(origin: string, meetingId: string): string {
  return `${origin}/j/${meetingId}`;
}
