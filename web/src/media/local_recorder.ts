// Local recording with MediaRecorder: the visible videos drawn on a canvas plus every audio track mixed.

export class LocalRecorder {
  private recorder: MediaRecorder | null = null;
  private chunks: Blob[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private audio: AudioContext | null = null;

  get recording(): boolean {
    return this.recorder !== null;
  }

  /** Starts recording what `videos()` returns each frame and the audio of `audioStreams`. */
  start(videos: () => HTMLVideoElement[], audioStreams: MediaStream[]): void {
    const canvas = document.createElement('canvas');
    canvas.width = 1280;
    canvas.height = 720;
    const g = canvas.getContext('2d')!;
    const draw = () => {
      const list = videos().filter((v) => v.videoWidth > 0);
      g.fillStyle = '#111827';
      g.fillRect(0, 0, canvas.width, canvas.height);
      const cols = Math.ceil(Math.sqrt(Math.max(1, list.length)));
      const rows = Math.ceil(Math.max(1, list.length) / cols);
      const w = canvas.width / cols;
      const hgt = canvas.height / rows;
      list.forEach((v, i) => {
        g.drawImage(v, (i % cols) * w, Math.floor(i / cols) * hgt, w, hgt);
      });
    };
    this.timer = setInterval(draw, 1000 / 15);
    const out = canvas.captureStream(15);
    if (audioStreams.some((s) => s.getAudioTracks().length > 0) && typeof AudioContext !== 'undefined') {
      this.audio = new AudioContext();
      const dest = this.audio.createMediaStreamDestination();
      for (const s of audioStreams)
        if (s.getAudioTracks().length > 0) this.audio.createMediaStreamSource(s).connect(dest);
      for (const t of dest.stream.getAudioTracks()) out.addTrack(t);
    }
    const type = ['video/webm;codecs=vp8,opus', 'video/webm'].find((m) => MediaRecorder.isTypeSupported(m));
    this.chunks = [];
    this.recorder = new MediaRecorder(out, type ? { mimeType: type } : undefined);
    this.recorder.ondataavailable = (e) => {
      if (e.data.size > 0) this.chunks.push(e.data);
    };
    this.recorder.start(1000);
  }

  /** Stops and resolves with the recording as one WebM blob. */
  stop(): Promise<Blob> {
    const recorder = this.recorder;
    if (!recorder) return Promise.resolve(new Blob([], { type: 'video/webm' }));
    return new Promise((resolve) => {
      recorder.onstop = () => {
        resolve(new Blob(this.chunks, { type: 'video/webm' }));
        this.chunks = [];
      };
      recorder.stop();
      this.recorder = null;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      void this.audio?.close();
      this.audio = null;
    });
  }
}
