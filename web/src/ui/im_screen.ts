// The IM page (/messages, /messages/<conversation_id>): conversations by activity with unread
// counts and presence, a thread with paging, receipts, typing, edit/delete, and a composer with
// emoji, images and meeting invitations. Groups: create, rename, members, leave. On a phone the
// list and the thread take turns.
import type { Connection } from '../protocol/connection';
import {
  conversationTitle,
  directPartner,
  newClientId,
  activeTypers,
  seenBy,
  unreadLabel,
  type ConversationEntry,
  type ImMessage,
  type Person,
  type PresenceStatus,
} from '../state/im_model';
import { ImStore } from '../state/im_store';
import type { AppContext } from './app_context';
import { h, initials, replace } from './dom';
import { icon } from './icons';
import { emojiPicker } from './im_emoji';
import { imIcon } from './im_icons';
import { peopleSearch } from './im_people';
import { forgetImage, imageUrl, uploadImage } from './im_images';

const awayAfterMs = 5 * 60 * 1000;

/** A text the user sent that the timeline does not have yet. */
interface PendingText {
  clientId: string;
  conversationId: string;
  text: string;
  at: number;
  failed: boolean;
  seq?: number;
}

export function imScreen(ctx: AppContext, root: HTMLElement, initialId: string | null) {
  const { t } = ctx;
  const self = ctx.session!.user;
  let store: ImStore | null = null;
  let disposed = false;
  let openId: string | null = initialId;
  let editingSeq: number | null = null;
  // Said to the server (presence.set) after a while without input.
  let away = false;
  // Conversations the user is leaving (their im.removed is no surprise).
  const leaving = new Set<string>();
  const pending: PendingText[] = [];
  const offs: (() => void)[] = [];

  // ---- layout -------------------------------------------------------------------------------
  const list = h('ul', { class: 'im-conversations', id: 'im-conversations', 'aria-label': t('im.conversations') });
  const finder = peopleSearch(ctx, () => store?.conn ?? null, {
    id: 'im-find',
    label: t('im.findPeople'),
    placeholder: t('im.findPlaceholder'),
    onPick: (p) => void startDirect(p),
  });
  const sidebar = h(
    'aside',
    { class: 'im-sidebar', 'aria-label': t('im.conversations') },
    h('div', { class: 'im-side-head' }, h('h1', null, t('im.title')), h('button', { id: 'im-new-group', class: 'small', onclick: () => void createGroupDialog() }, t('im.newGroup'))),
    finder.element,
    list,
  );
  const threadTitle = h('h2', { id: 'im-thread-title', class: 'im-thread-title' });
  const threadSub = h('p', { class: 'im-thread-sub', id: 'im-thread-sub' });
  const messagesBox = h('div', { class: 'im-messages', id: 'im-messages', role: 'log', 'aria-live': 'polite', tabindex: '0', 'aria-label': t('im.messages') });
  const olderButton = h('button', { class: 'link im-older', id: 'im-older', hidden: true, onclick: () => void loadOlder() }, t('im.older'));
  const messageList = h('ol', { class: 'im-message-list', id: 'im-message-list' });
  messagesBox.append(olderButton, messageList);
  const typingLine = h('p', { class: 'im-typing', id: 'im-typing', 'aria-live': 'polite' });
  const input = h('textarea', { id: 'im-input', rows: 1, maxlength: 8192, 'aria-label': t('im.messageLabel'), placeholder: t('im.messagePlaceholder') });
  const picker = emojiPicker(input, { open: t('im.emoji'), panel: t('im.emojiPanel') });
  const fileInput = h('input', { type: 'file', id: 'im-image-input', accept: 'image/png,image/jpeg,image/gif,image/webp', class: 'offscreen', 'aria-label': t('im.image'), tabindex: '-1' });
  const imageButton = h('button', { type: 'button', class: 'icon-button', id: 'im-image', 'aria-label': t('im.image'), title: t('im.image'), onclick: () => fileInput.click() }, imIcon('image'));
  const inviteButton = h('button', { type: 'button', class: 'small', id: 'im-invite', onclick: () => void inviteToMeeting() }, icon('video', 16), h('span', null, t('im.invite')));
  const detailsButton = h('button', { type: 'button', class: 'small', id: 'im-details-toggle', 'aria-expanded': 'false', 'aria-controls': 'im-details', onclick: () => toggleDetails() }, t('im.details'));
  const backButton = h('button', { type: 'button', class: 'link im-back', id: 'im-back', 'aria-label': t('im.back'), onclick: () => select(null) }, '‹ ', t('im.back'));
  const composer = h(
    'form',
    {
      class: 'im-composer',
      id: 'im-composer',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void sendText();
      },
    },
    picker.panel,
    h('div', { class: 'im-composer-row' }, picker.button, imageButton, fileInput, input, h('button', { type: 'submit', class: 'primary', id: 'im-send' }, t('im.send'))),
  );
  const details = h('aside', { class: 'im-details', id: 'im-details', hidden: true, 'aria-label': t('im.details') });
  const emptyThread = h('div', { class: 'im-empty', id: 'im-empty' }, h('p', null, t('im.pick')));
  const threadBox = h(
    'section',
    { class: 'im-thread', id: 'im-thread', 'aria-labelledby': 'im-thread-title' },
    h('header', { class: 'im-thread-head' }, backButton, h('div', { class: 'im-thread-names' }, threadTitle, threadSub), h('div', { class: 'im-thread-actions' }, inviteButton, detailsButton)),
    messagesBox,
    typingLine,
    composer,
  );
  const main = h('main', { class: 'im', id: 'im', 'data-view': openId ? 'thread' : 'list' }, sidebar, emptyThread, threadBox, details);
  replace(root, main);
  document.body.classList.add('im-page');
  showThreadChrome();

  // ---- helpers ------------------------------------------------------------------------------
  // The app's error texts speak of meetings; here a missing thing is a conversation, person or picture.
  const describe = (e: unknown) => ((e as { code?: string } | null)?.code === 'not_found' ? t('im.notFound') : ctx.describe(e));
  const token = () => ctx.session?.token ?? '';
  const timeOf = (ms: number) => {
    const d = new Date(ms);
    const today = new Date();
    return d.toDateString() === today.toDateString()
      ? d.toLocaleTimeString(ctx.locale, { hour: '2-digit', minute: '2-digit' })
      : d.toLocaleDateString(ctx.locale, { month: 'short', day: 'numeric' });
  };
  const presenceDot = (userId: string | undefined) => {
    // One's own page is open, so one is online (presence.changed is never sent about oneself).
    const status: PresenceStatus = userId === self.id ? (away ? 'away' : 'online') : (userId && store?.presence.get(userId)) || 'offline';
    return h('span', { class: `presence-dot ${status}`, 'data-presence': status, role: 'img', 'aria-label': t(`im.presence.${status}`), title: t(`im.presence.${status}`) });
  };
  const preview = (m: ImMessage | undefined): string => {
    if (!m) return '';
    if (m.deleted) return t('im.deleted');
    if (m.kind === 'image') return `🖼️ ${t('im.imageMessage')}`;
    if (m.kind === 'invite') return `📹 ${t('im.inviteMessage')}`;
    if (m.kind === 'event') return eventText(m);
    return m.text ?? '';
  };
  const nameOf = (id: string) => (id === self.id ? t('im.you') : store?.personName(id) ?? id);
  const eventText = (m: ImMessage): string => {
    const who = nameOf(m.sender_id);
    const subjects = (m.subject_ids ?? []).map(nameOf).join(', ');
    switch (m.action) {
      case 'created':
        return t('im.event.created', { who, name: m.text ?? '' });
      case 'renamed':
        return t('im.event.renamed', { who, name: m.text ?? '' });
      case 'added':
        return t('im.event.added', { who, subjects });
      case 'removed':
        return t('im.event.removed', { who, subjects });
      case 'left':
        return t('im.event.left', { who: subjects || who });
      default:
        return '';
    }
  };

  // ---- conversation list --------------------------------------------------------------------
  function renderList() {
    if (!store) return;
    const entries = store.ordered();
    // Keyboard focus stays on the same conversation across redraws.
    const focusedId = (document.activeElement as HTMLElement | null)?.closest?.('.im-conv')?.getAttribute('data-conversation-id');
    if (!entries.length) {
      replace(list, h('li', { class: 'empty' }, t('im.noConversations')));
      return;
    }
    replace(
      list,
      entries.map((e) => {
        const c = e.conversation;
        const title = conversationTitle(c, self.id);
        const partner = directPartner(c, self.id);
        const badge = unreadLabel(e.unread);
        return h(
          'li',
          null,
          h(
            'button',
            {
              class: `im-conv${c.conversation_id === openId ? ' active' : ''}${e.unread ? ' unread' : ''}`,
              'data-conversation-id': c.conversation_id,
              'aria-current': c.conversation_id === openId ? 'true' : false,
              'aria-label': [title, badge && t('im.unreadCount', { n: badge }), preview(e.lastMessage)].filter(Boolean).join(', '),
              onclick: () => select(c.conversation_id),
            },
            h('span', { class: 'avatar', 'aria-hidden': 'true' }, c.kind === 'group' ? icon('users', 18) : initials(title), partner && presenceDot(partner.user_id)),
            h('span', { class: 'im-conv-main' }, h('span', { class: 'im-conv-title' }, title), h('span', { class: 'im-conv-preview' }, preview(e.lastMessage))),
            h('span', { class: 'im-conv-side' }, h('time', { class: 'im-conv-time' }, e.lastMessage || e.activityAt ? timeOf(e.activityAt) : ''), badge && h('span', { class: 'unread-badge', 'data-unread': e.unread }, badge)),
          ),
        );
      }),
    );
    if (focusedId) list.querySelector<HTMLElement>(`.im-conv[data-conversation-id="${focusedId}"]`)?.focus();
  }

  // ---- thread -------------------------------------------------------------------------------
  function showThreadChrome() {
    main.dataset.view = openId ? 'thread' : 'list';
    threadBox.hidden = !openId;
    emptyThread.hidden = Boolean(openId);
    if (!openId) details.hidden = true;
  }

  function renderHeader() {
    const e = openId ? store?.entries.get(openId) : undefined;
    if (!e) {
      replace(threadTitle, '');
      replace(threadSub, '');
      return;
    }
    const c = e.conversation;
    replace(threadTitle, conversationTitle(c, self.id));
    const partner = directPartner(c, self.id);
    if (partner) {
      const status = store?.presence.get(partner.user_id) ?? 'offline';
      replace(threadSub, presenceDot(partner.user_id), ' ', t(`im.presence.${status}`));
    } else {
      replace(threadSub, t('im.memberCount', { n: c.members.length }));
    }
    if (!details.hidden) renderDetails();
  }

  const rendered = new Map<number, { key: string; el: HTMLElement }>();

  function messageKey(m: ImMessage, seen: string): string {
    return [m.seq, m.edited_at ?? 0, m.deleted ? 1 : 0, m.text ?? '', seen, editingSeq === m.seq ? 'e' : ''].join('|');
  }

  function renderMessage(m: ImMessage, seen: string, group: boolean): HTMLElement {
    const cid = openId!;
    const mine = m.sender_id === self.id;
    if (m.kind === 'event') return h('li', { class: 'im-event', 'data-seq': m.seq }, eventText(m));
    let body: HTMLElement;
    if (m.deleted) {
      body = h('p', { class: 'im-body tombstone' }, t('im.deleted'));
    } else if (m.kind === 'image') {
      const img = h('img', { class: 'im-image', alt: t('im.imageFrom', { name: nameOf(m.sender_id) }), 'data-file-id': m.file_id ?? '' });
      const status = h('span', { class: 'im-image-status' }, t('im.imageLoading'));
      const frame = h('div', { class: 'im-body im-image-frame' }, img, status, m.text && h('p', { class: 'im-caption' }, m.text));
      if (m.file_id) {
        imageUrl(cid, m.file_id, token())
          .then((url) => {
            // A picture at the bottom grows the thread: keep following it.
            const follow = messagesBox.scrollHeight - messagesBox.scrollTop - messagesBox.clientHeight < 60;
            img.addEventListener('load', () => {
              if (follow) messagesBox.scrollTop = messagesBox.scrollHeight;
            }, { once: true });
            img.src = url;
            status.remove();
          })
          .catch((err) => {
            status.textContent = describe(err);
          });
      }
      body = frame;
    } else if (m.kind === 'invite') {
      const meetingId = /^[0-9]{10,11}$/.test(m.meeting_id ?? '') ? m.meeting_id! : '';
      body = h(
        'div',
        { class: 'im-body im-invite', 'data-meeting-id': meetingId },
        h('p', null, icon('video', 18), ' ', t('im.inviteFrom', { name: nameOf(m.sender_id) })),
        m.text && h('p', null, m.text),
        meetingId &&
          h('button', { class: 'primary im-join', 'data-meeting-id': meetingId, 'aria-label': t('im.joinMeeting', { id: meetingId }), onclick: () => ctx.navigate(`/j/${meetingId}`) }, t('im.join')),
      );
    } else if (editingSeq === m.seq) {
      const area = h('textarea', { class: 'im-edit-input', 'aria-label': t('im.editLabel'), maxlength: 8192 }, m.text ?? '');
      area.value = m.text ?? '';
      const save = async () => {
        const text = area.value.trim();
        if (!text || text === m.text) {
          editingSeq = null;
          renderThread();
          return;
        }
        try {
          await store!.conn.call('im.edit', { conversation_id: cid, seq: m.seq, text });
          editingSeq = null;
          renderThread();
        } catch (err) {
          ctx.toast(describe(err), 'error');
        }
      };
      area.addEventListener('keydown', (e: KeyboardEvent) => {
        if (e.key === 'Enter' && !e.shiftKey) {
          e.preventDefault();
          void save();
        } else if (e.key === 'Escape') {
          editingSeq = null;
          renderThread();
        }
      });
      body = h(
        'div',
        { class: 'im-body im-editing' },
        area,
        h('div', { class: 'im-edit-actions' }, h('button', { type: 'button', class: 'small primary', onclick: () => void save() }, t('im.save')), h('button', { type: 'button', class: 'small', onclick: () => ((editingSeq = null), renderThread()) }, t('im.cancel'))),
      );
      setTimeout(() => area.focus(), 0);
    } else {
      body = h('p', { class: 'im-body' }, m.text ?? '');
    }
    const actions =
      mine && !m.deleted && editingSeq !== m.seq
        ? h(
            'span',
            { class: 'im-msg-actions' },
            m.kind === 'text' && h('button', { type: 'button', class: 'link small im-edit', 'aria-label': t('im.editMessage'), onclick: () => ((editingSeq = m.seq), renderThread()) }, t('im.edit')),
            h(
              'button',
              {
                type: 'button',
                class: 'link small im-delete',
                'aria-label': t('im.deleteMessage'),
                onclick: async () => {
                  if (!confirm(t('im.deleteConfirm'))) return;
                  try {
                    await store!.conn.call('im.delete', { conversation_id: cid, seq: m.seq });
                    if (m.file_id) forgetImage(cid, m.file_id);
                  } catch (err) {
                    ctx.toast(describe(err), 'error');
                  }
                },
              },
              t('im.delete'),
            ),
          )
        : null;
    return h(
      'li',
      { class: `im-msg ${mine ? 'mine' : 'theirs'}${m.deleted ? ' deleted' : ''}`, 'data-seq': m.seq, 'data-kind': m.kind, 'data-sender': m.sender_id },
      group && !mine && h('span', { class: 'im-sender' }, nameOf(m.sender_id)),
      body,
      h(
        'span',
        { class: 'im-meta' },
        h('time', { datetime: new Date(m.at).toISOString() }, timeOf(m.at)),
        m.edited_at && !m.deleted && h('span', { class: 'im-edited' }, `· ${t('im.edited')}`),
        seen && h('span', { class: 'im-seen', 'data-seen': seen }, `· ${seen}`),
        actions,
      ),
    );
  }

  function renderThread() {
    if (!store || !openId) return;
    const thread = store.threads.get(openId);
    const entry = store.entries.get(openId);
    if (!thread || !entry) return;
    const atBottom = messagesBox.scrollHeight - messagesBox.scrollTop - messagesBox.clientHeight < 40;
    const fromBottom = messagesBox.scrollHeight - messagesBox.scrollTop;
    olderButton.hidden = !thread.moreBefore;
    const group = entry.conversation.kind === 'group';
    // Receipts on the newest own message: who has read up to it.
    const lastMine = [...thread.messages].reverse().find((m) => m.sender_id === self.id && m.kind !== 'event');
    let seenText = '';
    if (lastMine) {
      const names = seenBy(store.readers.get(openId) ?? new Map<string, number>(), lastMine, self.id).map(nameOf);
      if (names.length) seenText = group ? t('im.seenBy', { names: names.join(', ') }) : t('im.seen');
    }
    const wanted: HTMLElement[] = [];
    const keep = new Set<number>();
    for (const m of thread.messages) {
      const seen = m === lastMine ? seenText : '';
      const key = messageKey(m, seen);
      let r = rendered.get(m.seq);
      if (!r || r.key !== key) {
        r = { key, el: renderMessage(m, seen, group) };
        rendered.set(m.seq, r);
      }
      keep.add(m.seq);
      wanted.push(r.el);
    }
    for (const seq of [...rendered.keys()]) if (!keep.has(seq)) rendered.delete(seq);
    // Own texts on their way: shown until the timeline has them (matched by client id or seq).
    const arrived = new Set(thread.messages.map((m) => m.client_id).filter(Boolean));
    for (let i = pending.length - 1; i >= 0; i--) {
      const p = pending[i];
      if (p.conversationId !== openId) continue;
      if (arrived.has(p.clientId) || (p.seq !== undefined && p.seq <= thread.seenSeq)) pending.splice(i, 1);
    }
    for (const p of pending) if (p.conversationId === openId) wanted.push(renderPending(p));
    // Insert or move only what changed, so a focused control stays focused.
    let cursor: ChildNode | null = messageList.firstChild;
    for (const el of wanted) {
      if (cursor === el) {
        cursor = cursor.nextSibling;
        continue;
      }
      messageList.insertBefore(el, cursor);
    }
    while (cursor) {
      const next: ChildNode | null = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
    if (!wanted.length) messageList.replaceChildren(h('li', { class: 'empty' }, t('im.emptyThread')));
    // Older entries came in above: keep the view where it was. New ones at the bottom: follow.
    if (loadingOlder) messagesBox.scrollTop = messagesBox.scrollHeight - fromBottom;
    else if (atBottom) messagesBox.scrollTop = messagesBox.scrollHeight;
  }
  let loadingOlder = false;

  function renderTyping() {
    if (!store || !openId) return;
    const typers = activeTypers(store.typing.get(openId) ?? new Map(), Date.now()).map(nameOf);
    typingLine.textContent = typers.length ? t('im.typing', { names: typers.join(', ') }) : '';
  }

  // Scrolling to the top pages backwards too.
  messagesBox.addEventListener('scroll', () => {
    if (messagesBox.scrollTop < 40 && !loadingOlder && !olderButton.hidden) void loadOlder();
  });

  async function loadOlder() {
    if (!store || !openId || loadingOlder) return;
    loadingOlder = true;
    try {
      await store.loadOlder(openId);
    } catch (e) {
      ctx.toast(describe(e), 'error');
    } finally {
      loadingOlder = false;
    }
  }

  function select(id: string | null) {
    if (id === openId && id !== null) return;
    openId = id;
    editingSeq = null;
    rendered.clear();
    messageList.replaceChildren();
    if (store) store.openId = id;
    history.pushState(null, '', id ? `/messages/${id}` : '/messages');
    showThreadChrome();
    renderList();
    renderHeader();
    renderTyping();
    if (id) void openThread(id);
  }

  async function openThread(id: string) {
    if (!store) return;
    try {
      await store.openThread(id);
      if (openId !== id) return;
      messagesBox.scrollTop = messagesBox.scrollHeight;
      renderThread();
      messagesBox.scrollTop = messagesBox.scrollHeight;
      await store.markRead(id);
      input.focus();
    } catch (e) {
      ctx.toast(describe(e), 'error');
    }
  }

  // ---- sending ------------------------------------------------------------------------------
  let typingSentAt = 0;
  let typingStop: ReturnType<typeof setTimeout> | null = null;
  const sendTyping = (typing: boolean) => {
    if (!store || !openId) return;
    void store.conn.call('im.typing', { conversation_id: openId, typing }).catch(() => {});
  };
  input.addEventListener('input', () => {
    if (!openId || !input.value) return;
    const now = Date.now();
    if (now - typingSentAt > 3000) {
      typingSentAt = now;
      sendTyping(true);
    }
    if (typingStop) clearTimeout(typingStop);
    typingStop = setTimeout(() => {
      typingSentAt = 0;
      sendTyping(false);
    }, 4000);
  });
  input.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void sendText();
    }
  });

  /** Sends with one client id, retried once after a dropped connection (idempotent on the server). */
  async function sendWithRetry(id: string, args: Record<string, unknown>, clientId = newClientId()) {
    try {
      return await store!.send(id, { ...args, client_id: clientId });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'disconnected' && code !== 'timeout') throw e;
      // Once the connection is back, the same client id makes the retry safe (no duplicate).
      const conn = store!.conn;
      await new Promise<void>((resolve, reject) => {
        if (conn.status === 'open') return resolve();
        const timer = setTimeout(() => (off(), reject(e)), 30_000);
        const off = conn.onStatus((status) => {
          if (status !== 'open') return;
          clearTimeout(timer);
          off();
          resolve();
        });
      });
      return await conn.call<{ seq: number; at: number; duplicate: boolean }>('im.send', { conversation_id: id, ...args, client_id: clientId });
    }
  }

  async function sendText() {
    const text = input.value.trim();
    if (!text || !store || !openId) return;
    if (new TextEncoder().encode(text).length > 8192) {
      ctx.toast(t('im.tooLong'), 'error');
      return;
    }
    input.value = '';
    if (typingStop) clearTimeout(typingStop);
    if (typingSentAt) sendTyping(false);
    typingSentAt = 0;
    const p: PendingText = { clientId: newClientId(), conversationId: openId, text, at: Date.now(), failed: false };
    pending.push(p);
    renderThread();
    await deliver(p);
  }

  /** Sends a pending text (again, after a failure: the same client id cannot make a duplicate). */
  async function deliver(p: PendingText) {
    p.failed = false;
    renderThread();
    try {
      const r = await sendWithRetry(p.conversationId, { kind: 'text', text: p.text }, p.clientId);
      p.seq = r.seq;
      renderThread();
      // Normally the im.message event has brought it already; if that was lost, sync fetches it.
      setTimeout(() => {
        if (pending.includes(p) && store?.threads.get(p.conversationId)) void store.sync(p.conversationId).catch(() => {});
      }, 5000);
    } catch (e) {
      p.failed = true;
      renderThread();
      ctx.toast(describe(e), 'error');
    }
  }

  function renderPending(p: PendingText): HTMLElement {
    return h(
      'li',
      { class: `im-msg mine pending${p.failed ? ' failed' : ''}`, 'data-client-id': p.clientId },
      h('p', { class: 'im-body' }, p.text),
      h(
        'span',
        { class: 'im-meta' },
        p.failed ? h('span', { class: 'im-not-sent' }, t('im.notSent')) : h('span', null, t('im.sending')),
        p.failed && h('button', { type: 'button', class: 'link small', onclick: () => void deliver(p) }, t('im.retry')),
        p.failed && h('button', { type: 'button', class: 'link small', onclick: () => (pending.splice(pending.indexOf(p), 1), renderThread()) }, t('im.discard')),
      ),
    );
  }

  async function sendImage(file: File) {
    if (!store || !openId) return;
    const id = openId;
    imageButton.disabled = true;
    try {
      const up = await uploadImage(id, file, token());
      await sendWithRetry(id, { kind: 'image', file_id: up.file_id });
    } catch (e) {
      ctx.toast(describe(e), 'error');
    } finally {
      imageButton.disabled = false;
    }
  }
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (file) void sendImage(file);
  });
  // A picture pasted into the message field or dropped on the thread is sent like a chosen one.
  const imageOf = (items: DataTransferItemList | undefined) => [...(items ?? [])].find((i) => i.kind === 'file' && i.type.startsWith('image/'))?.getAsFile() ?? null;
  input.addEventListener('paste', (e: ClipboardEvent) => {
    const file = imageOf(e.clipboardData?.items);
    if (!file) return;
    e.preventDefault();
    void sendImage(file);
  });
  threadBox.addEventListener('dragover', (e: DragEvent) => {
    if ([...(e.dataTransfer?.items ?? [])].some((i) => i.kind === 'file')) e.preventDefault();
  });
  threadBox.addEventListener('drop', (e: DragEvent) => {
    const file = imageOf(e.dataTransfer?.items);
    if (!file) return;
    e.preventDefault();
    void sendImage(file);
  });

  async function inviteToMeeting() {
    if (!store || !openId) return;
    const id = openId;
    inviteButton.disabled = true;
    try {
      const r = await store.conn.call<{ meeting_id: string }>('meeting.create', {
        topic: t('home.instantTopic', { name: self.display_name }),
        settings: { join_before_host: true },
      });
      await sendWithRetry(id, { kind: 'invite', meeting_id: r.meeting_id });
      ctx.toast(t('im.inviteSent'));
      ctx.navigate(`/j/${r.meeting_id}`);
    } catch (e) {
      ctx.toast(describe(e), 'error');
    } finally {
      inviteButton.disabled = false;
    }
  }

  // ---- conversations ------------------------------------------------------------------------
  async function startDirect(p: Person) {
    if (!store) return;
    try {
      const view = await store.conn.call<Parameters<ImStore['adopt']>[0]>('im.conversation.open_direct', { user_id: p.user_id });
      store.adopt(view);
      finder.clear();
      select(view.conversation.conversation_id);
    } catch (e) {
      ctx.toast(describe(e), 'error');
    }
  }

  async function createGroupDialog() {
    if (!store) return;
    const chosen = new Map<string, Person>();
    const chips = h('ul', { class: 'im-chips', id: 'im-group-chosen', 'aria-label': t('im.groupMembers') });
    const nameInput = h('input', { id: 'im-group-name', maxlength: 100, required: true });
    const renderChips = () =>
      replace(
        chips,
        [...chosen.values()].map((p) =>
          h('li', null, p.display_name, h('button', { type: 'button', class: 'link small', 'aria-label': t('im.removeChosen', { name: p.display_name }), onclick: () => (chosen.delete(p.user_id), renderChips()) }, '×')),
        ),
      );
    const search = peopleSearch(ctx, () => store?.conn ?? null, {
      id: 'im-group-search',
      label: t('im.addPeople'),
      placeholder: t('im.findPlaceholder'),
      onPick: (p) => {
        chosen.set(p.user_id, p);
        renderChips();
        search.clear();
      },
    });
    const dialog = h(
      'dialog',
      { class: 'modal', id: 'im-group-dialog', 'aria-labelledby': 'im-group-dialog-title' },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: async (e: Event) => {
            e.preventDefault();
            const name = nameInput.value.trim();
            if (!name) return;
            try {
              const view = await store!.conn.call<Parameters<ImStore['adopt']>[0]>('im.conversation.create', { name, user_ids: [...chosen.keys()] });
              store!.adopt(view);
              dialog.close();
              select(view.conversation.conversation_id);
            } catch (err) {
              ctx.toast(describe(err), 'error');
            }
          },
        },
        h('h2', { id: 'im-group-dialog-title' }, t('im.newGroup')),
        h('label', { for: 'im-group-name' }, t('im.groupName')),
        nameInput,
        search.element,
        chips,
        h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => dialog.close() }, t('im.cancel')), h('button', { type: 'submit', class: 'primary', id: 'im-group-create' }, t('im.create'))),
      ),
    );
    dialog.addEventListener('close', () => dialog.remove());
    document.body.appendChild(dialog);
    dialog.showModal();
    nameInput.focus();
  }

  function toggleDetails() {
    details.hidden = !details.hidden;
    detailsButton.setAttribute('aria-expanded', String(!details.hidden));
    if (!details.hidden) renderDetails(true);
  }

  let detailsKey = '';
  function renderDetails(force = false) {
    if (!store || !openId) return;
    const e = store.entries.get(openId);
    if (!e) return;
    const c = e.conversation;
    // Redrawn only when the group or its people's presence changed, so typing here survives.
    const key = JSON.stringify([c, c.members.map((p) => store!.presence.get(p.user_id) ?? '')]);
    if (!force && key === detailsKey) return;
    detailsKey = key;
    const owner = c.kind === 'group' && c.owner_id === self.id;
    const cid = c.conversation_id;
    const call = async (op: string, args: Record<string, unknown>) => {
      try {
        const view = await store!.conn.call<Parameters<ImStore['adopt']>[0]>(op, { conversation_id: cid, ...args });
        if (view && 'conversation' in view) store!.adopt(view);
        return true;
      } catch (err) {
        ctx.toast(describe(err), 'error');
        return false;
      }
    };
    const members = h(
      'ul',
      { class: 'im-members', id: 'im-members', 'aria-label': t('im.groupMembers') },
      c.members.map((p) =>
        h(
          'li',
          { 'data-user-id': p.user_id },
          presenceDot(p.user_id),
          h('span', { class: 'im-member-name' }, p.display_name, p.user_id === self.id && ` (${t('im.you')})`, c.owner_id === p.user_id && h('span', { class: 'badge owner' }, t('im.owner'))),
          owner &&
            p.user_id !== self.id &&
            h('button', { type: 'button', class: 'link small danger', 'aria-label': t('im.removeMember', { name: p.display_name }), onclick: () => void call('im.conversation.remove_member', { user_id: p.user_id }) }, t('im.remove')),
        ),
      ),
    );
    const closeButton = h('button', { type: 'button', class: 'link small', 'aria-label': t('im.closeDetails'), onclick: () => toggleDetails() }, '×');
    if (c.kind !== 'group') {
      replace(details, h('h2', null, t('im.details'), closeButton), members);
      return;
    }
    const renameInput = h('input', { id: 'im-rename-input', value: c.name, maxlength: 100 });
    const adder = peopleSearch(ctx, () => store?.conn ?? null, {
      id: 'im-add-member',
      label: t('im.addPeople'),
      placeholder: t('im.findPlaceholder'),
      onPick: (p) => void call('im.conversation.add_members', { user_ids: [p.user_id] }).then(() => adder.clear()),
    });
    replace(
      details,
      h('h2', null, t('im.details'), closeButton),
      owner &&
        h(
          'form',
          {
            class: 'im-rename',
            onsubmit: (ev: Event) => {
              ev.preventDefault();
              const name = renameInput.value.trim();
              if (name && name !== c.name) void call('im.conversation.rename', { name });
            },
          },
          h('label', { for: 'im-rename-input' }, t('im.groupName')),
          h('div', { class: 'im-inline' }, renameInput, h('button', { type: 'submit', class: 'small', id: 'im-rename' }, t('im.rename'))),
        ),
      h('h3', null, t('im.groupMembers'), ` (${c.members.length})`),
      members,
      owner && adder.element,
      h(
        'button',
        {
          type: 'button',
          class: 'danger wide',
          id: 'im-leave',
          onclick: async () => {
            if (!confirm(t('im.leaveConfirm', { name: c.name }))) return;
            try {
              leaving.add(cid);
              await store!.conn.call('im.conversation.leave', { conversation_id: cid });
              store!.entries.delete(cid);
              select(null);
            } catch (err) {
              ctx.toast(describe(err), 'error');
            }
          },
        },
        t('im.leave'),
      ),
    );
  }

  function showEntry(e: ConversationEntry | undefined) {
    inviteButton.hidden = !e;
    detailsButton.hidden = !e;
  }

  // ---- presence: away after inactivity --------------------------------------------------------
  let lastActivity = Date.now();
  const onActivity = () => {
    lastActivity = Date.now();
    if (away && store) {
      away = false;
      void store.conn.call('presence.set', { status: 'online' }).catch(() => {});
    }
  };
  for (const ev of ['keydown', 'pointerdown', 'pointermove', 'focus']) window.addEventListener(ev, onActivity, { passive: true });
  const awayTimer = setInterval(() => {
    if (!away && store && Date.now() - lastActivity > awayAfterMs) {
      away = true;
      void store.conn.call('presence.set', { status: 'away' }).catch(() => {});
    }
  }, 30_000);
  const onVisible = () => {
    if (document.visibilityState === 'visible' && openId && store) void store.markRead(openId).catch(() => {});
  };
  document.addEventListener('visibilitychange', onVisible);

  // ---- start --------------------------------------------------------------------------------
  (async () => {
    let conn: Connection;
    try {
      conn = await ctx.connection();
    } catch (e) {
      if (!disposed) ctx.toast(describe(e), 'error');
      return;
    }
    if (disposed) return;
    store = new ImStore(conn, self.id);
    store.openId = openId;
    offs.push(
      store.onChange((change, id) => {
        if (change === 'list') {
          renderList();
          renderHeader();
          showEntry(openId ? store!.entries.get(openId) : undefined);
        } else if (change === 'thread' && id === openId) {
          renderThread();
          renderHeader();
        } else if (change === 'receipts' && id === openId) {
          renderThread();
        } else if (change === 'typing' && id === openId) {
          renderTyping();
        } else if (change === 'presence') {
          renderList();
          renderHeader();
        } else if (change === 'removed' && id === openId) {
          if (!leaving.has(id)) ctx.toast(t('im.removedFrom'));
          select(null);
        }
      }),
    );
    try {
      await store.loadList();
      if (openId) {
        if (!store.entries.has(openId)) {
          const view = await conn.call<Parameters<ImStore['adopt']>[0]>('im.conversation.get', { conversation_id: openId });
          store.adopt(view);
        }
        await openThread(openId);
      }
    } catch (e) {
      if (!disposed) ctx.toast(describe(e), 'error');
    }
    main.dataset.ready = 'true';
  })();

  return () => {
    disposed = true;
    document.body.classList.remove('im-page');
    for (const off of offs) off();
    store?.dispose();
    picker.dispose();
    clearInterval(awayTimer);
    if (typingStop) clearTimeout(typingStop);
    for (const ev of ['keydown', 'pointerdown', 'pointermove', 'focus']) window.removeEventListener(ev, onActivity);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
