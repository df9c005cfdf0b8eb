// Transport-wide congestion control with a real Chromium publisher: the SFU's answer
// accepts the transport-wide-cc header extension and transport-cc feedback, the SFU sends
// that feedback, and the browser's send-side bandwidth estimate runs on it: getStats shows
// an available outgoing bitrate that ramps past the start bitrate, and the encoder follows.
// Usage: node --test transport_cc_test.js (PARLEYD=/path/to/parleyd)
'use strict';
const { test, after, before } = require('node:test');
const assert = require('node:assert');
const { BrowserHarness, waitFor } = require('./browser_harness.js');

const harness = new BrowserHarness();
before(() => harness.start());
after(() => harness.stop());

const twccUri = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

// The publisher's view: the selected candidate pair's estimate and the video sent so far.
const sendStats = (page) => page.evaluate(async () => {
  const report = await window.client.pc.getStats();
  const out = { availableOutgoingBitrate: null, videoBytesSent: 0, targetBitrate: 0 };
  let selectedPair = null;
  report.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) selectedPair = s.selectedCandidatePairId; });
  report.forEach((s) => {
    if (s.type === 'candidate-pair' && (s.id === selectedPair || (!selectedPair && s.nominated)) &&
        s.availableOutgoingBitrate !== undefined)
      out.availableOutgoingBitrate = s.availableOutgoingBitrate;
    if (s.type === 'outbound-rtp' && s.kind === 'video') {
      out.videoBytesSent += s.bytesSent || 0;
      out.targetBitrate = Math.max(out.targetBitrate, s.targetBitrate || 0);
    }
  });
  return out;
});

let meetingId = null;

test('a Chromium publisher negotiates transport-cc and its send-side estimate runs on the SFU\'s feedback', async () => {
  const alice = await harness.openClient('twcc-alice');
  const sdp = await alice.evaluate(async () => {
    const c = window.client;
    const { meeting_id } = await c.call('meeting.create', { topic: 'congestion control', settings: { join_before_host: true } });
    await c.call('meeting.join', { meeting_id });
    window.meetingId = meeting_id;
    await c.call('self.video', { off: false });
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
    await c.publish(media.getVideoTracks()[0], 'camera');
    return { offer: c.pc.localDescription.sdp, answer: c.pc.remoteDescription.sdp };
  });
  meetingId = await alice.evaluate(() => window.meetingId);

  // The answer carries the extension under the offered id and the transport-cc feedback type.
  const offered = sdp.offer.match(new RegExp(`a=extmap:(\\d+) ${twccUri.replace(/[./]/g, '\\$&')}`));
  assert.ok(offered, 'Chromium offers transport-wide-cc');
  assert.ok(sdp.answer.includes(`a=extmap:${offered[1]} ${twccUri}`), 'the answer accepts transport-wide-cc');
  const videoCodec = sdp.answer.match(/m=video \d+ \S+ (\d+)/);
  assert.ok(videoCodec);
  assert.ok(sdp.answer.includes(`a=rtcp-fb:${videoCodec[1]} transport-cc`), 'the answer accepts transport-cc feedback');
  assert.ok(sdp.answer.includes(`a=rtcp-fb:${videoCodec[1]} goog-remb`), 'REMB stays for the receiver limit');

  // Chromium's send-side estimator runs on the feedback: it reports an available outgoing
  // bitrate that ramps to well above what the camera actually sends (its probes are judged
  // only from transport-cc arrival times), and the encoder gets a target from it. (How far it
  // climbs and stays depends on the machine's load: a late SFU thread looks like queueing.)
  let best = { availableOutgoingBitrate: 0, targetBitrate: 0 };
  const cameraBytes = (await sendStats(alice)).videoBytesSent;
  const startedAt = Date.now();
  await waitFor('Chromium\'s estimate to ramp above the camera\'s own rate', 120, async () => {
    const s = await sendStats(alice);
    best = {
      availableOutgoingBitrate: Math.max(best.availableOutgoingBitrate, s.availableOutgoingBitrate || 0),
      targetBitrate: Math.max(best.targetBitrate, s.targetBitrate || 0),
    };
    const seconds = (Date.now() - startedAt) / 1000;
    const cameraBps = seconds > 2 ? ((s.videoBytesSent - cameraBytes) * 8) / seconds : Infinity;
    return { ok: best.availableOutgoingBitrate > 2 * cameraBps && best.targetBitrate > 0, best, cameraBps, now: s };
  });

  // The SFU keeps reporting arrivals, and the camera's video keeps flowing.
  const feedback = async () => (await alice.evaluate(() => window.client.call('media.stats', {}))).transport_feedback_sent;
  const first = await waitFor('the SFU to send transport-cc feedback', 60, async () => {
    const n = await feedback();
    return { ok: n > 0, n };
  });
  const sentBefore = (await sendStats(alice)).videoBytesSent;
  await waitFor('transport-cc feedback to keep flowing with the video', 60, async () => {
    const n = await feedback();
    const sent = (await sendStats(alice)).videoBytesSent;
    return { ok: n > first.n + 20 && sent > sentBefore + 50000, before: first.n, n, sent };
  });
});

test('a Chromium subscriber gets the SFU\'s transport-wide numbers and its feedback reaches the SFU', async () => {
  assert.ok(meetingId, 'the publisher test ran first');
  const bob = await harness.openClient('twcc-bob');
  const answer = await bob.evaluate(async (id) => {
    const c = window.client;
    await c.call('meeting.join', { meeting_id: id });
    const { producers } = await c.call('media.producers', {});
    await c.subscribe(producers.find((p) => p.kind === 'video'));
    return c.pc.remoteDescription.sdp;
  }, meetingId);
  assert.ok(answer.includes(twccUri), 'the answer to the subscriber accepts transport-wide-cc');

  // Bob decodes the video, and his browser's transport-cc feedback on the SFU's numbering
  // arrives and is understood (a delay figure comes with it).
  await waitFor('bob to decode the video', 90, async () => {
    const s = await bob.evaluate(() => window.client.stats());
    const video = s.inbound.find((i) => i.kind === 'video');
    return { ok: !!video && video.framesDecoded > 10, video };
  });
  const received = async () => bob.evaluate(() => window.client.call('media.stats', {}));
  const first = await waitFor('the SFU to receive bob\'s transport-cc feedback', 60, async () => {
    const st = await received();
    return { ok: st.transport_feedback_received > 0, n: st.transport_feedback_received };
  });
  const later = await waitFor('bob\'s feedback to keep coming', 60, async () => {
    const st = await received();
    return { ok: st.transport_feedback_received > first.n + 10, st };
  });
  assert.ok(later.st.queue_delay_ms >= 0);
  assert.ok(later.st.send_estimate_bps > 0, 'the SFU keeps an estimate for bob');
});
