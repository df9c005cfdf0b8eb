// What the client knows about the meeting it is in, updated by the server's events (pure functions).
import type {
  ChatMessage,
  EndedReason,
  JoinResult,
  MeetingSettings,
  Participant,
  ParticipantState,
  RemovedReason,
  Role,
} from '../protocol/types';

export type RoomStatus = ParticipantState | 'removed' | 'ended';

export interface MeetingState {
  meetingId: string;
  topic: string;
  selfId: string;
  status: RoomStatus;
  locked: boolean;
  settings: MeetingSettings;
  /** Joined participants in the order they arrived. */
  participants: Participant[];
  /** People in the waiting room; only hosts and co-hosts are told about them. */
  waiting: Participant[];
  /** Chat by increasing seq, without duplicates (history and live events may overlap). */
  chat: ChatMessage[];
  removedReason?: RemovedReason;
  endedReason?: EndedReason;
}

export function fromJoin(result: JoinResult): MeetingState {
  return {
    meetingId: result.meeting_id,
    topic: result.topic,
    selfId: result.participant_id,
    status: result.state,
    locked: result.locked,
    settings: result.settings,
    participants: [...result.roster],
    waiting: result.waiting ? [...result.waiting] : [],
    chat: [],
  };
}

export function self(state: MeetingState): Participant | undefined {
  return state.participants.find((p) => p.participant_id === state.selfId);
}

export function selfRole(state: MeetingState): Role {
  return self(state)?.role ?? 'participant';
}

/** Hosts and co-hosts see the waiting room and the host controls. */
export function canModerate(state: MeetingState): boolean {
  return state.status === 'joined' && selfRole(state) !== 'participant';
}

export function raisedHands(state: MeetingState): Participant[] {
  return state.participants.filter((p) => p.hand_raised);
}

export function mergeChat(existing: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const bySeq = new Map<number, ChatMessage>();
  for (const m of existing) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function upsert(list: Participant[], p: Participant): Participant[] {
  const i = list.findIndex((x) => x.participant_id === p.participant_id);
  if (i < 0) return [...list, p];
  const copy = [...list];
  copy[i] = p;
  return copy;
}

function without(list: Participant[], id: string): Participant[] {
  return list.filter((p) => p.participant_id !== id);
}

function setHand(list: Participant[], id: string, raised: boolean): Participant[] {
  return list.map((p) => (p.participant_id === id ? { ...p, hand_raised: raised } : p));
}

/** Applies one server event; events for other meetings' shapes are ignored, never thrown on. */
export function applyEvent(state: MeetingState, ev: string, data: Record<string, unknown>): MeetingState {
  switch (ev) {
    case 'participant.joined': {
      const p = data.participant as Participant | undefined;
      if (!p) return state;
      return { ...state, participants: upsert(state.participants, p), waiting: without(state.waiting, p.participant_id) };
    }
    case 'participant.left': {
      const id = String(data.participant_id ?? '');
      return { ...state, participants: without(state.participants, id), waiting: without(state.waiting, id) };
    }
    case 'participant.updated': {
      const p = data.participant as Participant | undefined;
      if (!p) return state;
      if (p.state !== 'joined') return { ...state, waiting: upsert(state.waiting, p) };
      return { ...state, participants: upsert(state.participants, p) };
    }
    case 'meeting.waiting': {
      const p = data.participant as Participant | undefined;
      if (!p) return state;
      if (p.participant_id === state.selfId) return { ...state, status: p.state };
      return { ...state, waiting: upsert(state.waiting, p) };
    }
    case 'meeting.admitted': {
      const next = fromJoin(data as unknown as JoinResult);
      return { ...next, chat: state.chat };
    }
    case 'meeting.removed':
      return { ...state, status: 'removed', removedReason: (data.reason as RemovedReason) ?? 'kicked' };
    case 'meeting.ended':
      return { ...state, status: 'ended', endedReason: (data.reason as EndedReason) ?? 'ended_by_host' };
    case 'meeting.locked':
      return { ...state, locked: Boolean(data.locked) };
    case 'meeting.updated':
      return {
        ...state,
        topic: typeof data.topic === 'string' ? data.topic : state.topic,
        settings: { ...state.settings, ...((data.settings as Partial<MeetingSettings>) ?? {}) },
      };
    case 'hand.raised':
      return { ...state, participants: setHand(state.participants, String(data.participant_id), true) };
    case 'hand.lowered':
      return { ...state, participants: setHand(state.participants, String(data.participant_id), false) };
    case 'chat.message':
      return { ...state, chat: mergeChat(state.chat, [data as unknown as ChatMessage]) };
    default:
      return state;
  }
}
