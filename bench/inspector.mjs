#!/usr/bin/env node
// Figures for the browser inspector (issue 4), measured in Debian's chromium via playwright-core:
//  1. arrival-to-row: a webhook is POSTed, the time until its row is in the page's DOM (a
//     MutationObserver in the page stamps it; both clocks are this machine's wall clock);
//  2. page load with N captures in the history (listener restarted, so they come from the log);
//  3. paging: the API's answer time for a page of 200 at the top, middle and end of the history,
//     and for a free-text search over all of it.
// Usage: node bench/inspector.mjs [path/to/blandhook] [--webhooks 1000] [--history 10000]
//        [--deep 100000]   (the deep history uses small live-event bodies to keep the log small)
//    or: node bench/inspector.mjs [path/to/blandhook] --history-dir DIR [--call CALL_ID]
//        only the figures for the log already in DIR/captures.ndjson (bench/history.sh makes a
//        million-capture one): first paint, paging, a search over all, one call's view.
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
if (positional[0]) process.env.BLANDHOOK_BINARY = path.resolve(positional[0]);
const { fixture, launchBrowser, sendWebhook, startListener } =
  await import(path.join(here, '../tests/browser/harness.mjs'));

const textOption = (name) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : null;
};
const HISTORY_DIR = textOption('history-dir');
const CALL = textOption('call');
const WEBHOOKS = option('webhooks', 1000);
const HISTORY = option('history', 10000);
const DEEP = option('deep', 100000);

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { n: sorted.length, median: at(0.5), p99: at(0.99), min: sorted[0], max: sorted[sorted.length - 1] };
}
const ms = (v) => `${v.toFixed(1)} ms`;

async function fill(base, count, body, concurrency = 32) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const r = await sendWebhook(base, body);
      if (r.status !== 200) throw new Error(`webhook answered ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

// Stamps, in the page, when each row first enters the DOM and when the list first shows a row.
function stampRows() {
  window.__rowSeen = new Map();
  const start = () => {
    const spacer = document.getElementById('list-spacer');
    new MutationObserver((mutations) => {
      const now = performance.timeOrigin + performance.now();
      for (const m of mutations) {
        for (const node of m.addedNodes) {
          if (node.dataset && node.dataset.id && !window.__rowSeen.has(node.dataset.id)) {
            window.__rowSeen.set(node.dataset.id, now);
            if (window.__firstRow === undefined) window.__firstRow = performance.now();
          }
        }
      }
    }).observe(spacer, { childList: true });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}

// Seven loads of a fresh page: navigation start to the first row in the DOM, with the live
// stream open and the page showing `total` captures.
async function pageLoads(listener, total) {
  const loads = [];
  for (let i = 0; i < 7; ++i) {
    const page = await browser.context.newPage();
    await page.addInitScript(stampRows);
    await page.goto(listener.inspector);
    await page.waitForFunction(() => window.__firstRow !== undefined &&
                                     document.getElementById('live').classList.contains('on'));
    const timing = await page.evaluate(() => ({
      firstRow: window.__firstRow,
      total: document.getElementById('total').textContent,
    }));
    if (timing.total !== `${total} captures`) throw new Error(`page shows "${timing.total}"`);
    loads.push(timing.firstRow);
    await page.close();
  }
  return loads;
}

// A big history already on disk: the figures of issue 13 (first paint, paging, search, a call).
async function historyFigures(dir) {
  const listener = await startListener([], { dir });
  // The peer: the first ten captures of the same log, served by a second listener, loaded in
  // alternation with the big one so that both see the same machine.
  const { mkdtempSync, openSync, readSync, writeFileSync, closeSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const smallDir = mkdtempSync(path.join(tmpdir(), 'blandhook-bench-small-'));
  {
    const fd = openSync(path.join(dir, 'captures.ndjson'), 'r');
    const head = Buffer.alloc(4 << 20);
    const n = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    const lines = head.subarray(0, n).toString('utf8').split('\n').slice(0, 10);
    writeFileSync(path.join(smallDir, 'captures.ndjson'), lines.join('\n') + '\n', { mode: 0o600 });
  }
  const small = await startListener([], { dir: smallDir });
  const out = {};
  try {
    const api = async (query) => {
      const times = [];
      let answer = null;
      for (let i = 0; i < 5; ++i) {
        const t = performance.now();
        const res = await fetch(`${listener.inspectorOrigin}/_blandhook/api/${query}`);
        answer = await res.json();
        if (!res.ok) throw new Error(JSON.stringify(answer));
        times.push(performance.now() - t);
      }
      return { ms: stats(times).median, answer };
    };
    const top = await api('captures?limit=200');
    out.total = top.answer.total;
    out.top = top.ms;
    out.middle = (await api(`captures?limit=200&before=${Math.floor(out.total / 2)}`)).ms;
    out.end = (await api('captures?limit=200&before=201')).ms;
    const search = await api('captures?limit=200&q=no-such-text-anywhere');
    out.search = search.ms;
    if (CALL) {
      const call = await api(`call?call_id=${encodeURIComponent(CALL)}`);
      out.call = call.ms;
      out.callCaptures = call.answer.captures.length;
      out.callChanges = call.answer.changes.length;
    }
    const loads = [];
    const smallLoads = [];
    for (let round = 0; round < 3; ++round) {
      loads.push(...(await pageLoads(listener, out.total)).slice(round === 0 ? 2 : 0));
      smallLoads.push(...(await pageLoads(small, 10)).slice(round === 0 ? 2 : 0));
    }
    out.firstPaint = stats(loads);
    out.smallFirstPaint = stats(smallLoads);
    out.firstPaintCold = (await pageLoads(listener, out.total))[0];
    // Paging in the page: scroll down until the row 20,000 below the newest is rendered.
    if (out.total <= 20000) return out;
    const page = await browser.context.newPage();
    await page.goto(listener.inspector);
    await page.waitForSelector('#live.on');
    const depth = out.total - 20000;
    const t = performance.now();
    await page.waitForFunction((deepest) => {
      const list = document.getElementById('list');
      list.scrollTop = list.scrollHeight;
      return [...document.querySelectorAll('#list-spacer .item')].some((i) => Number(i.dataset.id) <= deepest);
    }, depth, { polling: 'raf', timeout: 300000 });
    out.scrollSeconds = (performance.now() - t) / 1000;
    await page.close();
  } finally {
    await listener.stop({ keep: true });
    await small.stop();
    rmSync(smallDir, { recursive: true, force: true });
  }
  return out;
}

const browser = await launchBrowser();
const results = {};
if (HISTORY_DIR) {
  try {
    const h = await historyFigures(HISTORY_DIR);
    console.log(`inspector on ${h.total} captures: first paint (navigation start to first row, live) ` +
                `median ${ms(h.firstPaint.median)}, p99 ${ms(h.firstPaint.p99)} over ${h.firstPaint.n} loads; ` +
                `first load ${ms(h.firstPaintCold)}`);
    console.log(`the same on its first 10 captures, loaded in alternation: median ${ms(h.smallFirstPaint.median)}, ` +
                `p99 ${ms(h.smallFirstPaint.p99)}; ratio ${(h.firstPaint.median / h.smallFirstPaint.median).toFixed(2)}x`);
    console.log(`inspector API on ${h.total} captures: page of 200 at the top ${ms(h.top)}, middle ${ms(h.middle)}, ` +
                `end ${ms(h.end)}; free-text search over all ${ms(h.search)}` +
                (h.call !== undefined ? `; one call (${h.callCaptures} captures, ${h.callChanges} changes) ${ms(h.call)}` : ''));
    if (h.scrollSeconds !== undefined) {
      console.log(`inspector paging: scrolled through 20000 rows in ${h.scrollSeconds.toFixed(1)} s`);
    }
  } finally {
    await browser.close();
  }
  process.exit(0);
}
try {
  // 1. Arrival to row.
  {
    const listener = await startListener();
    const page = await browser.context.newPage();
    await page.addInitScript(stampRows);
    await page.goto(listener.inspector);
    await page.waitForSelector('#live.on');
    const body = fixture('completed-outbound');
    const latencies = [];
    for (let i = 0; i < WEBHOOKS; ++i) {
      const sent = performance.timeOrigin + performance.now();
      const answer = await sendWebhook(listener.base, body);
      const id = String(JSON.parse(answer.text).id);
      await page.waitForFunction((rowId) => window.__rowSeen.has(rowId), id, { polling: 'raf' });
      latencies.push((await page.evaluate((rowId) => window.__rowSeen.get(rowId), id)) - sent);
    }
    results.arrivalToRow = stats(latencies);
    results.bodyBytes = Buffer.byteLength(body);
    await page.close();
    await listener.stop();
  }

  // 2. Page load with HISTORY captures, read back from the capture log after a restart.
  {
    const first = await startListener();
    const body = fixture('completed-outbound');
    const t0 = performance.now();
    await fill(first.base, HISTORY, body);
    results.fillSeconds = (performance.now() - t0) / 1000;
    await first.stop({ keep: true });
    const listener = await startListener([], { dir: first.dir });
    const loads = await pageLoads(listener, HISTORY);
    results.pageLoad = stats(loads.slice(2)); // the first two warm the disk cache and chromium
    results.pageLoadCold = loads[0];
    await listener.stop();
    const { rmSync } = await import('node:fs');
    rmSync(first.dir, { recursive: true, force: true });
  }

  // 3. Paging through a deep history (small bodies), over the API the page uses.
  if (DEEP > 0) {
    const first = await startListener();
    const body = fixture('live-event');
    const t0 = performance.now();
    await fill(first.base, DEEP, body, 64);
    results.deepFillSeconds = (performance.now() - t0) / 1000;
    await first.stop({ keep: true });
    const listener = await startListener([], { dir: first.dir });
    const timed = async (query) => {
      const times = [];
      for (let i = 0; i < 5; ++i) {
        const t = performance.now();
        const res = await fetch(`${listener.inspectorOrigin}/_blandhook/api/captures?${query}`);
        const page = await res.json();
        if (!res.ok) throw new Error(JSON.stringify(page));
        times.push(performance.now() - t);
      }
      return stats(times).median;
    };
    results.deep = {
      top: await timed('limit=200'),
      middle: await timed(`limit=200&before=${Math.floor(DEEP / 2)}`),
      end: await timed('limit=200&before=201'),
      search: await timed('limit=200&q=no-such-text-anywhere'),
    };
    // And in the page: scroll from the top to the 20,000th row, page by page.
    const page = await browser.context.newPage();
    await page.goto(listener.inspector);
    await page.waitForSelector('#live.on');
    const scrollRows = Math.min(20000, DEEP - 1);
    const t = performance.now();
    await page.waitForFunction((depth) => {
      const list = document.getElementById('list');
      list.scrollTop = list.scrollHeight;
      return document.querySelector(`#list-spacer .item[data-id="${depth}"]`) !== null ||
             [...document.querySelectorAll('#list-spacer .item')].some((i) => Number(i.dataset.id) <= depth);
    }, DEEP - scrollRows, { polling: 'raf', timeout: 120000 });
    results.deep.scrollRows = scrollRows;
    results.deep.scrollSeconds = (performance.now() - t) / 1000;
    await page.close();
    await listener.stop();
    const { rmSync } = await import('node:fs');
    rmSync(first.dir, { recursive: true, force: true });
  }
} finally {
  await browser.close();
}

const a = results.arrivalToRow;
console.log(`arrival to row (${a.n} webhooks of ${results.bodyBytes} B, sequential): ` +
            `median ${ms(a.median)}, p99 ${ms(a.p99)}, min ${ms(a.min)}, max ${ms(a.max)}`);
const l = results.pageLoad;
console.log(`page load with ${HISTORY} captures in the log (navigation start to first row, live): ` +
            `median ${ms(l.median)}, p99 ${ms(l.p99)} over ${l.n} loads; first load ${ms(results.pageLoadCold)}; ` +
            `filling took ${results.fillSeconds.toFixed(1)} s`);
if (results.deep) {
  const d = results.deep;
  console.log(`history of ${DEEP} captures (filled in ${results.deepFillSeconds.toFixed(1)} s): page of 200 at ` +
              `the top ${ms(d.top)}, middle ${ms(d.middle)}, end ${ms(d.end)}; free-text search over all ` +
              `${ms(d.search)}; scrolling the page to the bottom through ${d.scrollRows} rows ${d.scrollSeconds.toFixed(1)} s`);
}
