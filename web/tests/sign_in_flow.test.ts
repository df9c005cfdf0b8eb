import { describe, expect, it } from 'vitest';
import { ParleyError } from '../src/protocol/errors';
import {
  describeStepError,
  formatWait,
  groupedSecret,
  newPasswordProblem,
  parseSecondFactor,
  parseTotpCode,
  recoveryCodesFile,
  secondsLeft,
  stepAfterAnswer,
  stepAfterLoginError,
} from '../src/state/sign_in_flow';

const user = { id: '00000000000000aa', username: 'nora', display_name: 'Nora', is_admin: false };

describe('sign-in steps', () => {
  it('a token finishes the sign-in', () => {
    expect(stepAfterAnswer({ token: 't', expires_at: 99, user })).toEqual({ kind: 'done', session: { token: 't', expires_at: 99, user } });
  });
  it('an MFA challenge asks for a code', () => {
    expect(stepAfterAnswer({ mfa_required: true, challenge: 'c', challenge_expires_at: 300, user })).toEqual({ kind: 'mfa', challenge: 'c', expiresAt: 300, user });
  });
  it('an enrolment challenge leads to enrolment', () => {
    expect(stepAfterAnswer({ mfa_enrolment_required: true, challenge: 'c', challenge_expires_at: 300, user })).toEqual({ kind: 'enrol', challenge: 'c', expiresAt: 300, user });
  });
  it('an answer with neither is an error, not a silent sign-in', () => {
    expect(() => stepAfterAnswer({ user })).toThrow(ParleyError);
  });
  it('an expired password moves on to the change step; other errors do not', () => {
    expect(stepAfterLoginError(new ParleyError('password_expired', 'expired'), 'nora')).toEqual({ kind: 'password', username: 'nora' });
    expect(stepAfterLoginError(new ParleyError('unauthenticated', 'no'), 'nora')).toBeNull();
    expect(stepAfterLoginError(new Error('x'), 'nora')).toBeNull();
  });
});

describe('second factor input', () => {
  it('six digits are a TOTP code, spaces ignored', () => {
    expect(parseSecondFactor('123 456')).toEqual({ code: '123456' });
    expect(parseTotpCode(' 654321 ')).toBe('654321');
  });
  it('ten letters and digits are a recovery code', () => {
    expect(parseSecondFactor('ABCDE-12345')).toEqual({ recovery_code: 'abcde-12345' });
    expect(parseSecondFactor('abcde12345')).toEqual({ recovery_code: 'abcde12345' });
  });
  it('anything else is refused before it reaches the server', () => {
    expect(parseSecondFactor('12345')).toBeNull();
    expect(parseSecondFactor('')).toBeNull();
    expect(parseSecondFactor('abc')).toBeNull();
    expect(parseTotpCode('abcde-12345')).toBeNull();
  });
});

describe('step errors', () => {
  it('a wrong code says so at both code steps', () => {
    expect(describeStepError(new ParleyError('mfa_invalid', 'x'), 'mfa')).toEqual({ key: 'auth.mfa.invalid' });
    expect(describeStepError(new ParleyError('mfa_invalid', 'x'), 'enrol')).toEqual({ key: 'auth.mfa.invalidEnrol' });
  });
  it('a dead challenge sends the user back to the password', () => {
    expect(describeStepError(new ParleyError('unauthenticated', 'x'), 'mfa')).toEqual({ key: 'auth.mfa.expired', restart: true });
    expect(describeStepError(new ParleyError('unauthenticated', 'x'), 'credentials')).toBeNull();
  });
  it('a lock shows the server’s retry delay', () => {
    expect(describeStepError(new ParleyError('account_locked', 'x', 120), 'credentials')).toEqual({ key: 'auth.lockedFor', vars: { wait: '2 min' } });
    expect(describeStepError(new ParleyError('account_locked', 'x'), 'credentials')).toEqual({ key: 'auth.locked' });
    expect(describeStepError(new ParleyError('rate_limited', 'x', 8), 'mfa')).toEqual({ key: 'auth.rateLimitedFor', vars: { wait: '8 s' } });
  });
  it('the policy’s own message is kept for a weak or reused password', () => {
    expect(describeStepError(new ParleyError('weak_password', 'at least 12 characters'), 'password')).toEqual({ key: 'auth.password.weak', vars: { message: 'at least 12 characters' } });
    expect(describeStepError(new ParleyError('password_reused', 'one of the last 5'), 'password')).toEqual({ key: 'auth.password.reused', vars: { message: 'one of the last 5' } });
  });
});

describe('helpers', () => {
  it('waits read naturally', () => {
    expect(formatWait(0.2)).toBe('1 s');
    expect(formatWait(59)).toBe('59 s');
    expect(formatWait(61)).toBe('2 min');
    expect(formatWait(3600)).toBe('1 h');
    expect(formatWait(7500)).toBe('2 h 5 min');
  });
  it('the new password is checked locally for the obvious', () => {
    expect(newPasswordProblem('old', '', '')).toBe('auth.password.empty');
    expect(newPasswordProblem('old', 'New-Pass-1', 'New-Pass-2')).toBe('auth.password.mismatch');
    expect(newPasswordProblem('same', 'same', 'same')).toBe('auth.password.same');
    expect(newPasswordProblem('old', 'New-Pass-1', 'New-Pass-1')).toBeNull();
  });
  it('challenges count down to zero', () => {
    expect(secondsLeft(100, 40.5)).toBe(59);
    expect(secondsLeft(100, 200)).toBe(0);
  });
  it('the secret is grouped in fours and the codes file lists every code', () => {
    expect(groupedSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
    const file = recoveryCodesFile('nora', ['aaaaa-11111', 'bbbbb-22222'], new Date(0));
    expect(file).toContain('nora');
    expect(file).toContain('aaaaa-11111\nbbbbb-22222');
  });
});
