// What the user chose before entering a meeting: which one, as whom, with which devices.
export interface JoinIntent {
  meetingId: string;
  password?: string;
  displayName?: string;
  stream: MediaStream | null;
  microphoneOn: boolean;
  cameraOn: boolean;
  /** Audio output device for the meeting, where the browser lets pages choose it. */
  speakerId?: string;
}
