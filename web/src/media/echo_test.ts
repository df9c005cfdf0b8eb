// The audio/video test before joining: the server's echo test (media.echo_test.start) returns
// the user's own microphone and camera through the SFU, so the user sees and hears what the
// others will get, after the real round trip (ICE, DTLS-SRTP, forwarding).
import type { Connection } from '../protocol/connection';
import { echoReducer, initialEchoTest, type EchoAction, type EchoTestState } from '../state/echo_test_state';
import { MediaSession } from './media_session';

const statsIntervalMs = 250;

export class EchoTest {
  private state: EchoTestState = initialEchoTest;
  private session: MediaSession | null = null;
  private offEvents: (() => void) | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private run = 0; // which start() the running callbacks belong to

  constructor(
    private readonly onChange: (state: EchoTestState) => void,
    /** Gets the returned video (and audio) to show. */
    private readonly onTrack: (track: MediaStreamTrack) => void,
  ) {}

  get current(): EchoTestState {
    return this.state;
  }

  /** Starts the echo test with these local tracks on a signed-in connection. */
  async start(conn: Connection, stream: MediaStream | null): Promise<void> {
    this.dispatch({ type: 'start' });
    if (this.state.phase !== 'starting') return;
    const run = ++this.run;
    if (!stream || stream.getTracks().length === 0) {
      this.dispatch({ type: 'failed', error: 'no_devices' });
      return;
    }
    try {
      await conn.call('media.echo_test.start');
      if (run !== this.run) {
        await conn.call('media.echo_test.stop').catch(() => {});
        return;
      }
      // No participant id of "self" to skip: every producer in the echo test is one's own.
      const session = new MediaSession((op, args) => conn.call(op, args), '', {
        onRemoteTrack: (m) => this.onTrack(m.track),
        onRemoteTrackEnded: () => {},
        onActiveSpeaker: () => {},
        onTransportState: (s) => {
          if ((s === 'failed' || s === 'closed') && run === this.run) this.dispatch({ type: 'failed', error: 'connection' });
        },
      });
      this.session = session;
      this.offEvents = conn.onAny((data, ev) => session.handleEvent(ev, data));
      this.dispatch({ type: 'started' });
      this.timer = setInterval(() => void this.sample(session, run), statsIntervalMs);
      await session.start(stream);
    } catch (e) {
      if (run !== this.run) return;
      const code = (e as { code?: string })?.code ?? 'connection';
      this.teardown();
      this.dispatch({ type: 'failed', error: code });
      await conn.call('media.echo_test.stop').catch(() => {});
    }
  }

  /** Ends the test on the server and here (before joining, on leaving the screen). */
  async stop(conn: Connection | null): Promise<void> {
    const wasOn = this.state.phase === 'starting' || this.state.phase === 'running';
    this.run++;
    this.teardown();
    this.dispatch({ type: 'stop' });
    if (wasOn && conn) await conn.call('media.echo_test.stop').catch(() => {});
  }

  private async sample(session: MediaSession, run: number) {
    const figures = await session.inboundFigures().catch(() => []);
    if (run !== this.run) return;
    let frames = 0;
    let audio = 0;
    let level = 0;
    for (const f of figures) {
      if (f.kind === 'video') frames += f.framesDecoded;
      if (f.kind === 'audio') {
        audio += f.packetsReceived;
        level = Math.max(level, f.audioLevel);
      }
    }
    this.dispatch({ type: 'figures', framesDecoded: frames, audioPackets: audio });
    // Speech sits low on the linear scale: the same lift as the local meter.
    this.dispatch({ type: 'level', level: Math.min(1, Math.sqrt(level) * 1.5) });
  }

  private teardown() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.offEvents?.();
    this.offEvents = null;
    this.session?.close();
    this.session = null;
  }

  private dispatch(action: EchoAction) {
    const next = echoReducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.onChange(next);
  }
}
