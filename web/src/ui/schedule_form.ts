// The schedule / edit form: topic, time, duration, password and every meeting setting.
import { defaultSettings, type Meeting, type MeetingSettings } from '../protocol/types';
import type { AppContext } from './app_context';
import { h } from './dom';

/** `datetime-local` value for unix seconds in the browser's time zone, and back. */
export function toLocalInput(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
export function fromLocalInput(value: string): number {
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

const toggles: (keyof MeetingSettings)[] = [
  'waiting_room',
  'join_before_host',
  'mute_on_entry',
  'allow_unmute_self',
  'multi_share',
  'private_chat',
  'guests_allowed',
];

export interface ScheduleValues {
  topic: string;
  start_at: number;
  duration_min: number;
  password?: string;
  settings: Partial<MeetingSettings>;
}

/** A modal form; resolves with what the user saved, or null when cancelled. */
export function scheduleDialog(ctx: AppContext, existing: Meeting | null): Promise<ScheduleValues | null> {
  const { t } = ctx;
  const s: MeetingSettings = { ...defaultSettings, ...(existing?.settings ?? {}) };
  const start = existing?.start_at || Math.ceil(Date.now() / 1000 / 1800) * 1800 + 1800;
  const topic = h('input', { id: 'sched-topic', name: 'topic', required: true, maxlength: 200, value: existing?.topic ?? '' });
  const when = h('input', { id: 'sched-when', name: 'start_at', type: 'datetime-local', required: true, value: toLocalInput(start) });
  const duration = h('input', {
    id: 'sched-duration',
    name: 'duration_min',
    type: 'number',
    min: 1,
    max: 1440,
    required: true,
    value: existing?.duration_min ?? 60,
  });
  const password = h('input', {
    id: 'sched-password',
    name: 'password',
    maxlength: 32,
    pattern: '[!-~]{1,32}',
    autocomplete: 'off',
    placeholder: existing?.has_password ? '••••••' : '',
  });
  const checks = new Map<keyof MeetingSettings, HTMLInputElement>();
  const toggleRows = toggles.map((key) => {
    const box = h('input', { type: 'checkbox', id: `set-${key}`, name: key, checked: Boolean(s[key]) });
    checks.set(key, box);
    return h('label', { class: 'check', for: `set-${key}` }, box, t(`schedule.${key}`));
  });
  const share = h(
    'select',
    { id: 'set-screen_share', name: 'screen_share' },
    h('option', { value: 'host', selected: s.screen_share === 'host' }, t('schedule.share_host')),
    h('option', { value: 'all', selected: s.screen_share === 'all' }, t('schedule.share_all')),
  );
  const chat = h(
    'select',
    { id: 'set-chat', name: 'chat' },
    ...(['everyone', 'host_only', 'off'] as const).map((m) => h('option', { value: m, selected: s.chat === m }, t(`schedule.chat_${m}`))),
  );
  const maxp = h('input', { id: 'set-max', name: 'max_participants', type: 'number', min: 2, max: 1000, value: s.max_participants });
  const error = h('p', { class: 'form-error', role: 'alert' });

  const dialog = h('dialog', { class: 'modal', 'aria-labelledby': 'sched-title' });
  return new Promise((resolve) => {
    const finish = (v: ScheduleValues | null) => {
      dialog.close();
      dialog.remove();
      resolve(v);
    };
    const form = h(
      'form',
      {
        method: 'dialog',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const start_at = fromLocalInput(when.value);
          if (!start_at) {
            error.textContent = t('schedule.when');
            return;
          }
          const settings: Partial<MeetingSettings> = {
            screen_share: share.value as MeetingSettings['screen_share'],
            chat: chat.value as MeetingSettings['chat'],
            max_participants: Number(maxp.value),
          };
          for (const [key, box] of checks) (settings as Record<string, unknown>)[key] = box.checked;
          const values: ScheduleValues = {
            topic: topic.value.trim(),
            start_at,
            duration_min: Number(duration.value),
            settings,
          };
          if (password.value) values.password = password.value;
          finish(values);
        },
      },
      h('h2', { id: 'sched-title' }, t(existing ? 'schedule.editTitle' : 'schedule.title')),
      h('label', { for: 'sched-topic' }, t('schedule.topic')),
      topic,
      h(
        'div',
        { class: 'row' },
        h('div', null, h('label', { for: 'sched-when' }, t('schedule.when')), when),
        h('div', null, h('label', { for: 'sched-duration' }, t('schedule.duration')), duration),
      ),
      h('label', { for: 'sched-password' }, t('schedule.password')),
      password,
      h('p', { class: 'hint' }, t('schedule.passwordHint')),
      h(
        'fieldset',
        null,
        h('legend', null, t('schedule.settings')),
        toggleRows,
        h(
          'div',
          { class: 'row' },
          h('div', null, h('label', { for: 'set-screen_share' }, t('schedule.screen_share')), share),
          h('div', null, h('label', { for: 'set-chat' }, t('schedule.chat')), chat),
          h('div', null, h('label', { for: 'set-max' }, t('schedule.max_participants')), maxp),
        ),
      ),
      error,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => finish(null) }, t('schedule.cancel')),
        h('button', { type: 'submit', class: 'primary', id: 'sched-submit' }, t(existing ? 'schedule.save' : 'schedule.create')),
      ),
    );
    dialog.appendChild(form);
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      finish(null);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    topic.focus();
  });
}
