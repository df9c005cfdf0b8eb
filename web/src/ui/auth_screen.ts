// Sign in and register.
import * as rest from '../protocol/rest';
import type { AppContext } from './app_context';
import { h, replace } from './dom';

export function authScreen(ctx: AppContext, root: HTMLElement, mode: 'signin' | 'register', next: string) {
  const { t } = ctx;
  const error = h('p', { class: 'form-error', role: 'alert' });
  const note = h('p', { class: 'form-note', role: 'status' });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, minlength: 3, maxlength: 32 });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: mode === 'signin' ? 'current-password' : 'new-password',
    required: true,
  });
  const displayName = h('input', { id: 'display-name', name: 'display_name', maxlength: 64, autocomplete: 'name' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, t(mode === 'signin' ? 'auth.signIn' : 'auth.register'));

  const form = h(
    'form',
    {
      class: 'card auth-card',
      'aria-labelledby': 'auth-title',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        submit.disabled = true;
        try {
          if (mode === 'register') {
            await rest.register(username.value.trim(), password.value, displayName.value.trim() || undefined);
          }
          const r = await rest.login(username.value.trim(), password.value);
          ctx.setSession({ token: r.token, expires_at: r.expires_at, user: r.user });
          ctx.navigate(next || '/', true);
        } catch (err) {
          error.textContent = ctx.describe(err);
          submit.disabled = false;
        }
      },
    },
    h('h1', { id: 'auth-title' }, t(mode === 'signin' ? 'auth.signInTitle' : 'auth.registerTitle')),
    h('label', { for: 'username' }, t('auth.username')),
    username,
    h('label', { for: 'password' }, t('auth.password')),
    password,
    mode === 'register' && h('p', { class: 'hint' }, t('auth.passwordHint')),
    mode === 'register' && [h('label', { for: 'display-name' }, t('auth.displayName')), displayName],
    error,
    note,
    submit,
    h(
      'p',
      { class: 'switch' },
      t(mode === 'signin' ? 'auth.needAccount' : 'auth.haveAccount'),
      ' ',
      h(
        'a',
        {
          href: mode === 'signin' ? '/register' : '/signin',
          onclick: (e: Event) => {
            e.preventDefault();
            ctx.navigate(mode === 'signin' ? '/register' : '/signin');
          },
        },
        t(mode === 'signin' ? 'auth.toRegister' : 'auth.toSignIn'),
      ),
    ),
    h(
      'p',
      { class: 'switch' },
      h(
        'a',
        {
          href: '/join',
          onclick: (e: Event) => {
            e.preventDefault();
            ctx.navigate('/join');
          },
        },
        t('auth.joinInstead'),
      ),
    ),
  );
  replace(root, h('main', { class: 'center-page' }, h('div', { class: 'brand-hero' }, h('div', { class: 'logo' }, 'P'), h('p', null, t('app.tagline'))), form));
  username.focus();
}
