// The meeting room: video grid, toolbar, chat and participants panels, host controls, states.
import { LocalRecorder } from '../media/local_recorder';
import { MediaSession, type RemoteMedia } from '../media/media_session';
import { stopStream, watchLevel } from '../media/local_media';
import { ParleyError } from '../protocol/errors';
import type { ChatMessage, JoinResult, Participant } from '../protocol/types';
import {
  applyEvent,
  canModerate,
  fromJoin,
  mergeChat,
  raisedHands,
  self,
  selfRole,
  type MeetingState,
} from '../state/meeting_state';
import { chatTranscript, pageCount, pageOf, recipientsFor } from '../state/room_view';
import { formatMeetingId, joinLink } from '../util/meeting_id';
import type { AppContext } from './app_context';
import { copyText, download, h, initials, replace } from './dom';
import { icon } from './icons';
import type { JoinIntent } from './join_intent';
import { statusScreen } from './status_screen';

const pageSize = 9;

export function roomScreen(ctx: AppContext, root: HTMLElement, intent: JoinIntent, joined: JoinResult): () => void {
  const { t } = ctx;
  let state: MeetingState = fromJoin(joined);
  let resumeToken = joined.resume_token;
  let panel: 'participants' | 'chat' | null = null;
  let page = 0;
  let unread = 0;
  let speaking = false;
  let screen: MediaStream | null = null;
  let chatTo = '';
  let closed = false;
  const recorder = new LocalRecorder();
  const local = intent.stream;
  const cleanups: (() => void)[] = [];
  const tiles = new Map<string, HTMLElement>();
  let connRef: import('../protocol/connection').Connection | null = null;
  // Media through the server's SFU, when the server has it.
  let media: MediaSession | null = null;
  let activeSpeaker = '';
  let mediaReady = false;
  const remote = new Map<string, RemoteMedia>(); // by producer id
  const remoteAudio = h('div', { class: 'remote-audio', hidden: true });
  const remoteStreams = new Map<string, MediaStream>(); // by participant id or 'screen:' + id

  // Local tracks follow what the server says about us (mute by host, stop video by host).
  const syncLocalTracks = () => {
    const me = self(state);
    if (!me || !local) return;
    for (const tr of local.getAudioTracks()) tr.enabled = !me.audio_muted;
    for (const tr of local.getVideoTracks()) tr.enabled = !me.video_off;
  };

  // -- DOM skeleton -----------------------------------------------------------
  const topic = h('h1', { class: 'room-topic' });
  const lockBadge = h('span', { class: 'badge lock', id: 'lock-badge' }, t('room.locked'));
  const recBadge = h('span', { class: 'badge rec', id: 'rec-badge' }, t('room.recording'));
  const banner = h('div', { class: 'banner', role: 'status', 'aria-live': 'polite', id: 'connection-banner', hidden: true });
  const grid = h('div', { class: 'grid', id: 'video-grid', 'aria-label': t('room.participants') });
  const pager = h('nav', { class: 'pager', 'aria-label': t('room.page', { n: 1, of: 1 }) });
  const panelBox = h('aside', { class: 'panel', id: 'side-panel', hidden: true });
  const toolbar = h('footer', { class: 'toolbar', role: 'toolbar', 'aria-label': t('app.name') });
  const chatList = h('ol', { class: 'chat-list', id: 'chat-list', 'aria-live': 'polite' });
  const chatInput = h('textarea', { id: 'chat-input', rows: 2, maxlength: 4096, placeholder: t('chat.placeholder'), 'aria-label': t('chat.placeholder') });
  const chatToSelect = h('select', { id: 'chat-to', 'aria-label': t('chat.to') });
  // Enter sends, Shift+Enter starts a new line.
  chatInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      chatInput.form?.requestSubmit();
    }
  });
  const room = h(
    'div',
    { class: 'room', id: 'room' },
    h(
      'header',
      { class: 'room-top' },
      h('div', { class: 'room-title' }, topic, lockBadge, recBadge),
      h(
        'div',
        { class: 'room-id' },
        h('span', null, `${t('room.meetingId')} `),
        h('span', { class: 'mono' }, formatMeetingId(state.meetingId)),
        h(
          'button',
          {
            class: 'link',
            onclick: async () => {
              if (await copyText(joinLink(location.origin, state.meetingId))) ctx.toast(t('meeting.copied'));
            },
          },
          t('room.copyLink'),
        ),
      ),
    ),
    banner,
    h('div', { class: 'room-body' }, h('section', { class: 'stage' }, grid, pager), panelBox),
    toolbar,
    remoteAudio,
  );

  // -- server calls -----------------------------------------------------------
  const call = async (op: string, args: Record<string, unknown> = {}) => {
    try {
      const conn = await ctx.connection();
      return await conn.call(op, args);
    } catch (e) {
      if (e instanceof ParleyError && op === 'self.mute' && e.code === 'forbidden') ctx.toast(t('room.unmuteRefused'), 'error');
      else ctx.toast(ctx.describe(e), 'error');
      return null;
    }
  };

  async function loadHistory() {
    if (state.status !== 'joined') return;
    try {
      const conn = await ctx.connection();
      const r = await conn.call<{ messages: ChatMessage[] }>('chat.history', { limit: 100 });
      state = { ...state, chat: mergeChat(state.chat, r.messages) };
      renderChat();
    } catch {
      /* history is a convenience; live messages still arrive */
    }
  }

  // -- rendering ----------------------------------------------------------------
  function render() {
    if (closed) return;
    if (state.status === 'waiting' || state.status === 'waiting_for_host') return renderWaiting();
    if (state.status === 'removed') return renderRemoved();
    if (state.status === 'ended') return renderEnded();
    if (!root.contains(room)) replace(root, room);
    topic.textContent = state.topic;
    lockBadge.hidden = !state.locked;
    recBadge.hidden = !recorder.recording;
    syncLocalTracks();
    renderGrid();
    renderToolbar();
    renderPanel();
  }

  function renderWaiting() {
    const forHost = state.status === 'waiting_for_host';
    statusScreen(
      ctx,
      root,
      forHost ? 'waiting-host' : 'waiting',
      t(forHost ? 'state.waitingHostTitle' : 'state.waitingTitle'),
      forHost ? t('state.waitingHostBody') : t('state.waitingBody', { topic: state.topic }),
      [{ label: t('room.leave'), run: () => void leave() }],
      local && local.getVideoTracks().length
        ? h('video', { class: 'waiting-self mirror', autoplay: true, muted: true, playsinline: true, srcObject: undefined, 'aria-label': t('room.you') })
        : undefined,
    );
    const v = root.querySelector<HTMLVideoElement>('video.waiting-self');
    if (v) v.srcObject = local;
  }

  function renderRemoved() {
    finish();
    const reason = state.removedReason ?? 'kicked';
    statusScreen(ctx, root, 'removed', t('state.removedTitle'), t(`state.removed.${reason}`), [
      { label: t('state.backHome'), run: () => ctx.navigate('/'), primary: true },
    ]);
  }

  function renderEnded() {
    finish();
    statusScreen(
      ctx,
      root,
      'ended',
      t('state.endedTitle'),
      state.endedReason === 'deleted' ? t('state.deletedBody') : t('state.endedBody'),
      [{ label: t('state.backHome'), run: () => ctx.navigate('/'), primary: true }],
    );
  }

  function tileFor(p: Participant): HTMLElement {
    let tile = tiles.get(p.participant_id);
    if (!tile) {
      const isSelf = p.participant_id === state.selfId;
      const video = h('video', { autoplay: true, playsinline: true, muted: isSelf, class: isSelf ? 'mirror' : '' });
      if (isSelf && local) video.srcObject = local;
      tile = h(
        'figure',
        { class: 'vtile', 'data-participant-id': p.participant_id, tabindex: 0 },
        video,
        h('div', { class: 'avatar', 'aria-hidden': 'true' }),
        h('figcaption', null, h('span', { class: 'name' }), h('span', { class: 'icons' })),
      );
      tiles.set(p.participant_id, tile);
    }
    const isSelf = p.participant_id === state.selfId;
    const video = tile.querySelector('video')!;
    const remoteStream = remoteStreams.get(p.participant_id);
    if (!isSelf && remoteStream && video.srcObject !== remoteStream) video.srcObject = remoteStream;
    const hasVideo = !p.video_off && video.srcObject !== null && (video.srcObject as MediaStream).getVideoTracks().length > 0;
    tile.classList.toggle('no-video', !hasVideo);
    tile.classList.toggle('speaking', !p.audio_muted && (isSelf ? speaking : activeSpeaker === p.participant_id));
    tile.classList.toggle('hand', p.hand_raised);
    tile.classList.toggle('reconnecting', Boolean(p.reconnecting));
    (tile.querySelector('.avatar') as HTMLElement).textContent = initials(p.display_name);
    (tile.querySelector('.name') as HTMLElement).textContent = isSelf ? `${p.display_name} (${t('room.you')})` : p.display_name;
    const icons = tile.querySelector('.icons') as HTMLElement;
    replace(
      icons,
      p.role !== 'participant' && h('span', { class: 'role-chip' }, t(`role.${p.role}`)),
      p.hand_raised && h('span', { class: 'icon-hand', title: t('room.handRaised'), role: 'img', 'aria-label': t('room.handRaised') }, icon('hand', 16)),
      p.audio_muted && h('span', { class: 'icon-muted', title: t('room.muted'), role: 'img', 'aria-label': t('room.muted') }, icon('micOff', 16)),
    );
    tile.setAttribute('aria-label', [p.display_name, p.audio_muted ? t('room.muted') : '', p.hand_raised ? t('room.handRaised') : ''].filter(Boolean).join(', '));
    return tile;
  }

  function renderGrid() {
    const ordered = [...state.participants].sort((a, b) => Number(b.participant_id === state.selfId) - Number(a.participant_id === state.selfId));
    const pages = pageCount(ordered.length, pageSize);
    page = Math.min(page, pages - 1);
    const visible = pageOf(ordered, page, pageSize);
    for (const id of [...tiles.keys()]) if (!state.participants.some((p) => p.participant_id === id)) tiles.delete(id);
    const els: HTMLElement[] = visible.map(tileFor);
    if (screen) {
      let share = tiles.get('screen:self');
      if (!share) {
        const v = h('video', { autoplay: true, muted: true, playsinline: true });
        v.srcObject = screen;
        share = h('figure', { class: 'vtile share', 'data-participant-id': 'screen:self' }, v, h('figcaption', null, h('span', { class: 'name' }, t('room.share'))));
        tiles.set('screen:self', share);
      }
      els.unshift(share);
    } else tiles.delete('screen:self');
    for (const [key, stream] of remoteStreams) {
      if (!key.startsWith('screen:')) continue;
      const owner = state.participants.find((p) => `screen:${p.participant_id}` === key);
      let share = tiles.get(key);
      if (!share) {
        const v = h('video', { autoplay: true, muted: true, playsinline: true });
        v.srcObject = stream;
        share = h('figure', { class: 'vtile share', 'data-participant-id': key }, v, h('figcaption', null, h('span', { class: 'name' }, `${owner?.display_name ?? ''} · ${t('room.share')}`)));
        tiles.set(key, share);
      }
      els.unshift(share);
    }
    // Only what is on this page is received.
    const shown = new Set(visible.map((p) => p.participant_id));
    for (const [producerId, r] of remote)
      if (r.producer.kind === 'video' && r.producer.source === 'camera') void media?.setPaused(producerId, !shown.has(r.producer.participant_id));
    grid.dataset.count = String(Math.min(els.length, pageSize + 1));
    replace(grid, els);
    // Re-attaching a <video> pauses it in some browsers: play again.
    for (const v of grid.querySelectorAll('video')) void v.play().catch(() => {});
    replace(
      pager,
      pages > 1 && [
        h('button', { class: 'round small', 'aria-label': t('room.prevPage'), disabled: page === 0, onclick: () => { page--; renderGrid(); } }, '‹'),
        h('span', null, t('room.page', { n: page + 1, of: pages })),
        h('button', { class: 'round small', 'aria-label': t('room.nextPage'), disabled: page >= pages - 1, onclick: () => { page++; renderGrid(); } }, '›'),
      ],
    );
  }

  function toolButton(id: string, iconName: string, label: string, onclick: () => void, opts: { pressed?: boolean; danger?: boolean; badge?: number } = {}) {
    return h(
      'button',
      {
        id,
        class: `tool${opts.pressed ? ' pressed' : ''}${opts.danger ? ' danger' : ''}`,
        'aria-label': label,
        'aria-pressed': opts.pressed === undefined ? undefined : String(opts.pressed),
        title: label,
        onclick,
      },
      h('span', { class: 'tool-icon', 'aria-hidden': 'true' }, icon(iconName)),
      h('span', { class: 'tool-label' }, label),
      opts.badge ? h('span', { class: 'count', 'aria-hidden': 'true' }, opts.badge) : null,
    );
  }

  function renderToolbar() {
    const me = self(state);
    const muted = me?.audio_muted ?? true;
    const videoOff = me?.video_off ?? true;
    const hostLike = canModerate(state);
    const mayShare = hostLike || state.settings.screen_share === 'all';
    const mayRecord = hostLike || Boolean(me?.can_record);
    const focused = document.activeElement?.id;
    replace(
      toolbar,
      h(
        'div',
        { class: 'tool-group' },
        toolButton('btn-mute', muted ? 'micOff' : 'mic', t(muted ? 'room.unmute' : 'room.mute'), () => {
          intent.microphoneOn = muted;
          void call('self.mute', { muted: !muted });
        }, { pressed: muted }),
        toolButton('btn-video', videoOff ? 'videoOff' : 'video', t(videoOff ? 'room.startVideo' : 'room.stopVideo'), () => {
          intent.cameraOn = videoOff;
          void call('self.video', { off: !videoOff });
        }, { pressed: videoOff }),
      ),
      h(
        'div',
        { class: 'tool-group' },
        mayShare && toolButton('btn-share', 'screen', t(screen ? 'room.stopShare' : 'room.share'), () => void toggleShare(), { pressed: Boolean(screen) }),
        toolButton('btn-participants', 'users', t('room.participants'), () => togglePanel('participants'), {
          pressed: panel === 'participants',
          badge: hostLike ? state.waiting.length : 0,
        }),
        toolButton('btn-chat', 'chat', t('room.chat'), () => togglePanel('chat'), { pressed: panel === 'chat', badge: unread }),
        toolButton('btn-hand', 'hand', t(me?.hand_raised ? 'room.lowerHand' : 'room.raiseHand'), () => void call(me?.hand_raised ? 'hand.lower' : 'hand.raise'), {
          pressed: Boolean(me?.hand_raised),
        }),
        mayRecord && toolButton('btn-record', 'record', t(recorder.recording ? 'room.stopRecord' : 'room.record'), () => void toggleRecording(), { pressed: recorder.recording }),
      ),
      h(
        'div',
        { class: 'tool-group' },
        selfRole(state) === 'host' &&
          toolButton('btn-end', 'end', t('room.end'), () => {
            if (confirm(t('room.endConfirm'))) void call('meeting.end');
          }, { danger: true }),
        toolButton('btn-leave', 'leave', t('room.leave'), () => void leave(), { danger: true }),
      ),
    );
    if (focused) document.getElementById(focused)?.focus();
  }

  function togglePanel(which: 'participants' | 'chat') {
    panel = panel === which ? null : which;
    if (panel === 'chat') unread = 0;
    renderToolbar();
    renderPanel();
    if (panel === 'chat') chatInput.focus();
  }

  function renderPanel() {
    panelBox.hidden = panel === null;
    if (panel === 'participants') renderParticipants();
    else if (panel === 'chat') renderChatPanel();
  }

  function hostMenu(p: Participant): HTMLElement {
    const isHost = selfRole(state) === 'host';
    const options: [string, string][] = [];
    if (!p.audio_muted) options.push(['mute', t('people.muteOne')]);
    else options.push(['ask_unmute', t('people.askUnmute')]);
    if (!p.video_off) options.push(['stop_video', t('people.stopVideo')]);
    if (p.hand_raised) options.push(['lower_hand', t('people.lowerHand')]);
    options.push(p.can_record ? ['forbid_recording', t('people.forbidRecording')] : ['allow_recording', t('people.allowRecording')]);
    if (isHost && p.role !== 'host') {
      options.push(['make_host', t('people.makeHost')]);
      options.push(p.role === 'cohost' ? ['make_participant', t('people.removeCohost')] : ['make_cohost', t('people.makeCohost')]);
    }
    if (p.role !== 'host') {
      options.push(['kick', t('people.kick')]);
      options.push(['ban', t('people.ban')]);
    }
    const select = h(
      'select',
      {
        class: 'person-actions',
        id: `actions-${p.participant_id}`,
        'aria-label': t('people.actions', { name: p.display_name }),
        onchange: async () => {
          const action = select.value;
          select.value = '';
          const pid = p.participant_id;
          switch (action) {
            case 'mute':
              return void call('participant.mute', { participant_id: pid, kind: 'audio' });
            case 'ask_unmute':
              return void call('participant.request_unmute', { participant_id: pid });
            case 'stop_video':
              return void call('participant.mute', { participant_id: pid, kind: 'video' });
            case 'allow_recording':
            case 'forbid_recording':
              return void call('participant.allow_recording', { participant_id: pid, allowed: action === 'allow_recording' });
            case 'lower_hand':
              return void call('hand.lower', { participant_id: pid });
            case 'make_host':
              return void call('participant.set_role', { participant_id: pid, role: 'host' });
            case 'make_cohost':
              return void call('participant.set_role', { participant_id: pid, role: 'cohost' });
            case 'make_participant':
              return void call('participant.set_role', { participant_id: pid, role: 'participant' });
            case 'kick':
            case 'ban':
              if (confirm(t('people.kickConfirm', { name: p.display_name })))
                return void call('participant.kick', { participant_id: pid, ban: action === 'ban' });
          }
        },
      },
      h('option', { value: '' }, '⋯'),
      options.map(([v, label]) => h('option', { value: v }, label)),
    );
    return select;
  }

  function renderParticipants() {
    const hostLike = canModerate(state);
    const focused = document.activeElement?.id;
    const person = (p: Participant) =>
      h(
        'li',
        { class: 'person', 'data-participant-id': p.participant_id },
        h('span', { class: 'avatar small', 'aria-hidden': 'true' }, initials(p.display_name)),
        h(
          'span',
          { class: 'person-name' },
          p.display_name,
          p.participant_id === state.selfId && ` (${t('room.you')})`,
          p.role !== 'participant' && h('span', { class: 'role-chip' }, t(`role.${p.role}`)),
          p.guest && h('span', { class: 'role-chip guest' }, t('people.guest')),
          p.reconnecting && h('span', { class: 'role-chip reconnecting' }, t('people.reconnecting')),
        ),
        h(
          'span',
          { class: 'person-state' },
          p.hand_raised && h('span', { class: 'icon-hand', role: 'img', 'aria-label': t('room.handRaised'), title: t('room.handRaised') }, icon('hand', 16)),
          h('span', { class: p.audio_muted ? 'state-off' : '', role: 'img', 'aria-label': p.audio_muted ? t('room.muted') : t('prejoin.micOn'), title: p.audio_muted ? t('room.muted') : t('prejoin.micOn') }, icon(p.audio_muted ? 'micOff' : 'mic', 16)),
          h('span', { class: p.video_off ? 'state-off' : '', role: 'img', 'aria-label': p.video_off ? t('room.videoOff') : t('prejoin.camOn'), title: p.video_off ? t('room.videoOff') : t('prejoin.camOn') }, icon(p.video_off ? 'videoOff' : 'video', 16)),
        ),
        hostLike && p.participant_id !== state.selfId && hostMenu(p),
      );
    // Raised hands first, in the order they were raised is not known: keep arrival order.
    const people = [...raisedHands(state), ...state.participants.filter((p) => !p.hand_raised)];
    replace(
      panelBox,
      h('h2', null, t('room.participants')),
      hostLike &&
        h(
          'div',
          { class: 'host-bar' },
          h('button', { id: 'btn-lock', 'aria-pressed': String(state.locked), onclick: () => void call('meeting.lock', { locked: !state.locked }) }, t(state.locked ? 'people.unlock' : 'people.lock')),
          h('button', { id: 'btn-mute-all', onclick: () => void call('participant.mute', { participant_id: 'all', kind: 'audio' }) }, t('people.muteAll')),
          h('button', { id: 'btn-lower-all', onclick: () => void call('hand.lower', { participant_id: 'all' }) }, t('people.lowerAll')),
          h(
            'label',
            { class: 'check', for: 'allow-recording' },
            h('input', {
              type: 'checkbox',
              id: 'allow-recording',
              checked: state.participants.some((p) => p.role === 'participant') && state.participants.every((p) => p.role !== 'participant' || p.can_record),
              onchange: (e: Event) => void call('participant.allow_recording', { participant_id: 'all', allowed: (e.target as HTMLInputElement).checked }),
            }),
            t('people.allowRecording'),
          ),
        ),
      hostLike &&
        state.waiting.length > 0 &&
        h(
          'section',
          { class: 'waiting-list', 'aria-labelledby': 'waiting-title' },
          h('h3', { id: 'waiting-title' }, t('people.waiting', { n: state.waiting.length }), h('button', { id: 'btn-admit-all', class: 'link', onclick: () => void call('meeting.admit_all') }, t('people.admitAll'))),
          h(
            'ul',
            null,
            state.waiting.map((p) =>
              h(
                'li',
                { class: 'person', 'data-participant-id': p.participant_id },
                h('span', { class: 'avatar small', 'aria-hidden': 'true' }, initials(p.display_name)),
                h('span', { class: 'person-name' }, p.display_name),
                h('button', { class: 'primary small admit', id: `admit-${p.participant_id}`, 'aria-label': `${t('people.admit')} ${p.display_name}`, onclick: () => void call('meeting.admit', { participant_id: p.participant_id }) }, t('people.admit')),
                h('button', { class: 'small', 'aria-label': `${t('people.deny')} ${p.display_name}`, onclick: () => void call('meeting.deny', { participant_id: p.participant_id }) }, t('people.deny')),
              ),
            ),
          ),
        ),
      h('h3', null, t('people.inMeeting', { n: state.participants.length })),
      h('ul', { class: 'people', id: 'people-list' }, people.map(person)),
    );
    if (focused) document.getElementById(focused)?.focus();
  }

  function renderChatPanel() {
    const hostLike = canModerate(state);
    const mayWrite = hostLike || state.settings.chat !== 'off';
    renderChat();
    replace(
      panelBox,
      h('h2', null, t('chat.title'), hostLike && h('button', { class: 'link', id: 'btn-save-chat', onclick: () => void saveChat() }, t('chat.save'))),
      chatList,
      mayWrite
        ? h(
            'form',
            {
              class: 'chat-form',
              onsubmit: async (e: Event) => {
                e.preventDefault();
                const text = chatInput.value.trim();
                if (!text) return;
                const args: Record<string, unknown> = { text };
                if (chatToSelect.value) args.to = chatToSelect.value;
                const r = await call('chat.send', args);
                if (r) chatInput.value = '';
                chatInput.focus();
              },
            },
            h('label', { for: 'chat-to' }, t('chat.to')),
            chatToSelect,
            chatInput,
            h('button', { type: 'submit', class: 'primary', id: 'chat-send' }, t('chat.send')),
          )
        : h('p', { class: 'hint' }, t('chat.off')),
    );
    chatList.scrollTop = chatList.scrollHeight;
  }

  function renderChat() {
    const names = new Map(state.participants.map((p) => [p.participant_id, p.display_name]));
    replace(
      chatList,
      state.chat.length === 0
        ? h('li', { class: 'empty' }, t('chat.empty'))
        : state.chat.map((m) =>
            h(
              'li',
              { class: `chat-message${m.from === state.selfId ? ' mine' : ''}${m.to ? ' private' : ''}`, 'data-seq': m.seq },
              h(
                'div',
                { class: 'chat-meta' },
                h('strong', null, m.from_name),
                m.to && ` → ${names.get(m.to) ?? t('chat.private')}`,
                ' ',
                h('time', { datetime: new Date(m.at).toISOString() }, new Date(m.at).toLocaleTimeString(ctx.locale, { hour: '2-digit', minute: '2-digit' })),
              ),
              h('p', { class: 'chat-text' }, m.text),
            ),
          ),
    );
    const options = recipientsFor(state, selfRole(state));
    chatTo = chatToSelect.value;
    replace(
      chatToSelect,
      options.map((o) => h('option', { value: o.id, selected: o.id === chatTo }, o.id === '' ? t('chat.everyone') : o.name)),
    );
    chatList.scrollTop = chatList.scrollHeight;
  }

  async function saveChat() {
    // The server's transcript is complete; without it, save what this page has seen.
    let text: string | null = null;
    if (ctx.session) {
      try {
        const r = await fetch(`/api/v1/meetings/${state.meetingId}/chat.txt`, { headers: { Authorization: `Bearer ${ctx.session.token}` } });
        if (r.ok) text = await r.text();
      } catch {
        text = null;
      }
    }
    download(`chat-${state.meetingId}.txt`, text ?? chatTranscript(state, ctx.locale), 'text/plain;charset=utf-8');
  }

  // -- actions ------------------------------------------------------------------
  async function toggleShare() {
    if (screen) {
      stopStream(screen);
      screen = null;
      void media?.unpublish('screen').catch(() => {});
      render();
      return;
    }
    try {
      screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      const track = screen.getVideoTracks()[0];
      track?.addEventListener('ended', () => {
        screen = null;
        void media?.unpublish('screen').catch(() => {});
        render();
      });
      if (media && track) await media.publish(track, 'screen', screen).catch((e) => ctx.toast(ctx.describe(e), 'error'));
      render();
    } catch {
      /* the user cancelled the picker */
    }
  }

  async function toggleRecording() {
    if (recorder.recording) {
      const blob = await recorder.stop();
      download(`parley-${state.meetingId}-${new Date().toISOString().replace(/[:.]/g, '-')}.webm`, blob, 'video/webm');
    } else {
      const videos = () => [...grid.querySelectorAll('video')];
      const audio = [...grid.querySelectorAll('video')].map((v) => v.srcObject).filter((s): s is MediaStream => s instanceof MediaStream);
      recorder.start(videos, audio);
    }
    render();
  }

  async function leave() {
    const conn = connRef;
    finish();
    try {
      await conn?.call('meeting.leave');
    } catch {
      /* leaving a meeting the server already forgot is fine */
    }
    statusScreen(ctx, root, 'left', t('state.leftTitle'), '', [
      { label: t('state.rejoin'), run: () => ctx.navigate(`/j/${state.meetingId}`, true), primary: true },
      { label: t('state.backHome'), run: () => ctx.navigate('/') },
    ]);
  }

  function finish() {
    if (closed) return;
    closed = true;
    if (recorder.recording) void recorder.stop().then((blob) => download(`parley-${state.meetingId}.webm`, blob, 'video/webm'));
    for (const c of cleanups) c();
    stopMedia();
    stopStream(local);
    stopStream(screen);
  }

  /** Brings the server in line with the microphone and camera choices of the pre-join screen. */
  async function applyDeviceChoices() {
    const me = self(state);
    if (!me || state.status !== 'joined') return;
    const hasAudio = (local?.getAudioTracks().length ?? 0) > 0;
    const hasVideo = (local?.getVideoTracks().length ?? 0) > 0;
    const wantMuted = !(intent.microphoneOn && hasAudio);
    const wantVideoOff = !(intent.cameraOn && hasVideo);
    // Unmuting may be refused (mute on entry without self-unmute): that is the host's call.
    if (me.audio_muted !== wantMuted && (wantMuted || (state.settings.allow_unmute_self && !state.settings.mute_on_entry)))
      await call('self.mute', { muted: wantMuted });
    if (me.video_off !== wantVideoOff) await call('self.video', { off: wantVideoOff });
  }

  // -- media ----------------------------------------------------------------------
  function stopMedia() {
    media?.close();
    media = null;
    mediaReady = false;
    remote.clear();
    remoteStreams.clear();
    replace(remoteAudio);
  }

  async function startMedia() {
    if (media || closed || state.status !== 'joined' || !connRef) return;
    const conn = connRef;
    const session = new MediaSession((op, args) => conn.call(op, args), state.selfId, {
      onRemoteTrack(r) {
        remote.set(r.producer.producer_id, r);
        const key = r.producer.source === 'screen' ? `screen:${r.producer.participant_id}` : r.producer.participant_id;
        if (r.producer.kind === 'audio') {
          const audio = h('audio', { autoplay: true, 'data-producer-id': r.producer.producer_id });
          audio.srcObject = new MediaStream([r.track]);
          if (intent.speakerId) void (audio as HTMLAudioElement & { setSinkId(id: string): Promise<void> }).setSinkId(intent.speakerId).catch(() => {});
          remoteAudio.appendChild(audio);
          void audio.play().catch(() => {});
          return;
        }
        remoteStreams.set(key, new MediaStream([r.track]));
        tiles.delete(key);
        render();
      },
      onRemoteTrackEnded(producerId) {
        const r = remote.get(producerId);
        remote.delete(producerId);
        remoteAudio.querySelector(`[data-producer-id="${producerId}"]`)?.remove();
        if (r && r.producer.kind === 'video') {
          const key = r.producer.source === 'screen' ? `screen:${r.producer.participant_id}` : r.producer.participant_id;
          remoteStreams.delete(key);
          tiles.delete(key);
          render();
        }
      },
      onActiveSpeaker(pid) {
        activeSpeaker = pid;
        renderGrid();
      },
      onTransportState() {},
    });
    media = session;
    try {
      await session.start(local);
      mediaReady = media === session;
    } catch (e) {
      // A server without the media plane answers unknown_op: the meeting works without video.
      if (media === session) {
        session.close();
        media = null;
      }
      if (!(e instanceof ParleyError && e.code === 'unknown_op')) ctx.toast(ctx.describe(e), 'error');
    }
  }

  // A read-only window for diagnostics (and the end-to-end test): what arrives from whom.
  (window as unknown as { parleyDiagnostics?: unknown }).parleyDiagnostics = {
    media: () => media?.inboundFigures() ?? Promise.resolve([]),
    mediaActive: () => mediaReady,
  };

  // -- wiring ---------------------------------------------------------------------
  void (async () => {
    const conn = await ctx.connection();
    connRef = conn;
    if (closed) return;
    cleanups.push(
      conn.onAny((data, ev) => {
        if (closed) return;
        const before = state;
        if (ev.startsWith('media.')) {
          media?.handleEvent(ev, data);
          return;
        }
        state = applyEvent(state, ev, data);
        if (before.status !== 'joined' && state.status === 'joined') {
          void applyDeviceChoices();
          void startMedia();
        }
        const meBefore = self(before);
        const meAfter = self(state);
        if (ev === 'meeting.admitted') {
          resumeToken = (data.resume_token as string | undefined) ?? resumeToken;
          void loadHistory();
        }
        // What the server says about our microphone and camera is the choice to keep after a rejoin.
        if (meAfter && ev === 'participant.updated') {
          if (meBefore && !meBefore.audio_muted && meAfter.audio_muted && intent.microphoneOn) ctx.toast(t('room.mutedByHost'));
          intent.microphoneOn = !meAfter.audio_muted;
          intent.cameraOn = !meAfter.video_off;
        }
        if (ev === 'participant.unmute_requested') ctx.toast(t(data.kind === 'video' ? 'room.askedToStartVideo' : 'room.askedToUnmute'));
        if (meBefore && meAfter && !meBefore.can_record && meAfter.can_record) ctx.toast(t('room.recordingAllowed'));
        if (meBefore && meAfter && meBefore.can_record && !meAfter.can_record && recorder.recording && meAfter.role === 'participant') void toggleRecording();
        if (ev === 'chat.message' && panel !== 'chat') unread++;
        if (ev === 'chat.message' && panel === 'chat') renderChat();
        else render();
      }),
    );
    cleanups.push(
      conn.onStatus((s) => {
        if (closed) return;
        banner.hidden = s === 'open';
        banner.textContent = s === 'open' ? '' : t('state.reconnecting');
        banner.dataset.state = s;
      }),
    );
    cleanups.push(
      conn.onReconnected(async () => {
        if (closed) return;
        // Sign back in to the meeting with what the user chose before.
        const args: Record<string, unknown> = { meeting_id: state.meetingId };
        if (intent.password) args.password = intent.password;
        if (intent.displayName) args.display_name = intent.displayName;
        if (resumeToken) args.resume_token = resumeToken;
        try {
          const r = await conn.call<JoinResult>('meeting.join', args);
          resumeToken = r.resume_token ?? resumeToken;
          state = { ...fromJoin(r), chat: state.chat };
          tiles.clear();
          // The old transport died with the connection: negotiate a new one.
          stopMedia();
          void startMedia();
          ctx.toast(t('state.rejoined'));
          void applyDeviceChoices();
          await loadHistory();
          render();
        } catch (e) {
          const code = e instanceof ParleyError ? e.code : '';
          if (code === 'meeting_ended' || code === 'not_found') state = { ...state, status: 'ended' };
          else if (code === 'banned') state = { ...state, status: 'removed', removedReason: 'banned' };
          else if (code === 'meeting_locked') {
            finish();
            statusScreen(ctx, root, 'locked', t('state.lockedTitle'), t('state.lockedBody'), [{ label: t('state.backHome'), run: () => ctx.navigate('/') }]);
            return;
          } else ctx.toast(ctx.describe(e), 'error');
          render();
        }
      }),
    );
    await applyDeviceChoices();
    await loadHistory();
    await startMedia();
  })();

  if (local) cleanups.push(watchLevel(local, (level) => {
    const now = level > 0.08;
    if (now !== speaking) {
      speaking = now;
      const me = self(state);
      if (me && tiles.has(me.participant_id)) tileFor(me);
    }
  }));
  const onKey = (e: KeyboardEvent) => {
    // Alt+A mute, Alt+V video, Alt+H hand, Alt+C chat, Alt+U participants.
    if (!e.altKey || closed) return;
    const me = self(state);
    const key = e.key.toLowerCase();
    if (key === 'a') void call('self.mute', { muted: !(me?.audio_muted ?? true) });
    else if (key === 'v') void call('self.video', { off: !(me?.video_off ?? true) });
    else if (key === 'h') void call(me?.hand_raised ? 'hand.lower' : 'hand.raise');
    else if (key === 'c') togglePanel('chat');
    else if (key === 'u') togglePanel('participants');
    else return;
    e.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  cleanups.push(() => window.removeEventListener('keydown', onKey));
  const onUnload = () => void connRef?.call('meeting.leave').catch(() => {});
  window.addEventListener('pagehide', onUnload);
  cleanups.push(() => window.removeEventListener('pagehide', onUnload));

  render();
  return () => {
    if (!closed && state.status !== 'ended' && state.status !== 'removed') void connRef?.call('meeting.leave').catch(() => {});
    finish();
  };
}
