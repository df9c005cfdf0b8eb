// WebRTC with parleyd's SFU: one RTCPeerConnection, the client offers, the server answers each
// change (media.publish / media.subscribe / media.unsubscribe / media.unpublish / media.negotiate).

export type Source = 'mic' | 'camera' | 'screen';

export interface ProducerInfo {
  producer_id: string;
  participant_id: string;
  source: Source;
  kind: 'audio' | 'video';
}

export interface RemoteMedia {
  producer: ProducerInfo;
  consumerId: string;
  track: MediaStreamTrack;
}

export interface MediaListener {
  onRemoteTrack(media: RemoteMedia): void;
  onRemoteTrackEnded(producerId: string): void;
  onActiveSpeaker(participantId: string): void;
  onTransportState(state: string): void;
}

type Call = <T = Record<string, unknown>>(op: string, args?: Record<string, unknown>) => Promise<T>;

interface Published {
  producerId: string;
  transceiver: RTCRtpTransceiver;
}

interface Subscribed {
  consumerId: string;
  producer: ProducerInfo;
  transceiver: RTCRtpTransceiver;
  paused: boolean;
}

export interface InboundFigures {
  participantId: string;
  kind: string;
  packetsReceived: number;
  framesDecoded: number;
  /** Received audio level, 0..1 (audio only). */
  audioLevel: number;
}

/**
 * The level the sender measured (RFC 6464 header extension, which the server forwards) of the
 * last packet received: it does not need the audio to be played out, unlike getStats' audioLevel.
 */
function sourceLevel(receiver: RTCRtpReceiver): number {
  if (receiver.track.kind !== 'audio' || typeof receiver.getSynchronizationSources !== 'function') return 0;
  return receiver.getSynchronizationSources().reduce((max, source) => Math.max(max, source.audioLevel ?? 0), 0);
}

export class MediaSession {
  private readonly pc: RTCPeerConnection;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly published = new Map<Source, Published>();
  private readonly subscribed = new Map<string, Subscribed>(); // by producer id
  private closed = false;

  constructor(
    private readonly call: Call,
    private readonly selfId: string,
    private readonly listener: MediaListener,
  ) {
    this.pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc.onconnectionstatechange = () => this.listener.onTransportState(this.pc.connectionState);
  }

  /** Publishes the local tracks and subscribes to everyone already publishing. */
  async start(local: MediaStream | null): Promise<void> {
    const audio = local?.getAudioTracks()[0];
    const video = local?.getVideoTracks()[0];
    if (audio) await this.publish(audio, 'mic', local!);
    if (video) await this.publish(video, 'camera', local!);
    const { producers } = await this.call<{ producers: ProducerInfo[] }>('media.producers');
    for (const p of producers) if (p.participant_id !== this.selfId) await this.subscribe(p);
  }

  /** Server events for the media plane; other events are ignored. */
  handleEvent(ev: string, data: Record<string, unknown>) {
    if (this.closed) return;
    if (ev === 'media.producer.added') {
      const p = data as unknown as ProducerInfo;
      if (p.participant_id !== this.selfId) void this.subscribe(p).catch(() => {});
    } else if (ev === 'media.producer.removed') {
      const id = String(data.producer_id ?? '');
      if (this.subscribed.has(id)) this.dropLocally(id);
    } else if (ev === 'media.consumer.closed') {
      const consumerId = String(data.consumer_id ?? '');
      const entry = [...this.subscribed.entries()].find(([, s]) => s.consumerId === consumerId);
      if (entry) this.dropLocally(entry[0]);
    } else if (ev === 'media.active_speaker') {
      this.listener.onActiveSpeaker(String(data.participant_id ?? ''));
    } else if (ev === 'media.transport.state') {
      this.listener.onTransportState(String(data.state ?? ''));
    }
  }

  publish(track: MediaStreamTrack, source: Source, stream: MediaStream): Promise<string> {
    return this.serial(async () => {
      const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      const offer = await this.offer();
      let r: { sdp: string; producer_id: string };
      try {
        r = await this.call('media.publish', { sdp: offer, mid: transceiver.mid, source });
      } catch (e) {
        await this.pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
        transceiver.stop();
        throw e;
      }
      await this.pc.setRemoteDescription({ type: 'answer', sdp: r.sdp });
      this.published.set(source, { producerId: r.producer_id, transceiver });
      return r.producer_id;
    });
  }

  unpublish(source: Source): Promise<void> {
    return this.serial(async () => {
      const p = this.published.get(source);
      if (!p) return;
      this.published.delete(source);
      p.transceiver.stop();
      const offer = await this.offer();
      const r = await this.call<{ sdp?: string }>('media.unpublish', { producer_id: p.producerId, sdp: offer });
      if (r.sdp) await this.pc.setRemoteDescription({ type: 'answer', sdp: r.sdp });
    });
  }

  /** Swaps the camera or microphone (device change) without renegotiating. */
  async replaceTrack(source: Source, track: MediaStreamTrack | null) {
    await this.published.get(source)?.transceiver.sender.replaceTrack(track);
  }

  isPublishing(source: Source): boolean {
    return this.published.has(source);
  }

  subscribe(producer: ProducerInfo): Promise<void> {
    return this.serial(async () => {
      if (this.closed || this.subscribed.has(producer.producer_id)) return;
      const transceiver = this.pc.addTransceiver(producer.kind, { direction: 'recvonly' });
      const offer = await this.offer();
      const args: Record<string, unknown> = { sdp: offer, mid: transceiver.mid, producer_id: producer.producer_id };
      if (producer.kind === 'video' && producer.source === 'camera') args.max_height = 720;
      let r: { sdp: string; consumer_id: string };
      try {
        r = await this.call('media.subscribe', args);
      } catch (e) {
        // The producer may be gone already: take the section out again.
        transceiver.stop();
        const again = await this.offer();
        const n = await this.call<{ sdp: string }>('media.negotiate', { sdp: again }).catch(() => null);
        if (n) await this.pc.setRemoteDescription({ type: 'answer', sdp: n.sdp });
        throw e;
      }
      await this.pc.setRemoteDescription({ type: 'answer', sdp: r.sdp });
      this.subscribed.set(producer.producer_id, { consumerId: r.consumer_id, producer, transceiver, paused: false });
      this.listener.onRemoteTrack({ producer, consumerId: r.consumer_id, track: transceiver.receiver.track });
    });
  }

  /** Stops receiving a video nobody can see (another page of the grid), or starts again. */
  async setPaused(producerId: string, paused: boolean) {
    const s = this.subscribed.get(producerId);
    if (!s || s.paused === paused) return;
    s.paused = paused;
    await this.call('media.consumer.update', { consumer_id: s.consumerId, paused }).catch(() => {});
  }

  async inboundFigures(): Promise<InboundFigures[]> {
    const byMid = new Map<string, Subscribed>();
    for (const s of this.subscribed.values()) if (s.transceiver.mid) byMid.set(s.transceiver.mid, s);
    const out: InboundFigures[] = [];
    const report = await this.pc.getStats();
    report.forEach((stat) => {
      if (stat.type !== 'inbound-rtp') return;
      const s = byMid.get(String(stat.mid ?? ''));
      out.push({
        participantId: s?.producer.participant_id ?? '',
        kind: String(stat.kind),
        packetsReceived: Number(stat.packetsReceived ?? 0),
        framesDecoded: Number(stat.framesDecoded ?? 0),
        audioLevel: Math.max(Number(stat.audioLevel ?? 0), s ? sourceLevel(s.transceiver.receiver) : 0),
      });
    });
    return out;
  }

  close() {
    this.closed = true;
    this.pc.close();
  }

  private dropLocally(producerId: string) {
    const s = this.subscribed.get(producerId);
    if (!s) return;
    this.subscribed.delete(producerId);
    this.listener.onRemoteTrackEnded(producerId);
    void this.serial(async () => {
      s.transceiver.stop();
      const offer = await this.offer();
      const r = await this.call<{ sdp: string }>('media.negotiate', { sdp: offer });
      await this.pc.setRemoteDescription({ type: 'answer', sdp: r.sdp });
    }).catch(() => {});
  }

  private async offer(): Promise<string> {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return this.pc.localDescription!.sdp;
  }

  /** One negotiation at a time: each waits for the previous answer. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }
}
