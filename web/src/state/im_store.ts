// The IM page's live state over one connection: loads the conversation list, feeds events into
// the pure model (im_model.ts), pages history, and syncs every loaded thread after a reconnect
// or a gap. Screens subscribe with onChange and read the fields.
import type { Connection } from '../protocol/connection';
import {
  applyLiveMessage,
  applyMessageToEntry,
  applyOwnRead,
  emptyThread,
  entryFromSummary,
  mergeIntoThread,
  orderConversations,
  typingTtlMs,
  type Conversation,
  type ConversationEntry,
  type ConversationSummary,
  type ImMessage,
  type Person,
  type PresenceStatus,
  type Thread,
} from './im_model';

interface Page {
  messages: ImMessage[];
  more: boolean;
  last_seq: number;
}

export type ImChange = 'list' | 'thread' | 'typing' | 'presence' | 'receipts' | 'removed';

export class ImStore {
  readonly entries = new Map<string, ConversationEntry>();
  readonly threads = new Map<string, Thread>();
  /** Per conversation: user → typing-until (ms). */
  readonly typing = new Map<string, Map<string, number>>();
  /** Per conversation: user → the highest seq they have read (from im.read events this session). */
  readonly readers = new Map<string, Map<string, number>>();
  readonly presence = new Map<string, PresenceStatus>();
  /** Names of everyone seen in a conversation (members, also those who left). */
  readonly people = new Map<string, Person>();
  /** The conversation on screen, whose new messages are read at once. */
  openId: string | null = null;
  private listeners = new Set<(change: ImChange, conversationId?: string) => void>();
  private offs: (() => void)[] = [];
  private syncing = new Map<string, Promise<void>>();
  /** Threads whose newest page has been loaded (live entries and syncs extend them). */
  private loaded = new Set<string>();
  private typingTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly conn: Connection,
    readonly selfId: string,
  ) {
    this.offs.push(
      conn.on('im.message', (d) => this.onMessage(String(d.conversation_id), d.message as ImMessage)),
      conn.on('im.conversation', (d) => this.onConversation(d as unknown as Conversation)),
      conn.on('im.removed', (d) => this.onRemoved(String(d.conversation_id))),
      conn.on('im.read', (d) => this.onRead(String(d.conversation_id), String(d.user_id), Number(d.seq))),
      conn.on('im.typing', (d) => this.onTyping(String(d.conversation_id), String(d.user_id), Boolean(d.typing))),
      conn.on('presence.changed', (d) => {
        this.presence.set(String(d.user_id), d.status as PresenceStatus);
        this.emit('presence');
      }),
      conn.onReconnected(() => void this.resync()),
    );
    // Typing indicators expire on their own.
    this.typingTimer = setInterval(() => {
      const now = Date.now();
      for (const [cid, m] of this.typing) {
        let changed = false;
        for (const [u, until] of m) if (until <= now) (m.delete(u), (changed = true));
        if (changed) this.emit('typing', cid);
      }
    }, 1000);
  }

  dispose() {
    for (const off of this.offs) off();
    this.offs = [];
    if (this.typingTimer) clearInterval(this.typingTimer);
    this.listeners.clear();
  }

  onChange(handler: (change: ImChange, conversationId?: string) => void): () => void {
    this.listeners.add(handler);
    return () => this.listeners.delete(handler);
  }

  private emit(change: ImChange, conversationId?: string) {
    for (const l of this.listeners) l(change, conversationId);
  }

  ordered(): ConversationEntry[] {
    return orderConversations(this.entries.values());
  }

  private remember(c: Conversation) {
    for (const p of c.members) this.people.set(p.user_id, p);
  }

  private upsert(s: ConversationSummary) {
    const old = this.entries.get(s.conversation.conversation_id);
    const fresh = entryFromSummary(s);
    if (old) {
      fresh.activityAt = Math.max(fresh.activityAt, old.activityAt);
      if (!s.last_message) fresh.lastMessage = old.lastMessage;
      if (s.activity_at === undefined) fresh.activityAt = old.activityAt;
    }
    this.entries.set(s.conversation.conversation_id, fresh);
    this.remember(s.conversation);
    return fresh;
  }

  /** Loads (or reloads) the conversation list and the presence of everyone in it. */
  async loadList(): Promise<void> {
    // Only conversations known before the call can be stale; one that arrived meanwhile stays.
    const before = new Set(this.entries.keys());
    const r = await this.conn.call<{ conversations: ConversationSummary[] }>('im.conversation.list', { limit: 100 });
    const ids = new Set<string>();
    for (const s of r.conversations) {
      ids.add(s.conversation.conversation_id);
      this.upsert(s);
    }
    // Gone from the list while offline (removed or left elsewhere); the list's limit keeps older ones out too.
    if (r.conversations.length < 100) for (const id of before) if (!ids.has(id)) this.entries.delete(id);
    this.emit('list');
    void this.loadPresence();
  }

  async loadPresence(): Promise<void> {
    const ids = [...this.people.keys()].filter((id) => id !== this.selfId).slice(0, 500);
    if (!ids.length) return;
    try {
      const r = await this.conn.call<{ presence: Record<string, PresenceStatus> }>('presence.get', { user_ids: ids });
      for (const [id, status] of Object.entries(r.presence)) this.presence.set(id, status);
      this.emit('presence');
    } catch {
      /* presence is a nicety: the list works without it */
    }
  }

  /** Adds a conversation the caller just opened or created (a conversation view). */
  adopt(view: ConversationSummary): ConversationEntry {
    const e = this.upsert({ ...view, activity_at: view.activity_at ?? this.entries.get(view.conversation.conversation_id)?.activityAt ?? Date.now() });
    this.emit('list');
    void this.loadPresence();
    return e;
  }

  /** The newest page of a thread, once; later calls return what is loaded. */
  async openThread(id: string): Promise<Thread> {
    const have = this.threads.get(id);
    if (have && this.loaded.has(id)) {
      await this.sync(id);
      return this.threads.get(id)!;
    }
    const r = await this.conn.call<Page>('im.history', { conversation_id: id, limit: 50 });
    const thread = mergeIntoThread(this.threads.get(id) ?? emptyThread(), r.messages, { moreBefore: r.more, firstPage: true });
    // An empty conversation: everything up to last_seq (nothing) is seen.
    if (!r.messages.length) thread.seenSeq = Math.max(thread.seenSeq, r.last_seq);
    this.loaded.add(id);
    this.threads.set(id, thread);
    this.emit('thread', id);
    return thread;
  }

  /** The page before the oldest loaded entry. Returns how many entries came. */
  async loadOlder(id: string): Promise<number> {
    const thread = this.threads.get(id);
    if (!thread || !thread.moreBefore || thread.firstSeq <= 1) return 0;
    const r = await this.conn.call<Page>('im.history', { conversation_id: id, before_seq: thread.firstSeq, limit: 50 });
    const merged = mergeIntoThread(this.threads.get(id)!, r.messages, { moreBefore: r.more });
    this.threads.set(id, merged);
    this.emit('thread', id);
    return r.messages.length;
  }

  /** Fetches everything after the thread's last gap-free seq (offline sync, gap repair). */
  sync(id: string): Promise<void> {
    const running = this.syncing.get(id);
    if (running) return running;
    const job = (async () => {
      for (let round = 0; round < 100; round++) {
        const thread = this.threads.get(id);
        if (!thread) return;
        const r = await this.conn.call<Page>('im.sync', { conversation_id: id, after_seq: thread.seenSeq, limit: 500 });
        const merged = mergeIntoThread(this.threads.get(id)!, r.messages);
        if (!r.messages.length) merged.seenSeq = Math.max(merged.seenSeq, r.last_seq);
        this.threads.set(id, merged);
        const entry = this.entries.get(id);
        if (entry) {
          let e = { ...entry, lastSeq: Math.max(entry.lastSeq, r.last_seq) };
          const last = [...r.messages].reverse().find((m) => m.kind !== 'edit' && m.kind !== 'delete');
          if (last) {
            e.activityAt = Math.max(e.activityAt, last.at);
            e.lastMessage = merged.messages.find((m) => m.seq === last.seq) ?? last;
          }
          if (this.openId === id) e = applyOwnRead(e, e.readSeq, this.selfId, merged);
          this.entries.set(id, e);
        }
        this.emit('thread', id);
        this.emit('list');
        if (!r.more) return;
      }
    })().finally(() => this.syncing.delete(id));
    this.syncing.set(id, job);
    return job;
  }

  /** After a reconnect: the list shows where there is news; loaded threads sync from their last seq. */
  async resync(): Promise<void> {
    try {
      await this.loadList();
      await Promise.all([...this.threads.keys()].filter((id) => this.entries.has(id)).map((id) => this.sync(id)));
      if (this.openId) void this.markRead(this.openId);
    } catch {
      /* the next reconnect tries again */
    }
  }

  /** Moves the caller's read marker to the newest loaded entry of a thread. */
  async markRead(id: string): Promise<void> {
    const thread = this.threads.get(id);
    const entry = this.entries.get(id);
    if (!thread || !entry) return;
    const seq = thread.seenSeq;
    if (seq <= entry.readSeq && entry.unread === 0) return;
    const r = await this.conn.call<{ read_seq: number }>('im.read', { conversation_id: id, seq });
    const now = this.entries.get(id);
    if (now) this.entries.set(id, applyOwnRead(now, r.read_seq, this.selfId, this.threads.get(id)));
    this.emit('list');
  }

  send(id: string, args: Record<string, unknown>): Promise<{ seq: number; at: number; duplicate: boolean }> {
    return this.conn.call('im.send', { conversation_id: id, ...args });
  }

  private onMessage(id: string, m: ImMessage) {
    const entry = this.entries.get(id);
    if (entry) {
      this.entries.set(id, applyMessageToEntry(entry, m, this.selfId, this.openId === id && (typeof document === 'undefined' || document.visibilityState === 'visible')));
    } else {
      // A conversation the list does not have yet (a new 1:1, an added member): fetch it.
      void this.conn
        .call<ConversationSummary>('im.conversation.get', { conversation_id: id })
        .then((v) => this.adopt({ ...v, activity_at: m.at, last_message: m }))
        .catch(() => {});
    }
    const thread = this.threads.get(id);
    if (thread && this.loaded.has(id)) {
      const { thread: next, gap } = applyLiveMessage(thread, m);
      this.threads.set(id, next);
      if (gap) void this.sync(id);
      this.emit('thread', id);
    }
    // The sender stopped typing.
    this.typing.get(id)?.delete(m.sender_id);
    this.emit('typing', id);
    this.emit('list');
    if (this.openId === id && m.sender_id !== this.selfId) void this.markRead(id).catch(() => {});
  }

  private onConversation(c: Conversation) {
    const entry = this.entries.get(c.conversation_id);
    this.remember(c);
    if (entry) this.entries.set(c.conversation_id, { ...entry, conversation: c });
    else this.entries.set(c.conversation_id, { conversation: c, lastSeq: 0, readSeq: 0, unread: 0, activityAt: Date.now() });
    this.emit('list');
    this.emit('thread', c.conversation_id);
    void this.loadPresence();
  }

  private onRemoved(id: string) {
    this.entries.delete(id);
    this.threads.delete(id);
    this.loaded.delete(id);
    this.emit('list');
    this.emit('removed', id);
  }

  private onRead(id: string, user: string, seq: number) {
    if (user === this.selfId) {
      const entry = this.entries.get(id);
      if (entry) this.entries.set(id, applyOwnRead(entry, seq, this.selfId, this.threads.get(id)));
      this.emit('list');
      return;
    }
    if (!this.readers.has(id)) this.readers.set(id, new Map());
    const r = this.readers.get(id)!;
    r.set(user, Math.max(r.get(user) ?? 0, seq));
    this.emit('receipts', id);
  }

  private onTyping(id: string, user: string, typing: boolean) {
    if (user === this.selfId) return;
    if (!this.typing.has(id)) this.typing.set(id, new Map());
    if (typing) this.typing.get(id)!.set(user, Date.now() + typingTtlMs);
    else this.typing.get(id)!.delete(user);
    this.emit('typing', id);
  }

  personName(id: string): string {
    const p = this.people.get(id);
    return p ? p.display_name || p.username : id;
  }
}
