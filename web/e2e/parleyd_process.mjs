// What the end-to-end runs share: starting a real parleyd, stopping it, and a JSON POST to it.
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';

/** Starts `binary` with `args`; resolves {child, origin} once it says where it listens (30 s at most). */
export function startParleyd(binary, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`parleyd did not start:\n${out}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on https:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, origin: `https://localhost:${m[1]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`parleyd exited with ${code}:\n${out}`)));
  });
}

/** Signals parleyd and resolves once it has exited (SIGKILL after 20 s if it lingers). */
export function stopServer(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** POSTs `body` as JSON (the self-signed certificate is accepted); resolves {status, body}. */
export function postJson(origin, route, body) {
  return new Promise((resolve, reject) => {
    const client = origin.startsWith('https:') ? https : http;
    const req = client.request(`${origin}${route}`, { method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
