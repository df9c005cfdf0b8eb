// The echo test in a real browser: a page starts an echo test, publishes its fake microphone and
// camera, subscribes to its own tracks and decodes its own video and receives its own audio back
// through parleyd's SFU (ICE, DTLS-SRTP, one RTCPeerConnection; nothing is looped in the page).
// A second page, signed in as someone else, cannot see those tracks.
// Usage: node --test echo_test_test.js (PARLEYD=/path/to/parleyd)
'use strict';
const { test, after, before } = require('node:test');
const assert = require('node:assert');
const { BrowserHarness, waitFor, sleep } = require('./browser_harness.js');

const harness = new BrowserHarness();
before(() => harness.start());
after(() => harness.stop());

const stats = (page) => page.evaluate(() => window.client.stats());
const sum = (list, field) => list.reduce((a, i) => a + i[field], 0);

test('a page sees and hears itself through the SFU in an echo test, and nobody else can', async () => {
  const alice = await harness.openClient('echo-alice');
  const bob = await harness.openClient('echo-bob');

  const started = await alice.evaluate(async () => {
    const c = window.client;
    const { participant_id: me } = await c.call('media.echo_test.start', {});
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
    const mic = await c.publish(media.getAudioTracks()[0], 'mic');
    const camera = await c.publish(media.getVideoTracks()[0], 'camera');
    const { producers } = await c.call('media.producers', {});
    for (const p of producers) await c.subscribe(p);
    return { me, mic, camera, producers };
  });
  assert.deepStrictEqual(started.producers.map((p) => p.participant_id), [started.me, started.me],
    'the echo test lists only the page\'s own tracks');
  assert.deepStrictEqual(started.producers.map((p) => p.producer_id).sort(), [started.mic, started.camera].sort());

  // The page decodes its own video, over AES-GCM SRTP, and keeps decoding it.
  const first = await waitFor('alice to decode her own echoed video', 90, async () => {
    const s = await stats(alice);
    const video = s.inbound.filter((i) => i.kind === 'video');
    return { ok: sum(video, 'framesDecoded') > 0, s };
  });
  assert.match(String(first.s.srtpCipher).replace(/^SRTP_/, ''), /^AEAD_AES_(128|256)_GCM$/);
  const echoed = first.s.inbound.find((i) => i.kind === 'video');
  assert.strictEqual(echoed.participant, started.me, 'the decoded video is her own camera');
  assert.strictEqual(echoed.source, 'camera');
  const before = sum(first.s.inbound.filter((i) => i.kind === 'video'), 'framesDecoded');
  await waitFor('alice\'s decoded frames to keep rising', 30, async () => {
    const now = sum((await stats(alice)).inbound.filter((i) => i.kind === 'video'), 'framesDecoded');
    return { ok: now > before + 20, before, now };
  });

  // Her own audio comes back too.
  const audio = async () => sum((await stats(alice)).inbound.filter((i) => i.kind === 'audio'), 'packetsReceived');
  const heard = await waitFor('alice to receive her own audio', 60, async () => ({ ok: (await audio()) > 50 }));
  assert.ok(heard.ok);
  const server = await alice.evaluate(() => window.client.call('media.stats', {}));
  assert.strictEqual(server.state, 'connected');
  assert.strictEqual(server.producers, 2);
  assert.strictEqual(server.consumers, 2);
  assert.ok(server.packets_out > 0, 'the SFU forwarded her packets back to her');

  // Bob, in his own meeting, sees none of Alice's tracks and cannot take them.
  const bobView = await bob.evaluate(async (cameraId) => {
    const c = window.client;
    const { meeting_id } = await c.call('meeting.create', { topic: 'not the echo', settings: { join_before_host: true } });
    await c.call('meeting.join', { meeting_id });
    const { producers } = await c.call('media.producers', {});
    const refused = await c.subscribe({ producer_id: cameraId, kind: 'video', source: 'camera' })
      .then(() => 'subscribed', (e) => e.code);
    return { producers, refused };
  }, started.camera);
  assert.deepStrictEqual(bobView.producers, []);
  assert.strictEqual(bobView.refused, 'not_found');

  // Stopping the echo test ends the returned media.
  await alice.evaluate(() => window.client.call('media.echo_test.stop', {}));
  await sleep(1500); // packets in flight
  const stoppedAt = await audio();
  await sleep(3000);
  const later = await audio();
  assert.ok(later - stoppedAt <= 2, `audio kept coming back after the echo test stopped: ${stoppedAt} → ${later}`);
});
