// Shared by the browser tests and bench/inspector: starts the built `blandhook listen` on a free
// loopback port, sends webhooks to it, and drives Debian's chromium through playwright-core.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

export const sourceDir = path.resolve(here, '../..');
export const binary = process.env.BLANDHOOK_BINARY || path.join(sourceDir, 'build/blandhook');
export const artifacts = process.env.BLANDHOOK_ARTIFACTS || path.join(here, 'artifacts');

export function fixture(name) {
  return readFileSync(path.join(sourceDir, 'fixtures', `${name}.json`), 'utf8');
}

export function hmac(secret, body) {
  return createHmac('sha256', secret).update(body).digest('hex');
}

// A running `blandhook listen`: { base, local, port, inspector, inspectorPort, inspectorOrigin,
// output(), stop() }. The inspector has a loopback port of its own, printed in the banner.
export async function startListener(extraArgs = [], options = {}) {
  const dir = options.dir || mkdtempSync(path.join(tmpdir(), 'blandhook-browser-'));
  const log = path.join(dir, 'captures.ndjson');
  const args = ['listen', '--port', '0', '--save', log, '--quiet', ...extraArgs];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => { out += chunk; });
  child.stderr.on('data', (chunk) => { err += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const deadline = Date.now() + 20000;
  let base = null;
  while (!base) {
    const match = /blandhook listening on (https?:\/\/\S+)/.exec(out);
    if (match) base = match[1].replace(/\/$/, '');
    else if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`blandhook listen did not start:\n${out}\n${err}`);
    } else await new Promise((r) => setTimeout(r, 20));
  }
  // The banner, with the inspector's own port, follows the readiness line.
  const inspectorLine = /inspector: +http:\/\/127\.0\.0\.1:(\d+)\/_blandhook\//;
  while (!inspectorLine.test(err) && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const inspectorPort = Number((inspectorLine.exec(err) || [])[1]);
  if (!inspectorPort) {
    child.kill('SIGKILL');
    throw new Error(`blandhook listen printed no inspector port:\n${out}\n${err}`);
  }
  const port = Number(new URL(base).port);
  const local = `http://127.0.0.1:${port}`;
  const inspectorOrigin = `http://127.0.0.1:${inspectorPort}`;
  return {
    base, local, port, dir, log, inspectorPort, inspectorOrigin,
    inspector: `${inspectorOrigin}/_blandhook/`,
    output: () => out + err,
    async stop({ keep = false } = {}) {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
      if (!keep && !options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// POSTs `body` to the listener like Bland does; returns { status, text }.
export async function sendWebhook(base, body, { path: target = '/webhook', headers = {} } = {}) {
  const res = await fetch(base + target, {
    method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers },
  });
  return { status: res.status, text: await res.text() };
}

// A raw request with full control over Host and Origin (fetch forbids setting Host).
export function rawRequest(port, { method = 'GET', path: target = '/', headers = {}, body = '' } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, setHost: !headers.Host },
      (res) => {
        let data = '';
        res.on('data', (chunk) => { data += chunk; });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
      });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}

// Debian's chromium, headless, with a fresh profile. Returns { context, close() }.
export async function launchBrowser() {
  const profile = mkdtempSync(path.join(tmpdir(), 'blandhook-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1366, height: 820 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name) {
  mkdirSync(artifacts, { recursive: true });
  return path.join(artifacts, name);
}
