// Instant messaging as pure state: conversations ordered by activity with unread counts, and
// each thread's timeline kept in seq order, merged from history pages, sync answers and live
// events without duplicates, with edits and deletes applied to the entries they point at.
// Shapes follow docs/protocol.md (Messaging).

export type PresenceStatus = 'online' | 'away' | 'offline';

export interface Person {
  user_id: string;
  username: string;
  display_name: string;
}

export interface Conversation {
  conversation_id: string;
  kind: 'direct' | 'group';
  name: string;
  owner_id?: string;
  members: Person[];
  created_at: number;
}

export type MessageKind = 'text' | 'image' | 'invite' | 'edit' | 'delete' | 'event';

export interface ImMessage {
  seq: number;
  kind: MessageKind;
  sender_id: string;
  at: number;
  client_id?: string;
  text?: string;
  edited_at?: number;
  deleted?: boolean;
  target_seq?: number;
  file_id?: string;
  mime?: string;
  size?: number;
  meeting_id?: string;
  join_url?: string;
  action?: 'created' | 'renamed' | 'added' | 'removed' | 'left';
  subject_ids?: string[];
}

/** One row of im.conversation.list (also what the other conversation ops answer, without activity). */
export interface ConversationSummary {
  conversation: Conversation;
  last_seq: number;
  read_seq: number;
  unread: number;
  activity_at?: number;
  last_message?: ImMessage;
}

/** What the client knows of one conversation. */
export interface ConversationEntry {
  conversation: Conversation;
  /** The highest seq the server says exists. */
  lastSeq: number;
  /** The caller's read marker (never moves back). */
  readSeq: number;
  unread: number;
  activityAt: number;
  lastMessage?: ImMessage;
}

/** A thread's loaded timeline: a contiguous run of seqs [firstSeq, seenSeq]. */
export interface Thread {
  /** Shown entries (text, image, invite, event), oldest first; edit/delete entries are applied, not shown. */
  messages: ImMessage[];
  /** Lowest seq loaded (0: nothing loaded yet). */
  firstSeq: number;
  /** Highest seq loaded without a gap below it: where im.sync continues. */
  seenSeq: number;
  /** Older entries exist below firstSeq. */
  moreBefore: boolean;
  /** Seqs loaded above a gap (live entries that overtook a missed one), until the gap fills. */
  above: number[];
}

/** Kinds that count as unread and move a conversation up. */
export function countsAsUnread(m: ImMessage): boolean {
  return m.kind === 'text' || m.kind === 'image' || m.kind === 'invite';
}

/** Kinds a thread shows as an entry of its own. */
export function isShown(m: ImMessage): boolean {
  return m.kind !== 'edit' && m.kind !== 'delete';
}

export function emptyThread(): Thread {
  return { messages: [], firstSeq: 0, seenSeq: 0, moreBefore: false, above: [] };
}

export function entryFromSummary(s: ConversationSummary): ConversationEntry {
  return {
    conversation: s.conversation,
    lastSeq: s.last_seq,
    readSeq: s.read_seq,
    unread: s.unread,
    activityAt: s.activity_at ?? s.last_message?.at ?? s.conversation.created_at,
    lastMessage: s.last_message,
  };
}

/** Most recently active first; ties by id so the order is stable. */
export function orderConversations(entries: Iterable<ConversationEntry>): ConversationEntry[] {
  return [...entries].sort(
    (a, b) => b.activityAt - a.activityAt || (a.conversation.conversation_id < b.conversation.conversation_id ? -1 : a.conversation.conversation_id > b.conversation.conversation_id ? 1 : 0),
  );
}

/** The unread badge text: counts above 99 show as "99+". */
export function unreadLabel(n: number): string {
  if (n <= 0) return '';
  return n > 99 ? '99+' : String(n);
}

function applyEdit(target: ImMessage, edit: ImMessage): ImMessage {
  if (target.deleted) return target;
  return { ...target, text: edit.text, edited_at: edit.at };
}

function tombstone(target: ImMessage): ImMessage {
  const t: ImMessage = { seq: target.seq, kind: target.kind, sender_id: target.sender_id, at: target.at, deleted: true };
  if (target.client_id !== undefined) t.client_id = target.client_id;
  return t;
}

/**
 * Merges entries (from a history page, a sync answer or live events, in any order and with
 * repeats) into a thread. Entries stay in seq order, each seq once; an edit or delete rewrites its
 * target if it is loaded (history already carries rewritten targets, so applying twice is harmless).
 * `seenSeq` only advances over a gap-free run, so a later im.sync fills any hole; `firstPage`
 * marks the newest page of history (im.history without before_seq), which starts the run.
 */
export function mergeIntoThread(thread: Thread, incoming: ImMessage[], options: { moreBefore?: boolean; firstPage?: boolean } = {}): Thread {
  const bySeq = new Map<number, ImMessage>();
  for (const m of thread.messages) bySeq.set(m.seq, m);
  const sorted = [...incoming].sort((a, b) => a.seq - b.seq);
  let firstSeq = thread.firstSeq;
  // All seqs loaded (shown or not), for gap tracking.
  const loaded = new Set<number>();
  for (const m of sorted) {
    loaded.add(m.seq);
    if (firstSeq === 0 || m.seq < firstSeq) firstSeq = m.seq;
  }
  for (const m of sorted) {
    if (isShown(m)) {
      const existing = bySeq.get(m.seq);
      // A tombstone or a later edit never goes back to an older state.
      if (existing && (existing.deleted || (existing.edited_at ?? 0) > (m.edited_at ?? 0)) && !m.deleted) continue;
      bySeq.set(m.seq, m);
    }
  }
  for (const m of sorted) {
    if (m.target_seq === undefined) continue;
    const target = bySeq.get(m.target_seq);
    if (!target) continue;
    if (m.kind === 'edit' && (target.edited_at ?? 0) <= m.at) bySeq.set(target.seq, applyEdit(target, m));
    if (m.kind === 'delete') bySeq.set(target.seq, tombstone(target));
  }
  let seenSeq = thread.seenSeq;
  if (options.firstPage && thread.firstSeq === 0 && sorted.length) {
    // The newest page of history: contiguous from its lowest seq up.
    seenSeq = Math.max(seenSeq, sorted[0].seq - 1);
  }
  // Advance over every seq now known: those already shown plus the incoming ones.
  for (const m of thread.messages) loaded.add(m.seq);
  for (const s of thread.above) loaded.add(s);
  while (loaded.has(seenSeq + 1)) seenSeq++;
  const above = [...loaded].filter((s) => s > seenSeq + 1).sort((a, b) => a - b);
  const messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return {
    messages,
    firstSeq,
    seenSeq,
    moreBefore: options.moreBefore ?? (thread.firstSeq === 0 ? firstSeq > 1 : thread.moreBefore),
    above,
  };
}

/**
 * Applies one live im.message to a thread. Returns the new thread and whether a gap showed up
 * (an entry beyond seenSeq + 1: something was missed and im.sync must fill it).
 */
export function applyLiveMessage(thread: Thread, m: ImMessage): { thread: Thread; gap: boolean } {
  const gap = m.seq > thread.seenSeq + 1;
  return { thread: mergeIntoThread(thread, [m]), gap };
}

/**
 * A live message seen by the conversation list: activity, last seq, preview and unread count
 * (others' countable entries past the read marker, unless the thread is being read right now).
 */
export function applyMessageToEntry(entry: ConversationEntry, m: ImMessage, selfId: string, reading: boolean): ConversationEntry {
  const next: ConversationEntry = { ...entry, lastSeq: Math.max(entry.lastSeq, m.seq) };
  if (m.seq <= entry.lastSeq) return next; // already counted (a repeat after sync)
  // An edit or delete of the entry the list previews rewrites the preview.
  const last = entry.lastMessage;
  if (last && m.target_seq === last.seq) {
    if (m.kind === 'delete') next.lastMessage = tombstone(last);
    else if (m.kind === 'edit' && !last.deleted) next.lastMessage = applyEdit(last, m);
  }
  if (countsAsUnread(m) || m.kind === 'event') {
    next.activityAt = Math.max(entry.activityAt, m.at);
    next.lastMessage = m;
  }
  if (countsAsUnread(m) && m.sender_id !== selfId && m.seq > entry.readSeq && !reading) next.unread = entry.unread + 1;
  if (m.sender_id === selfId && countsAsUnread(m)) {
    // Sending implies having read everything before it.
    next.readSeq = Math.max(entry.readSeq, m.seq);
    next.unread = 0;
  }
  return next;
}

/**
 * The caller's read marker moved to `seq` (own im.read answer or event from another device).
 * The unread count is recounted from the loaded thread where it covers the range, else cleared
 * when everything is read.
 */
export function applyOwnRead(entry: ConversationEntry, seq: number, selfId: string, thread?: Thread): ConversationEntry {
  const readSeq = Math.max(entry.readSeq, seq);
  let unread = entry.unread;
  if (readSeq >= entry.lastSeq) unread = 0;
  else if (thread && thread.firstSeq > 0 && thread.firstSeq <= readSeq + 1 && thread.seenSeq >= entry.lastSeq) {
    unread = thread.messages.filter((m) => m.seq > readSeq && m.sender_id !== selfId && countsAsUnread(m) && !m.deleted).length;
  }
  return { ...entry, readSeq, unread };
}

/** The highest shown seq of others' messages someone has read, per reader: for "Seen by". */
export function seenBy(readers: Map<string, number>, m: ImMessage, selfId: string): string[] {
  const out: string[] = [];
  for (const [user, seq] of readers) if (user !== selfId && user !== m.sender_id && seq >= m.seq) out.push(user);
  return out;
}

/** The name a conversation shows: the group's name, or the other person of a 1:1. */
export function conversationTitle(c: Conversation, selfId: string): string {
  if (c.kind === 'group') return c.name;
  const other = c.members.find((p) => p.user_id !== selfId);
  return other?.display_name || other?.username || c.name;
}

/** The other person of a 1:1 conversation. */
export function directPartner(c: Conversation, selfId: string): Person | undefined {
  return c.kind === 'direct' ? c.members.find((p) => p.user_id !== selfId) : undefined;
}

/** A fresh client message id (idempotent sends): random, 32 hex digits. */
export function newClientId(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return [...random(16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Typing indicators expire unless renewed (the sender repeats while typing). */
export const typingTtlMs = 6000;

export function activeTypers(typing: Map<string, number>, now: number): string[] {
  return [...typing.entries()].filter(([, until]) => until > now).map(([user]) => user);
}
