// Camera and microphone: permission, device choice, and a level meter for "am I heard?".

export type DeviceProblem = 'denied' | 'none' | 'busy' | null;

export interface DeviceChoice {
  cameraId?: string;
  microphoneId?: string;
  camera: boolean;
  microphone: boolean;
}

export interface LocalMedia {
  stream: MediaStream | null;
  problem: DeviceProblem;
}

export function classifyMediaError(e: unknown): DeviceProblem {
  const name = (e as { name?: string })?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'none';
  return 'busy';
}

export async function openLocalMedia(choice: DeviceChoice): Promise<LocalMedia> {
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, problem: 'none' };
  const constraints: MediaStreamConstraints = {
    audio: choice.microphoneId ? { deviceId: { exact: choice.microphoneId } } : true,
    video: choice.cameraId
      ? { deviceId: { exact: choice.cameraId }, width: { ideal: 1280 }, height: { ideal: 720 } }
      : { width: { ideal: 1280 }, height: { ideal: 720 } },
  };
  try {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    applyChoice(stream, choice);
    return { stream, problem: null };
  } catch (e) {
    const problem = classifyMediaError(e);
    if (problem === 'denied') return { stream: null, problem };
    // One kind may be missing: try the other alone.
    for (const only of [{ audio: constraints.audio }, { video: constraints.video }]) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia(only);
        applyChoice(stream, choice);
        return { stream, problem: null };
      } catch {
        /* try the next */
      }
    }
    return { stream: null, problem };
  }
}

export function applyChoice(stream: MediaStream, choice: { camera: boolean; microphone: boolean }) {
  for (const t of stream.getAudioTracks()) t.enabled = choice.microphone;
  for (const t of stream.getVideoTracks()) t.enabled = choice.camera;
}

export function stopStream(stream: MediaStream | null) {
  for (const t of stream?.getTracks() ?? []) t.stop();
}

export async function listDevices(): Promise<MediaDeviceInfo[]> {
  try {
    return await navigator.mediaDevices.enumerateDevices();
  } catch {
    return [];
  }
}

/** Calls `onLevel` (0..1) about 10 times a second while the stream has audio; returns a stop function. */
export function watchLevel(stream: MediaStream, onLevel: (level: number) => void): () => void {
  if (stream.getAudioTracks().length === 0 || typeof AudioContext === 'undefined') return () => {};
  const ctx = new AudioContext();
  // Started from a click on an earlier screen; resume in case the browser held it back.
  void ctx.resume().catch(() => {});
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getByteTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += ((v - 128) / 128) ** 2;
    onLevel(Math.min(1, Math.sqrt(sum / data.length) * 4));
  }, 100);
  return () => {
    clearInterval(timer);
    source.disconnect();
    void ctx.close();
  };
}
