// End to end in Debian's Chromium against a real parleyd: sign-in and identity in the web client.
// A member sets up TOTP MFA on the account page (QR code and secret), keeps the recovery codes,
// signs out and back in with a TOTP code computed here (RFC 6238 with node's crypto), then with
// a recovery code that works only once. An administrator expires a member's password (who must
// change it at sign-in, the policy's message shown for a weak one), makes the organisation
// require MFA (a member without it is led straight to enrolment), and makes an API key for a
// service account in the admin pages: a REST request signed with it succeeds, and is refused once
// the key is revoked in the page. SAML: the test plays the IdP (an HTTPS server here with its own
// key, signing assertions with xmlsec1 like tests/security): the sign-in page offers SSO, the
// button starts the SP-initiated redirect, the IdP posts a signed assertion to the ACS, and the
// web client finishes the sign-in from the one-time HttpOnly cookie, with no secret in any URL.
// Usage: node e2e/security_flow.e2e.mjs --parleyd PATH [--web-root DIR]
// Screenshots go to $PARLEY_E2E_SCREENSHOTS or a fresh temp folder; the run prints where.
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
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
  console.error('usage: security_flow.e2e.mjs --parleyd PATH [--web-root DIR]');
  process.exit(2);
}

const shots = process.env.PARLEY_E2E_SCREENSHOTS ?? mkdtempSync(path.join(tmpdir(), 'parley-e2e-security-screens-'));
mkdirSync(shots, { recursive: true });
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-security-data-'));
const idpDir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-security-idp-'));
const downloads = mkdtempSync(path.join(tmpdir(), 'parley-e2e-security-downloads-'));
let passed = 0;
let server;
let browser;

const step = (name) => console.log(`-- ${name}`);
const pass = (name) => {
  passed++;
  console.log(`PASS ${name}`);
};
const check = (ok, what) => {
  if (!ok) throw new Error(what);
};

const password = 'Correct-Horse-42';
const unique = Date.now().toString(36);
const names = { nora: `nora_${unique}`, erin: `erin_${unique}`, dana: `dana_${unique}`, bot: `bot_${unique}` };
const idpEntity = 'https://idp.example.test/metadata';
const spEntity = 'https://meet.example.test/saml';
const acsUrl = 'https://meet.example.test/api/v1/auth/saml/acs';
let idpServer;
let idpSso = '';
let parleydOrigin = '';
const idpSeen = { authnRequests: [] };

const iso = (unix) => new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** A SAML Response with one Assertion, signed over the Assertion by the IdP key (xmlsec1). */
function signedResponse(inResponseTo, nameId, role) {
  const now = Math.floor(Date.now() / 1000);
  const id = `_a${randomBytes(12).toString('hex')}`;
  const signature = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>`;
  const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${id}" Version="2.0" IssueInstant="${iso(now)}" Destination="${acsUrl}" InResponseTo="${inResponseTo}"><saml:Issuer>${idpEntity}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="${id}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${idpEntity}</saml:Issuer>${signature}<saml:Subject><saml:NameID>${nameId}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="${inResponseTo}" NotOnOrAfter="${iso(now + 300)}" Recipient="${acsUrl}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(now - 60)}" NotOnOrAfter="${iso(now + 300)}"><saml:AudienceRestriction><saml:Audience>${spEntity}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(now)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue>${role}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="displayName"><saml:AttributeValue>Sam Single</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>`;
  const input = path.join(idpDir, `${id}.xml`);
  const output = path.join(idpDir, `${id}.signed.xml`);
  writeFileSync(input, xml);
  execFileSync('xmlsec1', ['--sign', '--privkey-pem', `${path.join(idpDir, 'idp.key')},${path.join(idpDir, 'idp.pem')}`, '--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion', '--output', output, input], { stdio: 'ignore' });
  return readFileSync(output, 'utf8');
}

/** The test IdP: its SSO URL takes the AuthnRequest and answers a page that posts a signed Response to the ACS. */
function startIdp() {
  const tls = { key: readFileSync(path.join(idpDir, 'idp.key')), cert: readFileSync(path.join(idpDir, 'idp.pem')) };
  idpServer = https.createServer(tls, (req, res) => {
    const url = new URL(req.url, 'https://idp.local');
    const encoded = url.searchParams.get('SAMLRequest');
    if (url.pathname !== '/sso' || !encoded) {
      res.writeHead(404).end();
      return;
    }
    const authn = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
    idpSeen.authnRequests.push({ url: req.url, authn });
    const id = /ID="(_[0-9a-f]{32})"/.exec(authn)?.[1] ?? '';
    const response = Buffer.from(signedResponse(id, `sam.${unique}@example.com`, 'member')).toString('base64');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Test IdP</title><form method="post" action="${parleydOrigin}/api/v1/auth/saml/acs"><input type="hidden" name="SAMLResponse" value="${response}"><input type="hidden" name="RelayState" value=""><button id="idp-continue">Continue</button></form><script>document.forms[0].submit()</script>`);
  });
  return new Promise((resolve) => idpServer.listen(0, '127.0.0.1', () => resolve(`https://127.0.0.1:${idpServer.address().port}/sso`)));
}

// ---- RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s), as an authenticator app computes it ----
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
function totpAt(secret, counter) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', base32Decode(secret)).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 1_000_000).padStart(6, '0');
}
// RFC 6238 Appendix B (SHA-1): the secret "12345678901234567890", T = 59 s → 94287082 (8 digits).
{
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(1n);
  const mac = createHmac('sha1', Buffer.from('12345678901234567890')).update(message).digest();
  const o = mac[19] & 0x0f;
  const v = (((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3]) % 100_000_000;
  check(v === 94287082, 'the TOTP helper matches RFC 6238 Appendix B');
}
/**
 * A code the server has not seen yet: each 30 s step's code is accepted once, and one step either
 * side of the server's clock. `used` remembers the last step spent per secret.
 */
const used = new Map();
async function freshCode(secret) {
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / 30);
    const last = used.get(secret) ?? -1;
    const counter = Math.max(now, last + 1);
    if (counter <= now + 1) {
      used.set(secret, counter);
      return totpAt(secret, counter);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function startParleyd() {
  // The first start of an empty data folder creates `admin` with this password.
  process.env.PARLEY_ADMIN_PASSWORD = password;
  return startProcess(parleydPath, [
    '--port=0',
    '--bind=127.0.0.1',
    `--data-dir=${dataDir}`,
    '--registration=open',
    '--argon2-ops=1',
    '--argon2-mem-kib=8192',
    '--log-level=warn',
    `--web-root=${webRoot}`,
    `--saml-idp-entity-id=${idpEntity}`,
    `--saml-idp-sso-url=${idpSso}`,
    `--saml-idp-cert=${path.join(idpDir, 'idp.pem')}`,
    `--saml-sp-entity-id=${spEntity}`,
    `--saml-acs-url=${acsUrl}`,
  ]);
}

/** A REST request with optional headers; resolves {status, body}. */
function rest(origin, method, route, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const all = { ...headers };
    if (body !== undefined) all['Content-Type'] = 'application/json';
    const req = https.request(`${origin}${route}`, { method, rejectUnauthorized: false, headers: all }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed = null;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
const bearer = (token) => ({ Authorization: `Bearer ${token}` });

/** A request signed with an API key as docs/protocol.md describes (PARLEY-HMAC-SHA256). */
function signedGet(origin, route, keyId, secret) {
  const date = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signingKey = createHmac('sha256', secret).update('parley-request-v1').digest();
  const canonical = ['GET', route, '', date, nonce, createHash('sha256').update('').digest('hex')].join('\n');
  const signature = createHmac('sha256', signingKey).update(canonical).digest('hex');
  return rest(origin, 'GET', route, { Authorization: `PARLEY-HMAC-SHA256 Credential=${keyId}, Signature=${signature}`, 'X-Parley-Date': date, 'X-Parley-Nonce': nonce });
}

async function newPage(name, viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport, locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (e) => console.log(`[${name} page error] ${e.message}`));
  return page;
}

async function signIn(page, origin, username, pw = password) {
  await page.goto(`${origin}/signin`);
  await page.getByLabel(/^(Username|用户名)$/).fill(username);
  await page.getByLabel(/^(Password|密码)$/).fill(pw);
  await page.locator('form.auth-card button[type=submit]').click();
}
async function signOut(page) {
  await page.locator('#sign-out').click();
  await page.waitForURL(/\/signin$/);
}
const tokenOf = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('parley.session') ?? 'null')?.token);
const atHome = async (page) => {
  await page.locator('#nav-account').waitFor();
  check(['/', '/home'].includes(new URL(page.url()).pathname), `signed in at home, not ${page.url()}`);
};

async function main() {
  step('start the test IdP (its key made here) and parleyd with SAML configured for it');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-idp', '-keyout', path.join(idpDir, 'idp.key'), '-out', path.join(idpDir, 'idp.pem')], { stdio: 'ignore' });
  idpSso = await startIdp();
  const started = await startParleyd();
  server = started.child;
  const origin = started.origin;
  parleydOrigin = origin;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  for (const name of [names.nora, names.erin, names.dana]) {
    const r = await postJson(origin, '/api/v1/auth/register', { username: name, password, display_name: name.split('_')[0] });
    check(r.status === 201, `register ${name}: ${JSON.stringify(r)}`);
  }

  step('a member sets up MFA on the account page');
  const nora = await newPage('nora');
  await signIn(nora, origin, names.nora);
  await atHome(nora);
  await nora.locator('#nav-account').click();
  await nora.locator('#mfa-start').click();
  await nora.locator('#mfa-qr').waitFor();
  const qrWidth = await nora.locator('#mfa-qr').evaluate((img) => (img.complete ? img.naturalWidth : 0));
  check(qrWidth > 0, 'the QR code image from the server PNG is shown');
  const secret = await nora.locator('#mfa-secret').getAttribute('data-secret');
  check(/^[A-Z2-7]{32}$/.test(secret ?? ''), `the secret for manual entry is shown: ${secret}`);
  check((await nora.locator('#mfa-secret').textContent()).replace(/\s/g, '') === secret, 'the shown secret is the one to type');
  await nora.screenshot({ path: path.join(shots, '01-account-mfa-enrol.png'), fullPage: true });
  await nora.locator('#mfa-enrol-code').fill('000000' === totpAt(secret, Math.floor(Date.now() / 30000)) ? '111111' : '000000');
  await nora.locator('#mfa-enrol-confirm').click();
  await nora.locator('#mfa-enrol-error', { hasText: /does not match/ }).waitFor();
  await nora.locator('#mfa-enrol-code').fill(await freshCode(secret));
  await nora.keyboard.press('Enter');
  await nora.locator('#recovery-codes').waitFor();
  const codes = (await nora.locator('#recovery-list li').allTextContents()).map((c) => c.trim());
  check(codes.length === 10 && codes.every((c) => /^[a-z0-9]{5}-[a-z0-9]{5}$/i.test(c)), `ten recovery codes shown: ${codes}`);
  const [download] = await Promise.all([nora.waitForEvent('download'), nora.locator('#recovery-download').click()]);
  const file = path.join(downloads, 'codes.txt');
  await download.saveAs(file);
  check(codes.every((c) => readFileSync(file, 'utf8').includes(c)), 'the downloaded file holds every recovery code');
  await nora.screenshot({ path: path.join(shots, '02-recovery-codes.png'), fullPage: true });
  await nora.locator('#recovery-done').click();
  await nora.locator('#mfa-state', { hasText: /is on/ }).waitFor();
  check((await nora.locator('#recovery-list').count()) === 0, 'the recovery codes are shown only once');
  pass('MFA enrolment on the account page: QR code, secret, wrong first code refused, ten recovery codes downloaded');

  step('sign out, sign in with a TOTP code');
  await signOut(nora);
  await signIn(nora, origin, names.nora);
  await nora.locator('#mfa-step').waitFor();
  check(!(await tokenOf(nora)), 'no session before the second factor');
  await nora.locator('#mfa-code').fill('12345');
  await nora.locator('#mfa-submit').click();
  await nora.locator('#mfa-error', { hasText: /6 digits/ }).waitFor();
  await nora.locator('#mfa-code').fill(totpAt(secret, Math.floor(Date.now() / 30000) + 10));
  await nora.locator('#mfa-submit').click();
  await nora.locator('#mfa-error', { hasText: /not valid/ }).waitFor();
  await nora.screenshot({ path: path.join(shots, '03-mfa-wrong-code.png') });
  await nora.locator('#mfa-code').fill(await freshCode(secret));
  await nora.keyboard.press('Enter');
  await atHome(nora);
  check(Boolean(await tokenOf(nora)), 'signed in with a token after the TOTP code');
  pass('sign-in asks for the code, refuses a wrong one with a clear message, accepts the current one');

  step('a recovery code works once');
  await signOut(nora);
  await signIn(nora, origin, names.nora);
  await nora.locator('#mfa-code').fill(codes[0].toUpperCase());
  await nora.locator('#mfa-submit').click();
  await atHome(nora);
  await signOut(nora);
  await signIn(nora, origin, names.nora);
  await nora.locator('#mfa-code').fill(codes[0]);
  await nora.locator('#mfa-submit').click();
  await nora.locator('#mfa-error', { hasText: /not valid/ }).waitFor();
  check(!(await tokenOf(nora)), 'a spent recovery code gives no session');
  await nora.locator('#mfa-code').fill(codes[1]);
  await nora.locator('#mfa-submit').click();
  await atHome(nora);
  pass('a recovery code signs in once; used again it is refused; another one works');

  step('the administrator expires a password; the member must change it at sign-in');
  const admin = await newPage('admin');
  await signIn(admin, origin, 'admin');
  await atHome(admin);
  await admin.goto(`${origin}/admin/users`);
  const erinRow = admin.locator(`#users-rows tr[data-user="${names.erin}"]`);
  await erinRow.locator('button[data-action="expire-password"]').click();
  await admin.locator('#users-status', { hasText: `${names.erin} must choose a new password` }).waitFor();
  const erin = await newPage('erin', { width: 390, height: 780 });
  await signIn(erin, origin, names.erin);
  await erin.locator('#password-step').waitFor();
  await erin.locator('#new-password').fill('short');
  await erin.locator('#repeat-password').fill('short');
  await erin.locator('#password-change-submit').click();
  await erin.locator('#password-change-error', { hasText: /does not meet the policy: .+/ }).waitFor();
  console.log(`   policy message: ${await erin.locator('#password-change-error').textContent()}`);
  await erin.screenshot({ path: path.join(shots, '04-password-change-phone.png'), fullPage: true });
  await erin.locator('#new-password').fill('Brand-New-Pass-77');
  await erin.locator('#repeat-password').fill('Brand-New-Pass-78');
  await erin.locator('#password-change-submit').click();
  await erin.locator('#password-change-error', { hasText: /differ/ }).waitFor();
  await erin.locator('#repeat-password').fill('Brand-New-Pass-77');
  await erin.locator('#password-change-submit').click();
  await atHome(erin);
  check((await postJson(origin, '/api/v1/auth/login', { username: names.erin, password })).status === 401, 'the old password no longer signs in');
  pass('expired password: the change step shows the policy message, then signs in with the new password (phone layout)');

  step('the organisation requires MFA: a member without it enrols at sign-in');
  await admin.goto(`${origin}/admin/organisation`);
  await admin.locator('#org-require-mfa').check();
  await admin.locator('#org-save').click();
  await admin.locator('#org-status', { hasText: /Saved/ }).waitFor();
  const dana = await newPage('dana');
  await signIn(dana, origin, names.dana);
  await dana.locator('#enrol-step').waitFor();
  await dana.locator('#mfa-qr').waitFor();
  const danaSecret = await dana.locator('#mfa-secret').getAttribute('data-secret');
  check(!(await tokenOf(dana)), 'no session before enrolment is confirmed');
  await dana.screenshot({ path: path.join(shots, '05-required-enrolment.png'), fullPage: true });
  await dana.locator('#mfa-enrol-code').fill(await freshCode(danaSecret));
  await dana.locator('#mfa-enrol-confirm').click();
  await dana.locator('#recovery-codes').waitFor();
  check((await dana.locator('#recovery-list li').count()) === 10, 'recovery codes shown after the required enrolment');
  await dana.locator('#recovery-done').click();
  await atHome(dana);
  await signOut(dana);
  await signIn(dana, origin, names.dana);
  await dana.locator('#mfa-code').fill(await freshCode(danaSecret));
  await dana.locator('#mfa-submit').click();
  await atHome(dana);
  // Back to no requirement, so the administrator's own sign-ins below stay one step.
  await admin.locator('#org-require-mfa').uncheck();
  await admin.locator('#org-save').click();
  await admin.locator('#org-status', { hasText: /Saved/ }).waitFor();
  pass('org-required MFA leads straight to enrolment, then the code is asked at every sign-in');

  step('API key for a service account: made in the page, signs a request, refused after revocation');
  await admin.goto(`${origin}/admin/keys`);
  await admin.locator('#sa-username').fill(names.bot);
  await admin.locator('#sa-create').click();
  await admin.locator('#keys-status', { hasText: names.bot }).waitFor();
  check((await admin.locator('#key-owner').inputValue()) === names.bot, 'the new service account is the owner of the next key');
  await admin.locator('#key-name').fill('e2e bot');
  await admin.locator('#key-create').click();
  await admin.locator('#key-secret').waitFor();
  const keyId = (await admin.locator('#new-key-id').textContent()).trim();
  const keySecret = (await admin.locator('#new-key-secret').textContent()).trim();
  check(/^PK[A-Z2-7]{18}$/.test(keyId) && keySecret.length === 43, `key id and secret shown: ${keyId}`);
  await admin.screenshot({ path: path.join(shots, '06-api-key-secret.png'), fullPage: true });
  await admin.locator('#key-secret-done').click();
  check(!(await admin.content()).includes(keySecret), 'the secret is gone from the page once hidden');
  const me = await signedGet(origin, '/api/v1/me', keyId, keySecret);
  check(me.status === 200 && me.body?.user?.username === names.bot, `signed request as the service account: ${JSON.stringify(me)}`);
  const row = admin.locator(`#keys-table tr[data-key="${keyId}"]`);
  await row.locator('button[data-action="revoke"]').click();
  await admin.locator('#confirm-ok').click();
  await row.locator('.key-state', { hasText: 'Revoked' }).waitFor();
  const refused = await signedGet(origin, '/api/v1/me', keyId, keySecret);
  check(refused.status === 401, `a revoked key is refused: ${refused.status}`);
  await admin.reload();
  await admin.locator('#keys-table').waitFor();
  check(!(await admin.content()).includes(keySecret), 'the secret is never shown again');
  pass('API key: created for a service account with the secret shown once, signed GET /api/v1/me 200, revoked in the page, then 401');

  step('lockout: after wrong passwords the page says the account is locked and for how long');
  const adminToken = await tokenOf(admin);
  const policy = await rest(origin, 'PUT', '/api/v1/admin/org/security-policy', bearer(adminToken), { lockout_threshold: 2, lockout_seconds: 120 });
  check(policy.status === 200, `policy: ${JSON.stringify(policy)}`);
  let lockedText = '';
  for (let attempt = 0; attempt < 4 && !lockedText; attempt++) {
    await signIn(erin, origin, names.erin, 'Wrong-Password-1');
    const error = erin.locator('form.auth-card .form-error');
    await error.filter({ hasText: /\S/ }).waitFor();
    const text = await error.textContent();
    if (/locked/.test(text)) lockedText = text;
  }
  check(/locked .*Try again in \d+ (s|min)/.test(lockedText), `the lock and its delay are shown: ${lockedText}`);
  console.log(`   ${lockedText}`);
  await erin.screenshot({ path: path.join(shots, '07-locked-phone.png'), fullPage: true });
  pass('lockout shows the server retry delay');

  step('SSO: the button goes to the IdP, whose signed assertion signs the user in; no secret in any URL');
  const guest = await newPage('guest', { width: 390, height: 780 });
  const visited = [];
  guest.on('framenavigated', (f) => {
    if (f === guest.mainFrame()) visited.push(f.url());
  });
  guest.on('request', (r) => visited.push(r.url()));
  await guest.goto(`${origin}/signin`);
  await guest.locator('#sso-signin').waitFor();
  await guest.screenshot({ path: path.join(shots, '08-signin-sso-phone.png'), fullPage: true });
  await guest.locator('#sso-signin').focus();
  await guest.keyboard.press('Enter');
  await atHome(guest);
  const ssoSession = await guest.evaluate(() => JSON.parse(localStorage.getItem('parley.session') ?? 'null'));
  check(ssoSession?.user?.username === `sam.${unique}.example.com`, `signed in as the IdP's user: ${JSON.stringify(ssoSession?.user)}`);
  check(idpSeen.authnRequests.length === 1 && idpSeen.authnRequests[0].authn.includes(`AssertionConsumerServiceURL="${acsUrl}"`), 'the IdP got one AuthnRequest naming our ACS');
  check(visited.some((u) => new URL(u).pathname === '/signin/sso'), `the ACS sent the browser to /signin/sso: ${visited.join(' ')}`);
  check(!visited.some((u) => u.includes(ssoSession.token)), 'the session token is in no URL the browser visited or requested');
  const leftCookies = (await guest.context().cookies()).filter((c) => c.name === 'parley_sso' && c.value);
  check(leftCookies.length === 0, 'the one-time hand-over cookie is cleared once taken');
  await guest.screenshot({ path: path.join(shots, '09-sso-signed-in-phone.png'), fullPage: true });
  const again = await rest(origin, 'POST', '/api/v1/auth/saml/session', {}, {});
  check(again.status === 401, `nothing to take without the cookie: ${again.status}`);
  pass('SSO: SP-initiated redirect, the test IdP posts a signed assertion, the web client finishes the sign-in from the HttpOnly cookie');
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
  idpServer?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(idpDir, { recursive: true, force: true });
  rmSync(downloads, { recursive: true, force: true });
}
console.log(`screenshots: ${shots}`);
console.log(`${passed} passed${failed ? ', FAILED' : ''}`);
process.exit(failed ? 1 : 0);
