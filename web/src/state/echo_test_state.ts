// The pre-join audio/video test (the server's echo test) as plain state: what the user is told
// and what the button does, from the test's events. No DOM and no WebRTC here.

export type EchoPhase = 'idle' | 'starting' | 'running' | 'failed';

export interface EchoTestState {
  phase: EchoPhase;
  /** Frames of the user's own video decoded after the round trip through the server. */
  framesDecoded: number;
  /** Audio packets of the user's own microphone received back. */
  audioPackets: number;
  /** The returned audio's level, 0..1. */
  audioLevel: number;
  /** Why it failed: a server error code, 'no_devices' or 'connection'. */
  error: string | null;
}

export type EchoAction =
  | { type: 'start' }
  | { type: 'started' }
  | { type: 'figures'; framesDecoded: number; audioPackets: number }
  | { type: 'level'; level: number }
  | { type: 'failed'; error: string }
  | { type: 'stop' };

export const initialEchoTest: EchoTestState = { phase: 'idle', framesDecoded: 0, audioPackets: 0, audioLevel: 0, error: null };

export function echoReducer(state: EchoTestState, action: EchoAction): EchoTestState {
  switch (action.type) {
    case 'start':
      if (state.phase === 'starting' || state.phase === 'running') return state;
      return { ...initialEchoTest, phase: 'starting' };
    case 'started':
      return state.phase === 'starting' ? { ...state, phase: 'running' } : state;
    case 'figures':
      if (state.phase !== 'running') return state;
      // Counters only grow within one test; a smaller figure is from a stale report.
      return {
        ...state,
        framesDecoded: Math.max(state.framesDecoded, action.framesDecoded),
        audioPackets: Math.max(state.audioPackets, action.audioPackets),
      };
    case 'level':
      if (state.phase !== 'running') return state;
      return { ...state, audioLevel: Math.min(1, Math.max(0, Number.isFinite(action.level) ? action.level : 0)) };
    case 'failed':
      if (state.phase === 'idle') return state; // stopped meanwhile: nothing to report
      return { ...initialEchoTest, phase: 'failed', error: action.error };
    case 'stop':
      return initialEchoTest;
  }
}

/** The i18n key of the line that tells the user how the test goes. */
export function echoStatusKey(state: EchoTestState): string {
  switch (state.phase) {
    case 'idle':
      return 'echo.idle';
    case 'starting':
      return 'echo.starting';
    case 'failed':
      return state.error === 'no_devices' ? 'echo.noDevices' : 'echo.failed';
    case 'running':
      if (state.framesDecoded > 0 && state.audioPackets > 0) return 'echo.both';
      if (state.framesDecoded > 0) return 'echo.videoOnly';
      if (state.audioPackets > 0) return 'echo.audioOnly';
      return 'echo.waiting';
  }
}

/** Whether the button stops (a test is on its way or running) rather than starts one. */
export function echoButtonStops(state: EchoTestState): boolean {
  return state.phase === 'starting' || state.phase === 'running';
}
