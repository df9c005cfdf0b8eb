// Home: new meeting, join, schedule; upcoming and past meetings; the personal meeting ID.
import type { Meeting } from '../protocol/types';
import { buildIcs } from '../util/ics';
import { inviteText } from '../util/invite';
import { formatMeetingId, joinLink } from '../util/meeting_id';
import type { AppContext } from './app_context';
import { copyText, download, h, replace } from './dom';
import { icon } from './icons';
import { scheduleDialog } from './schedule_form';
import { watchUnread } from './im_unread';
import { unreadLabel } from '../state/im_model';

export function homeScreen(ctx: AppContext, root: HTMLElement) {
  const { t } = ctx;
  const user = ctx.session!.user;
  const upcoming = h('ul', { class: 'meeting-list', 'aria-label': t('home.upcoming') });
  const past = h('ul', { class: 'meeting-list', 'aria-label': t('home.past') });
  const pmiBox = h('div', { class: 'pmi' });
  let disposed = false;
  const unreadBadge = h('span', { class: 'unread-badge', id: 'messages-unread', hidden: true });

  const invite = (m: Meeting) =>
    inviteText(
      {
        hostName: user.display_name,
        topic: m.topic,
        startAt: m.start_at,
        durationMin: m.duration_min,
        link: joinLink(location.origin, m.meeting_id),
        meetingId: m.meeting_id,
        hasPassword: m.has_password,
      },
      t,
      ctx.locale,
    );

  const when = (unix: number) =>
    unix ? new Date(unix * 1000).toLocaleString(ctx.locale, { dateStyle: 'medium', timeStyle: 'short' }) : t('meeting.noTime');

  const card = (m: Meeting, isPast: boolean) =>
    h(
      'li',
      { class: 'meeting-card', 'data-meeting-id': m.meeting_id },
      h(
        'div',
        { class: 'meeting-main' },
        h('h3', null, m.topic),
        h(
          'p',
          { class: 'meta' },
          isPast ? t('meeting.ended', { when: when(m.ended_at) }) : `${when(m.start_at)} · ${m.duration_min} min`,
          ' · ',
          h('span', { class: 'mono' }, formatMeetingId(m.meeting_id)),
          m.has_password && [' · ', t('meeting.passwordSet')],
          isPast && m.peak_participants > 0 && [' · ', t('meeting.peak', { n: m.peak_participants })],
        ),
      ),
      h(
        'div',
        { class: 'meeting-actions' },
        !isPast && h('button', { class: 'primary', onclick: () => ctx.navigate(`/j/${m.meeting_id}`) }, t('meeting.start')),
        !isPast &&
          h(
            'button',
            {
              onclick: async () => {
                if (await copyText(joinLink(location.origin, m.meeting_id))) ctx.toast(t('meeting.copied'));
              },
            },
            t('meeting.copyLink'),
          ),
        !isPast &&
          h(
            'button',
            {
              onclick: async () => {
                if (await copyText(invite(m))) ctx.toast(t('meeting.copied'));
              },
            },
            t('meeting.copyInvite'),
          ),
        !isPast &&
          m.start_at > 0 &&
          h(
            'button',
            {
              onclick: () =>
                download(
                  `parley-${m.meeting_id}.ics`,
                  buildIcs({
                    meetingId: m.meeting_id,
                    topic: m.topic,
                    startAt: m.start_at,
                    durationMin: m.duration_min,
                    joinUrl: joinLink(location.origin, m.meeting_id),
                    description: invite(m),
                    now: Math.floor(Date.now() / 1000),
                  }),
                  'text/calendar',
                ),
            },
            t('meeting.ics'),
          ),
        !isPast &&
          h(
            'button',
            {
              onclick: async () => {
                const v = await scheduleDialog(ctx, m);
                if (!v) return;
                try {
                  const conn = await ctx.connection();
                  const args: Record<string, unknown> = { meeting_id: m.meeting_id, ...v };
                  await conn.call('meeting.update', args);
                  ctx.toast(t('schedule.saved'));
                  void load();
                } catch (e) {
                  ctx.toast(ctx.describe(e), 'error');
                }
              },
            },
            t('meeting.edit'),
          ),
        h(
          'button',
          {
            class: 'danger',
            onclick: async () => {
              if (!confirm(t('meeting.deleteConfirm', { topic: m.topic }))) return;
              try {
                const conn = await ctx.connection();
                await conn.call('meeting.delete', { meeting_id: m.meeting_id });
                void load();
              } catch (e) {
                ctx.toast(ctx.describe(e), 'error');
              }
            },
          },
          t('meeting.delete'),
        ),
      ),
    );

  async function load() {
    try {
      const conn = await ctx.connection();
      const [list, pmi] = await Promise.all([
        conn.call<{ upcoming: Meeting[]; past: Meeting[] }>('meeting.list'),
        conn.call<{ pmi: string }>('user.pmi.get'),
      ]);
      if (disposed) return;
      replace(upcoming, list.upcoming.length ? list.upcoming.map((m) => card(m, false)) : h('li', { class: 'empty' }, t('home.none')));
      replace(past, list.past.length ? [...list.past].reverse().map((m) => card(m, true)) : h('li', { class: 'empty' }, t('home.none')));
      showPmi(pmi.pmi);
    } catch (e) {
      if (!disposed) ctx.toast(ctx.describe(e), 'error');
    }
  }

  function showPmi(pmi: string) {
    const input = h('input', { id: 'pmi-input', value: pmi, inputmode: 'numeric', pattern: '[1-9][0-9]{9}', maxlength: 10, 'aria-label': t('home.pmi') });
    replace(
      pmiBox,
      h('span', { class: 'label' }, t('home.pmi')),
      h('strong', { class: 'mono', id: 'pmi-value' }, formatMeetingId(pmi)),
      h(
        'button',
        {
          class: 'link',
          onclick: () =>
            replace(
              pmiBox,
              h(
                'form',
                {
                  class: 'inline',
                  onsubmit: async (e: Event) => {
                    e.preventDefault();
                    try {
                      const conn = await ctx.connection();
                      const r = await conn.call<{ pmi: string }>('user.pmi.set', { pmi: input.value.trim() });
                      ctx.toast(t('home.pmiSaved'));
                      showPmi(r.pmi);
                    } catch (err) {
                      ctx.toast(ctx.describe(err), 'error');
                    }
                  },
                },
                h('label', { for: 'pmi-input' }, t('home.pmi')),
                input,
                h('button', { type: 'submit', class: 'primary' }, t('home.pmiSave')),
                h('button', { type: 'button', onclick: () => showPmi(pmi) }, t('schedule.cancel')),
              ),
            ),
        },
        t('home.pmiChange'),
      ),
    );
  }

  const startInstant = async () => {
    try {
      const conn = await ctx.connection();
      const r = await conn.call<{ meeting_id: string }>('meeting.create', {
        topic: t('home.instantTopic', { name: user.display_name }),
        settings: { join_before_host: false },
      });
      ctx.navigate(`/j/${r.meeting_id}`);
    } catch (e) {
      ctx.toast(ctx.describe(e), 'error');
    }
  };

  const schedule = async () => {
    const v = await scheduleDialog(ctx, null);
    if (!v) return;
    try {
      const conn = await ctx.connection();
      await conn.call('meeting.create', { ...v });
      ctx.toast(t('schedule.created'));
      void load();
    } catch (e) {
      ctx.toast(ctx.describe(e), 'error');
    }
  };

  replace(
    root,
    h(
      'main',
      { class: 'home' },
      h('h1', null, t('home.hello', { name: user.display_name })),
      h(
        'section',
        { class: 'quick-actions', 'aria-label': t('home.title') },
        h('button', { class: 'tile orange', id: 'new-meeting', onclick: startInstant }, h('span', { class: 'tile-icon', 'aria-hidden': 'true' }, icon('video', 22)), h('strong', null, t('home.instant')), h('small', null, t('home.instantHint'))),
        h('button', { class: 'tile blue', id: 'join-meeting', onclick: () => ctx.navigate('/join') }, h('span', { class: 'tile-icon', 'aria-hidden': 'true' }, icon('plus', 22)), h('strong', null, t('home.join')), h('small', null, t('home.joinHint'))),
        h('button', { class: 'tile blue', id: 'schedule-meeting', onclick: schedule }, h('span', { class: 'tile-icon', 'aria-hidden': 'true' }, icon('calendar', 22)), h('strong', null, t('home.schedule')), h('small', null, t('home.scheduleHint'))),
        h('button', { class: 'tile blue', id: 'open-messages', onclick: () => ctx.navigate('/messages') }, h('span', { class: 'tile-icon', 'aria-hidden': 'true' }, icon('chat', 22)), h('strong', null, t('home.messages'), ' ', unreadBadge), h('small', null, t('home.messagesHint'))),
      ),
      pmiBox,
      h('section', { class: 'card' }, h('h2', null, t('home.upcoming')), upcoming),
      h('section', { class: 'card' }, h('h2', null, t('home.past')), past),
    ),
  );
  void load();
  const stopUnread = watchUnread(ctx, (n) => {
    unreadBadge.hidden = n === 0;
    unreadBadge.textContent = unreadLabel(n);
    unreadBadge.setAttribute('aria-label', t('im.unreadCount', { n: unreadLabel(n) }));
  });
  return () => {
    disposed = true;
    stopUnread();
  };
}
