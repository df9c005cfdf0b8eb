// End to end in Debian's Chromium against a real parleyd: the IM page. Two users sign in, find
// each other, exchange a text, an emoji and an image (each side sees them), see unread counts,
// read receipts and typing, edit and delete; then one invites the other to a meeting and the
// other joins it from the invite, so both are in the meeting room.
// Usage: node e2e/im_flow.e2e.mjs --parleyd PATH [--web-root DIR]
// Screenshots go to $PARLEY_E2E_SCREENSHOTS or a fresh temp folder; the run prints where.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
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
if (!parleydPath) {
  console.error('usage: im_flow.e2e.mjs --parleyd PATH [--web-root DIR]');
  process.exit(2);
}

const shots = process.env.PARLEY_E2E_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'parley-e2e-im-screens-'));
mkdirSync(shots, { recursive: true });
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-im-data-'));
let passed = 0;
let server;
let browser;

const step = (name) => console.log(`-- ${name}`);
const pass = (name) => {
  passed++;
  console.log(`PASS ${name}`);
};

function startParleyd() {
  return startProcess(parleydPath, ['--port=0', '--bind=127.0.0.1', `--data-dir=${dataDir}`, '--registration=open', '--argon2-ops=1', '--argon2-mem-kib=8192', '--log-level=warn', `--web-root=${webRoot}`]);
}

// A real PNG (signature, IHDR, IDAT, IEND with CRCs): a 48x32 picture in two colours.
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function makePng(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const left = x < width / 2;
      row.set(left ? [37, 99, 235] : [249, 115, 22], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

const password = 'Correct-Horse-42';
const unique = Date.now().toString(36);

async function newUser(name, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'], viewport, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('dialog', (d) => void d.accept());
  page.on('pageerror', (e) => console.log(`[${name} page error] ${e.message}`));
  return page;
}

async function signIn(page, origin, username) {
  await page.goto(`${origin}/signin`);
  await page.getByLabel(/^(Username|用户名)$/).fill(username);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.locator('form.auth-card button[type=submit]').click();
  await page.locator('#open-messages').waitFor();
}

/** A conversation in the list, by its exact title (previews may mention other names). */
const conv = (page, title) => page.locator('#im-conversations .im-conv').filter({ has: page.locator('.im-conv-title').getByText(title, { exact: true }) });

/** The text of message bubbles in the open thread. */
const bubble = (page, text) => page.locator('#im-message-list .im-msg', { hasText: text });

async function main() {
  step('start parleyd');
  const started = await startParleyd();
  server = started.child;
  const origin = started.origin;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream=fps=15', '--use-fake-ui-for-media-stream'],
  });
  for (const [u, name] of [['ada', 'Ada Lovelace'], ['bo', 'Bo Chen']]) {
    const r = await postJson(origin, '/api/v1/auth/register', { username: `${u}_${unique}`, password, display_name: name });
    if (r.status !== 201) throw new Error(`register ${u}: ${JSON.stringify(r)}`);
  }

  step('both sign in and open Messages from the home screen');
  const ada = await newUser('ada');
  const bo = await newUser('bo');
  await signIn(ada, origin, `ada_${unique}`);
  await signIn(bo, origin, `bo_${unique}`);
  await ada.locator('#open-messages').click();
  await ada.locator('#im[data-ready="true"]').waitFor();
  await bo.locator('#nav-messages').click();
  await bo.locator('#im[data-ready="true"]').waitFor();
  pass('the IM page opens from the home screen and the header');

  step('Ada finds Bo by name and sends a text');
  await ada.locator('#im-find-input').fill('Bo Ch');
  await ada.locator('#im-find-results .im-person', { hasText: 'Bo Chen' }).click();
  await ada.locator('#im-thread-title', { hasText: 'Bo Chen' }).waitFor();
  await ada.locator('#im-input').fill('Hello Bo, are you free?');
  await ada.locator('#im-send').click();
  await bubble(ada, 'Hello Bo, are you free?').waitFor();
  pass('a 1:1 conversation starts from a name search and the sender sees the text');

  step('Bo sees the conversation with an unread count and reads it');
  const boConv = conv(bo, 'Ada Lovelace');
  await boConv.locator('.unread-badge', { hasText: '1' }).waitFor();
  await boConv.locator('.im-conv-preview', { hasText: 'Hello Bo, are you free?' }).waitFor();
  await boConv.locator('.presence-dot.online').waitFor();
  await bo.screenshot({ path: path.join(shots, '01-im-list-unread.png') });
  await boConv.click();
  await bubble(bo, 'Hello Bo, are you free?').waitFor();
  await boConv.locator('.unread-badge').waitFor({ state: 'detached' });
  pass('the receiver sees the new conversation, its unread count and presence, and reading clears the count');

  step('Ada sees the read receipt');
  await bubble(ada, 'Hello Bo, are you free?').locator('.im-seen').waitFor();
  pass('read receipt shown to the sender');

  step('Bo types (Ada sees the typing indicator) and sends emoji from the picker');
  // The indicator lasts while Bo types (and a few seconds after): keep typing until Ada sees it.
  let seenTyping = false;
  for (let attempt = 0; attempt < 6 && !seenTyping; attempt++) {
    await bo.locator('#im-input').fill('');
    await bo.locator('#im-input').pressSequentially('Yes ');
    seenTyping = await ada.locator('#im-typing', { hasText: 'Bo Chen is typing' }).waitFor({ timeout: 10_000 }).then(() => true, () => false);
  }
  if (!seenTyping) throw new Error('Ada never saw that Bo was typing');
  await bo.locator('#im-emoji').click();
  await bo.locator('#im-emoji-panel [data-emoji="🎉"]').click();
  await bo.locator('#im-input').pressSequentially(' 你好 👋🏽');
  await bo.locator('#im-input').press('Enter');
  const emojiText = 'Yes 🎉 你好 👋🏽';
  await bubble(bo, emojiText).waitFor();
  await bubble(ada, emojiText).waitFor();
  await ada.waitForFunction(() => !document.querySelector('#im-typing')?.textContent);
  pass('typing indicator, emoji picker and any Unicode text reach the other side');

  step('Ada sends an image; both see it inline');
  await ada.locator('#im-image-input').setInputFiles({ name: 'picture.png', mimeType: 'image/png', buffer: makePng(48, 32) });
  for (const page of [ada, bo]) {
    await page.waitForFunction(() => {
      const img = document.querySelector('#im-message-list .im-msg[data-kind="image"] img.im-image');
      return img && img.complete && img.naturalWidth === 48 && img.src.startsWith('blob:');
    });
  }
  // Bo pastes a picture into the message field.
  await bo.locator('#im-input').evaluate((el, bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, [...makePng(20, 20)]);
  for (const page of [ada, bo]) {
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#im-message-list .im-msg[data-kind="image"] img.im-image')].some((img) => img.complete && img.naturalWidth === 20),
    );
  }
  pass('an uploaded or pasted image shows inline on both sides (fetched with the sign-in header)');

  step('Ada edits one message and deletes another; Bo sees the edit and the tombstone');
  await ada.locator('#im-input').fill('This one is a mistake');
  await ada.locator('#im-input').press('Enter');
  await bubble(bo, 'This one is a mistake').waitFor();
  const first = bubble(ada, 'Hello Bo, are you free?');
  await first.hover();
  await first.locator('.im-edit').click();
  await ada.locator('.im-edit-input').fill('Hello Bo, are you free at 3?');
  await ada.locator('.im-edit-input').press('Enter');
  await bubble(bo, 'Hello Bo, are you free at 3?').locator('.im-edited').waitFor();
  const mistake = bubble(ada, 'This one is a mistake');
  await mistake.hover();
  await mistake.locator('.im-delete').click();
  const lastSeq = await bo.locator('#im-message-list .im-msg').last().getAttribute('data-seq');
  await bo.locator(`#im-message-list .im-msg.deleted[data-seq="${lastSeq}"] .tombstone`).waitFor();
  await ada.locator(`#im-message-list .im-msg.deleted[data-seq="${lastSeq}"]`).waitFor();
  await ada.screenshot({ path: path.join(shots, '02-im-thread-sender.png') });
  await bo.screenshot({ path: path.join(shots, '03-im-thread-receiver.png') });
  pass('edits show as edited and deletes leave a tombstone on both sides');

  step('a message sent while Bo is away is waiting for him when he comes back');
  await bo.goto(`${origin}/`);
  await bo.locator('#open-messages').waitFor();
  await ada.locator('#im-input').fill('Ping while you were away');
  await ada.locator('#im-input').press('Enter');
  await bubble(ada, 'Ping while you were away').waitFor();
  await bo.locator('#messages-unread', { hasText: /^1$/ }).waitFor();
  await bo.screenshot({ path: path.join(shots, '00-home-unread-messages.png') });
  await bo.locator('#open-messages').click();
  const boConvAgain = conv(bo, 'Ada Lovelace');
  await boConvAgain.locator('.unread-badge', { hasText: '1' }).waitFor();
  await boConvAgain.click();
  await bubble(bo, 'Ping while you were away').waitFor();
  await bubble(bo, emojiText).waitFor();
  pass('messages sent meanwhile show as unread on the home screen and in the list on return');

  step('Bo\'s phone: a second device that goes offline and syncs on reconnect');
  const phone = await newUser('bo-phone', { width: 390, height: 844 });
  // The phone's WebSocket runs through a switch this test can open, like a lost network.
  let offline = false;
  const sockets = new Set();
  await phone.routeWebSocket(/\/ws$/, (ws) => {
    if (offline) {
      ws.close({ code: 1011, reason: 'offline' });
      return;
    }
    ws.connectToServer();
    sockets.add(ws);
    ws.onClose(() => sockets.delete(ws));
  });
  await signIn(phone, origin, `bo_${unique}`);
  await phone.goto(`${origin}/messages`);
  const phoneConv = conv(phone, 'Ada Lovelace');
  await phoneConv.waitFor();
  await phone.screenshot({ path: path.join(shots, '04-im-phone-list.png') });
  await phoneConv.click();
  await bubble(phone, emojiText).waitFor();
  if (await phone.locator('.im-sidebar').isVisible()) throw new Error('on a phone the list should give way to the thread');
  offline = true;
  for (const ws of [...sockets]) ws.close({ code: 1011, reason: 'offline' });
  await phone.locator('#app-banner:not([hidden])').waitFor();
  await ada.locator('#im-input').fill('Sent while your phone was offline');
  await ada.locator('#im-input').press('Enter');
  await bubble(bo, 'Sent while your phone was offline').waitFor(); // Bo's other device has it live
  // Written offline: shown as sending, delivered once the connection is back (same client id).
  await phone.locator('#im-input').fill('Typed on the train');
  await phone.locator('#im-input').press('Enter');
  await phone.locator('#im-message-list .im-msg.pending', { hasText: 'Typed on the train' }).waitFor();
  offline = false;
  await bubble(phone, 'Sent while your phone was offline').waitFor();
  await phone.locator('#app-banner').waitFor({ state: 'hidden' });
  await phone.locator('#im-message-list .im-msg:not(.pending)', { hasText: 'Typed on the train' }).waitFor();
  await bubble(ada, 'Typed on the train').waitFor();
  await bubble(bo, 'Typed on the train').waitFor();
  pass('a second device gets messages live, after a lost connection syncs what it missed, and sends what was written offline');

  step('the phone layout in Simplified Chinese');
  await phone.locator('#lang-select').selectOption('zh-CN');
  await phone.locator('#im-send', { hasText: '发送' }).waitFor();
  await bubble(phone, emojiText).waitFor();
  await phone.screenshot({ path: path.join(shots, '05-im-phone-thread-zh-CN.png') });
  await phone.locator('#im-back').click();
  await phone.locator('.im-sidebar').waitFor({ state: 'visible' });
  await phone.context().close();
  pass('phone layout (list, then thread with a back button) and Chinese texts');

  step('Ada makes a group with Bo, renames it, removes Bo, and leaves');
  await ada.locator('#im-new-group').click();
  await ada.locator('#im-group-name').fill('Launch team');
  await ada.locator('#im-group-search-input').fill('Bo');
  await ada.locator('#im-group-search-results .im-person', { hasText: 'Bo Chen' }).click();
  await ada.locator('#im-group-chosen li', { hasText: 'Bo Chen' }).waitFor();
  await ada.locator('#im-group-create').click();
  await ada.locator('#im-thread-title', { hasText: 'Launch team' }).waitFor();
  await ada.locator('#im-input').fill('Welcome to the launch team');
  await ada.locator('#im-input').press('Enter');
  // Enough notes that the thread opens on its newest page and pages back for the rest.
  const note = (i) => `Note ${String(i).padStart(2, '0')}`;
  for (let i = 1; i <= 55; i++) {
    await ada.locator('#im-input').fill(note(i));
    await ada.locator('#im-input').press('Enter');
  }
  await ada.locator('#im-message-list .im-body', { hasText: /^Note 55$/ }).waitFor();
  const boGroup = conv(bo, 'Launch team');
  await boGroup.locator('.im-conv-preview', { hasText: /^Note 55$/ }).waitFor();
  await boGroup.locator('.unread-badge').waitFor();
  await boGroup.click();
  await bo.locator('#im-message-list .im-body', { hasText: /^Note 55$/ }).waitFor();
  if (await bo.locator('#im-message-list .im-body', { hasText: /^Note 01$/ }).count()) throw new Error('the first page should hold only the newest 50 entries');
  // Scrolling up to the "Show older messages" button pages back (the button does too, for keyboards).
  await bo.locator('#im-older').waitFor();
  await bo.locator('#im-older').scrollIntoViewIfNeeded();
  await bo.locator('#im-message-list .im-body', { hasText: /^Note 01$/ }).waitFor();
  await bubble(bo, 'Welcome to the launch team').waitFor();
  const order = await bo.locator('#im-message-list .im-msg').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
  if (order.some((seq, i) => i > 0 && seq <= order[i - 1])) throw new Error(`messages out of order: ${order}`);
  await bo.locator('#im-older').waitFor({ state: 'hidden' });
  await ada.locator('#im-details-toggle').click();
  await ada.locator('#im-rename-input').fill('Launch crew');
  await ada.locator('#im-rename').click();
  await bo.locator('#im-thread-title', { hasText: 'Launch crew' }).waitFor();
  await bo.locator('#im-message-list .im-event', { hasText: 'renamed the group to “Launch crew”' }).waitFor();
  await ada.screenshot({ path: path.join(shots, '06-im-group-details.png') });
  await ada.getByRole('button', { name: 'Remove Bo Chen from the group' }).click();
  await conv(bo, 'Launch crew').waitFor({ state: 'detached' });
  await bo.locator('#im-empty').waitFor({ state: 'visible' });
  await ada.locator('#im-members li', { hasText: 'Bo Chen' }).waitFor({ state: 'detached' });
  // Added back by name; when the owner leaves, Bo (the longest-standing member) owns the group.
  await ada.locator('#im-add-member-input').fill('Bo Ch');
  await ada.locator('#im-add-member-results .im-person', { hasText: 'Bo Chen' }).click();
  await ada.locator('#im-members li', { hasText: 'Bo Chen' }).waitFor();
  const boCrew = conv(bo, 'Launch crew');
  await boCrew.click();
  await bo.locator('#im-thread-title', { hasText: 'Launch crew' }).waitFor();
  await ada.locator('#im-leave').click();
  await conv(ada, 'Launch crew').waitFor({ state: 'detached' });
  await bo.locator('#im-message-list .im-event', { hasText: 'Ada Lovelace left' }).waitFor();
  await bo.locator('#im-details-toggle').click();
  await bo.locator('#im-members li', { hasText: 'Bo Chen' }).locator('.badge.owner').waitFor();
  await bo.locator('#im-rename-input').waitFor();
  await bo.locator('#im-details-toggle').click();
  pass('group create, history paging backwards in seq order, rename, remove and add members (owner), and the owner leaving hands the group on, seen by both');

  step('Ada invites Bo to a meeting; Bo joins from the invite');
  await conv(ada, 'Bo Chen').click();
  await conv(bo, 'Ada Lovelace').click();
  await bubble(bo, 'Sent while your phone was offline').waitFor();
  await ada.locator('#im-invite').click();
  await ada.waitForURL(/\/j\/[0-9]{11}$/);
  const meetingId = /\/j\/([0-9]{11})$/.exec(ada.url())[1];
  const invite = bo.locator(`#im-message-list .im-invite[data-meeting-id="${meetingId}"]`);
  await invite.waitFor();
  await bo.screenshot({ path: path.join(shots, '07-im-invite.png') });
  await ada.locator('#join-now').click();
  await ada.locator('#room').waitFor();
  await invite.getByRole('button', { name: `Join meeting ${meetingId}` }).click();
  await bo.waitForURL(new RegExp(`/j/${meetingId}$`));
  await bo.locator('#join-now').click();
  await bo.locator('#room').waitFor();
  for (const [page, other] of [[ada, 'Bo Chen'], [bo, 'Ada Lovelace']]) {
    await page.locator('#btn-participants').click();
    await page.locator('#people-list .person', { hasText: other }).waitFor();
  }
  await bo.screenshot({ path: path.join(shots, '08-meeting-from-invite.png') });
  pass('the invitee joins the meeting from the Join button and both are in the room');
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
  await stopServer(server);
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`screenshots: ${shots}`);
console.log(`${passed} passed${failed ? ', FAILED' : ''}`);
process.exit(failed ? 1 : 0);
