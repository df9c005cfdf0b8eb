// Sign in and register. Signing in may take further steps the server asks for: a second factor
// (TOTP or recovery code), MFA enrolment when the organisation requires it, or a new password
// when the old one expired. The password is kept in this function's memory only for those steps.
import { accountApi } from '../protocol/account_api';
import { ParleyError } from '../protocol/errors';
import * as rest from '../protocol/rest';
import { describeStepError, newPasswordProblem, parseSecondFactor, stepAfterAnswer, stepAfterLoginError, type SignInStep } from '../state/sign_in_flow';
import type { AppContext } from './app_context';
import { h, replace } from './dom';
import { mfaEnrolmentPanel, recoveryCodesPanel } from './mfa_panels';

/**
 * `sso`: the browser is back from the identity provider (the server's ACS sent it to /signin/sso
 * with a one-time HttpOnly cookie); the sign-in is taken from the server and finished here.
 * `ssoError`: the ACS refused the sign-in and sent the browser back with the error code.
 */
export function authScreen(ctx: AppContext, root: HTMLElement, mode: 'signin' | 'register' | 'sso', next: string, ssoError?: string | null) {
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
  // Single sign-on, shown once the server says it has SAML configured. The server redirects to
  // the identity provider; nothing secret is in this link.
  const sso = h('div', { class: 'sso', id: 'sso' });
  let disposed = false;
  if (mode === 'signin') {
    void accountApi.samlEnabled().then((on) => {
      if (!on || disposed) return;
      replace(
        sso,
        h('p', { class: 'or' }, t('auth.or')),
        h('a', { class: 'button wide', id: 'sso-signin', href: accountApi.samlLoginPath }, t('auth.sso')),
      );
    });
  }

  const page = h('main', { class: 'center-page' });
  const finish = (session: Extract<SignInStep, { kind: 'done' }>['session']) => {
    ctx.setSession(session);
    ctx.navigate(next || '/', true);
  };
  const backToStart = () => {
    disposed = true;
    ctx.navigate(mode === 'sso' ? '/signin' : location.pathname + location.search, true);
  };
  const card = (id: string, title: string, ...children: Parameters<typeof h>[2][]) =>
    h('section', { class: 'card auth-card', id, 'aria-labelledby': `${id}-title` }, h('h1', { id: `${id}-title` }, title), ...children);

  function showStep(step: SignInStep, currentPassword: string) {
    if (step.kind === 'done') return finish(step.session);
    if (step.kind === 'credentials') return backToStart();
    if (step.kind === 'mfa') return showCode(step);
    if (step.kind === 'enrol') return showEnrol(step);
    return showPasswordChange(step.username, currentPassword);
  }

  function showCode(step: Extract<SignInStep, { kind: 'mfa' }>) {
    const codeError = h('p', { class: 'form-error', role: 'alert', id: 'mfa-error' });
    const code = h('input', { id: 'mfa-code', name: 'code', autocomplete: 'one-time-code', required: true, maxlength: 16, spellcheck: 'false', autocapitalize: 'off' });
    const go = h('button', { type: 'submit', class: 'primary wide', id: 'mfa-submit' }, t('auth.mfa.verify'));
    const restart = h('button', { type: 'button', class: 'link', id: 'mfa-restart', onclick: backToStart }, t('auth.startOver'));
    const form = h(
      'form',
      {
        class: 'card auth-card',
        id: 'mfa-step',
        'aria-labelledby': 'mfa-title',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          codeError.textContent = '';
          const answer = parseSecondFactor(code.value);
          if (!answer) {
            codeError.textContent = t('auth.mfa.shape');
            return code.focus();
          }
          go.disabled = true;
          try {
            showStep(stepAfterAnswer(await accountApi.verifyMfa(step.challenge, answer)), '');
          } catch (err) {
            const known = describeStepError(err, 'mfa');
            codeError.textContent = known ? t(known.key, known.vars) : ctx.describe(err);
            go.disabled = Boolean(known?.restart);
            if (known?.restart) restart.focus();
            else code.select();
          }
        },
      },
      h('h1', { id: 'mfa-title' }, t('auth.mfa.title')),
      h('p', { class: 'hint' }, t('auth.mfa.intro', { name: step.user.display_name || step.user.username })),
      h('label', { for: 'mfa-code' }, t('auth.mfa.code')),
      code,
      h('p', { class: 'hint' }, t('auth.mfa.recoveryHint')),
      codeError,
      go,
      h('p', { class: 'switch' }, restart),
    );
    replace(page, brand(), form);
    code.focus();
  }

  function showEnrol(step: Extract<SignInStep, { kind: 'enrol' }>) {
    const body = h('div', { id: 'enrol-body' });
    replace(
      page,
      brand(),
      card('enrol-step', t('auth.enrol.title'), h('p', { class: 'hint' }, t('auth.enrol.intro')), body, h('p', { class: 'switch' }, h('button', { type: 'button', class: 'link', onclick: backToStart }, t('auth.startOver')))),
    );
    mfaEnrolmentPanel(ctx, body, { challenge: step.challenge }, (c) => {
      const session = c.token && c.expires_at ? { token: c.token, expires_at: c.expires_at, user: c.user } : null;
      recoveryCodesPanel(ctx, body, c.user.username, c.recovery_codes, () => (session ? finish(session) : backToStart()), t('auth.enrol.continue'));
    });
  }

  function showPasswordChange(name: string, current: string) {
    const changeError = h('p', { class: 'form-error', role: 'alert', id: 'password-change-error' });
    const currentInput = h('input', { id: 'current-password', type: 'password', autocomplete: 'current-password', required: true, value: current });
    const fresh = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', required: true });
    const repeat = h('input', { id: 'repeat-password', type: 'password', autocomplete: 'new-password', required: true });
    const go = h('button', { type: 'submit', class: 'primary wide', id: 'password-change-submit' }, t('auth.password.change'));
    const form = h(
      'form',
      {
        class: 'card auth-card',
        id: 'password-step',
        'aria-labelledby': 'password-title',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          changeError.textContent = '';
          const problem = newPasswordProblem(currentInput.value, fresh.value, repeat.value);
          if (problem) {
            changeError.textContent = t(problem);
            return (problem === 'auth.password.mismatch' ? repeat : fresh).focus();
          }
          go.disabled = true;
          try {
            await accountApi.changePassword(name, currentInput.value, fresh.value);
          } catch (err) {
            const known = describeStepError(err, 'password');
            changeError.textContent = known ? t(known.key, known.vars) : ctx.describe(err);
            go.disabled = false;
            return fresh.focus();
          }
          try {
            showStep(stepAfterAnswer(await accountApi.login(name, fresh.value)), fresh.value);
          } catch (err) {
            changeError.textContent = ctx.describe(err);
            go.disabled = false;
          }
        },
      },
      h('h1', { id: 'password-title' }, t('auth.password.title')),
      h('p', { class: 'hint', id: 'password-change-why' }, t('auth.password.expired', { name })),
      h('label', { for: 'current-password' }, t('auth.password.current')),
      currentInput,
      h('label', { for: 'new-password' }, t('auth.password.new')),
      fresh,
      h('label', { for: 'repeat-password' }, t('auth.password.repeat')),
      repeat,
      h('p', { class: 'hint' }, t('auth.password.policyHint')),
      changeError,
      go,
      h('p', { class: 'switch' }, h('button', { type: 'button', class: 'link', onclick: backToStart }, t('auth.startOver'))),
    );
    replace(page, brand(), form);
    (current ? fresh : currentInput).focus();
  }

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
          const name = username.value.trim();
          let step: SignInStep;
          try {
            step = stepAfterAnswer(await accountApi.login(name, password.value));
          } catch (err) {
            const changed = stepAfterLoginError(err, name);
            if (!changed) throw err;
            step = changed;
          }
          showStep(step, password.value);
        } catch (err) {
          const known = describeStepError(err, 'credentials');
          error.textContent = known ? t(known.key, known.vars) : ctx.describe(err);
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
    sso,
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
  function brand() {
    return h('div', { class: 'brand-hero' }, h('div', { class: 'logo' }, 'P'), h('p', null, t('app.tagline')));
  }
  if (mode === 'sso') {
    const ssoStatus = h('p', { class: 'hint', role: 'status', id: 'sso-status' }, t('auth.ssoFinishing'));
    replace(page, brand(), card('sso-step', t('auth.signInTitle'), ssoStatus));
    replace(root, page);
    accountApi.finishSaml().then(
      (answer) => {
        if (!disposed) showStep(stepAfterAnswer(answer), '');
      },
      (err) => {
        if (disposed) return;
        replace(
          ssoStatus,
          h('span', { class: 'form-error', role: 'alert', id: 'sso-error' }, t('auth.ssoFailed', { reason: ctx.describe(err) })),
          ' ',
          h('a', { href: '/signin', onclick: (e: Event) => { e.preventDefault(); ctx.navigate('/signin', true); } }, t('auth.toSignIn')),
        );
      },
    );
    return () => {
      disposed = true;
    };
  }
  if (ssoError && /^[a-z_]{1,40}$/.test(ssoError)) error.textContent = t('auth.ssoFailed', { reason: ctx.describe(new ParleyError(ssoError, '')) });
  replace(page, brand(), form);
  replace(root, page);
  username.focus();
  return () => {
    disposed = true;
  };
}
