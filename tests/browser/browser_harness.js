// Set-up shared by the browser tests: a real parleyd with one media worker on loopback, Debian's
// Chromium (headless, fake camera and microphone), and pages signed in with the media client.
'use strict';
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class BrowserHarness {
  constructor() {
    this.parleyd = process.env.PARLEYD || process.argv[2];
    this.server = null;
    this.context = null;
    this.origin = null;
    this.dirs = [];
  }

  async start() {
    assert.ok(this.parleyd && fs.existsSync(this.parleyd), 'pass the parleyd binary as argument or PARLEYD');
    this.origin = await this.startServer();
    const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-chromium-'));
    this.dirs.push(profileDir);
    this.context = await chromium.launchPersistentContext(profileDir, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, ignoreHTTPSErrors: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream=fps=30',
        '--use-fake-ui-for-media-stream'],
    });
  }

  startServer() {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-browser-'));
    this.dirs.push(dataDir);
    this.server = spawn(this.parleyd, ['--port=0', '--bind=127.0.0.1', `--data-dir=${dataDir}`, '--registration=open',
      '--media-workers=1', '--media-port=0', '--media-address=127.0.0.1', '--argon2-mem-kib=64', '--argon2-ops=1',
      '--log-level=warn'], { env: Object.assign({}, process.env, { PARLEY_ADMIN_PASSWORD: 'Admin-Password-1' }) });
    this.server.stderr.on('data', (d) => process.stderr.write(d));
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('parleyd did not start: ' + out)), 60000);
      this.server.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on https:\/\/[^:]+:(\d+)/);
        if (m) { clearTimeout(timer); resolve(`https://localhost:${m[1]}`); }
      });
      this.server.on('exit', (code) => reject(new Error('parleyd exited with ' + code + ': ' + out)));
    });
  }

  async stop() {
    if (this.context) await this.context.close().catch(() => {});
    if (this.server && this.server.exitCode === null) {
      this.server.kill('SIGTERM');
      await new Promise((r) => this.server.once('exit', r));
    }
    for (const dir of this.dirs) fs.rmSync(dir, { recursive: true, force: true });
  }

  /** A page served by parleyd with `window.client`, a signed-in ParleyMediaClient. */
  async openClient(name) {
    const page = await this.context.newPage();
    page.on('pageerror', (e) => console.error(name, 'page error:', e.message));
    await page.goto(this.origin + '/healthz');
    await page.addScriptTag({ path: require.resolve('@msgpack/msgpack/dist.es5+umd/msgpack.min.js') });
    await page.addScriptTag({ path: path.join(__dirname, 'parley_media_client.js') });
    await page.evaluate(async (user) => {
      window.client = new window.ParleyMediaClient();
      await window.client.connect(user, 'Browser-Test-Pass-1');
    }, name);
    return page;
  }
}

/** Polls `check` (which returns {ok, ...}) until ok, or fails with the last answer. */
async function waitFor(what, seconds, check) {
  const until = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < until) {
    last = await check();
    if (last && last.ok) return last;
    await sleep(500);
  }
  assert.fail(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
}

module.exports = { BrowserHarness, waitFor, sleep };
