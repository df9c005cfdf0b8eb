// The MFA pieces shared by sign-in and the account page: enrolment (QR code from the server's
// PNG, the secret for typing by hand, confirmation with a first code) and the one-time display
// of the recovery codes (copy, download).
import { accountApi, type Confirmation } from '../protocol/account_api';
import { ParleyError } from '../protocol/errors';
import { describeStepError, groupedSecret, parseTotpCode, recoveryCodesFile } from '../state/sign_in_flow';
import type { AppContext } from './app_context';
import { copyText, download, h, replace } from './dom';

type EnrolAuth = { token: string } | { challenge: string };

/** Starts enrolment and renders it into `root`; `confirmed` gets the server's confirmation. */
export function mfaEnrolmentPanel(ctx: AppContext, root: HTMLElement, auth: EnrolAuth, confirmed: (c: Confirmation) => void, failed?: (restart: boolean) => void) {
  const { t } = ctx;
  const status = h('p', { class: 'hint', role: 'status' }, t('mfa.starting'));
  replace(root, status);
  accountApi.enrollMfa(auth).then(
    (enrolment) => {
      const error = h('p', { class: 'form-error', role: 'alert', id: 'mfa-enrol-error' });
      const code = h('input', { id: 'mfa-enrol-code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9 ]*', maxlength: 7, required: true });
      const submit = h('button', { type: 'submit', class: 'primary wide', id: 'mfa-enrol-confirm' }, t('mfa.confirm'));
      const form = h(
        'form',
        {
          class: 'mfa-enrol',
          id: 'mfa-enrol',
          onsubmit: async (e: Event) => {
            e.preventDefault();
            error.textContent = '';
            const value = parseTotpCode(code.value);
            if (!value) {
              error.textContent = t('mfa.codeShape');
              code.focus();
              return;
            }
            submit.disabled = true;
            try {
              confirmed(await accountApi.confirmMfa(auth, value));
            } catch (err) {
              const known = describeStepError(err, 'enrol');
              error.textContent = known ? t(known.key, known.vars) : ctx.describe(err);
              submit.disabled = false;
              code.select();
              if (known?.restart && failed) failed(true);
            }
          },
        },
        h('ol', { class: 'steps' }, h('li', null, t('mfa.step1')), h('li', null, t('mfa.step2')), h('li', null, t('mfa.step3'))),
        h('div', { class: 'qr-wrap' }, h('img', { id: 'mfa-qr', class: 'qr', src: `data:image/png;base64,${enrolment.qr_png}`, alt: t('mfa.qrAlt'), width: 200, height: 200 })),
        h('p', { class: 'hint' }, t('mfa.manual')),
        h('p', { class: 'mono secret', id: 'mfa-secret', 'data-secret': enrolment.secret }, groupedSecret(enrolment.secret)),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            {
              type: 'button',
              class: 'small',
              id: 'mfa-copy-secret',
              onclick: async () => ctx.toast(t((await copyText(enrolment.secret)) ? 'mfa.secretCopied' : 'mfa.copyFailed')),
            },
            t('mfa.copySecret'),
          ),
        ),
        h('label', { for: 'mfa-enrol-code' }, t('mfa.firstCode')),
        code,
        error,
        submit,
      );
      replace(root, form);
      code.focus();
    },
    (err) => {
      const known = describeStepError(err, 'enrol');
      const text = err instanceof ParleyError && err.code === 'conflict' ? t('mfa.alreadyOn') : known ? t(known.key, known.vars) : ctx.describe(err);
      replace(root, h('p', { class: 'form-error', role: 'alert', id: 'mfa-enrol-error' }, text));
      if (failed) failed(Boolean(known?.restart));
    },
  );
}

/** Shows the recovery codes once, with copy and download; `done` runs when the user goes on. */
export function recoveryCodesPanel(ctx: AppContext, root: HTMLElement, username: string, codes: string[], done: () => void, doneLabel: string) {
  const { t } = ctx;
  const text = codes.join('\n');
  const next = h('button', { type: 'button', class: 'primary wide', id: 'recovery-done', onclick: done }, doneLabel);
  replace(
    root,
    h(
      'section',
      { class: 'recovery', id: 'recovery-codes', 'aria-labelledby': 'recovery-title' },
      h('h2', { id: 'recovery-title' }, t('mfa.recoveryTitle')),
      h('p', { class: 'hint' }, t('mfa.recoveryOnce')),
      h('ul', { class: 'recovery-list mono', id: 'recovery-list' }, codes.map((c) => h('li', null, c))),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', id: 'recovery-copy', onclick: async () => ctx.toast(t((await copyText(text)) ? 'mfa.codesCopied' : 'mfa.copyFailed')) }, t('mfa.copyCodes')),
        h('button', { type: 'button', id: 'recovery-download', onclick: () => download('parley-recovery-codes.txt', recoveryCodesFile(username, codes, new Date()), 'text/plain') }, t('mfa.downloadCodes')),
      ),
      next,
    ),
  );
  next.focus();
}
