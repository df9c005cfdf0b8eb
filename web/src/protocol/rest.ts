// The REST routes for accounts: register, sign in, sign out (JSON over HTTPS).
import { ParleyError } from './errors';
import type { User } from './types';

/** One JSON request: the error body becomes a ParleyError (with Retry-After); 204 gives null. */
export async function requestJson<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ParleyError('disconnected', 'the server cannot be reached');
  }
  let payload: unknown = null;
  try {
    payload = response.status === 204 ? null : await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const err = (payload as { error?: { code?: string; message?: string } } | null)?.error;
    const retry = Number(response.headers.get('Retry-After') ?? '') || undefined;
    throw new ParleyError(err?.code ?? 'internal', err?.message ?? `HTTP ${response.status}`, retry);
  }
  return payload as T;
}

export interface LoginResult {
  token: string;
  expires_at: number;
  user: User;
}

export function register(username: string, password: string, displayName?: string): Promise<{ user: User }> {
  const body: Record<string, string> = { username, password };
  if (displayName) body.display_name = displayName;
  return requestJson('POST', '/api/v1/auth/register', body);
}

export function login(username: string, password: string): Promise<LoginResult> {
  return requestJson('POST', '/api/v1/auth/login', { username, password });
}

export function logout(token: string): Promise<void> {
  return requestJson('POST', '/api/v1/auth/logout', undefined, token);
}
