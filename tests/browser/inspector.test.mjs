// The inspector as a user sees it: real headless chromium against the built `blandhook listen`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import {
  artifactPath, fixture, hmac, launchBrowser, rawRequest, sendWebhook, startListener,
} from './harness.mjs';

const SECRET = 'whsec_browser_test';
let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// The rows in the list, top to bottom, as the user reads them.
async function rows(page) {
  return page.$$eval('#list-spacer .item', (items) => items
    .map((item) => ({
      top: new DOMMatrixReadOnly(getComputedStyle(item).transform).m42,
      id: Number(item.dataset.id),
      request: item.querySelector('.req').textContent,
      answer: item.querySelector('.badge').textContent,
      kind: item.querySelector('.kind').textContent,
      callId: item.querySelector('.cid').textContent,
      outcome: item.querySelector('.out').textContent,
      signature: item.querySelector('.sig').textContent,
      valid: item.querySelector('.val').textContent,
    }))
    .sort((a, b) => a.top - b.top));
}

async function openInspector(url, { viewport } = {}) {
  const page = await browser.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('dialog', async (dialog) => { errors.push(`dialog: ${dialog.message()}`); await dialog.dismiss(); });
  await page.goto(url);
  await page.waitForSelector('#live.on');
  return { page, errors };
}

async function selectRow(page, predicate) {
  await page.waitForFunction(predicate);
  await page.evaluate(`(${predicate.toString()})().click()`);
}

function withCallId(body, callId, changes = {}) {
  const value = JSON.parse(body);
  value.call_id = callId;
  if ('c_id' in value) value.c_id = callId;
  return JSON.stringify(Object.assign(value, changes));
}

describe('live list', () => {
  let listener;
  before(async () => { listener = await startListener(['--secret', SECRET]); });
  after(async () => { await listener.stop(); });

  test('webhooks sent while the page is open appear at the top without a reload', async () => {
    const { page, errors } = await openInspector(listener.inspector);
    await page.evaluate(() => { window.__sameDocument = true; });
    const busy = withCallId(fixture('error-busy'), 'live-list-busy');
    await sendWebhook(listener.base, busy, { headers: { 'X-Webhook-Signature': hmac(SECRET, busy) } });
    await sendWebhook(listener.base, withCallId(fixture('completed-outbound'), 'live-list-done'),
                      { path: '/hooks/bland?attempt=1' });
    await sendWebhook(listener.base, fixture('live-event'));
    await page.waitForFunction(() => document.querySelectorAll('#list-spacer .item').length >= 3);
    const list = await rows(page);
    assert.equal(list[0].kind, 'live-event');
    assert.equal(list[1].callId, 'live-list-done');
    assert.equal(list[1].request, 'POST /hooks/bland?attempt=1');
    assert.equal(list[1].answer, '200');
    assert.equal(list[1].signature, 'missing');
    assert.equal(list[2].callId, 'live-list-busy');
    assert.equal(list[2].kind, 'post-call');
    assert.match(list[2].outcome, /busy/);
    assert.equal(list[2].signature, 'valid');
    assert.ok(list[0].id > list[1].id && list[1].id > list[2].id, 'newest first');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload happened');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('filters by kind, call_id, status and free text, for history and live rows', async () => {
    await sendWebhook(listener.base, withCallId(fixture('no-answer'), 'filter-no-answer'));
    await sendWebhook(listener.base, withCallId(fixture('completed-inbound'), 'filter-inbound',
                                                { summary: 'The caller asked about zebra crossings.' }));
    const { page } = await openInspector(listener.inspector);
    await page.selectOption('#filters select[name=kind]', 'live-event');
    await page.waitForFunction(() => [...document.querySelectorAll('#list-spacer .item .kind')]
      .every((k) => k.textContent === 'live-event') && document.querySelector('#list-spacer .item'));
    // A live row that does not match stays out; one that matches comes in.
    await sendWebhook(listener.base, withCallId(fixture('error-busy'), 'filter-live-busy'));
    await sendWebhook(listener.base, fixture('live-event'));
    await page.waitForFunction(() => document.querySelectorAll('#list-spacer .item').length >= 2);
    assert.ok((await rows(page)).every((r) => r.kind === 'live-event'));

    await page.selectOption('#filters select[name=kind]', '');
    await page.fill('#filters input[name=q]', 'zebra crossings');
    await page.waitForFunction(() => {
      const items = document.querySelectorAll('#list-spacer .item .cid');
      return items.length === 1 && items[0].textContent === 'filter-inbound';
    });
    await page.fill('#filters input[name=q]', '');
    await page.fill('#filters input[name=call_id]', 'filter-no-answer');
    await page.waitForFunction(() => {
      const items = document.querySelectorAll('#list-spacer .item .cid');
      return items.length === 1 && items[0].textContent === 'filter-no-answer';
    });
    await page.fill('#filters input[name=call_id]', '');
    await page.fill('#filters input[name=status]', 'busy');
    await page.waitForFunction(() => {
      const items = [...document.querySelectorAll('#list-spacer .item .cid')].map((c) => c.textContent);
      return items.length >= 2 && items.includes('filter-live-busy') && items.includes('live-list-busy') &&
             !items.includes('filter-no-answer');
    });
    await page.close();
  });
});

describe('history', () => {
  let listener;
  const count = 650;
  before(async () => {
    listener = await startListener();
    const body = fixture('completed-outbound');
    for (let i = 0; i < count; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) =>
        sendWebhook(listener.base, withCallId(body, `history-${i + j}`))));
    }
  });
  after(async () => { await listener.stop(); });

  test('the capture log is listed on open, newest first, and pages in while scrolling', async () => {
    const { page } = await openInspector(listener.inspector);
    await page.waitForFunction((n) => document.getElementById('total').textContent === `${n} captures`, count);
    const first = await rows(page);
    assert.equal(first[0].id, count, 'the newest capture is on top');
    assert.ok(first.length < 100, `only the rows in view are in the DOM (${first.length})`);
    // Scroll to the end until the oldest capture is there: three more pages come in on the way.
    await page.waitForFunction(() => {
      const list = document.getElementById('list');
      list.scrollTop = list.scrollHeight;
      const ids = [...document.querySelectorAll('#list-spacer .item')].map((i) => Number(i.dataset.id));
      return ids.includes(1);
    }, null, { polling: 100, timeout: 20000 });
    const last = await rows(page);
    assert.equal(last[last.length - 1].id, 1);
    const height = await page.$eval('#list-spacer', (s) => s.getBoundingClientRect().height);
    const rowHeight = await page.$eval('#list-spacer .item', (i) => i.getBoundingClientRect().height);
    assert.equal(Math.round(height / rowHeight), count, 'every capture has its place in the list');
    await page.close();
  });
});

describe('whole history', () => {
  let listener;
  const count = 700; // more than three pages of 200: the oldest rows are not in the page
  before(async () => {
    listener = await startListener();
    const live = fixture('live-event');
    const post = fixture('completed-outbound');
    // The oldest call: a live event, its post-call webhook and the delayed one with citations.
    await sendWebhook(listener.base, withCallId(live, 'story-call'));
    await sendWebhook(listener.base, withCallId(post, 'story-call', { summary: 'draft summary' }));
    await sendWebhook(listener.base, withCallId(post, 'story-call', {
      summary: 'final summary', citations: [{ variable: 'name' }], corrected_transcript: 'Hello.',
    }));
    for (let i = 3; i < count; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        sendWebhook(listener.base, withCallId(live, `other-${i + j}`))));
    }
  });
  after(async () => { await listener.stop(); });

  test('the search box searches the whole history on the server, not the rows the page holds', async () => {
    const { page, errors } = await openInspector(listener.inspector);
    await page.waitForFunction((n) => document.getElementById('total').textContent === `${n} captures`, count);
    const loaded = await page.evaluate(() => document.getElementById('list-spacer').getBoundingClientRect().height /
      document.querySelector('#list-spacer .item').getBoundingClientRect().height);
    assert.ok(loaded < count, `the page holds only the first pages (${loaded} rows)`);
    await page.fill('#filters input[name=q]', 'FINAL SUMMARY');
    await page.waitForFunction(() => document.querySelectorAll('#list-spacer .item').length === 1 &&
                                     document.querySelector('#list-spacer .item').dataset.id === '3');
    const found = await rows(page);
    assert.equal(found[0].kind, 'delayed-post-call');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('"show the call" opens the call: its rows grouped in order and what the delayed webhook changed', async () => {
    const { page, errors } = await openInspector(listener.inspector);
    await page.fill('#filters input[name=call_id]', 'story-call');
    await page.waitForFunction(() => document.querySelectorAll('#list-spacer .item').length === 3);
    // The rows of one call carry the same colour stripe.
    const hues = await page.$$eval('#list-spacer .item', (items) => items.map((i) => i.style.getPropertyValue('--call-hue')));
    assert.equal(new Set(hues).size, 1);
    assert.notEqual(hues[0], '');
    await page.click('#list-spacer .item[data-id="1"]');
    await page.waitForFunction(() => document.getElementById('detail-title').textContent.startsWith('#1 '));
    await page.click('#act-call');
    await page.waitForFunction(() => document.querySelectorAll('#call-rows .call-row').length === 3);
    assert.equal(await page.isVisible('#call'), true);
    assert.match(await page.textContent('#call-title'), /call story-call: 3 captures/);
    const order = await page.$$eval('#call-rows .call-row', (items) => items.map((i) => [i.dataset.id, i.querySelector('.kind').textContent]));
    assert.deepEqual(order, [['1', 'live-event'], ['2', 'post-call'], ['3', 'delayed-post-call']]);
    assert.match(await page.textContent('#call-changes h3'), /post-call #2 → delayed #3: 3 changes/);
    const changes = await page.$$eval('#call-changes tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    assert.deepEqual(changes.find((c) => c[1] === '/summary'), ['~', '/summary', '"draft summary"', '"final summary"']);
    assert.deepEqual(changes.find((c) => c[1] === '/citations'), ['+', '/citations', '', '[{"variable":"name"}]']);
    // A row of the call opens that capture; the address bar names the call.
    assert.equal(new URL(page.url()).hash, '#call=story-call');
    await page.click('#call-rows .call-row[data-id="2"]');
    await page.waitForFunction(() => document.getElementById('detail-title').textContent.startsWith('#2 '));
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('detail', () => {
  let listener;
  before(async () => {
    listener = await startListener(['--secret', SECRET]);
    // A realistic list around the captures under test (and for the screenshot in the docs).
    const signed = (body) => ({ headers: { 'X-Webhook-Signature': hmac(SECRET, body) } });
    for (const name of ['live-event', 'completed-inbound', 'error-busy', 'voicemail', 'no-answer',
                        'warm-transfer', 'error-spam-blocked', 'citations-event']) {
      const body = fixture(name);
      await sendWebhook(listener.base, body, name === 'no-answer' ? { headers: { 'X-Webhook-Signature': 'bad' } }
                                                                  : signed(body));
    }
  });
  after(async () => { await listener.stop(); });

  test('shows the request, the body as tree and raw text, and findings that point at their field', async () => {
    const body = JSON.stringify(Object.assign(JSON.parse(withCallId(fixture('completed-outbound'), 'detail-findings')),
                                              { call_length: 'twelve' }), null, 1);
    await sendWebhook(listener.base, body, { path: '/detail?x=1', headers: { 'X-Custom-Header': 'kept' } });
    const { page } = await openInspector(listener.inspector);
    await selectRow(page, () => [...document.querySelectorAll('#list-spacer .item')]
      .find((i) => i.querySelector('.cid').textContent === 'detail-findings'));
    await page.waitForSelector('#detail:not([hidden]) #detail-title');
    assert.match(await page.textContent('#detail-title'), /^#\d+ POST \/detail\?x=1$/);
    await page.click('.tabs [data-tab=request]');
    const request = await page.textContent('#tab-request');
    assert.match(request, /POST \/detail\?x=1 HTTP\/1\.1/);
    assert.match(request, /X-Custom-Header\s*kept/i);
    await page.click('.tabs [data-tab=raw]');
    assert.equal(await page.textContent('#tab-raw'), body, 'raw text is the exact body');
    const finding = page.locator('#findings li', { hasText: '/call_length' });
    await finding.first().click();
    const highlighted = await page.waitForSelector('#tab-tree .highlight');
    assert.match(await highlighted.textContent(), /"call_length": "twelve"/);
    assert.equal(await page.isVisible('#tab-tree'), true);
    // The tree folds: closing the root hides the field.
    await page.click('#tab-tree > details > summary');
    assert.equal(await page.isVisible('#tab-tree .highlight'), false);
    await page.close();
  });

  test('a post-call payload reads as a chat with corrected transcript and linked citations', async () => {
    const body = fixture('delayed-citations');
    const payload = JSON.parse(body);
    await sendWebhook(listener.base, body, { headers: { 'X-Webhook-Signature': hmac(SECRET, body) } });
    const { page } = await openInspector(listener.inspector);
    await selectRow(page, () => [...document.querySelectorAll('#list-spacer .item')]
      .find((i) => i.querySelector('.kind').textContent === 'delayed-post-call'));
    await page.waitForSelector('#tab-conversation.active .chat');
    const messages = await page.$$eval('#tab-conversation .msg', (ms) => ms.map((m) => ({
      side: m.classList.contains('user') ? 'user' : 'assistant',
      text: m.lastChild.textContent,
      who: m.querySelector('.who').textContent,
    })));
    assert.equal(messages.length, payload.transcripts.length);
    payload.transcripts.forEach((turn, i) => {
      assert.equal(messages[i].text, turn.text);
      assert.equal(messages[i].side, turn.user === 'user' ? 'user' : 'assistant');
      assert.match(messages[i].who, new RegExp(`^${turn.user} · \\d\\d:\\d\\d:\\d\\d`));
    });
    assert.equal(await page.textContent('#tab-conversation .summary-text'), payload.summary);
    const segments = await page.$$eval('#tab-conversation .seg', (s) => s.length);
    assert.equal(segments, payload.corrected_transcript.length);
    assert.match(await page.textContent('#verdicts'), /signature valid \(raw\)/);
    // A citation links to the utterance it cites.
    const cited = payload.citations[0].cited_utterances[1];
    await page.locator('#tab-conversation a.cite', { hasText: cited.transcript }).click();
    const target = await page.waitForSelector('#tab-conversation .seg.highlight');
    assert.ok((await target.textContent()).includes(cited.transcript));
    const tables = await page.textContent('#tab-conversation');
    for (const [key, value] of Object.entries(payload.variables || {}).slice(0, 3)) {
      assert.ok(tables.includes(key) && tables.includes(typeof value === 'string' ? value : JSON.stringify(value)));
    }
    for (const key of Object.keys(payload.metadata || {})) assert.ok(tables.includes(key));
    await page.evaluate(() => { document.getElementById('detail').scrollTop = 0; });
    await page.screenshot({ path: artifactPath('inspector-laptop.png') });
    await page.close();
  });

  test('is readable at phone width: the list fills the screen and the detail covers it', async () => {
    const { page } = await openInspector(listener.inspector, { viewport: { width: 390, height: 844 } });
    await page.waitForSelector('#list-spacer .item');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling');
    await page.screenshot({ path: artifactPath('inspector-phone-list.png') });
    await selectRow(page, () => [...document.querySelectorAll('#list-spacer .item')]
      .find((i) => i.querySelector('.kind').textContent === 'delayed-post-call'));
    await page.waitForSelector('#tab-conversation.active .chat');
    const box = await page.$eval('#detail', (d) => d.getBoundingClientRect().toJSON());
    assert.deepEqual([box.x, box.width], [0, 390]);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390));
    await page.screenshot({ path: artifactPath('inspector-phone-detail.png') });
    await page.click('#detail-back');
    await page.waitForSelector('#detail', { state: 'hidden' });
    await page.close();
  });
});

describe('actions', () => {
  let listener;
  let target;
  const received = [];
  before(async () => {
    listener = await startListener(['--secret', SECRET]);
    target = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(202, { 'Content-Type': 'text/plain' });
        res.end('accepted by the test app');
      });
    });
    await new Promise((r) => target.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    await listener.stop();
    target.closeAllConnections();
    await new Promise((r) => target.close(r));
  });

  test('copy as curl signs server-side, the fixture downloads, replay shows the answer', async () => {
    const body = withCallId(fixture('voicemail'), 'actions-call');
    await sendWebhook(listener.base, body);
    const { page } = await openInspector(listener.inspector);
    const html = await page.content();
    assert.ok(!html.includes(SECRET), 'the secret never reaches the page');
    await page.click('#list-spacer .item');
    await page.waitForSelector('#detail:not([hidden])');

    await page.click('#act-curl');
    const curl = await (await page.waitForSelector('#curl-text')).textContent();
    assert.ok(curl.includes(`X-Webhook-Signature: ${hmac(SECRET, body)}`), curl);
    assert.ok(curl.includes(`${listener.base}/webhook`));

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#act-fixture')]);
    assert.equal(download.suggestedFilename(), 'actions-call.json');
    const saved = readFileSync(await download.path(), 'utf8');
    assert.equal(saved, `${JSON.stringify(JSON.parse(body), null, 2)}\n`);

    await page.fill('#replay-form input[name=url]', `http://127.0.0.1:${target.address().port}/bland`);
    await page.click('#replay-form button');
    await page.waitForSelector('#replay-status');
    assert.equal(await page.textContent('#replay-status'), '202');
    assert.equal(await page.textContent('#replay-body'), 'accepted by the test app');
    assert.equal(received.length, 1);
    assert.equal(received[0].body, body);
    assert.equal(received[0].headers['x-webhook-signature'], hmac(SECRET, body));
    await page.close();
  });

  test('"answer the next requests with" changes the listener\'s answer live', async () => {
    const { page } = await openInspector(listener.inspector);
    await page.click('#answer-button');
    await page.fill('#answer-form input[name=status]', '503');
    await page.fill('#answer-form input[name=delay_ms]', '0');
    await page.click('#answer-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('answer-summary').textContent === '503');
    const answered = await sendWebhook(listener.base, fixture('live-event'));
    assert.equal(answered.status, 503);
    await page.waitForFunction(() => {
      const items = [...document.querySelectorAll('#list-spacer .item')];
      const newest = items.sort((a, b) => Number(b.dataset.id) - Number(a.dataset.id))[0];
      return newest && newest.querySelector('.badge').textContent === '503';
    });
    await page.click('#answer-reset');
    await page.waitForFunction(() => document.getElementById('answer-summary').textContent === '200');
    assert.equal((await sendWebhook(listener.base, fixture('live-event'))).status, 200);
    await page.close();
  });
});

// Issue 14: the app's answer kept with the capture (point 7) and the list and answer panel
// (point 8).
function appServer(handler) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
async function closeServer(server) {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}
async function deadPort() {
  const server = await appServer(() => {});
  const { port } = server.address();
  await closeServer(server);
  return port;
}

describe('forwarding keeps the app\'s answer', () => {
  let app;
  let listener;
  let down;
  before(async () => {
    app = await appServer((req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-App-Trace': 'trace-77' });
      res.end('{"ok":true,"stored":"fwd-browser"}');
    });
    listener = await startListener(['--forward-to', `http://127.0.0.1:${app.address().port}/hook`]);
    down = await startListener(['--forward-to', `http://127.0.0.1:${await deadPort()}/hook`]);
  });
  after(async () => {
    await listener.stop();
    await down.stop();
    await closeServer(app);
  });

  test('the app\'s status, headers and body show in their own tab; a forward that failed says why', async () => {
    await sendWebhook(listener.base, withCallId(fixture('completed-outbound'), 'fwd-browser'));
    const { page } = await openInspector(listener.inspector);
    await page.click('#list-spacer .item');
    await page.waitForSelector('#detail:not([hidden])');
    assert.match(await page.textContent('#verdicts'), /app 201 in [\d.]+ ms/);
    await page.click('.tabs [data-tab=forward]');
    assert.equal(await page.textContent('#forward-status'), '201');
    assert.match(await page.textContent('#forward-headers'), /X-App-Trace\s*trace-77/i);
    assert.equal(await page.textContent('#forward-body'), '{\n  "ok": true,\n  "stored": "fwd-browser"\n}');
    await page.close();

    await sendWebhook(down.base, fixture('live-event'));
    const failed = await openInspector(down.inspector);
    await failed.page.click('#list-spacer .item');
    await failed.page.waitForSelector('#detail:not([hidden])');
    assert.match(await failed.page.textContent('#verdicts'), /app unreachable: connection refused/);
    await failed.page.click('.tabs [data-tab=forward]');
    assert.match(await failed.page.textContent('#forward-error'), /failed: connection refused/);
    await failed.page.close();
  });
});

describe('the list at a glance', () => {
  let listener;
  const longError = 'Call failed because the destination carrier rejected the connection attempt ' +
                    'after several retries; please verify the number and try again later.';
  before(async () => {
    listener = await startListener(['--secret', SECRET]);
    await sendWebhook(listener.base, withCallId(fixture('completed-outbound'), 'glance-done'));
    await sendWebhook(listener.base, withCallId(fixture('error-busy'), 'glance-busy'));
    await sendWebhook(listener.base, withCallId(fixture('no-answer'), 'glance-no-answer'));
    await sendWebhook(listener.base, withCallId(fixture('error-call-failed'), 'glance-failed',
                                                { error_message: longError }));
  });
  after(async () => { await listener.stop(); });

  test('failed, busy and no-answer calls are flagged with an icon and colour; a completed call is not', async () => {
    const { page } = await openInspector(listener.inspector);
    await page.waitForFunction(() => document.querySelectorAll('#list-spacer .item').length === 4);
    const flags = await page.$$eval('#list-spacer .item', (items) => Object.fromEntries(items.map((item) => {
      const out = item.querySelector('.out');
      const icon = out.querySelector('.flag-icon');
      return [item.querySelector('.cid').textContent, {
        icon: icon ? icon.textContent : null, label: icon ? icon.getAttribute('aria-label') : null,
        color: getComputedStyle(out).color,
      }];
    })));
    assert.deepEqual([flags['glance-failed'].icon, flags['glance-failed'].label], ['✕', 'failed call']);
    assert.deepEqual([flags['glance-busy'].icon, flags['glance-busy'].label], ['⊘', 'line busy']);
    assert.deepEqual([flags['glance-no-answer'].icon, flags['glance-no-answer'].label], ['☏', 'no answer']);
    assert.equal(flags['glance-done'].icon, null);
    const bad = await page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement('span'));
      probe.style.color = 'var(--bad)';
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    });
    assert.equal(flags['glance-failed'].color, bad);
    assert.notEqual(flags['glance-busy'].color, flags['glance-done'].color);
    assert.notEqual(flags['glance-no-answer'].color, flags['glance-done'].color);
    await page.close();
  });

  test('with a detail open the validation column stays visible, error_message wraps on words, times share one format', async () => {
    const { page } = await openInspector(listener.inspector);
    await selectRow(page, () => [...document.querySelectorAll('#list-spacer .item')]
      .find((i) => i.querySelector('.cid').textContent === 'glance-failed'));
    await page.waitForSelector('#detail:not([hidden]) #call-error:not([hidden])');
    const columns = await page.$$eval('#list-spacer .item', (items) => items.map((item) => {
      const cell = item.querySelector('.val').getBoundingClientRect();
      const pane = document.querySelector('.list-pane').getBoundingClientRect();
      return { text: item.querySelector('.val').textContent, width: cell.width, inside: cell.right <= pane.right + 0.5 };
    }));
    for (const column of columns) {
      assert.ok(column.width > 20 && column.inside, `validation column visible: ${JSON.stringify(column)}`);
      assert.ok(column.text.length > 0);
    }
    assert.ok(await page.isVisible('.list-head span:nth-child(9)'));

    // Each word of the error message sits on one line, and the message takes more than one.
    const wrapping = async (selector) => page.$eval(selector, (node, message) => {
      const text = [...node.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent.includes(message.slice(0, 20)));
      const start = text.textContent.indexOf(message);
      const lines = new Set();
      const split = [];
      let at = start;
      for (const word of message.split(' ')) {
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + word.length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        if (rects.length !== 1) split.push(word);
        if (rects.length) lines.add(Math.round(rects[0].top));
        at += word.length + 1;
      }
      return { split, lines: lines.size };
    }, longError);
    const banner = await wrapping('#call-error');
    assert.deepEqual(banner.split, [], 'no word of the banner is cut');
    assert.ok(banner.lines > 1, 'the message wraps');
    await page.click('.tabs [data-tab=conversation]');
    const cell = await page.evaluateHandle((message) => [...document.querySelectorAll('#tab-conversation .kv td')]
      .find((td) => td.textContent === message), longError);
    await cell.evaluate((td) => { td.id = 'error-cell'; });
    const table = await wrapping('#error-cell');
    assert.deepEqual(table.split, [], 'no word of the table cell is cut');
    assert.ok(table.lines > 1);

    const clock = /^\d\d:\d\d:\d\d\.\d{3}$/;
    const listTime = await page.$eval('#list-spacer .item.selected .t', (t) => t.textContent);
    assert.match(listTime, clock);
    const received = await page.$eval('#verdicts', (v) => [...v.children]
      .find((c) => c.textContent.startsWith('received')).lastChild.textContent);
    assert.match(received, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    assert.ok(received.endsWith(listTime));
    await page.click('.tabs [data-tab=request]');
    const requestTime = await page.$eval('#tab-request', (tab) => [...tab.querySelectorAll('.kv tr')]
      .find((tr) => tr.querySelector('th').textContent === 'time').querySelector('td').textContent);
    assert.equal(requestTime, received);
    await page.close();
  });

  test('the answer panel sets every fault-injection option listen has', async () => {
    const { page } = await openInspector(listener.inspector);
    const apply = async (fields, summary) => {
      if (!(await page.isVisible('#answer-form'))) await page.click('#answer-button');
      await page.click('#answer-reset');
      await page.waitForFunction(() => document.getElementById('answer-summary').textContent === '200');
      for (const [name, value] of Object.entries(fields)) {
        const selector = `#answer-form [name=${name}]`;
        if (typeof value === 'boolean') await page.setChecked(selector, value);
        else await page.fill(selector, value);
      }
      await page.click('#answer-form button[type=submit]');
      await page.waitForFunction((text) => document.getElementById('answer-summary').textContent === text, summary);
    };
    const post = (body, headers = {}) => fetch(`${listener.base}/webhook`, {
      method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
    const body = withCallId(fixture('completed-outbound'), 'panel-call');

    await apply({ status: '429', delay_ms: '300', headers: 'Retry-After: 30\nX-Test: panel' },
                '429 +300 ms 2 headers');
    const started = Date.now();
    const slow = await post(body);
    assert.ok(Date.now() - started >= 300, 'the delay holds the answer back');
    assert.equal(slow.status, 429);
    assert.equal(slow.headers.get('retry-after'), '30');
    assert.equal(slow.headers.get('x-test'), 'panel');

    await apply({ respond_sequence: '500,503,200' }, '500,503,200');
    assert.deepEqual([(await post(body)).status, (await post(body)).status, (await post(body)).status,
                      (await post(body)).status], [500, 503, 200, 200]);

    await apply({ require_signature: true }, '200 signed only');
    assert.equal((await post(body)).status, 401);
    assert.equal((await post(body, { 'X-Webhook-Signature': hmac(SECRET, body) })).status, 200);

    await apply({ fail_rate: '1', fail_status: '502' }, '200 100 % 502');
    assert.equal((await post(body)).status, 502);

    await apply({ drop: true }, 'drop');
    await assert.rejects(post(body), 'a dropped request gets no answer');

    // The form shows the listener's settings as they are, headers included.
    await apply({ headers: 'X-Kept: yes' }, '200 1 header');
    await page.reload();
    await page.waitForFunction(() => document.getElementById('answer-summary').textContent === '200 1 header');
    assert.equal(await page.inputValue('#answer-form [name=headers]'), 'X-Kept: yes');
    await page.click('#answer-button');
    await page.click('#answer-reset');
    await page.close();
  });
});

describe('safety', () => {
  let listener;
  before(async () => { listener = await startListener(); });
  after(async () => { await listener.stop(); });

  test('a hostile payload is shown as text and runs nothing', async () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const payload = JSON.parse(fixture('completed-outbound'));
    Object.assign(payload, {
      call_id: `<script>window.__pwned=3</script>`,
      summary: evil,
      recording_url: 'javascript:window.__pwned=4',
      error_message: '<svg onload="window.__pwned=5">',
      metadata: { link: 'javascript:alert(1)', html: evil, '<b onmouseover=alert(1)>': 'key' },
    });
    payload.transcripts[0].text = evil;
    payload.transcripts[0].user = '<img src=x onerror=alert(2)>';
    const body = JSON.stringify(payload);
    await sendWebhook(listener.base, body, {
      path: '/%3Cscript%3Ealert(1)%3C/script%3E?<img src=x onerror=alert(3)>',
      headers: { 'X-Evil': '<script>alert(4)</script>' },
    });
    const { page, errors } = await openInspector(listener.inspector);
    await page.click('#list-spacer .item');
    await page.waitForSelector('#tab-conversation.active .chat');
    for (const tab of ['conversation', 'tree', 'raw', 'request']) {
      await page.click(`.tabs [data-tab=${tab}]`);
      await page.mouse.move(10, 10);
    }
    for (const link of await page.$$('#tab-conversation a, #tab-request a')) await link.click({ modifiers: [] }).catch(() => {});
    await page.click('.tabs [data-tab=conversation]');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(errors, [], 'no dialog, no script error');
    assert.equal(await page.$$eval('#detail script, #list script', (s) => s.length), 0);
    assert.equal(await page.$$eval('#detail img, #list img, #detail svg', (s) => s.length), 0);
    assert.equal(await page.$$eval('a[href^="javascript:" i]', (a) => a.length), 0);
    assert.ok((await page.textContent('#tab-conversation .summary-text')).includes('<script>window.__pwned=2</script>'),
              'the markup is visible as text');
    assert.equal(await (await page.$('#list-spacer .item .cid')).textContent(), '<script>window.__pwned=3</script>');
    await page.screenshot({ path: artifactPath('inspector-hostile.png') });
    await page.close();
  });

  test('the page is served with a policy that forbids inline script and framing', async () => {
    const res = await rawRequest(listener.inspectorPort, { path: '/_blandhook/' });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-security-policy'], /script-src 'self'/);
    assert.doesNotMatch(res.headers['content-security-policy'], /unsafe-inline/);
    assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.doesNotMatch(res.body, /<script>|<script [^>]*>[^<]/, 'no inline script in the page');
  });

  test('cross-origin and rebinding requests are refused, actions need the page token', async () => {
    const config = async () => JSON.parse((await rawRequest(listener.inspectorPort, { path: '/_blandhook/api/answer' })).body);
    const html = (await rawRequest(listener.inspectorPort, { path: '/_blandhook/' })).body;
    const token = /name="blandhook-token" content="([0-9a-f]+)"/.exec(html)[1];
    const post = (headers) => rawRequest(listener.inspectorPort, {
      method: 'POST', path: '/_blandhook/api/answer', body: '{"status":418}',
      headers: { 'Content-Type': 'application/json', ...headers },
    });
    // DNS rebinding: a foreign name pointing at 127.0.0.1 gets nothing, not even the page.
    for (const target of ['/_blandhook/', '/_blandhook/api/captures', '/_blandhook/api/answer']) {
      const res = await rawRequest(listener.inspectorPort, { path: target, headers: { Host: `evil.example:${listener.inspectorPort}` } });
      assert.equal(res.status, 403, target);
    }
    assert.equal((await post({ 'X-Blandhook-Token': token, Origin: 'http://evil.example' })).status, 403);
    assert.equal((await post({ 'X-Blandhook-Token': token, 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    assert.equal((await post({})).status, 403, 'no page token');
    assert.equal((await post({ 'X-Blandhook-Token': 'f'.repeat(32) })).status, 403, 'wrong page token');
    assert.equal((await config()).status, 200, 'nothing changed');

    // From a real page on another origin: the browser sends it, the listener refuses it.
    const evilSite = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>evil</title><p>evil</p>');
    });
    await new Promise((r) => evilSite.listen(0, '127.0.0.1', r));
    const page = await browser.context.newPage();
    await page.goto(`http://localhost:${evilSite.address().port}/`);
    const outcome = await page.evaluate(async (url) => {
      const results = [];
      await fetch(`${url}api/answer`, { method: 'POST', mode: 'no-cors', body: '{"status":418}',
                                        headers: { 'Content-Type': 'text/plain' } }).catch(() => {});
      try {
        const res = await fetch(`${url}api/captures`);
        results.push(`read ${res.status}`);
      } catch (e) { results.push('read blocked'); }
      return results;
    }, listener.inspector);
    assert.deepEqual(outcome, ["read blocked"]);
    assert.equal((await config()).status, 200, 'the cross-origin action changed nothing');
    assert.equal((await post({ 'X-Blandhook-Token': token, Origin: listener.inspectorOrigin })).status, 200,
                 'the page itself may act');
    assert.equal((await config()).status, 418);
    await page.close();
    evilSite.closeAllConnections(); // chromium keeps idle connections open
    await new Promise((r) => evilSite.close(r));
  });
});

describe('bound beyond loopback', () => {
  let listener;
  before(async () => { listener = await startListener(['--host', '0.0.0.0']); });
  after(async () => { await listener.stop(); });

  test('the capture port serves no inspector; the inspector stays on 127.0.0.1 and works', async () => {
    for (const target of ['/_blandhook/', '/_blandhook/api/captures', '/_blandhook/api/answer']) {
      const res = await rawRequest(listener.port, { path: target, headers: { Host: `127.0.0.1:${listener.port}` } });
      assert.equal(res.status, 404, target);
    }
    const sent = await sendWebhook(listener.local, withCallId(fixture('completed-outbound'), 'remote-capture'));
    assert.equal(sent.status, 200);
    assert.match(listener.output(), /inspector: +http:\/\/127\.0\.0\.1:/);
    const { page } = await openInspector(listener.inspector);
    await page.waitForFunction(() => document.querySelector('#list-spacer .item .cid')?.textContent === 'remote-capture');
    await page.close();
  });
});
