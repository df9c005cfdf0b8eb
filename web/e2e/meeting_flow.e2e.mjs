// End to end in Debian's Chromium against a real parleyd: sign in, schedule, wait, admit, chat,
// hands, lock, guests, end. Usage: node e2e/meeting_flow.e2e.mjs --parleyd PATH [--web-root DIR]
// Screenshots go to $PARLEY_E2E_SCREENSHOTS or a fresh temp folder; the run prints where.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { postJson, startParleyd as startProcess, stopServer } from './parleyd_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const parleydPath = arg('parleyd', process.env.PARLEYD_PATH);
const webRoot = path.resolve(arg('web-root', path.join(here, '..', 'dist')));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const timeout = 60_000; // generous: a loaded 2-core machine
if (!parleydPath && !arg('origin')) {
  console.error('usage: meeting_flow.e2e.mjs --parleyd PATH [--web-root DIR] | --origin URL (a running server with open registration)');
  process.exit(2);
}

const shots = process.env.PARLEY_E2E_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'parley-e2e-screens-'));
mkdirSync(shots, { recursive: true });
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-data-'));
const results = [];
let server;
let browser;

function step(name) {
  console.log(`-- ${name}`);
}
function pass(name) {
  results.push({ name, status: 'passed' });
  console.log(`PASS ${name}`);
}
function pending(name, why) {
  results.push({ name, status: 'pending', why });
  console.log(`PENDING ${name}: ${why}`);
}

function startParleyd(port = 0) {
  const web = arg('origin') ? [] : [`--web-root=${webRoot}`];
  return startProcess(parleydPath, [`--port=${port}`, '--bind=127.0.0.1', `--data-dir=${dataDir}`, '--registration=open', '--argon2-ops=1', '--argon2-mem-kib=8192', '--log-level=warn', ...web]);
}

const password = 'Correct-Horse-42';

/** Polls `probe` until it returns something other than null/undefined/false, or the deadline passes (null). */
async function waitFor(probe, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 500));
  }
}
const unique = Date.now().toString(36);

async function newUser(ctxOptions, name) {
  const context = await browser.newContext(ctxOptions);
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('dialog', (d) => void d.accept());
  page.on('pageerror', (e) => console.log(`[${name} page error] ${e.message}`));
  return page;
}

async function signIn(page, origin, username, next) {
  await page.goto(`${origin}/signin${next ? `?next=${next}` : ''}`);
  await page.getByLabel(/^(Username|用户名)$/).fill(username);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.locator('form.auth-card button[type=submit]').click();
}

async function main() {
  // --origin alone: a server someone else runs. With --parleyd too, this run starts (and
  // restarts) that parleyd on --port and reaches it through --origin (e.g. Vite's dev proxy).
  let origin = arg('origin');
  if (parleydPath) {
    step('start parleyd');
    const started = await startParleyd(Number(arg('port', '0')));
    server = started.child;
    origin = origin ?? started.origin;
  }
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream=fps=15', '--use-fake-ui-for-media-stream'],
  });
  const ctxOptions = { ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 800 }, locale: 'en-US' };

  for (const u of ['guest', 'late']) {
    const r = await postJson(origin, '/api/v1/auth/register', { username: `${u}_${unique}`, password, display_name: u === 'guest' ? 'Gus Guest' : 'Lara Late' });
    if (r.status !== 201) throw new Error(`register ${u}: ${JSON.stringify(r)}`);
  }

  step('host registers and signs in through the page');
  const host = await newUser(ctxOptions, 'host');
  await host.goto(`${origin}/register`);
  await host.getByLabel('Username').fill(`host_${unique}`);
  await host.getByLabel('Password').fill(password);
  await host.getByLabel('Display name (optional)').fill('Hana Host');
  await host.locator('form.auth-card button[type=submit]').click();
  await host.getByRole('heading', { name: 'Hello, Hana Host' }).waitFor();
  await host.locator('#pmi-value').waitFor();
  pass('host signs in and sees home with a personal meeting ID');

  step('host schedules a meeting with a waiting room');
  await host.locator('#schedule-meeting').click();
  await host.getByLabel('Topic').fill('Design review');
  await host.getByLabel('Waiting room: admit people yourself').check();
  await host.getByLabel('Allow guests without an account').check();
  await host.locator('#sched-submit').click();
  const card = host.locator('.meeting-card', { hasText: 'Design review' });
  await card.waitFor();
  const meetingId = await card.getAttribute('data-meeting-id');
  if (!/^[0-9]{11}$/.test(meetingId ?? '')) throw new Error(`no meeting id on the card: ${meetingId}`);
  await host.screenshot({ path: path.join(shots, '01-home.png'), fullPage: true });
  pass('host schedules a meeting with a waiting room');

  step('host starts the meeting through the pre-join screen');
  await card.getByRole('button', { name: 'Start' }).click();
  await host.locator('#join-now').waitFor();
  await host.waitForFunction(() => {
    const v = document.querySelector('video.preview-video');
    return v && v.videoWidth > 0;
  });
  await host.screenshot({ path: path.join(shots, '02-prejoin.png') });

  step('the pre-join audio/video test returns the host\'s own video and sound through the server');
  // Keyboard: the test button is reached and pressed like any control.
  await host.locator('#echo-test-button').focus();
  await host.keyboard.press('Enter');
  const echoFrames = () => host.locator('#echo-video').getAttribute('data-frames-decoded').then(Number);
  const firstFrames = await waitFor(async () => ((await echoFrames()) > 0 ? echoFrames() : null), timeout);
  if (firstFrames === null) throw new Error(`the echoed video was not decoded: ${await host.locator('#echo-status').textContent()}`);
  if (!(await waitFor(async () => (await echoFrames()) > firstFrames + 10, timeout))) throw new Error('echoed video frames stopped rising');
  const echoAudio = await waitFor(async () => Number(await host.locator('#echo-level').getAttribute('data-audio-packets')) > 20, timeout);
  if (!echoAudio) throw new Error('the echoed sound did not arrive');
  await host.waitForFunction(() => document.querySelector('#echo-video')?.videoWidth > 0);
  // The returned sound moves the meter (the fake microphone beeps).
  await host.waitForFunction(() => Number(document.querySelector('#echo-level')?.getAttribute('aria-valuenow')) > 0, null, { timeout, polling: 100 });
  const echoStatus = await host.locator('#echo-status').textContent();
  if (!/coming back from the server/.test(echoStatus ?? '')) throw new Error(`echo status: ${echoStatus}`);
  if ((await host.locator('#echo-test-button').getAttribute('aria-pressed')) !== 'true') throw new Error('the test button is not shown pressed');
  await host.locator('#echo-level').scrollIntoViewIfNeeded();
  await host.screenshot({ path: path.join(shots, '02b-prejoin-echo-test.png'), fullPage: true });
  pass('pre-join audio/video test: own video decoded (framesDecoded rising) and own sound received back');
  await host.locator('#join-now').click();
  await host.locator('#room').waitFor();
  pass('host joins from the pre-join preview');

  step('a second user joins and waits');
  const guest = await newUser(ctxOptions, 'guest');
  await signIn(guest, origin, `guest_${unique}`, `/j/${meetingId}`);
  await guest.locator('#join-now').waitFor();
  await guest.locator('#join-now').click();
  await guest.locator('[data-state="waiting"]').waitFor();
  await guest.screenshot({ path: path.join(shots, '03-waiting-room.png') });
  pass('second user waits in the waiting room');

  step('host admits them');
  await host.locator('#btn-participants').click();
  const waitingEntry = host.locator('.waiting-list .person', { hasText: 'Gus Guest' });
  await waitingEntry.waitFor();
  await waitingEntry.getByRole('button', { name: /^Admit/ }).click();
  await guest.locator('#room').waitFor();
  await guest.locator('#video-grid .vtile').nth(1).waitFor();
  await host.locator('#people-list .person', { hasText: 'Gus Guest' }).waitFor();
  pass('host admits the waiting user and both are in the room');

  step('both see each other video (framesDecoded rising)');
  const hostPid = await host.locator('#people-list .person', { hasText: 'Hana Host' }).getAttribute('data-participant-id');
  const guestPid = await host.locator('#people-list .person', { hasText: 'Gus Guest' }).getAttribute('data-participant-id');
  const mediaOn = await waitFor(() => host.evaluate(() => window.parleyDiagnostics?.mediaActive()), 20_000);
  if (mediaOn) {
    const decoded = async (page, from) =>
      (await page.evaluate(() => window.parleyDiagnostics.media())).filter((f) => f.participantId === from && f.kind === 'video').reduce((n, f) => n + f.framesDecoded, 0);
    for (const [page, from] of [[host, guestPid], [guest, hostPid]]) {
      const first = await waitFor(async () => ((await decoded(page, from)) > 0 ? decoded(page, from) : null), timeout);
      if (first === null) throw new Error('no video frames decoded from the other participant');
      const later = await waitFor(async () => ((await decoded(page, from)) > first ? true : null), timeout);
      if (!later) throw new Error('decoded video frames stopped rising');
    }
    await host.screenshot({ path: path.join(shots, '04a-meeting-room-two-videos.png') });
    pass('both see each other video (framesDecoded rising)');
  } else {
    pending('both see each other video (framesDecoded rising)', 'this server has no media plane (media.* ops unknown)');
  }

  step('chat goes both ways');
  await host.locator('#btn-chat').click();
  await host.locator('#chat-input').fill('Welcome, Gus!');
  await host.locator('#chat-send').click();
  await guest.locator('#btn-chat').click();
  await guest.locator('#chat-list .chat-message', { hasText: 'Welcome, Gus!' }).waitFor();
  await guest.locator('#chat-input').fill('Thanks, Hana.');
  await guest.locator('#chat-input').press('Enter');
  await host.locator('#chat-list .chat-message', { hasText: 'Thanks, Hana.' }).waitFor();
  pass('chat goes both ways');

  step('every control in the room has a label');
  for (const page of [host, guest]) {
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll('button, select, input, textarea')]
        .filter((el) => !(el.getAttribute('aria-label') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label') || el.textContent.trim()))
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    if (unlabeled.length) throw new Error(`controls without a label: ${unlabeled.join(' | ')}`);
  }
  pass('every control in the room has a label');

  step('a raised hand (from the keyboard) shows on the host screen');
  await guest.locator('#btn-hand').focus();
  await guest.keyboard.press('Enter');
  await host.locator('#video-grid .vtile.hand', { hasText: 'Gus Guest' }).waitFor();
  await host.screenshot({ path: path.join(shots, '04-meeting-room-chat.png') });
  await guest.setViewportSize({ width: 390, height: 844 });
  await guest.screenshot({ path: path.join(shots, '04b-meeting-room-phone.png') });
  await guest.setViewportSize({ width: 1280, height: 800 });
  await host.locator('#btn-participants').click();
  await host.locator('#people-list .person', { hasText: 'Gus Guest' }).locator('span.icon-hand').first().waitFor();
  await host.screenshot({ path: path.join(shots, '05-participants-panel.png') });
  pass('raised hand shows on the host screen');

  step('host mutes the guest');
  await guest.locator('#btn-mute[aria-pressed="false"]').waitFor();
  await host.locator(`#people-list .person:has-text("Gus Guest") select.person-actions`).selectOption('mute');
  await guest.locator('#btn-mute[aria-pressed="true"]').waitFor();
  const guestTrackOff = await guest.evaluate(() => {
    const v = document.querySelector('#video-grid video.mirror');
    const s = v && v.srcObject;
    return s ? s.getAudioTracks().every((t) => !t.enabled) : null;
  });
  if (guestTrackOff !== true) throw new Error(`guest microphone still live after host mute (${guestTrackOff})`);
  pass('host mute turns the guest microphone off');
  if (mediaOn) {
    const audioIn = async () =>
      (await host.evaluate(() => window.parleyDiagnostics.media())).filter((f) => f.participantId === guestPid && f.kind === 'audio').reduce((n, f) => n + f.packetsReceived, 0);
    // Stopped means: two readings two seconds apart are equal (packets in flight may still land first).
    const stopped = await waitFor(async () => {
      const a = await audioIn();
      await new Promise((r) => setTimeout(r, 2000));
      return (await audioIn()) === a ? true : null;
    }, timeout);
    if (!stopped) throw new Error('the guest audio still reaches the host after the host muted them');
    pass('host mute stops the guest audio reaching the host');
  } else {
    pending('host mute stops the guest audio reaching the host', 'this server has no media plane (media.* ops unknown)');
  }

  step('a guest without an account joins when guests are allowed');
  const anon = await newUser(ctxOptions, 'anonymous');
  await anon.goto(`${origin}/j/${meetingId}`);
  await anon.getByLabel('Your name').fill('Walk-in Wu');
  await anon.locator('#join-now').click();
  const outcome = await Promise.race([
    anon.locator('[data-state="waiting"]').waitFor().then(() => 'waiting'),
    anon.locator('#join-error', { hasText: /\S/ }).waitFor().then(() => 'error'),
  ]);
  if (outcome === 'waiting') {
    await host.locator('.waiting-list .person', { hasText: 'Walk-in Wu' }).getByRole('button', { name: /^Admit/ }).click();
    await anon.locator('#room').waitFor();
    await host.locator('#people-list .person', { hasText: 'Walk-in Wu' }).waitFor();
    pass('a guest without an account joins');
  } else {
    pending('a guest without an account joins', `this server refuses anonymous joins (${await anon.locator('#join-error').innerText()}); guest joining lands with the meetings work`);
  }
  await anon.context().close();

  step('the server is killed and restarted: both pages reconnect and rejoin by themselves');
  if (server) {
    const port = Number(arg('port', new URL(origin).port));
    await stopServer(server, 'SIGKILL');
    await host.locator('#connection-banner:not([hidden])').waitFor();
    await guest.locator('#connection-banner:not([hidden])').waitFor();
    await host.screenshot({ path: path.join(shots, '06-reconnecting.png') });
    server = (await startParleyd(port)).child;
    await host.locator('#room #connection-banner').waitFor({ state: 'hidden' });
    // The guest comes back into the room, or into the waiting room when the server does not resume.
    const back = await Promise.race([
      host.locator('#people-list .person', { hasText: 'Gus Guest' }).waitFor().then(() => 'room'),
      host.locator('.waiting-list .person', { hasText: 'Gus Guest' }).waitFor().then(() => 'waiting'),
    ]);
    // The guest can show in the waiting list for a moment and then resume into the room by
    // itself (its button goes away): admit only while it is still there.
    if (back === 'waiting') {
      await host.locator('.waiting-list .person', { hasText: 'Gus Guest' }).getByRole('button', { name: /^Admit/ }).click({ timeout: 10_000 }).catch(() => {});
    }
    await guest.locator('#room').waitFor();
    await host.locator('#people-list .person', { hasText: 'Gus Guest' }).waitFor();
    await host.locator('#btn-chat').click();
    await host.locator('#chat-list .chat-message', { hasText: 'Welcome, Gus!' }).waitFor();
    await host.locator('#btn-participants').click();
    pass(`server restart: both rejoin by themselves (guest via ${back === 'room' ? 'resume' : 'the waiting room'}) and the chat history is back`);
  } else {
    pending('server restart and automatic rejoin', 'needs the server this run starts (not --origin)');
  }

  step('host locks and a third user is refused');
  await host.locator('#btn-lock').click();
  await host.locator('#lock-badge:not([hidden])').waitFor();
  const late = await newUser(ctxOptions, 'late');
  await signIn(late, origin, `late_${unique}`, `/j/${meetingId}`);
  await late.locator('#join-now').click();
  await late.locator('[data-state="locked"]').waitFor();
  pass('locked meeting refuses a third user');

  step('a browser that blocks the camera and microphone says so on the pre-join screen');
  // Without the fake-UI flag headless Chromium answers every permission prompt with "deny".
  const strict = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream'],
  });
  try {
    const denied = await (await strict.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' })).newPage();
    denied.setDefaultTimeout(timeout);
    await denied.goto(`${origin}/j/${meetingId}`);
    await denied.locator('#device-problem[data-problem="denied"]').waitFor();
    await denied.screenshot({ path: path.join(shots, '07-devices-blocked.png') });
  } finally {
    await strict.close();
  }
  pass('blocked camera and microphone are explained on the pre-join screen');


  step('host ends the meeting and the guest sees the ended screen');
  await host.locator('#btn-end').click();
  await guest.locator('[data-state="ended"]').waitFor();
  await host.locator('[data-state="ended"]').waitFor();
  pass('guest sees the ended screen');

  step('the page switches to Simplified Chinese');
  await host.goto(`${origin}/`);
  await host.locator('#lang-select').selectOption('zh-CN');
  await host.getByRole('heading', { name: '你好，Hana Host' }).waitFor();
  await host.locator('.meeting-card').first().waitFor();
  await host.screenshot({ path: path.join(shots, '08-home-zh-CN.png'), fullPage: true });
  pass('language switch to Simplified Chinese');

  step('sign out');
  await host.locator('#sign-out').click();
  await host.locator('form.auth-card').waitFor();
  pass('sign out');
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.stack ?? e}`);
  try {
    const pages = browser?.contexts().flatMap((c) => c.pages()) ?? [];
    for (const [i, p] of pages.entries()) await p.screenshot({ path: path.join(shots, `failure-${i}.png`) }).catch(() => {});
  } catch {
    /* best effort */
  }
} finally {
  await browser?.close().catch(() => {});
  await stopServer(server, 'SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`screenshots: ${shots}`);
const passed = results.filter((r) => r.status === 'passed').length;
const open = results.filter((r) => r.status === 'pending');
console.log(`${passed} passed, ${open.length} pending${open.length ? ` (${open.map((r) => r.name).join('; ')})` : ''}${failed ? ', FAILED' : ''}`);
process.exit(failed ? 1 : 0);
