// The shapes docs/protocol.md gives for accounts, meetings, participants and chat.

export interface User {
  id: string;
  username: string;
  display_name: string;
  /** Administrator of the organisation (in the sign-in answer; absent in older stored sessions). */
  is_admin?: boolean;
}

export type ScreenShareMode = 'host' | 'all';
export type ChatMode = 'everyone' | 'host_only' | 'off';

export interface MeetingSettings {
  waiting_room: boolean;
  join_before_host: boolean;
  mute_on_entry: boolean;
  allow_unmute_self: boolean;
  screen_share: ScreenShareMode;
  multi_share: boolean;
  chat: ChatMode;
  private_chat: boolean;
  guests_allowed: boolean;
  max_participants: number;
}

export const defaultSettings: MeetingSettings = {
  waiting_room: false,
  join_before_host: false,
  mute_on_entry: false,
  allow_unmute_self: true,
  screen_share: 'host',
  multi_share: false,
  chat: 'everyone',
  private_chat: true,
  guests_allowed: false,
  max_participants: 100,
};

export interface Meeting {
  meeting_id: string;
  topic: string;
  host_id: string;
  start_at: number;
  duration_min: number;
  has_password: boolean;
  settings: MeetingSettings;
  created_at: number;
  started_at: number;
  ended_at: number;
  peak_participants: number;
}

export type Role = 'host' | 'cohost' | 'participant';
export type ParticipantState = 'joined' | 'waiting' | 'waiting_for_host';

export interface Participant {
  participant_id: string;
  user_id: string;
  display_name: string;
  role: Role;
  state: ParticipantState;
  audio_muted: boolean;
  video_off: boolean;
  hand_raised: boolean;
  /** Set by the host with participant.allow_recording; absent on servers without it. */
  can_record?: boolean;
  /** Dropped and within the grace period to come back (servers that resume). */
  reconnecting?: boolean;
  /** Joined with a guest token, without an account. */
  guest?: boolean;
}

export interface JoinResult {
  meeting_id: string;
  topic: string;
  state: ParticipantState;
  participant_id: string;
  role: Role;
  locked: boolean;
  roster: Participant[];
  settings: MeetingSettings;
  waiting?: Participant[];
  /** Present on servers that resume a participant who reconnects (send it back on rejoin). */
  resume_token?: string;
  resumed?: boolean;
}

export interface ChatMessage {
  seq: number;
  from: string;
  from_user: string;
  from_name: string;
  to?: string;
  to_user?: string;
  text: string;
  at: number;
}

export type RemovedReason = 'denied' | 'kicked' | 'banned' | 'meeting_lost';
export type EndedReason = 'ended_by_host' | 'deleted';

/** Error codes of docs/protocol.md's table; the client shows each in the user's language. */
export type ErrorCode =
  | 'bad_request'
  | 'unknown_op'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'weak_password'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'
  | 'bad_password'
  | 'meeting_locked'
  | 'meeting_full'
  | 'banned'
  | 'meeting_ended'
  | 'disconnected'
  | 'timeout';
