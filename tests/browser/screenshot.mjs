// Takes docs/inspector.png: the built `blandhook listen`, forwarding to a small app on 127.0.0.1,
// holds a realistic set of captures (completed, busy, no-answer and failed calls, a live event, a
// delayed webhook with citations), and headless chromium shows the list with a forwarded call's
// detail open on the app's answer.
//
//   cmake --build build --target blandhook && node tests/browser/screenshot.mjs [OUT.png]
//
// Uses the browser tests' harness (tests/browser/node_modules from tools/test).
import http from 'node:http';
import path from 'node:path';

import { fixture, hmac, launchBrowser, sendWebhook, sourceDir, startListener } from './harness.mjs';

const SECRET = 'whsec_screenshot';
const out = path.resolve(process.argv[2] || path.join(sourceDir, 'docs/inspector.png'));

// The app behind --forward-to: answers like a typical webhook handler.
const app = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': 'req_7f3a9c21' });
    res.end(JSON.stringify({ received: true, stored_as: 'call-7f3a9c21', queued_jobs: ['crm-sync', 'summary-email'] }));
  });
});
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));

const listener = await startListener(['--secret', SECRET, '--forward-to',
                                      `http://127.0.0.1:${app.address().port}/webhooks/bland`]);
const browser = await launchBrowser();
try {
  const signed = (body) => ({ headers: { 'X-Webhook-Signature': hmac(SECRET, body) } });
  for (const name of ['live-event', 'completed-inbound', 'error-busy', 'voicemail', 'no-answer',
                      'error-call-failed', 'warm-transfer', 'error-spam-blocked', 'citations-event',
                      'completed-outbound']) {
    const body = fixture(name);
    await sendWebhook(listener.base, body, name === 'no-answer' ? { headers: { 'X-Webhook-Signature': 'bad' } }
                                                                : signed(body));
  }
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1366, height: 820 });
  await page.goto(listener.inspector);
  await page.waitForSelector('#live.on');
  await page.waitForFunction(() => document.querySelectorAll('#list-spacer .item').length >= 10);
  // The completed outbound call (the newest row), on the app's answer.
  await page.click('#list-spacer .item');
  await page.waitForSelector('#detail:not([hidden])');
  await page.click('.tabs [data-tab=forward]');
  await page.waitForSelector('#forward-status');
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await listener.stop();
  app.closeAllConnections();
  await new Promise((resolve) => app.close(resolve));
}
