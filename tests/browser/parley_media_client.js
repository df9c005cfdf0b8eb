// A minimal Parley media client for the browser: WebSocket + msgpack signaling, one
// RTCPeerConnection, client-made offers for every change (see docs/protocol.md, Media).
// Loaded into a page served by parleyd after the @msgpack/msgpack UMD bundle.
(function () {
  'use strict';
  const { encode, decode } = window.MessagePack;

  class ParleyMediaClient {
    constructor() {
      this.nextId = 1;
      this.pending = new Map();
      this.events = [];
      this.listeners = [];
      this.queue = Promise.resolve();
      this.pc = null;
      this.producers = new Map();   // producer_id → {mid, source, transceiver}
      this.consumers = new Map();   // consumer_id → {mid, producer, transceiver}
      this.remoteTracks = [];       // {producer_id, participant_id, source, kind, track}
    }

    async connect(username, password) {
      const register = await fetch('/api/v1/auth/register', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (register.status !== 201 && register.status !== 409) throw new Error('register: ' + register.status);
      const login = await fetch('/api/v1/auth/login', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (login.status !== 200) throw new Error('login: ' + login.status);
      const { token } = await login.json();
      this.ws = new WebSocket('wss://' + location.host + '/ws');
      this.ws.binaryType = 'arraybuffer';
      this.ws.onmessage = (e) => this.onFrame(decode(new Uint8Array(e.data)));
      await new Promise((resolve, reject) => { this.ws.onopen = resolve; this.ws.onerror = reject; });
      return this.call('auth.hello', { token });
    }

    onFrame(msg) {
      if (msg.ev !== undefined) {
        this.events.push(msg);
        for (const l of this.listeners) l(msg.ev, msg.data);
        return;
      }
      const p = this.pending.get(msg.re);
      if (!p) return;
      this.pending.delete(msg.re);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(Object.assign(new Error(msg.error.code + ': ' + msg.error.message), { code: msg.error.code }));
    }

    call(op, args) {
      const id = this.nextId++;
      this.ws.send(encode({ op, id, args: args || {} }));
      return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    }

    on(listener) { this.listeners.push(listener); }

    // Every offer/answer round runs alone, in order.
    serial(fn) {
      const next = this.queue.then(fn, fn);
      this.queue = next.catch(() => {});
      return next;
    }

    ensurePc() {
      if (this.pc) return this.pc;
      this.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
      this.pc.ontrack = (e) => {
        for (const [id, c] of this.consumers)
          if (c.transceiver === e.transceiver) c.track = e.track;
      };
      return this.pc;
    }

    async offerFor(op, args, transceiver) {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      const result = await this.call(op, Object.assign({ sdp: this.pc.localDescription.sdp }, args(transceiver)));
      await this.pc.setRemoteDescription({ type: 'answer', sdp: result.sdp });
      return result;
    }

    // `encodings`: RTCRtpEncodingParameters for simulcast ([{rid: 'q', scaleResolutionDownBy: 4}, ...],
    // lowest layer first), or nothing for one stream.
    publish(track, source, encodings) {
      return this.serial(async () => {
        const pc = this.ensurePc();
        const init = { direction: 'sendonly' };
        if (encodings) init.sendEncodings = encodings;
        const transceiver = pc.addTransceiver(track, init);
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        const result = await this.call('media.publish', { sdp: pc.localDescription.sdp, mid: transceiver.mid, source });
        await pc.setRemoteDescription({ type: 'answer', sdp: result.sdp });
        this.producers.set(result.producer_id, { mid: transceiver.mid, source, transceiver });
        return result.producer_id;
      });
    }

    unpublish(producerId) {
      return this.serial(async () => {
        const p = this.producers.get(producerId);
        p.transceiver.direction = 'inactive';
        const offer = await this.pc.createOffer();
        await this.pc.setLocalDescription(offer);
        const result = await this.call('media.unpublish', { sdp: this.pc.localDescription.sdp, producer_id: producerId });
        await this.pc.setRemoteDescription({ type: 'answer', sdp: result.sdp });
        this.producers.delete(producerId);
      });
    }

    subscribe(producer, options) {
      return this.serial(async () => {
        const pc = this.ensurePc();
        const transceiver = pc.addTransceiver(producer.kind, { direction: 'recvonly' });
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        const result = await this.call('media.subscribe', Object.assign({
          sdp: pc.localDescription.sdp, mid: transceiver.mid, producer_id: producer.producer_id,
        }, options || {}));
        await pc.setRemoteDescription({ type: 'answer', sdp: result.sdp });
        this.consumers.set(result.consumer_id, { consumerId: result.consumer_id, mid: transceiver.mid, producer, transceiver,
          track: transceiver.receiver.track });
        return result.consumer_id;
      });
    }

    restartIce() {
      return this.serial(async () => {
        const offer = await this.pc.createOffer({ iceRestart: true });
        await this.pc.setLocalDescription(offer);
        const result = await this.call('media.negotiate', { sdp: this.pc.localDescription.sdp });
        await this.pc.setRemoteDescription({ type: 'answer', sdp: result.sdp });
      });
    }

    // Subscribes to every producer of other participants, now and as they appear.
    autoSubscribe(myParticipantId) {
      const seen = new Set();
      const take = (p) => {
        if (p.participant_id === myParticipantId || seen.has(p.producer_id)) return;
        seen.add(p.producer_id);
        this.subscribe(p).catch((e) => this.events.push({ ev: 'client.error', data: { message: String(e) } }));
      };
      this.on((ev, data) => { if (ev === 'media.producer.added') take(data); });
      return this.call('media.producers', {}).then((r) => r.producers.forEach(take));
    }

    // Inbound RTP figures per consumer, and the transport's SRTP cipher.
    async stats() {
      const report = await this.pc.getStats();
      const out = { srtpCipher: null, inbound: [] };
      const byTrack = new Map();
      for (const [id, c] of this.consumers) byTrack.set(c.mid, c);
      report.forEach((s) => {
        if (s.type === 'transport' && s.srtpCipher) out.srtpCipher = s.srtpCipher;
        if (s.type === 'inbound-rtp') {
          const c = byTrack.get(s.mid);
          out.inbound.push({
            kind: s.kind, mid: s.mid, packetsReceived: s.packetsReceived || 0, framesDecoded: s.framesDecoded || 0,
            frameHeight: s.frameHeight || 0, consumerId: c ? c.consumerId : null,
            source: c ? c.producer.source : null, participant: c ? c.producer.participant_id : null,
          });
        }
      });
      return out;
    }
  }

  window.ParleyMediaClient = ParleyMediaClient;
})();
