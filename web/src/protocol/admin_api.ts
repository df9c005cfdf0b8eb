// The admin REST routes under /api/v1/admin/ (docs/protocol.md, Administration): JSON in and out,
// the token in the Authorization header only. Reports (CSV, NDJSON) come back as text.
import { ParleyError } from './errors';

export interface AdminUser {
  id: string;
  username: string;
  display_name: string;
  is_admin: boolean;
  disabled: boolean;
  org_id: string;
  created_at: number;
  /** Present once the server tracks sign-in failures and MFA (Security section). */
  locked_until?: number;
  mfa_enabled?: boolean;
  service_account?: boolean;
}

export const tiers = [
  { id: 'basic', cap: 100 },
  { id: 'pro', cap: 300 },
  { id: 'business', cap: 500 },
  { id: 'enterprise', cap: 1000 },
] as const;
export type Tier = (typeof tiers)[number]['id'];

export interface OrgSettings {
  tier: Tier;
  require_mfa: boolean;
  password_min_length: number;
  password_min_classes: number;
  password_max_age_days: number;
  password_history: number;
  lockout_threshold: number;
  /** Only on servers with the account lock of the Security section. */
  lockout_seconds?: number;
}

export interface Organisation {
  id: string;
  name: string;
  created_at: number;
  max_participants: number;
  settings: OrgSettings;
}

export interface UsageDay {
  day: string;
  participant_minutes: number;
  participant_seconds: number;
  meetings: number;
  peak_concurrency: number;
}

export interface UsageReport {
  org_id: string;
  from: string;
  to: string;
  days: UsageDay[];
  pending_events: number;
}

export interface AuditEntry {
  seq: number;
  at_ms: number;
  kind: string;
  actor_id: string;
  actor_name: string;
  org_id: string;
  target: string;
  detail: string;
  address: string;
  prev_hash: string;
  hash: string;
}

export interface AuditVerdict {
  intact: boolean;
  entries: number;
  first_broken?: number;
  problem?: string;
}

export interface ApiKey {
  access_key_id: string;
  name: string;
  scopes: string[];
  created_at: number;
  expires_at: number;
  revoked: boolean;
  owner: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One request; the reply's body as text (empty for 204), or a ParleyError with the server's code. */
export async function request(token: string, method: Method, path: string, body?: unknown): Promise<{ text: string; type: string }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ParleyError('disconnected', 'the server cannot be reached');
  }
  const text = response.status === 204 ? '' : await response.text();
  if (!response.ok) {
    let err: { code?: string; message?: string } | undefined;
    try {
      err = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      err = undefined;
    }
    const retry = Number(response.headers.get('Retry-After') ?? '') || undefined;
    throw new ParleyError(err?.code ?? 'internal', err?.message ?? `HTTP ${response.status}`, retry);
  }
  return { text, type: response.headers.get('Content-Type') ?? '' };
}

async function json<T>(token: string, method: Method, path: string, body?: unknown): Promise<T> {
  const { text } = await request(token, method, path, body);
  return (text ? JSON.parse(text) : undefined) as T;
}

const base = '/api/v1/admin';
const user = (id: string) => `${base}/users/${encodeURIComponent(id)}`;

/** The admin routes, bound to one sign-in. */
export function adminApi(token: string) {
  return {
    listUsers: () => json<{ users: AdminUser[] }>(token, 'GET', `${base}/users`).then((r) => r.users),
    createUser: (u: { username: string; password: string; display_name?: string; is_admin?: boolean }) =>
      json<{ user: AdminUser }>(token, 'POST', `${base}/users`, u).then((r) => r.user),
    deleteUser: (id: string) => json<void>(token, 'DELETE', user(id)),
    setDisabled: (id: string, disabled: boolean) => json<{ user: AdminUser }>(token, 'POST', `${user(id)}/${disabled ? 'disable' : 'enable'}`).then((r) => r.user),
    setAdmin: (id: string, isAdmin: boolean) => json<{ user: AdminUser }>(token, 'POST', `${user(id)}/role`, { is_admin: isAdmin }).then((r) => r.user),
    unlock: (id: string) => json<{ user: AdminUser }>(token, 'POST', `${user(id)}/unlock`).then((r) => r.user),
    resetMfa: (id: string) => json<{ user: Partial<AdminUser> }>(token, 'POST', `${user(id)}/mfa/reset`).then((r) => r.user),
    /** The user must change their password at next sign-in. */
    expirePassword: (id: string) => json<{ user: Partial<AdminUser> }>(token, 'POST', `${user(id)}/password/expire`).then((r) => r.user),
    organisation: () => json<{ organisation: Organisation }>(token, 'GET', `${base}/organisation`).then((r) => r.organisation),
    updateOrganisation: (change: { name?: string; settings?: Partial<OrgSettings> }) =>
      json<{ organisation: Organisation }>(token, 'PUT', `${base}/organisation`, change).then((r) => r.organisation),
    usage: (from: string, to: string) => json<UsageReport>(token, 'GET', `${base}/usage?${new URLSearchParams({ from, to, format: 'json' })}`),
    usageText: (from: string, to: string, format: 'json' | 'csv') => request(token, 'GET', `${base}/usage?${new URLSearchParams({ from, to, format })}`).then((r) => r.text),
    audit: (query: URLSearchParams) => json<{ entries: AuditEntry[] }>(token, 'GET', `${base}/audit?${query}`).then((r) => r.entries),
    auditExport: (query: URLSearchParams) => request(token, 'GET', `${base}/audit/export?${query}`).then((r) => r.text),
    auditVerify: () => json<AuditVerdict>(token, 'GET', `${base}/audit/verify`),
    /** The caller's API keys (GET /api/v1/keys), where the server has them. */
    apiKeys: () => json<{ keys: ApiKey[] }>(token, 'GET', '/api/v1/keys').then((r) => r.keys),
  };
}

export type AdminApi = ReturnType<typeof adminApi>;

/** True when a not_found names the route itself, i.e. this server does not have the feature yet. */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ParleyError && e.code === 'not_found' && /^no such resource/.test(e.message);
}
