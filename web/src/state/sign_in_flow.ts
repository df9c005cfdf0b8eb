// The steps of signing in, as pure state: what the server's answer to a password, a second
// factor or a password change means for the next screen, and which error the user sees.
import type { LoginAnswer } from '../protocol/account_api';
import { ParleyError } from '../protocol/errors';
import type { User } from '../protocol/types';
import type { Session } from './session_store';

export type SignInStep =
  | { kind: 'credentials' }
  /** The user has TOTP: a code (or a recovery code) finishes the sign-in. */
  | { kind: 'mfa'; challenge: string; expiresAt: number; user: User }
  /** The organisation requires MFA and the user has none: enrol first. */
  | { kind: 'enrol'; challenge: string; expiresAt: number; user: User }
  /** The password expired (or an admin asked for a change): a new one, then sign in again. */
  | { kind: 'password'; username: string }
  | { kind: 'done'; session: Session };

/** The next step after an accepted password or second factor. */
export function stepAfterAnswer(answer: LoginAnswer): SignInStep {
  if (answer.token && typeof answer.expires_at === 'number') {
    return { kind: 'done', session: { token: answer.token, expires_at: answer.expires_at, user: answer.user } };
  }
  if (answer.challenge && (answer.mfa_required || answer.mfa_enrolment_required)) {
    const expiresAt = answer.challenge_expires_at ?? 0;
    return answer.mfa_enrolment_required
      ? { kind: 'enrol', challenge: answer.challenge, expiresAt, user: answer.user }
      : { kind: 'mfa', challenge: answer.challenge, expiresAt, user: answer.user };
  }
  throw new ParleyError('internal', 'the sign-in answer has neither a token nor a challenge');
}

/** A failed password: an expired one moves on to the change step, anything else is shown. */
export function stepAfterLoginError(e: unknown, username: string): SignInStep | null {
  return e instanceof ParleyError && e.code === 'password_expired' ? { kind: 'password', username } : null;
}

/** What the user typed in the code step: a 6-digit TOTP code or a recovery code (xxxxx-xxxxx). */
export function parseSecondFactor(input: string): { code: string } | { recovery_code: string } | null {
  const compact = input.replace(/[\s]/g, '');
  if (/^\d{6}$/.test(compact)) return { code: compact };
  const bare = compact.replace(/-/g, '');
  if (/^[A-Za-z0-9]{10}$/.test(bare)) return { recovery_code: compact.toLowerCase() };
  return null;
}

/** A TOTP code alone (enrolment is confirmed with a code from the app, not a recovery code). */
export function parseTotpCode(input: string): string | null {
  const compact = input.replace(/\s/g, '');
  return /^\d{6}$/.test(compact) ? compact : null;
}

/** Whole seconds until a challenge dies (0 once it has). */
export function secondsLeft(expiresAt: number, nowSeconds: number): number {
  return Math.max(0, Math.floor(expiresAt - nowSeconds));
}

/** A message key and its values for the error of a sign-in step, in the user's words. */
export interface StepError {
  key: string;
  vars?: Record<string, string | number>;
  /** The challenge is spent: the user must start again with the password. */
  restart?: boolean;
}

export function describeStepError(e: unknown, step: SignInStep['kind']): StepError | null {
  if (!(e instanceof ParleyError)) return null;
  const wait = e.retryAfter ?? 0;
  switch (e.code) {
    case 'mfa_invalid':
      return { key: step === 'enrol' ? 'auth.mfa.invalidEnrol' : 'auth.mfa.invalid' };
    case 'unauthenticated':
      // At a second-factor step the password was right: only the challenge can be at fault.
      if (step === 'mfa' || step === 'enrol') return { key: 'auth.mfa.expired', restart: true };
      if (step === 'password') return { key: 'auth.password.wrongCurrent' };
      return null;
    case 'account_locked':
      return wait ? { key: 'auth.lockedFor', vars: { wait: formatWait(wait) } } : { key: 'auth.locked' };
    case 'rate_limited':
      return wait ? { key: 'auth.rateLimitedFor', vars: { wait: formatWait(wait) } } : null;
    case 'weak_password':
      return { key: 'auth.password.weak', vars: { message: e.message } };
    case 'password_reused':
      return { key: 'auth.password.reused', vars: { message: e.message } };
    default:
      return null;
  }
}

/** "45 s", "3 min", "2 h 5 min": how long to wait, from the server's Retry-After. */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** The new password and its repetition: null when they may be sent, else the message key. */
export function newPasswordProblem(current: string, next: string, repeat: string): string | null {
  if (!next) return 'auth.password.empty';
  if (next !== repeat) return 'auth.password.mismatch';
  if (next === current) return 'auth.password.same';
  return null;
}

/** The text of a recovery-codes file the user downloads. */
export function recoveryCodesFile(username: string, codes: readonly string[], issuedAt: Date): string {
  return [`Parley recovery codes for ${username}`, `Issued ${issuedAt.toISOString()}`, 'Each code works once in place of a code from your authenticator app.', '', ...codes, ''].join('\n');
}

/** The secret of an otpauth:// URI grouped in fours, for typing into an app by hand. */
export function groupedSecret(secret: string): string {
  return secret.replace(/\s/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}
