// Records the short real media clip that the werift peer publishes in peer.werift_to_browser:
// Debian's Chromium encodes a canvas animation to VP8 and a tone to Opus with WebCodecs, and the
// encoded frames are written as IVF files (libvpx's container: a 32-byte file header, then each
// frame as a 12-byte header — size and timestamp, little-endian — and its bytes). The Opus file
// uses the same framing with the FourCC "OPUS", one Opus packet (20 ms) per frame.
// Usage (from a folder whose node_modules has playwright-core, e.g. build/tests/browser):
//   node make_werift_media.js OUTPUT_DIR
// Output: werift_vp8_320x240.ivf (4 s at 25 frames/s, a keyframe every 25 frames),
//         werift_opus_48k.ivf (4 s of a 440 Hz tone, mono).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const out = process.argv[2];
if (!out) {
  console.error('usage: node make_werift_media.js OUTPUT_DIR');
  process.exit(2);
}

function ivf(fourcc, width, height, rate, frames) {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'ascii');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write(fourcc, 8, 'ascii');
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(rate, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames.length, 24);
  const parts = [header];
  frames.forEach((bytes, i) => {
    const frameHeader = Buffer.alloc(12);
    frameHeader.writeUInt32LE(bytes.length, 0);
    frameHeader.writeBigUInt64LE(BigInt(i), 4);
    parts.push(frameHeader, Buffer.from(bytes));
  });
  return Buffer.concat(parts);
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu'] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-media-'));
  try {
    // WebCodecs needs a secure context: a file: page is one.
    fs.writeFileSync(path.join(dir, 'blank.html'), '<!doctype html><title>encode</title>');
    const page = await browser.newPage();
    await page.goto('file://' + path.join(dir, 'blank.html'));
    const encoded = await page.evaluate(async () => {
      const video = [];
      const videoEncoder = new VideoEncoder({ output: (chunk) => {
        const bytes = new Uint8Array(chunk.byteLength);
        chunk.copyTo(bytes);
        video.push(Array.from(bytes));
      }, error: (e) => { throw e; } });
      videoEncoder.configure({ codec: 'vp8', width: 320, height: 240, bitrate: 300000, framerate: 25, latencyMode: 'realtime' });
      const canvas = new OffscreenCanvas(320, 240);
      const g = canvas.getContext('2d');
      for (let i = 0; i < 100; i++) {
        g.fillStyle = `hsl(${(i * 9) % 360},70%,45%)`;
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = '#fff';
        g.fillRect(20 + (i * 5) % 260, 90, 40, 40);
        g.font = '28px sans-serif';
        g.fillText('werift ' + i, 100, 210);
        const frame = new VideoFrame(canvas, { timestamp: i * 40000, duration: 40000 });
        videoEncoder.encode(frame, { keyFrame: i % 25 === 0 });
        frame.close();
      }
      await videoEncoder.flush();

      const audio = [];
      const audioEncoder = new AudioEncoder({ output: (chunk) => {
        const bytes = new Uint8Array(chunk.byteLength);
        chunk.copyTo(bytes);
        audio.push(Array.from(bytes));
      }, error: (e) => { throw e; } });
      audioEncoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1, bitrate: 32000,
        opus: { frameDuration: 20000 } });
      const samples = 960;
      for (let i = 0; i < 200; i++) {
        const pcm = new Float32Array(samples);
        for (let s = 0; s < samples; s++) pcm[s] = 0.3 * Math.sin(2 * Math.PI * 440 * (i * samples + s) / 48000);
        const data = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: samples, numberOfChannels: 1,
          timestamp: i * 20000, data: pcm });
        audioEncoder.encode(data);
        data.close();
      }
      await audioEncoder.flush();
      return { video, audio };
    });
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'werift_vp8_320x240.ivf'), ivf('VP80', 320, 240, 25, encoded.video));
    fs.writeFileSync(path.join(out, 'werift_opus_48k.ivf'), ivf('OPUS', 0, 0, 50, encoded.audio));
    const keyframes = encoded.video.filter((f) => (f[0] & 1) === 0).length;
    console.log(`VP8: ${encoded.video.length} frames (${keyframes} keyframes); Opus: ${encoded.audio.length} packets`);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((e) => { console.error(e); process.exit(1); });
