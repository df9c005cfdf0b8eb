// Simulcast in a real browser: a Chromium page publishes its camera as three layers (rids q, h,
// f: a quarter, half and full size), and a second page's subscription picks among them by
// `max_height` (media.consumer.update): the height of the frames it decodes follows.
// Usage: node --test simulcast_test.js (PARLEYD=/path/to/parleyd)
'use strict';
const { test, after, before } = require('node:test');
const assert = require('node:assert');
const { BrowserHarness, waitFor } = require('./browser_harness.js');

const harness = new BrowserHarness();
before(() => harness.start());
after(() => harness.stop());

// The camera at 960x540: layers of 135, 270 and 540 lines.
const capture = { width: 960, height: 540 };

test('a subscriber\'s max_height picks the simulcast layer it receives', async () => {
  const alice = await harness.openClient('simulcast-alice');
  const bob = await harness.openClient('simulcast-bob');
  const meetingId = await alice.evaluate(async () => {
    const created = await window.client.call('meeting.create', { topic: 'simulcast', settings: { join_before_host: true } });
    return created.meeting_id;
  });
  for (const page of [alice, bob]) await page.evaluate((id) => window.client.call('meeting.join', { meeting_id: id }), meetingId);

  const producerId = await alice.evaluate(async (size) => {
    const c = window.client;
    await c.call('self.video', { off: false });
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: { exact: size.width }, height: { exact: size.height } } });
    const id = await c.publish(media.getVideoTracks()[0], 'camera', [
      { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
      { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 350000 },
      { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 700000 },
    ]);
    // A busy machine must not shrink the layers themselves: the sizes are what is tested.
    const sender = [...c.producers.values()][0].transceiver.sender;
    const params = sender.getParameters();
    params.degradationPreference = 'maintain-resolution';
    await sender.setParameters(params);
    return id;
  }, capture);
  const offer = await alice.evaluate(() => window.client.pc.localDescription.sdp);
  assert.match(offer, /a=simulcast:send q;h;f/, 'the page offers three simulcast layers');

  const consumerId = await bob.evaluate(async (id) => {
    const { producers } = await window.client.call('media.producers', {});
    return window.client.subscribe(producers.find((p) => p.producer_id === id), { max_height: 180 });
  }, producerId);

  const height = async () => {
    const s = await bob.evaluate(() => window.client.stats());
    const video = s.inbound.find((i) => i.kind === 'video');
    return video ? { frameHeight: video.frameHeight, framesDecoded: video.framesDecoded } : { frameHeight: 0, framesDecoded: 0 };
  };
  const expectHeight = async (label, accept) => {
    let seen = [];
    const got = await waitFor(`bob to receive the ${label} layer`, 90, async () => {
      const h = await height();
      seen = seen.concat(h.frameHeight).slice(-8);
      return { ok: h.framesDecoded > 0 && accept(h.frameHeight), seen };
    });
    return got.seen[got.seen.length - 1];
  };
  const update = (maxHeight) => bob.evaluate(({ id, maxHeight }) =>
    window.client.call('media.consumer.update', { consumer_id: id, max_height: maxHeight }), { id: consumerId, maxHeight });

  const low = await expectHeight('lowest (max_height 180)', (h) => h > 0 && h <= 180);
  await update(360);
  const middle = await expectHeight('middle (max_height 360)', (h) => h > 180 && h <= 360);
  await update(1080);
  const full = await expectHeight('full (max_height 1080)', (h) => h > 360);
  await update(180);
  const lowAgain = await expectHeight('lowest again (max_height 180)', (h) => h > 0 && h <= 180);
  console.log('decoded frame heights by max_height 180/360/1080/180:', low, middle, full, lowAgain);
  assert.ok(low < middle && middle < full, `heights follow max_height: ${low} < ${middle} < ${full}`);
});
