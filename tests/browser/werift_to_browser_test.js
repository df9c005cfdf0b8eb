// Standards, not one browser: a non-browser WebRTC peer (npm werift, Node.js) publishes real VP8
// video and Opus audio through a real parleyd, and Debian's Chromium (headless), subscribed as
// another participant of the same meeting, decodes the video and receives the audio.
//
// Why this route: werift has no encoder, and random payload cannot be decoded, so the peer sends
// a short real clip that Chromium itself encoded with WebCodecs — no new package, no network
// (tests/data/media/*.ivf, recorded once by make_werift_media.js: 4 s of 320x240 VP8 at 25
// frames/s with a keyframe every second, and a 440 Hz Opus tone in 20 ms packets). The peer
// loops it at its own pace with rising RTP timestamps and packetises VP8 per RFC 7741 itself.
// Keyframes come every second of the clip and on demand: the server sends a PLI when the browser
// subscribes, the peer answers by sending the clip's next keyframe at once, and the test checks
// that the PLI reached it.
//
// What else of the standards it exercises: werift's sender adds the SSRC, payload type and the
// header extensions it negotiated (mid, abs-send-time; on audio the RFC 6464 level the peer
// writes, from which the server names the active speaker). The peer offers RTX and loses one
// video packet in 50 on its first transmission (a lossy link): the server must NACK them and take
// werift's RFC 4588 retransmissions as repairs, which media.stats of the werift participant
// counts. What a user would see: the browser's framesDecoded rising at the clip's 240 lines, its
// inbound audio packets rising, and the werift participant named the active speaker.
//
// The werift peer's signaling goes through a page of its own participant (the page only calls
// media.publish with the peer's offers and hands back parleyd's answers; every media packet comes
// from the werift process). Never asserts on timing; every wait has a generous deadline.
// Usage: PARLEYD=... WERIFT_PEER_DIR=tests/peer node --test werift_to_browser_test.js
'use strict';
const { test, after, before } = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const { BrowserHarness, waitFor } = require('./browser_harness');

const peerDir = process.env.WERIFT_PEER_DIR || path.join(__dirname, '..', 'peer');
const harness = new BrowserHarness();
let peer = null;

/** The werift peer process, spoken to in JSON lines over stdin/stdout. */
function startPeer() {
  const child = spawn(process.execPath, [path.join(peerDir, 'werift_peer.mjs'), 'publish-media'],
    { cwd: peerDir, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const state = { child, messages: [], waiters: [], last: {}, failure: null, exited: null };
  lines.on('line', (line) => {
    let message;
    try { message = JSON.parse(line); } catch { return; }
    if (message.event === 'failed') state.failure = message.reason;
    if (message.event === 'sent') state.last = message;
    else state.messages.push(message);
    for (const w of state.waiters.splice(0)) w();
  });
  child.on('exit', (code) => { state.exited = code; for (const w of state.waiters.splice(0)) w(); });
  // The first message (in order) that `wanted` accepts; messages it skips stay for later waits.
  state.next = async (what, seconds, wanted) => {
    const until = Date.now() + seconds * 1000;
    for (;;) {
      assert.strictEqual(state.failure, null, `werift peer failed: ${state.failure}`);
      const at = state.messages.findIndex(wanted);
      if (at >= 0) return state.messages.splice(at, 1)[0];
      assert.strictEqual(state.exited, null, `werift peer exited (${state.exited}) before ${what}`);
      const left = until - Date.now();
      assert.ok(left > 0, `timed out waiting for the werift peer's ${what}`);
      await new Promise((resolve) => { state.waiters.push(resolve); setTimeout(resolve, Math.min(left, 1000)); });
    }
  };
  state.send = (object) => child.stdin.write(JSON.stringify(object) + '\n');
  return state;
}

before(async () => { await harness.start(); });

after(async () => {
  if (peer && peer.exited === null) {
    peer.child.stdin.end(); // the peer exits when its stdin closes
    await new Promise((resolve) => {
      const timer = setTimeout(() => { peer.child.kill('SIGKILL'); resolve(); }, 5000);
      peer.child.once('exit', () => { clearTimeout(timer); resolve(); });
    });
  }
  await harness.stop();
});

test('a werift peer publishes VP8 and Opus through parleyd and Chromium decodes them', async () => {
  const viewer = await harness.openClient('viewer');
  const signaling = await harness.openClient('werift');

  const meetingId = await viewer.evaluate(async () =>
    (await window.client.call('meeting.create', { topic: 'werift to browser' })).meeting_id);
  const viewerId = await viewer.evaluate(async (meeting) =>
    (await window.client.call('meeting.join', { meeting_id: meeting })).participant_id, meetingId);
  const publisherId = await signaling.evaluate(async (meeting) => {
    const joined = await window.client.call('meeting.join', { meeting_id: meeting });
    await window.client.call('self.video', { off: false }); // a camera starts off
    return joined.participant_id;
  }, meetingId);

  // The werift peer offers its video, then its audio; each offer goes through media.publish.
  peer = startPeer();
  for (let i = 0; i < 2; i++) {
    const offer = await peer.next('offer', 60, (m) => m.type === 'offer');
    const answer = await signaling.evaluate(({ sdp, mid, source }) =>
      window.client.call('media.publish', { sdp, mid, source }),
    { sdp: offer.sdp, mid: offer.mid, source: offer.kind === 'audio' ? 'mic' : 'camera' });
    assert.match(answer.producer_id, /^[0-9a-f]{16}$/);
    peer.send({ type: 'answer', sdp: answer.sdp });
  }
  await peer.next('negotiation', 60, (m) => m.event === 'negotiated');
  await peer.next('connection', 90, (m) => m.event === 'connected');

  // Chromium subscribes to both of the werift participant's producers.
  await viewer.evaluate((me) => window.client.autoSubscribe(me), viewerId);
  const fromPeer = async () => {
    const s = await viewer.evaluate(() => window.client.stats());
    const of = (kind) => s.inbound.filter((i) => i.kind === kind && i.participant === publisherId);
    return { video: of('video')[0] || null, audio: of('audio')[0] || null, srtpCipher: s.srtpCipher };
  };
  const first = await waitFor('Chromium to decode the werift video', 120, async () => {
    const s = await fromPeer();
    return { ok: s.video !== null && s.video.framesDecoded > 0, s, peer: peer.last };
  });
  assert.strictEqual(first.s.video.frameHeight, 240, 'the decoded frames have the clip\'s size');
  const before = first.s.video.framesDecoded;
  await waitFor('the decoded werift frames to keep rising', 60, async () => {
    const s = await fromPeer();
    return { ok: s.video.framesDecoded > before + 50, before, now: s.video.framesDecoded, peer: peer.last };
  });

  // The audio: Chromium's inbound Opus packets from the werift peer keep arriving.
  const audio = await waitFor('Chromium to receive the werift audio', 60, async () => {
    const s = await fromPeer();
    return { ok: s.audio !== null && s.audio.packetsReceived > 50, s };
  });
  await waitFor('the werift audio to keep arriving', 60, async () => {
    const s = await fromPeer();
    return { ok: s.audio.packetsReceived > audio.s.audio.packetsReceived + 100, now: s.audio.packetsReceived };
  });

  // The audio level header extension werift's packets carry: the server names the werift
  // participant, the only one speaking, the active speaker.
  assert.strictEqual(peer.last.audio_level, true, 'the audio level extension negotiated with the werift publisher');
  await waitFor('the werift participant to become the active speaker', 60, async () => {
    const speakers = await viewer.evaluate(() => window.client.events
      .filter((e) => e.ev === 'media.active_speaker').map((e) => e.data.participant_id));
    return { ok: speakers.includes(publisherId), speakers };
  });

  // The server asked the werift publisher for a keyframe for the new subscriber, and it heard.
  assert.ok(peer.last.plis >= 1, `the werift peer received no PLI: ${JSON.stringify(peer.last)}`);

  // The packets the peer lost on their first transmission: the server NACKed them and took
  // werift's RTX retransmissions as repairs (media.stats of the werift participant's transport).
  assert.strictEqual(peer.last.rtx, true, 'RTX negotiated with the werift publisher');
  const repaired = await waitFor('the server to repair the werift peer\'s lost packets with RTX', 60, async () => {
    const stats = await signaling.evaluate(() => window.client.call('media.stats', {}));
    return { ok: stats.nacks_sent > 0 && stats.packets_repaired >= 5 && peer.last.retransmitted >= 5,
      server: { nacks_sent: stats.nacks_sent, packets_repaired: stats.packets_repaired }, peer: peer.last };
  });
  console.log('werift peer:', JSON.stringify(repaired.peer), 'server:', JSON.stringify(repaired.server),
    'browser video:', JSON.stringify((await fromPeer()).video));
});
