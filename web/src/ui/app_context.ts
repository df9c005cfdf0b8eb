// What every screen gets from the app: texts, the session, the server connection, navigation.
import type { Connection } from '../protocol/connection';
import type { Locale } from '../i18n/i18n';
import type { Session } from '../state/session_store';
import type { JoinIntent } from './join_intent';

export interface AppContext {
  locale: Locale;
  t(key: string, vars?: Record<string, string | number>): string;
  /** The user-facing text of any error (server codes in the user's language). */
  describe(e: unknown): string;
  session: Session | null;
  setSession(s: Session | null): void;
  /** The connection, opened and signed in (or anonymous for guests) on first use. */
  connection(): Promise<Connection>;
  navigate(path: string, replace?: boolean): void;
  toast(text: string, kind?: 'info' | 'error'): void;
  /**
   * Signs this tab's connection in as a guest of one meeting (auth.guest); the guest token then
   * signs in again after a reconnect. Only without an account.
   */
  becomeGuest(meetingId: string, displayName: string): Promise<void>;
  /** A join on its way from the join/pre-join screens to the room. */
  pendingJoin: JoinIntent | null;
}
