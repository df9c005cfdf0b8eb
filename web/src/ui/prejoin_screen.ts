// Pre-join: camera and microphone preview, device choice, microphone test, the audio/video
// test through the server (echo test), name and password.
import { ParleyError } from '../protocol/errors';
import type { JoinResult } from '../protocol/types';
import { EchoTest } from '../media/echo_test';
import { listDevices, openLocalMedia, stopStream, watchLevel, type DeviceProblem } from '../media/local_media';
import { echoButtonStops, echoStatusKey, type EchoTestState } from '../state/echo_test_state';
import { formatMeetingId } from '../util/meeting_id';
import type { AppContext } from './app_context';
import { h, replace } from './dom';
import { icon } from './icons';
import type { JoinIntent } from './join_intent';
import { roomScreen } from './room_screen';
import { statusScreen } from './status_screen';

export function prejoinScreen(ctx: AppContext, root: HTMLElement, meetingId: string) {
  const { t } = ctx;
  let stream: MediaStream | null = null;
  let stopLevel = () => {};
  let disposed = false;
  let cameraOn = true;
  let microphoneOn = true;
  let handedOver = false;
  let roomCleanup: (() => void) | null = null;

  const video = h('video', { class: 'preview-video mirror', autoplay: true, muted: true, playsinline: true, 'aria-label': t('prejoin.camera') });
  const noVideo = h('div', { class: 'preview-off', 'aria-hidden': 'true' });
  const problem = h('p', { class: 'device-problem', role: 'alert', id: 'device-problem' });
  const level = h('div', { class: 'level', role: 'meter', 'aria-label': t('prejoin.testAudio'), 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, h('span'));
  const camSelect = h('select', { id: 'camera-select', 'aria-label': t('prejoin.camera') });
  const micSelect = h('select', { id: 'mic-select', 'aria-label': t('prejoin.microphone') });
  const speakerSelect = h('select', { id: 'speaker-select', 'aria-label': t('prejoin.speaker') });
  const canPickSpeaker = 'setSinkId' in HTMLMediaElement.prototype;
  const micToggle = h('button', { type: 'button', class: 'round on', id: 'prejoin-mic', 'aria-pressed': 'true' });
  const camToggle = h('button', { type: 'button', class: 'round on', id: 'prejoin-cam', 'aria-pressed': 'true' });
  const name = h('input', { id: 'join-name', name: 'display_name', maxlength: 64, required: !ctx.session, value: ctx.session?.user.display_name ?? '' });
  const password = h('input', { id: 'join-password', name: 'password', type: 'password', maxlength: 32, autocomplete: 'off' });
  const passwordRow = h('div', { class: 'password-row', hidden: true }, h('label', { for: 'join-password' }, t('join.password')), password);
  const error = h('p', { class: 'form-error', role: 'alert', id: 'join-error' });
  const joinButton = h('button', { type: 'submit', class: 'primary wide', id: 'join-now' }, t('prejoin.join'));

  // The audio/video test: the server returns the user's own camera and microphone.
  const echoButton = h('button', { type: 'button', class: 'secondary', id: 'echo-test-button', 'aria-pressed': 'false', 'aria-describedby': 'echo-status' }, t('echo.start'));
  const echoStatus = h('p', { class: 'hint echo-status', id: 'echo-status', role: 'status', 'aria-live': 'polite' }, t('echo.idle'));
  const echoVideo = h('video', { class: 'echo-video', id: 'echo-video', autoplay: true, muted: true, playsinline: true, 'aria-label': t('echo.videoLabel') });
  const echoLevel = h('div', { class: 'level', id: 'echo-level', role: 'meter', 'aria-label': t('echo.levelLabel'), 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, h('span'));
  const echoResult = h('div', { class: 'echo-result', hidden: true }, echoVideo, h('span', { class: 'echo-level-label', 'aria-hidden': 'true' }, t('echo.levelLabel')), echoLevel);
  const echoStream = new MediaStream();
  const renderEcho = (state: EchoTestState) => {
    const stops = echoButtonStops(state);
    echoButton.textContent = stops ? t('echo.stop') : t('echo.start');
    echoButton.setAttribute('aria-pressed', String(stops));
    echoStatus.textContent = t(echoStatusKey(state));
    echoStatus.dataset.phase = state.phase;
    echoResult.hidden = !stops;
    echoVideo.dataset.framesDecoded = String(state.framesDecoded);
    echoLevel.dataset.audioPackets = String(state.audioPackets);
    const percent = Math.round(state.audioLevel * 100);
    (echoLevel.firstChild as HTMLElement).style.width = `${percent}%`;
    echoLevel.setAttribute('aria-valuenow', String(percent));
  };
  const echo = new EchoTest(renderEcho, (track) => {
    for (const old of echoStream.getTracks().filter((x) => x.kind === track.kind)) echoStream.removeTrack(old);
    echoStream.addTrack(track);
    echoVideo.srcObject = echoStream;
  });
  const stopEcho = async () => {
    for (const old of echoStream.getTracks()) echoStream.removeTrack(old);
    echoVideo.srcObject = null;
    await echo.stop(await ctx.connection().catch(() => null));
  };
  echoButton.onclick = async () => {
    if (echoButtonStops(echo.current)) {
      await stopEcho();
      return;
    }
    error.textContent = '';
    try {
      if (!ctx.session) {
        // A guest signs in as the meeting's guest first; that needs the name.
        const displayName = name.value.trim();
        if (!displayName) {
          error.textContent = t('echo.nameFirst');
          name.focus();
          return;
        }
        await ctx.becomeGuest(meetingId, displayName);
      }
      await echo.start(await ctx.connection(), stream);
    } catch (err) {
      error.textContent = ctx.describe(err);
    }
  };

  const updateToggles = () => {
    replace(micToggle, icon(microphoneOn ? 'mic' : 'micOff', 22));
    micToggle.setAttribute('aria-label', microphoneOn ? t('room.mute') : t('room.unmute'));
    micToggle.setAttribute('aria-pressed', String(microphoneOn));
    micToggle.classList.toggle('on', microphoneOn);
    replace(camToggle, icon(cameraOn ? 'video' : 'videoOff', 22));
    camToggle.setAttribute('aria-label', cameraOn ? t('room.stopVideo') : t('room.startVideo'));
    camToggle.setAttribute('aria-pressed', String(cameraOn));
    camToggle.classList.toggle('on', cameraOn);
    for (const tr of stream?.getAudioTracks() ?? []) tr.enabled = microphoneOn;
    for (const tr of stream?.getVideoTracks() ?? []) tr.enabled = cameraOn;
    noVideo.hidden = cameraOn && (stream?.getVideoTracks().length ?? 0) > 0;
  };
  micToggle.onclick = () => {
    microphoneOn = !microphoneOn;
    updateToggles();
  };
  camToggle.onclick = () => {
    cameraOn = !cameraOn;
    updateToggles();
  };

  const showProblem = (p: DeviceProblem) => {
    problem.textContent = p === 'denied' ? t('prejoin.denied') : p ? t('prejoin.noDevices') : '';
    problem.dataset.problem = p ?? '';
  };

  async function open(cameraId?: string, microphoneId?: string) {
    // A running audio/video test sends the old devices: end it; the user can run it again.
    if (echoButtonStops(echo.current)) void stopEcho();
    stopLevel();
    stopStream(stream);
    const got = await openLocalMedia({ cameraId, microphoneId, camera: cameraOn, microphone: microphoneOn });
    if (disposed) {
      stopStream(got.stream);
      return;
    }
    stream = got.stream;
    showProblem(got.problem);
    video.srcObject = stream;
    const choice = document.getElementById('device-choice');
    if (choice) choice.hidden = !stream;
    updateToggles();
    if (stream) {
      stopLevel = watchLevel(stream, (l) => {
        (level.firstChild as HTMLElement).style.width = `${Math.round(l * 100)}%`;
        level.setAttribute('aria-valuenow', String(Math.round(l * 100)));
      });
      const devices = await listDevices();
      const fill = (select: HTMLSelectElement, kind: MediaDeviceKind, current?: string) => {
        replace(
          select,
          devices
            .filter((d) => d.kind === kind)
            .map((d, i) => h('option', { value: d.deviceId, selected: d.deviceId === current }, d.label || `${kind} ${i + 1}`)),
        );
      };
      fill(camSelect, 'videoinput', stream.getVideoTracks()[0]?.getSettings().deviceId);
      fill(micSelect, 'audioinput', stream.getAudioTracks()[0]?.getSettings().deviceId);
      if (canPickSpeaker) fill(speakerSelect, 'audiooutput', speakerSelect.value || undefined);
    }
  }
  camSelect.onchange = () => void open(camSelect.value, micSelect.value || undefined);
  micSelect.onchange = () => void open(camSelect.value || undefined, micSelect.value);

  const join = async (e: Event) => {
    e.preventDefault();
    error.textContent = '';
    joinButton.disabled = true;
    joinButton.textContent = t('prejoin.joining');
    const intent: JoinIntent = {
      meetingId,
      password: password.value || undefined,
      displayName: name.value.trim() || undefined,
      stream,
      microphoneOn,
      cameraOn,
      speakerId: canPickSpeaker && speakerSelect.value ? speakerSelect.value : undefined,
    };
    try {
      if (!ctx.session) {
        if (!intent.displayName) {
          error.textContent = t('join.yourName');
          name.focus();
          throw null;
        }
        await ctx.becomeGuest(meetingId, intent.displayName);
      }
      const conn = await ctx.connection();
      // The echo test would keep the media ops: end it before joining.
      await stopEcho();
      const args: Record<string, unknown> = { meeting_id: meetingId };
      if (intent.password) args.password = intent.password;
      if (intent.displayName) args.display_name = intent.displayName;
      const result = await conn.call<JoinResult>('meeting.join', args);
      handedOver = true;
      dispose();
      roomCleanup = roomScreen(ctx, root, intent, result);
    } catch (err) {
      joinButton.disabled = false;
      joinButton.textContent = t('prejoin.join');
      if (err === null) return;
      const code = err instanceof ParleyError ? err.code : '';
      if (code === 'bad_password') {
        const first = passwordRow.hidden;
        passwordRow.hidden = false;
        error.textContent = first && !password.value ? t('join.passwordNeeded') : t('join.passwordWrong');
        password.focus();
      } else if (code === 'meeting_locked') {
        dispose();
        stopStream(stream);
        statusScreen(ctx, root, 'locked', t('state.lockedTitle'), t('state.lockedBody'), [
          { label: t('state.retry'), run: () => ctx.navigate(`/j/${meetingId}`, true), primary: true },
          { label: t('state.backHome'), run: () => ctx.navigate('/') },
        ]);
      } else if (code === 'meeting_ended') {
        dispose();
        stopStream(stream);
        statusScreen(ctx, root, 'ended', t('state.endedTitle'), t('error.meeting_ended'), [{ label: t('state.backHome'), run: () => ctx.navigate('/') }]);
      } else if ((code === 'unauthenticated' || code === 'forbidden') && !ctx.session) {
        // No guests here (or a server without guest joining): an account is needed.
        error.textContent = '';
        error.append(t('join.guestsNotAllowed'), ' ');
        error.append(h('a', { href: '#', onclick: (ev: Event) => { ev.preventDefault(); ctx.navigate(`/signin?next=/j/${meetingId}`); } }, t('nav.signIn')));
      } else if (code === 'disconnected') {
        dispose();
        stopStream(stream);
        statusScreen(ctx, root, 'unreachable', t('state.unreachableTitle'), t('state.unreachableBody'), [
          { label: t('state.retry'), run: () => ctx.navigate(`/j/${meetingId}`, true), primary: true },
        ]);
      } else {
        error.textContent = ctx.describe(err);
      }
    }
  };

  replace(
    root,
    h(
      'main',
      { class: 'prejoin' },
      h(
        'section',
        { class: 'preview card', 'aria-label': t('prejoin.camera') },
        h('div', { class: 'preview-frame' }, video, noVideo, h('div', { class: 'preview-controls' }, micToggle, camToggle)),
        problem,
        h(
          'div',
          { class: 'devices', id: 'device-choice' },
          h('label', { for: 'camera-select' }, t('prejoin.camera')),
          camSelect,
          h('label', { for: 'mic-select' }, t('prejoin.microphone')),
          micSelect,
          canPickSpeaker && [h('label', { for: 'speaker-select' }, t('prejoin.speaker')), speakerSelect],
          h('p', { class: 'hint' }, t('prejoin.testHint')),
          level,
        ),
        h('div', { class: 'echo-test', id: 'echo-test', role: 'group', 'aria-labelledby': 'echo-title' }, h('h2', { id: 'echo-title' }, t('echo.title')), echoButton, echoStatus, echoResult),
      ),
      h(
        'form',
        { class: 'card join-card', onsubmit: join, 'aria-labelledby': 'prejoin-title' },
        h('h1', { id: 'prejoin-title' }, t('prejoin.title')),
        h('p', { class: 'meta' }, `${t('room.meetingId')} `, h('span', { class: 'mono' }, formatMeetingId(meetingId))),
        !ctx.session && h('p', { class: 'hint' }, t('join.guestNote')),
        h('label', { for: 'join-name' }, t('join.yourName')),
        name,
        passwordRow,
        error,
        joinButton,
      ),
    ),
  );
  updateToggles();
  void open();
  joinButton.focus();

  function dispose() {
    disposed = true;
    stopLevel();
    if (echoButtonStops(echo.current)) void stopEcho();
  }
  return () => {
    dispose();
    if (!handedOver) stopStream(stream);
    roomCleanup?.();
  };
}
