// Admin: the organisation's users. Search, create, disable/enable, make or remove admin, unlock,
// reset MFA, delete (after a confirmation). Every change is the server's answer, shown at once.
import type { AdminUser } from '../protocol/admin_api';
import type { AdminPage } from './admin_screen';
import { confirmDialog } from './confirm_dialog';
import { h, replace } from './dom';

export function adminUsers(page: AdminPage, root: HTMLElement) {
  const { ctx, api } = page;
  const { t } = ctx;
  const me = ctx.session!.user.id;
  let users: AdminUser[] = [];
  const status = h('p', { class: 'admin-status', id: 'users-status', role: 'status', 'aria-live': 'polite' });
  const search = h('input', { id: 'users-search', type: 'search', placeholder: t('admin.users.searchHint'), oninput: () => draw() });
  const tbody = h('tbody', { id: 'users-rows' });
  const count = h('span', { class: 'hint', id: 'users-count' });

  const say = (text: string, kind: 'ok' | 'error' = 'ok') => {
    status.textContent = text;
    status.className = `admin-status ${kind}`;
  };
  const when = (unix: number) => new Date(unix * 1000).toLocaleDateString(ctx.locale, { dateStyle: 'medium' });

  async function act(u: AdminUser, run: () => Promise<Partial<AdminUser> | void>, done: string) {
    say('');
    try {
      const changed = await run();
      if (changed) users = users.map((x) => (x.id === u.id ? { ...x, ...changed } : x));
      say(t(done, { name: u.username }));
      draw();
      document.querySelector<HTMLElement>(`tr[data-user="${CSS.escape(u.username)}"] button`)?.focus();
    } catch (e) {
      say(page.fail(e), 'error');
    }
  }

  function row(u: AdminUser) {
    const self = u.id === me;
    const locked = (u.locked_until ?? 0) * 1000 > Date.now();
    return h(
      'tr',
      { 'data-user': u.username, class: u.disabled ? 'disabled' : '' },
      h('td', { 'data-label': t('admin.users.name') }, h('strong', null, u.display_name), h('br'), h('span', { class: 'mono hint-inline' }, u.username)),
      h(
        'td',
        { 'data-label': t('admin.users.state') },
        h('span', { class: `chip ${u.disabled ? 'off' : 'on'}`, 'data-state': u.disabled ? 'disabled' : 'active' }, t(u.disabled ? 'admin.users.disabled' : 'admin.users.active')),
        u.is_admin && h('span', { class: 'chip role', 'data-role': 'admin' }, t('admin.users.admin')),
        locked && h('span', { class: 'chip off' }, t('admin.users.locked')),
        u.mfa_enabled && h('span', { class: 'chip' }, t('admin.users.mfa')),
      ),
      h('td', { 'data-label': t('admin.users.created') }, when(u.created_at)),
      h(
        'td',
        { class: 'admin-actions', 'data-label': t('admin.users.actions') },
        h(
          'button',
          {
            class: 'small',
            'data-action': u.disabled ? 'enable' : 'disable',
            disabled: self,
            title: self ? t('admin.users.notSelf') : false,
            onclick: () => act(u, () => api.setDisabled(u.id, !u.disabled), u.disabled ? 'admin.users.enabledNote' : 'admin.users.disabledNote'),
          },
          t(u.disabled ? 'admin.users.enable' : 'admin.users.disable'),
        ),
        h(
          'button',
          {
            class: 'small',
            'data-action': u.is_admin ? 'remove-admin' : 'make-admin',
            disabled: self,
            title: self ? t('admin.users.notSelf') : false,
            onclick: () => act(u, () => api.setAdmin(u.id, !u.is_admin), u.is_admin ? 'admin.users.removedAdminNote' : 'admin.users.madeAdminNote'),
          },
          t(u.is_admin ? 'admin.users.removeAdmin' : 'admin.users.makeAdmin'),
        ),
        h('button', { class: 'small', 'data-action': 'unlock', onclick: () => act(u, () => api.unlock(u.id), 'admin.users.unlockedNote') }, t('admin.users.unlock')),
        h('button', { class: 'small', 'data-action': 'reset-mfa', onclick: () => act(u, () => api.resetMfa(u.id), 'admin.users.mfaResetNote') }, t('admin.users.resetMfa')),
        h('button', { class: 'small', 'data-action': 'expire-password', onclick: () => act(u, () => api.expirePassword(u.id), 'admin.users.passwordExpiredNote') }, t('admin.users.expirePassword')),
        h(
          'button',
          {
            class: 'small danger',
            'data-action': 'delete',
            disabled: self,
            title: self ? t('admin.users.notSelf') : false,
            onclick: async () => {
              const sure = await confirmDialog({
                title: t('admin.users.deleteTitle', { name: u.username }),
                body: t('admin.users.deleteBody'),
                confirm: t('admin.users.delete'),
                cancel: t('admin.cancel'),
              });
              if (!sure) return;
              await act(u, async () => {
                await api.deleteUser(u.id);
                users = users.filter((x) => x.id !== u.id);
              }, 'admin.users.deletedNote');
            },
          },
          t('admin.users.delete'),
        ),
      ),
    );
  }

  function draw() {
    const q = search.value.trim().toLowerCase();
    const shown = users.filter((u) => !q || u.username.toLowerCase().includes(q) || u.display_name.toLowerCase().includes(q));
    count.textContent = t('admin.users.count', { shown: shown.length, total: users.length });
    replace(tbody, shown.length ? shown.map(row) : h('tr', null, h('td', { colspan: 4, class: 'empty' }, t('admin.users.none'))));
  }

  async function load() {
    try {
      users = (await api.listUsers()).sort((a, b) => a.username.localeCompare(b.username));
      draw();
    } catch (e) {
      say(page.fail(e), 'error');
    }
  }

  // The create form.
  const username = h('input', { id: 'new-username', required: true, minlength: 3, maxlength: 32, autocomplete: 'off' });
  const displayName = h('input', { id: 'new-display-name', maxlength: 64, autocomplete: 'off' });
  const password = h('input', { id: 'new-password', type: 'password', required: true, autocomplete: 'new-password' });
  const makeAdmin = h('input', { id: 'new-is-admin', type: 'checkbox' });
  const createError = h('p', { class: 'form-error', role: 'alert', id: 'create-error' });
  const create = h(
    'form',
    {
      class: 'card admin-create',
      id: 'create-user',
      'aria-labelledby': 'create-user-title',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        createError.textContent = '';
        try {
          const u = await api.createUser({ username: username.value.trim(), password: password.value, display_name: displayName.value.trim() || undefined, is_admin: makeAdmin.checked });
          users = [...users.filter((x) => x.id !== u.id), u].sort((a, b) => a.username.localeCompare(b.username));
          create.reset();
          say(t('admin.users.createdNote', { name: u.username }));
          draw();
        } catch (err) {
          createError.textContent = page.fail(err);
        }
      },
    },
    h('h2', { id: 'create-user-title' }, t('admin.users.create')),
    h(
      'div',
      { class: 'row' },
      h('div', null, h('label', { for: 'new-username' }, t('auth.username')), username),
      h('div', null, h('label', { for: 'new-display-name' }, t('auth.displayName')), displayName),
      h('div', null, h('label', { for: 'new-password' }, t('admin.users.initialPassword')), password),
    ),
    h('p', { class: 'hint' }, t('auth.passwordHint')),
    h('label', { class: 'check' }, makeAdmin, t('admin.users.createAsAdmin')),
    createError,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'create-user-submit' }, t('admin.users.createSubmit'))),
  );

  replace(
    root,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'users-title' },
      h('h2', { id: 'users-title' }, t('admin.tab.users'), count),
      h('label', { for: 'users-search' }, t('admin.users.search')),
      search,
      status,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'admin-table stack', id: 'users-table' },
          h('thead', null, h('tr', null, ...['name', 'state', 'created', 'actions'].map((c) => h('th', { scope: 'col' }, t(`admin.users.${c}`))))),
          tbody,
        ),
      ),
    ),
    create,
  );
  void load();
}
