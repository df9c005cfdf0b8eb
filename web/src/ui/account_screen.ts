// The user's account page at /account: two-step sign-in (TOTP MFA) — set it up with the QR code
// or the secret, confirm with a first code, keep the recovery codes that are shown once.
import type { AppContext } from './app_context';
import { h, replace } from './dom';
import { mfaEnrolmentPanel, recoveryCodesPanel } from './mfa_panels';

export function accountScreen(ctx: AppContext, root: HTMLElement) {
  const { t } = ctx;
  const session = ctx.session!;
  const body = h('div', { id: 'mfa-body' });
  const state = h('p', { class: 'admin-status', id: 'mfa-state', role: 'status', 'aria-live': 'polite' });

  const idle = () =>
    replace(
      body,
      h('p', { class: 'hint' }, t('account.mfa.intro')),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', id: 'mfa-start', onclick: start }, t('account.mfa.start'))),
      h('p', { class: 'hint' }, t('account.mfa.offHint')),
    );

  function start() {
    state.textContent = '';
    mfaEnrolmentPanel(
      ctx,
      body,
      { token: session.token },
      (c) =>
        recoveryCodesPanel(ctx, body, c.user.username, c.recovery_codes, () => {
          state.textContent = t('account.mfa.on');
          replace(body, h('p', { class: 'hint' }, t('account.mfa.offHint')));
        }, t('account.mfa.savedCodes')),
      () => undefined,
    );
  }

  replace(
    root,
    h(
      'main',
      { class: 'account', id: 'account' },
      h('h1', null, t('account.title')),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'account-who' },
        h('h2', { id: 'account-who' }, session.user.display_name),
        h('p', { class: 'hint' }, t('account.username'), ' ', h('span', { class: 'mono' }, session.user.username)),
      ),
      h('section', { class: 'card', id: 'mfa-section', 'aria-labelledby': 'mfa-title' }, h('h2', { id: 'mfa-title' }, t('account.mfa.title')), state, body),
    ),
  );
  idle();
}
