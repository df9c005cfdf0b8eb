// Real-browser interop: Debian's Chromium (headless, fake devices) against a real parleyd.
// Two pages sign in, join one meeting and publish microphone, camera and a screen share;
// each must decode the other's videos over AES-GCM SRTP (the strongest offered), and a host mute must stop the
// muted participant's audio at the server until they unmute.
// Usage: node media_interop_test.js /path/to/parleyd
'use strict';
const { test, after, before } = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const parleyd = process.env.PARLEYD || process.argv[2];
const deadline = (s) => Date.now() + s * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server, dataDir, profileDir, context, origin;

async function startServer() {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-browser-'));
  server = spawn(parleyd, ['--port=0', '--bind=127.0.0.1', `--data-dir=${dataDir}`, '--registration=open',
    '--media-workers=1', '--media-port=0', '--media-address=127.0.0.1', '--argon2-mem-kib=64', '--argon2-ops=1',
    '--log-level=warn'], { env: Object.assign({}, process.env, { PARLEY_ADMIN_PASSWORD: 'Admin-Password-1' }) });
  server.stderr.on('data', (d) => process.stderr.write(d));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('parleyd did not start: ' + out)), 60000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on https:\/\/[^:]+:(\d+)/);
      if (m) { clearTimeout(timer); resolve(`https://localhost:${m[1]}`); }
    });
    server.on('exit', (code) => reject(new Error('parleyd exited with ' + code + ': ' + out)));
  });
}

async function openClient(name) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(name, 'page error:', e.message));
  await page.goto(origin + '/healthz');
  await page.addScriptTag({ path: require.resolve('@msgpack/msgpack/dist.es5+umd/msgpack.min.js') });
  await page.addScriptTag({ path: path.join(__dirname, 'parley_media_client.js') });
  await page.evaluate(async (user) => {
    window.client = new window.ParleyMediaClient();
    await window.client.connect(user, 'Browser-Test-Pass-1');
  }, name);
  return page;
}

async function waitFor(what, seconds, check) {
  const until = deadline(seconds);
  let last;
  while (Date.now() < until) {
    last = await check();
    if (last && last.ok) return last;
    await sleep(500);
  }
  assert.fail(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
}

const stats = (page) => page.evaluate(() => window.client.stats());

before(async () => {
  assert.ok(parleyd && fs.existsSync(parleyd), 'pass the parleyd binary as argument or PARLEYD');
  origin = await startServer();
  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, ignoreHTTPSErrors: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream=fps=30',
      '--use-fake-ui-for-media-stream'],
  });
});

after(async () => {
  if (context) await context.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  for (const dir of [dataDir, profileDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('two browsers see and hear each other through parleyd; host mute stops audio at the server', async () => {
  const alice = await openClient('alice');
  const bob = await openClient('bob');

  const meetingId = await alice.evaluate(async () => {
    const created = await window.client.call('meeting.create', { topic: 'browser interop' });
    return created.meeting_id;
  });
  const ids = {};
  for (const [name, page] of [['alice', alice], ['bob', bob]]) {
    ids[name] = await page.evaluate(async (meeting) => {
      const joined = await window.client.call('meeting.join', { meeting_id: meeting });
      await window.client.call('self.video', { off: false });
      return joined.participant_id;
    }, meetingId);
  }

  // Each publishes microphone and camera; Alice also shares a (canvas) screen.
  for (const [name, page] of [['alice', alice], ['bob', bob]]) {
    await page.evaluate(async ({ me, share }) => {
      const c = window.client;
      await c.autoSubscribe(me);
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
      await c.publish(media.getAudioTracks()[0], 'mic');
      await c.publish(media.getVideoTracks()[0], 'camera');
      if (share) {
        const canvas = document.createElement('canvas');
        canvas.width = 320; canvas.height = 240;
        const g = canvas.getContext('2d');
        let n = 0;
        setInterval(() => { g.fillStyle = `hsl(${(n++ * 7) % 360},80%,50%)`; g.fillRect(0, 0, 320, 240); }, 50);
        await c.publish(canvas.captureStream(20).getVideoTracks()[0], 'screen');
      }
    }, { me: ids[name], share: name === 'alice' });
  }

  // Bob decodes Alice's camera and screen; Alice decodes Bob's camera; both over AES-GCM.
  const ciphers = {};
  for (const [name, page, videos] of [['bob', bob, 2], ['alice', alice, 1]]) {
    const first = await waitFor(`${name} to decode ${videos} video(s)`, 90, async () => {
      const s = await stats(page);
      const decoding = s.inbound.filter((i) => i.kind === 'video' && i.framesDecoded > 0);
      return { ok: decoding.length >= videos, s };
    });
    // The server prefers AEAD_AES_256_GCM, then AEAD_AES_128_GCM: the strongest this Chromium
    // offers must be chosen (Chromium 156 offered only 128; later builds offer 256 too), and the
    // browser and the server must agree on it.
    const server = await page.evaluate(() => window.client.call('media.stats', {}));
    const browserCipher = String(first.s.srtpCipher).replace(/^SRTP_/, '');
    assert.strictEqual(server.state, 'connected');
    assert.strictEqual(browserCipher, server.srtp_cipher, `${name}'s cipher as browser and server see it`);
    assert.match(browserCipher, /^AEAD_AES_(128|256)_GCM$/, `${name}'s negotiated SRTP cipher`);
    ciphers[name] = browserCipher;
    const before = first.s.inbound.filter((i) => i.kind === 'video').reduce((a, i) => a + i.framesDecoded, 0);
    await waitFor(`${name}'s decoded frames to keep rising`, 30, async () => {
      const s = await stats(page);
      const now = s.inbound.filter((i) => i.kind === 'video').reduce((a, i) => a + i.framesDecoded, 0);
      return { ok: now > before + 20, before, now };
    });
  }
  console.log('negotiated SRTP ciphers:', JSON.stringify(ciphers));
  const bobSources = (await stats(bob)).inbound.filter((i) => i.kind === 'video' && i.framesDecoded > 0).map((i) => i.source).sort();
  assert.deepStrictEqual(bobSources, ['camera', 'screen'], 'bob receives alice camera and screen share');

  // Alice hears Bob; after Alice (host) mutes Bob, his audio stops arriving; after he unmutes it resumes.
  const bobAudio = async () => (await stats(alice)).inbound.filter((i) => i.kind === 'audio' && i.participant === ids.bob)
    .reduce((a, i) => a + i.packetsReceived, 0);
  await waitFor('alice to receive bob audio', 60, async () => ({ ok: (await bobAudio()) > 50 }));
  await alice.evaluate((bobId) => window.client.call('participant.mute', { participant_id: bobId, kind: 'audio' }), ids.bob);
  await sleep(1500); // packets already in flight
  const mutedAt = await bobAudio();
  await sleep(3000);
  const mutedLater = await bobAudio();
  assert.ok(mutedLater - mutedAt <= 2, `bob's audio kept arriving while muted: ${mutedAt} → ${mutedLater}`);
  await bob.evaluate(() => window.client.call('self.mute', { muted: false }));
  await waitFor('bob audio to flow again after unmute', 30, async () => {
    const now = await bobAudio();
    return { ok: now > mutedLater + 50, mutedLater, now };
  });
});
