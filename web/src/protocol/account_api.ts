// The REST routes of sign-in and identity (docs/protocol.md, Security): the second factor, MFA
// enrolment, password change, SAML single sign-on, and API keys. JSON in and out; tokens and
// challenges travel in bodies and the Authorization header only, never in URLs.
import { requestJson } from './rest';
import type { User } from './types';

/** What `POST /api/v1/auth/login` and `mfa/verify` answer: a token, or a second step. */
export interface LoginAnswer {
  token?: string;
  expires_at?: number;
  user: User;
  mfa_required?: boolean;
  mfa_enrolment_required?: boolean;
  challenge?: string;
  challenge_expires_at?: number;
}

export interface Enrolment {
  secret: string;
  otpauth_uri: string;
  qr_png: string;
}

export interface Confirmation {
  recovery_codes: string[];
  user: User;
  token?: string;
  expires_at?: number;
}

export interface ApiKeyCreated {
  access_key_id: string;
  secret: string;
  name: string;
  scopes: string[];
  created_at: number;
  expires_at: number;
  revoked: boolean;
  owner: string;
}

export const apiKeyScopes = ['profile:read', 'meetings:join', 'keys:temporary'] as const;

export const accountApi = {
  login: (username: string, password: string) => requestJson<LoginAnswer>('POST', '/api/v1/auth/login', { username, password }),
  /** The second factor: a TOTP code, or a recovery code (one of the two). */
  verifyMfa: (challenge: string, answer: { code: string } | { recovery_code: string }) =>
    requestJson<LoginAnswer>('POST', '/api/v1/auth/mfa/verify', { challenge, ...answer }),
  /** Starts enrolment with a sign-in token, or with the challenge of a sign-in that must enrol. */
  enrollMfa: (auth: { token: string } | { challenge: string }) =>
    'token' in auth ? requestJson<Enrolment>('POST', '/api/v1/auth/mfa/enroll', {}, auth.token) : requestJson<Enrolment>('POST', '/api/v1/auth/mfa/enroll', { challenge: auth.challenge }),
  confirmMfa: (auth: { token: string } | { challenge: string }, code: string) =>
    'token' in auth
      ? requestJson<Confirmation>('POST', '/api/v1/auth/mfa/confirm', { code }, auth.token)
      : requestJson<Confirmation>('POST', '/api/v1/auth/mfa/confirm', { code, challenge: auth.challenge }),
  changePassword: (username: string, password: string, newPassword: string) =>
    requestJson<Record<string, never>>('POST', '/api/v1/auth/password', { username, password, new_password: newPassword }),
  /** True when the server has SAML single sign-on configured (its SP metadata exists). */
  async samlEnabled(): Promise<boolean> {
    try {
      const r = await fetch('/api/v1/auth/saml/metadata', { method: 'GET', cache: 'no-store' });
      return r.ok;
    } catch {
      return false;
    }
  },
  samlLoginPath: '/api/v1/auth/saml/login',
  /** Takes the sign-in the SAML ACS handed over (a one-time code in an HttpOnly cookie). */
  finishSaml: () => requestJson<LoginAnswer>('POST', '/api/v1/auth/saml/session', {}),
  createKey: (token: string, key: { scopes: string[]; name?: string; owner?: string }) => requestJson<ApiKeyCreated>('POST', '/api/v1/keys', key, token),
  revokeKey: (token: string, id: string) => requestJson<{ key: ApiKeyCreated }>('DELETE', `/api/v1/keys/${encodeURIComponent(id)}`, undefined, token).then((r) => r.key),
  createServiceAccount: (token: string, account: { username: string; display_name?: string }) =>
    requestJson<{ user: User & { service_account: boolean } }>('POST', '/api/v1/admin/service-accounts', account, token).then((r) => r.user),
};
