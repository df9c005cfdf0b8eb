// The signed-in user and token, kept in this browser until sign-out or expiry.
import type { User } from '../protocol/types';

export interface Session {
  token: string;
  expires_at: number;
  user: User;
}

const key = 'parley.session';

export function loadSession(storage: Storage, nowSeconds: number): Session | null {
  try {
    const raw = storage.getItem(key);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (typeof s.token !== 'string' || typeof s.expires_at !== 'number' || !s.user) return null;
    if (s.expires_at <= nowSeconds) {
      storage.removeItem(key);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

export function saveSession(storage: Storage, s: Session | null) {
  if (s) storage.setItem(key, JSON.stringify(s));
  else storage.removeItem(key);
}
