// blandhook inspector: the page served by `blandhook listen` at /_blandhook/.
// Safety rule for this file: every value that comes from a capture is put into the page with
// textContent or as an attribute value through the DOM API, never parsed as HTML.
'use strict';

(() => {
  const API = '/_blandhook/api/';
  const PAGE_SIZE = 200;
  const TOKEN = document.querySelector('meta[name="blandhook-token"]').content;
  const $ = (id) => document.getElementById(id);

  // Creates an element. `props` keys: class, text, title, and data-* / aria-* / other attributes.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = String(value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(path, options = {}) {
    const init = { method: options.method || 'GET', credentials: 'same-origin',
                   headers: { 'X-Blandhook-Token': TOKEN } };
    if (options.json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.json);
    }
    const res = await fetch(API + path, init);
    const text = await res.text();
    let data = text;
    try { data = JSON.parse(text); } catch (e) { /* plain text answer */ }
    if (!res.ok) {
      throw new Error((data && data.error) ? data.error : `${res.status} ${res.statusText}`);
    }
    return data;
  }

  // Every detail pane opens with the same head: a back button (#ID-back, labelled by the pane's
  // data-back; shown on narrow screens) and the pane's title (#ID-title).
  for (const pane of document.querySelectorAll('.detail-pane')) {
    pane.prepend(el('div', { class: 'detail-head' },
      el('button', { id: `${pane.id}-back`, type: 'button', class: 'back',
                     'aria-label': pane.dataset.back, text: '←' }),
      el('h2', { id: `${pane.id}-title` })));
  }

  // ---------------------------------------------------------------------------------------------
  // Formatting

  // One time format on the whole page, in the browser's time zone: 14:03:07.123 where the day is
  // plain (the list, a call's rows, chat turns), 2026-12-01 14:03:07.123 where it is not.
  function pad(n, width = 2) { return String(n).padStart(width, '0'); }
  function clock(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso || '');
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  function stamp(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso || '');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(iso)}`;
  }
  function duration(seconds) {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '';
    if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
    const m = Math.floor(seconds / 60);
    return `${m}m ${pad(Math.round(seconds - m * 60))}s`;
  }
  function bytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }
  function statusClass(status) {
    if (!status) return 'sx';
    return `s${String(status)[0]}`;
  }
  function verdictClass(name) {
    if (name === 'valid-raw' || name === 'valid-canonical') return 'v-ok';
    if (name === 'invalid') return 'v-bad';
    if (name === 'missing') return 'v-warn';
    return 'v-none';
  }
  const VERDICT_TEXT = { 'valid-raw': 'valid (raw)', 'valid-canonical': 'valid (JSON.stringify)',
                         'invalid': 'invalid', 'missing': 'missing', 'not-checked': 'not checked' };
  // The list column is narrow: "valid" for raw-byte signatures, "valid (JSON)" for re-serialised.
  const SHORT_VERDICT = { 'valid-raw': 'valid', 'valid-canonical': 'valid (JSON)', 'not-checked': 'not checked' };
  function validity(row) {
    if (row.kind === 'unknown') return { text: '–', cls: 'v-none' };
    if (row.errors > 0) return { text: `${row.errors} error${row.errors > 1 ? 's' : ''}`, cls: 'v-bad' };
    if (row.warnings > 0) return { text: `${row.warnings} warn`, cls: 'v-warn' };
    return { text: 'valid', cls: 'v-ok' };
  }
  function answerText(answer) {
    if (!answer) return '';
    if (answer.dropped) return 'drop';
    return String(answer.status);
  }
  // Calls that did not happen as planned stand out in the list: failed (or an error_message on a
  // call that did not complete), busy, no answer.
  const FLAGS = {
    failed: { icon: '✕', label: 'failed call' },
    busy: { icon: '⊘', label: 'line busy' },
    'no-answer': { icon: '☏', label: 'no answer' },
  };
  function callFlag(row) {
    const status = String(row.status || '').toLowerCase();
    if (status === 'busy' || status === 'no-answer') return status;
    if (status === 'failed' || (row.error_message && status !== 'completed')) return 'failed';
    return null;
  }
  function outcome(row) {
    const parts = [];
    if (row.status) parts.push(row.status);
    if (row.error_message) parts.push(row.error_message);
    if (!parts.length && row.message) parts.push(row.message);
    return parts.join(' · ');
  }
  function display(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  function pointerToken(key) { return String(key).replace(/~/g, '~0').replace(/\//g, '~1'); }
  function isWebUrl(value) { return typeof value === 'string' && /^https?:\/\//i.test(value); }

  // ---------------------------------------------------------------------------------------------
  // The list: newest first, virtualised (only the rows in view exist in the DOM), paged with a
  // cursor as the user scrolls, live rows prepended from server-sent events.

  const list = $('list');
  const spacer = $('list-spacer');
  const state = {
    rows: [], ids: new Set(), cursor: null, hasMore: true, loading: false, generation: 0,
    latest: 0, total: 0, arrived: 0, selected: null, stream: null, pending: [],
    flushScheduled: false, fresh: new Set(),
  };

  function rowHeight() {
    const value = parseFloat(getComputedStyle(list).getPropertyValue('--row-h'));
    return Number.isFinite(value) && value > 0 ? value : 30;
  }

  function filterParams() {
    const form = new FormData($('filters'));
    const params = new URLSearchParams();
    for (const [key, value] of form.entries()) {
      if (String(value).trim() !== '') params.set(key, String(value).trim());
    }
    return params;
  }
  function filtered() { return [...filterParams().keys()].length > 0; }

  function callHue(callId) {
    let hash = 0;
    for (let i = 0; i < callId.length; ++i) hash = (hash * 31 + callId.charCodeAt(i)) >>> 0;
    return hash % 360;
  }

  function makeRow(row) {
    const sig = row.signature || 'not-checked';
    const valid = validity(row);
    const answer = row.answer || {};
    const item = el('div', { class: 'item row-grid', 'data-id': row.id, role: 'button', tabindex: -1 },
      el('span', { class: 't', title: row.time, text: clock(row.time) }),
      el('span', { class: 'req', title: `${row.method} ${row.path}`, text: `${row.method} ${row.path}` }),
      el('span', {}, el('span', { class: `badge ${answer.dropped ? 'sx' : statusClass(answer.status)}`,
                                  text: answerText(answer) })),
      el('span', { class: 'kind', text: row.kind }),
      el('span', { class: 'cid', title: row.call_id || '', text: row.call_id || '' }),
      outcomeCell(row),
      el('span', { class: 'dur', text: duration(row.duration_s) }),
      el('span', { class: `sig ${verdictClass(sig)}`, title: VERDICT_TEXT[sig] || sig, text: SHORT_VERDICT[sig] || sig }),
      el('span', { class: `val ${valid.cls}`, text: valid.text }));
    // The rows of one call share a colour stripe, so a call's events read as one group.
    const flag = callFlag(row);
    if (flag) item.classList.add(`flag-${flag}`);
    if (row.call_id) {
      item.classList.add('in-call');
      item.style.setProperty('--call-hue', String(callHue(row.call_id)));
    }
    if (state.fresh.has(row.id)) {
      item.classList.add('fresh');
      state.fresh.delete(row.id);
    }
    return item;
  }

  function outcomeCell(row) {
    const flag = callFlag(row);
    const cell = el('span', { class: flag ? `out flag flag-${flag}` : 'out', title: outcome(row) });
    if (flag) cell.append(el('span', { class: 'flag-icon', role: 'img', 'aria-label': FLAGS[flag].label, text: FLAGS[flag].icon }));
    cell.append(outcome(row));
    return cell;
  }

  function render() {
    const h = rowHeight();
    spacer.style.height = `${state.rows.length * h}px`;
    const top = list.scrollTop;
    const first = Math.max(0, Math.floor(top / h) - 10);
    const last = Math.min(state.rows.length, Math.ceil((top + list.clientHeight) / h) + 10);
    const existing = new Map();
    for (const child of [...spacer.children]) existing.set(Number(child.dataset.id), child);
    for (let i = first; i < last; ++i) {
      const row = state.rows[i];
      let node = existing.get(row.id);
      if (node) existing.delete(row.id);
      else spacer.append(node = makeRow(row));
      node.style.transform = `translateY(${i * h}px)`;
      node.classList.toggle('selected', row.id === state.selected);
    }
    for (const node of existing.values()) node.remove();
    $('empty').hidden = state.rows.length > 0 || state.loading || state.hasMore;
    $('empty').textContent = filtered() ? 'No capture matches these filters.'
                                        : 'No captures yet. Send a webhook to this listener.';
    const count = state.total + state.arrived;
    $('total').textContent = filtered()
      ? `${state.rows.length}${state.hasMore ? '+' : ''} matching of ${count}`
      : `${count} capture${count === 1 ? '' : 's'}`;
    if (state.hasMore && !state.loading && last > state.rows.length - 60) loadPage();
  }

  let scrollScheduled = false;
  list.addEventListener('scroll', () => {
    if (scrollScheduled) return;
    scrollScheduled = true;
    requestAnimationFrame(() => { scrollScheduled = false; render(); });
  });
  window.addEventListener('resize', () => render());

  async function loadPage() {
    if (state.loading || !state.hasMore) return;
    state.loading = true;
    const generation = state.generation;
    const params = filterParams();
    params.set('limit', PAGE_SIZE);
    if (state.cursor !== null) params.set('before', state.cursor);
    const firstPage = state.cursor === null;
    try {
      const page = await api(`captures?${params}`);
      if (generation !== state.generation) return;
      for (const row of page.items) {
        if (!state.ids.has(row.id)) {
          state.ids.add(row.id);
          state.rows.push(row);
        }
      }
      state.cursor = page.next_before;
      state.hasMore = page.next_before !== null && page.next_before !== undefined;
      if (firstPage) {
        state.latest = page.latest_id;
        state.total = page.total;
        state.arrived = 0;
        openStream();
      }
    } catch (error) {
      if (generation === state.generation) {
        state.hasMore = false;
        setLive('off', `cannot load captures: ${error.message}`);
      }
    } finally {
      if (generation === state.generation) {
        state.loading = false;
        render();
      }
    }
  }

  function reset() {
    state.generation += 1;
    state.rows = [];
    state.ids = new Set();
    state.cursor = null;
    state.hasMore = true;
    state.loading = false;
    state.pending = [];
    list.scrollTop = 0;
    spacer.replaceChildren();
    loadPage();
  }

  function setLive(mode, text) {
    const live = $('live');
    live.className = `live ${mode}`;
    live.textContent = text || { on: 'live', off: 'disconnected', wait: 'reconnecting…' }[mode];
  }

  // Server-sent events: the server filters with the same parameters as the history, so the live
  // rows obey the filters; `after` makes the stream start exactly where the first page ended.
  function openStream() {
    if (state.stream) state.stream.close();
    const params = filterParams();
    params.set('after', state.latest);
    const generation = state.generation;
    const stream = new EventSource(`${API}events?${params}`);
    state.stream = stream;
    stream.addEventListener('capture', (event) => {
      if (generation !== state.generation) return;
      state.pending.push(JSON.parse(event.data));
      scheduleFlush();
    });
    // The stream fell too far behind (a flood of captures): start over from the newest page.
    stream.addEventListener('reset', () => { if (generation === state.generation) reset(); });
    stream.onopen = () => setLive('on');
    stream.onerror = () => setLive(stream.readyState === EventSource.CLOSED ? 'off' : 'wait');
  }

  function scheduleFlush() {
    if (state.flushScheduled) return;
    state.flushScheduled = true;
    requestAnimationFrame(flush);
  }

  function flush() {
    state.flushScheduled = false;
    const incoming = state.pending.filter((row) => !state.ids.has(row.id));
    state.pending = [];
    if (!incoming.length) return;
    incoming.sort((a, b) => b.id - a.id);
    for (const row of incoming) {
      state.ids.add(row.id);
      state.fresh.add(row.id);
      state.latest = Math.max(state.latest, row.id);
    }
    state.arrived += incoming.length;
    const outOfOrder = state.rows.length && incoming[incoming.length - 1].id < state.rows[0].id;
    state.rows = incoming.concat(state.rows);
    if (outOfOrder) state.rows.sort((a, b) => b.id - a.id);
    // Someone reading further down keeps their place; at the top, new rows slide in.
    const h = rowHeight();
    spacer.style.height = `${state.rows.length * h}px`;
    if (list.scrollTop > 0) list.scrollTop += incoming.length * h;
    render();
  }

  spacer.addEventListener('click', (event) => {
    const item = event.target.closest('.item');
    if (item) select(Number(item.dataset.id));
  });
  list.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const index = state.rows.findIndex((row) => row.id === state.selected);
    const next = state.rows[Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1))];
    if (next) {
      event.preventDefault();
      select(next.id);
      const h = rowHeight();
      const i = state.rows.indexOf(next);
      if (i * h < list.scrollTop) list.scrollTop = i * h;
      else if ((i + 1) * h > list.scrollTop + list.clientHeight) list.scrollTop = (i + 1) * h - list.clientHeight;
    }
  });

  let filterTimer = null;
  $('filters').addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(reset, 250);
  });
  $('filters').addEventListener('submit', (event) => { event.preventDefault(); reset(); });
  $('filters').addEventListener('reset', () => setTimeout(reset, 0));

  // ---------------------------------------------------------------------------------------------
  // One call's story: every capture of the call from the whole history, in order, and what the
  // delayed post-call webhook changed in the post-call body.

  function shortJson(value) {
    const text = value === undefined ? '' : JSON.stringify(value);
    return text.length > 160 ? `${text.slice(0, 157)}…` : text;
  }

  async function openCall(callId) {
    $('call').hidden = false;
    $('call-title').textContent = `call ${callId}`;
    $('call-rows').replaceChildren();
    $('call-changes').replaceChildren();
    history.replaceState(null, '', `#call=${encodeURIComponent(callId)}`);
    try {
      const story = await api(`call?call_id=${encodeURIComponent(callId)}`);
      renderCall(story);
    } catch (error) {
      $('call-title').textContent = `call ${callId}: ${error.message}`;
    }
  }

  function renderCall(story) {
    const n = story.captures.length;
    $('call-title').textContent = `call ${story.call_id}: ${n} capture${n === 1 ? '' : 's'}`;
    const rows = $('call-rows');
    for (const row of story.captures) {
      const item = el('li', { class: 'call-row', 'data-id': row.id, role: 'button', tabindex: 0 },
        el('span', { class: 't', title: row.time, text: clock(row.time) }),
        el('strong', { text: `#${row.id}` }),
        el('span', { class: 'kind', text: row.kind }),
        outcomeCell(row));
      item.addEventListener('click', () => select(row.id));
      rows.append(item);
    }
    const changes = $('call-changes');
    if (story.post_call_id === null || story.delayed_id === null) {
      changes.append(el('p', { class: 'dim', text: story.post_call_id === null
        ? 'No post-call webhook captured for this call.'
        : `Post-call #${story.post_call_id}; no delayed post-call captured.` }));
      return;
    }
    changes.append(el('h3', { text: `post-call #${story.post_call_id} → delayed #${story.delayed_id}: ` +
                                    `${story.changes.length} change${story.changes.length === 1 ? '' : 's'}` }));
    const table = el('table', { class: 'changes' });
    const symbol = { add: '+', remove: '−', replace: '~' };
    for (const change of story.changes) {
      table.append(el('tr', { class: `change ${change.op}` },
        el('td', { class: 'op', text: symbol[change.op] || change.op }),
        el('td', {}, el('code', { text: change.pointer || '(whole body)' })),
        el('td', { class: 'before', text: change.op === 'add' ? '' : shortJson(change.before) }),
        el('td', { class: 'after', text: change.op === 'remove' ? '' : shortJson(change.after) })));
    }
    changes.append(table);
  }

  $('act-call').addEventListener('click', () => { if (detail && detail.call_id) openCall(detail.call_id); });
  $('call-back').addEventListener('click', () => {
    $('call').hidden = true;
    history.replaceState(null, '', location.pathname + location.search);
  });

  // ---------------------------------------------------------------------------------------------
  // Detail

  let detail = null; // the capture shown

  async function select(id) {
    state.selected = id;
    render();
    history.replaceState(null, '', `#${id}`);
    try {
      const capture = await api(`captures/${id}`);
      if (state.selected !== id) return;
      showDetail(capture);
    } catch (error) {
      $('detail').hidden = false;
      $('detail-title').textContent = `#${id}: ${error.message}`;
    }
  }

  function showTab(name) {
    for (const button of document.querySelectorAll('.tabs button')) {
      button.setAttribute('aria-selected', String(button.dataset.tab === name));
    }
    for (const tab of document.querySelectorAll('.tab')) {
      tab.classList.toggle('active', tab.dataset.tab === name);
    }
  }
  for (const button of document.querySelectorAll('.tabs button')) {
    button.addEventListener('click', () => showTab(button.dataset.tab));
  }
  $('detail-back').addEventListener('click', () => {
    $('detail').hidden = true;
    state.selected = null;
    history.replaceState(null, '', location.pathname + location.search);
    render();
  });

  function showDetail(capture) {
    detail = capture;
    $('detail').hidden = false;
    $('detail-title').textContent = `#${capture.id} ${capture.method} ${capture.target}`;
    $('action-result').hidden = true;
    $('act-call').hidden = !capture.call_id;
    const fixture = $('act-fixture');
    fixture.hidden = !capture.analysis || !capture.analysis.is_json;
    fixture.href = `${API}captures/${capture.id}/fixture`;
    fixture.setAttribute('download', `${capture.call_id || `capture-${capture.id}`}.json`);

    // Verdicts line
    const verdicts = $('verdicts');
    verdicts.replaceChildren();
    const answer = capture.answer || {};
    const add = (label, text, cls) => verdicts.append(
      el('span', {}, el('span', { class: 'dim', text: `${label} ` }), el('span', { class: cls || '', text })));
    add('answer', answer.dropped ? 'dropped' : `${answer.status}${answer.latency_ms !== undefined ? ` in ${answer.latency_ms} ms` : ''}`,
        answer.dropped ? 'sx' : statusClass(answer.status));
    add('kind', capture.kind);
    add('signature', capture.signature_text || capture.signature, `sig ${verdictClass(capture.signature)}`);
    const valid = validity(capture);
    add('validation', valid.text, `val ${valid.cls}`);
    if (capture.forward) {
      const f = capture.forward;
      if (f.status) add('app', `${f.status} in ${f.latency_ms} ms`, `app-status ${statusClass(f.status)}`);
      else add('app', `unreachable: ${f.error || 'no answer'}`, 'app-status sx');
    }
    add('size', bytes(capture.size));
    add('received', stamp(capture.time));
    const flag = callFlag(capture);
    const callError = $('call-error');
    callError.hidden = !flag;
    callError.className = flag ? `call-error flag-${flag}` : 'call-error';
    callError.replaceChildren();
    if (flag) {
      callError.append(el('span', { class: 'flag-icon', role: 'img', 'aria-label': FLAGS[flag].label, text: FLAGS[flag].icon }),
                       `${capture.status || 'failed'}${capture.error_message ? `: ${capture.error_message}` : ''}`);
    }

    // Findings, each pointing at its field in the tree
    const findings = $('findings');
    findings.replaceChildren();
    for (const finding of (capture.analysis && capture.analysis.findings) || []) {
      const item = el('li', { class: finding.severity, title: 'Show this field in the body tree' },
        el('strong', { text: `${finding.severity} ` }), el('code', { text: finding.pointer || '(body)' }),
        ` ${finding.message}`);
      item.addEventListener('click', () => { showTab('tree'); highlightPointer(finding.pointer); });
      findings.append(item);
    }

    let body = null;
    const isJson = capture.analysis && capture.analysis.is_json && capture.body_encoding === 'utf-8';
    if (isJson) {
      try { body = JSON.parse(capture.body); } catch (e) { body = undefined; }
    }
    renderTree(body, isJson && body !== undefined);
    renderRaw(capture);
    renderRequest(capture);
    renderForward(capture.forward);
    document.querySelector('.tabs [data-tab=forward]').hidden = !capture.forward;
    const conversation = renderConversation(capture.kind, body);
    document.querySelector('.tabs [data-tab=conversation]').hidden = !conversation;
    showTab(conversation ? 'conversation' : (isJson ? 'tree' : 'raw'));
    $('detail').scrollTop = 0;
  }

  // JSON tree: <details> per object/array, children built when first opened so that a 10 MB body
  // costs only what is looked at. Every node carries its JSON pointer for the findings.
  function renderTree(value, ok) {
    const root = $('tab-tree');
    root.replaceChildren();
    if (!ok) {
      root.append(el('p', { class: 'dim', text: 'The body is not JSON: see Raw.' }));
      return;
    }
    root.append(treeNode(null, value, '', 0));
  }

  function treeNode(key, value, pointer, depth) {
    const keyNode = key === null ? null : el('span', { class: 'k', text: `${JSON.stringify(key)}: ` });
    if (value !== null && typeof value === 'object') {
      const isArray = Array.isArray(value);
      const size = isArray ? value.length : Object.keys(value).length;
      const node = el('details', { 'data-pointer': pointer },
        el('summary', {}, keyNode, el('span', { class: 'meta', text: isArray ? `[${size}]` : `{${size}}` })));
      const fill = () => {
        if (node.dataset.filled) return;
        node.dataset.filled = '1';
        const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
        const frag = document.createDocumentFragment();
        for (const [k, v] of entries) {
          frag.append(treeNode(isArray ? k : k, v, `${pointer}/${pointerToken(k)}`, depth + 1));
        }
        node.append(frag);
      };
      node.addEventListener('toggle', () => { if (node.open) fill(); });
      node.fill = fill;
      if (depth < 2) { node.open = true; fill(); }
      return node;
    }
    let cls = 'lit';
    if (typeof value === 'string') cls = 'str';
    else if (typeof value === 'number') cls = 'num';
    return el('div', { class: 'leaf', 'data-pointer': pointer }, keyNode,
              el('span', { class: cls, text: JSON.stringify(value) }));
  }

  function highlightPointer(pointer) {
    const root = $('tab-tree');
    for (const old of root.querySelectorAll('.highlight')) old.classList.remove('highlight');
    const tokens = pointer ? pointer.split('/').slice(1) : [];
    let current = root.firstElementChild;
    let path = '';
    for (const token of tokens) {
      if (!current || current.tagName !== 'DETAILS') break;
      current.open = true;
      if (current.fill) current.fill();
      path += `/${token}`;
      const child = [...current.children].find((c) => c.dataset && c.dataset.pointer === path);
      if (!child) break;
      current = child;
    }
    if (!current) return;
    const target = current.tagName === 'DETAILS' ? current.querySelector('summary') : current;
    target.classList.add('highlight');
    target.scrollIntoView({ block: 'center' });
  }

  function renderRaw(capture) {
    const raw = $('tab-raw');
    if (capture.body_encoding === 'base64') {
      raw.textContent = `(${bytes(capture.size)}, not valid UTF-8; shown as base64)\n${capture.body}`;
    } else {
      raw.textContent = capture.body === '' ? '(empty body)' : capture.body;
    }
  }

  function kvTable(object) {
    const table = el('table', { class: 'kv' });
    for (const [key, value] of Object.entries(object || {})) {
      let cell;
      if (isWebUrl(value)) {
        cell = el('td', {}, el('a', { href: value, rel: 'noopener noreferrer', target: '_blank', text: value }));
      } else {
        cell = el('td', { text: display(value) });
      }
      table.append(el('tr', {}, el('th', { text: key }), cell));
    }
    return table;
  }

  function renderRequest(capture) {
    const tab = $('tab-request');
    tab.replaceChildren();
    tab.append(el('h3', { text: 'Request line' }),
               el('pre', { class: 'raw', text: `${capture.method} ${capture.target} ${capture.version || 'HTTP/1.1'}` }),
               el('h3', { text: 'Headers' }));
    const table = el('table', { class: 'kv' });
    for (const [name, value] of capture.headers || []) {
      table.append(el('tr', {}, el('th', { text: name }), el('td', { text: value })));
    }
    tab.append(table, el('h3', { text: 'Received' }),
               kvTable({ time: stamp(capture.time), from: capture.peer || '', id: capture.id }));
    if (capture.answer) tab.append(el('h3', { text: 'Answer' }), kvTable(capture.answer));
  }

  // What the app behind --forward-to answered, as ngrok's inspector shows a response: status,
  // headers, body (pretty when JSON; the log keeps the first 64 KiB), or why there was none.
  function renderForward(forward) {
    const tab = $('tab-forward');
    tab.replaceChildren();
    if (!forward) return;
    if (!forward.status) {
      tab.append(el('p', { class: 'v-bad', id: 'forward-error', text: `Forward to ${forward.url} failed: ${forward.error || 'no answer'}` }),
                 kvTable({ url: forward.url, after: `${forward.latency_ms} ms` }));
      return;
    }
    tab.append(el('h3', { text: 'Status' }),
               el('p', {}, el('strong', { class: statusClass(forward.status), id: 'forward-status', text: String(forward.status) }),
                  el('span', { class: 'dim', text: ` from ${forward.url} in ${forward.latency_ms} ms` })),
               el('h3', { text: 'Headers' }));
    const table = el('table', { class: 'kv', id: 'forward-headers' });
    for (const [name, value] of forward.headers || []) {
      table.append(el('tr', {}, el('th', { text: name }), el('td', { text: value })));
    }
    tab.append(table, el('h3', { text: `Body (${bytes(forward.body_bytes)})` }));
    let text = forward.body;
    if (forward.body_encoding === 'base64') {
      text = `(not valid UTF-8; shown as base64)\n${forward.body}`;
    } else if (forward.body === '') {
      text = '(empty body)';
    } else if (!forward.truncated) {
      try { text = JSON.stringify(JSON.parse(forward.body), null, 2); } catch (e) { /* not JSON */ }
    }
    tab.append(el('pre', { class: 'raw', id: 'forward-body', text }));
    if (forward.truncated) {
      tab.append(el('p', { class: 'dim', id: 'forward-truncated',
                           text: `Truncated: the first ${bytes(forward.kept_bytes)} of ${bytes(forward.body_bytes)} are kept.` }));
    }
  }

  // The conversation view: summary, chat, corrected transcript, citations linked to the utterances
  // they cite, variables and metadata. Returns false when the body has nothing of the sort.
  function renderConversation(kind, body) {
    const tab = $('tab-conversation');
    tab.replaceChildren();
    if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
    if (kind === 'live-event') {
      tab.append(el('h3', { text: 'Live event' }), kvTable(body));
      return true;
    }
    if (kind !== 'post-call' && kind !== 'delayed-post-call' && kind !== 'citations-event') return false;

    if (typeof body.summary === 'string' && body.summary) {
      tab.append(el('h3', { text: 'Summary' }), el('p', { class: 'summary-text', text: body.summary }));
    }
    if (kind !== 'citations-event') {
      const facts = {};
      for (const key of ['status', 'error_message', 'answered_by', 'call_ended_by', 'disposition_tag',
                         'corrected_duration', 'from', 'to', 'inbound', 'started_at', 'end_at',
                         'price', 'recording_url']) {
        if (body[key] !== undefined && body[key] !== null) facts[key] = body[key];
      }
      tab.append(el('h3', { text: 'Call' }), kvTable(facts));
    }

    const chat = el('div', { class: 'chat', id: 'chat' });
    let turns = Array.isArray(body.transcripts) ? body.transcripts : [];
    if (!turns.length && typeof body.concatenated_transcript === 'string' && body.concatenated_transcript) {
      turns = body.concatenated_transcript.split(' \n ').map((line) => {
        const colon = line.indexOf(': ');
        return colon > 0 ? { user: line.slice(0, colon), text: line.slice(colon + 2) } : { user: '', text: line };
      });
    }
    turns.forEach((turn, index) => {
      if (!turn || typeof turn !== 'object') return;
      const who = String(turn.user ?? '');
      const side = (who === 'assistant' || who === 'robot') ? 'assistant' : (who === 'user' ? 'user' : 'other');
      const when = turn.created_at ? ` · ${clock(turn.created_at)}` : '';
      chat.append(el('div', { class: `msg ${side}`, 'data-turn': index, 'data-pointer': `/transcripts/${index}` },
        el('span', { class: 'who', text: `${who}${when}` }), display(turn.text ?? '')));
    });
    if (turns.length) tab.append(el('h3', { text: `Conversation (${turns.length} turns)` }), chat);

    const segments = Array.isArray(body.corrected_transcript) ? body.corrected_transcript : [];
    if (segments.length) {
      const segs = el('div', { class: 'segs' });
      segments.forEach((seg, index) => {
        if (!seg || typeof seg !== 'object') return;
        const span = `${Number(seg.start).toFixed(2)}–${Number(seg.end).toFixed(2)} s`;
        const conf = typeof seg.confidence === 'number' ? `${Math.round(seg.confidence * 100)} %` : '';
        segs.append(el('div', { class: 'seg', id: `seg-${index}`, 'data-seg': index },
          el('span', { class: 'when', text: span }),
          el('span', { class: 'who', text: `${display(seg.speaker_label ?? seg.speaker ?? '')} ${conf}` }),
          el('span', { text: display(seg.text ?? '') })));
      });
      tab.append(el('h3', { text: 'Corrected transcript' }), segs);
    }

    const citations = Array.isArray(body.citations) ? body.citations : [];
    if (citations.length) {
      const box = el('div', { class: 'citations' });
      for (const citation of citations) {
        if (!citation || typeof citation !== 'object') continue;
        const utterances = Array.isArray(citation.cited_utterances) ? citation.cited_utterances : [];
        const items = el('ul');
        for (const utterance of utterances) {
          if (!utterance || typeof utterance !== 'object') continue;
          const link = el('a', { role: 'link', tabindex: 0, class: 'cite',
                                 title: 'Show this utterance in the transcript',
                                 text: `“${display(utterance.transcript ?? '')}”` });
          const go = () => showUtterance(utterance, segments, turns);
          link.addEventListener('click', go);
          link.addEventListener('keydown', (event) => { if (event.key === 'Enter') go(); });
          const where = typeof utterance.start_time === 'number'
            ? ` ${utterance.start_time.toFixed(2)}–${Number(utterance.end_time).toFixed(2)} s` : '';
          items.append(el('li', {}, link,
            el('span', { class: 'dim', text: `${where} ${display(utterance.speaker_name ?? (utterance.channel === 0 ? 'agent' : 'user'))}` })));
        }
        box.append(el('div', { class: 'citation' },
          el('strong', { class: 'mono', text: display(citation.variable_name ?? '') }),
          ' = ', el('span', { class: 'mono', text: display(citation.value ?? null) }),
          el('span', { class: 'dim', text: ` (${display(citation.variable_type ?? '')})` }),
          utterances.length ? items : el('div', { class: 'dim', text: 'no cited utterance' })));
      }
      tab.append(el('h3', { text: 'Citations' }), box);
    }

    if (body.variables && typeof body.variables === 'object') {
      tab.append(el('h3', { text: 'Variables' }), kvTable(body.variables));
    }
    if (body.metadata && typeof body.metadata === 'object') {
      tab.append(el('h3', { text: 'Metadata' }), kvTable(body.metadata));
    }
    return true;
  }

  // A cited utterance is found in the corrected transcript by time overlap, else in the chat by
  // its text; the match is scrolled to and highlighted.
  function showUtterance(utterance, segments, turns) {
    const tab = $('tab-conversation');
    for (const old of tab.querySelectorAll('.highlight')) old.classList.remove('highlight');
    let target = null;
    if (typeof utterance.start_time === 'number' && segments.length) {
      let best = -1;
      let bestOverlap = 0;
      segments.forEach((seg, index) => {
        const overlap = Math.min(seg.end, utterance.end_time) - Math.max(seg.start, utterance.start_time);
        if (overlap > bestOverlap) { bestOverlap = overlap; best = index; }
      });
      if (best >= 0) target = tab.querySelector(`[data-seg="${best}"]`);
    }
    if (!target && typeof utterance.transcript === 'string') {
      const needle = utterance.transcript.trim().toLowerCase();
      const index = turns.findIndex((turn) => turn && typeof turn.text === 'string' &&
        (turn.text.toLowerCase().includes(needle) || needle.includes(turn.text.trim().toLowerCase())));
      if (index >= 0) target = tab.querySelector(`[data-turn="${index}"]`);
    }
    if (target) {
      target.classList.add('highlight');
      target.scrollIntoView({ block: 'center' });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Actions

  function showResult(...children) {
    const box = $('action-result');
    box.replaceChildren(...children);
    box.hidden = false;
  }

  $('act-curl').addEventListener('click', async () => {
    if (!detail) return;
    try {
      const result = await api(`captures/${detail.id}/curl`, { method: 'POST', json: {} });
      let copied = false;
      try {
        await navigator.clipboard.writeText(result.curl);
        copied = true;
      } catch (e) { /* clipboard refused: the command is shown to copy by hand */ }
      showResult(el('strong', { text: copied ? 'Copied to the clipboard' : 'Copy this command' }),
                 el('span', { class: 'dim', text: result.signed ? ' (signed with the listener\'s secret)' : ' (unsigned: the listener has no secret)' }),
                 el('pre', { class: 'mono', id: 'curl-text', text: result.curl }));
    } catch (error) {
      showResult(el('strong', { class: 'v-bad', text: `curl: ${error.message}` }));
    }
  });

  $('replay-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!detail) return;
    const url = new FormData(event.target).get('url');
    localStorage.setItem('blandhook.replay-url', url);
    showResult(el('span', { class: 'dim', text: `Sending to ${url}…` }));
    try {
      const r = await api(`captures/${detail.id}/replay`, { method: 'POST', json: { url } });
      if (r.error) {
        showResult(el('strong', { class: 'v-bad', text: `Replay failed: ${r.error}` }));
        return;
      }
      const headers = (r.headers || []).map(([n, v]) => `${n}: ${v}`).join('\n');
      showResult(el('strong', { class: statusClass(r.status), id: 'replay-status', text: `${r.status}` }),
                 el('span', { text: ` from ${url} in ${r.latency_ms} ms` }),
                 el('span', { class: 'dim', text: r.signed ? ' (signed)' : '' }),
                 el('pre', { class: 'mono', text: headers }),
                 el('pre', { class: 'mono', id: 'replay-body', text: r.body }));
    } catch (error) {
      showResult(el('strong', { class: 'v-bad', text: `Replay refused: ${error.message}` }));
    }
  });
  const savedUrl = localStorage.getItem('blandhook.replay-url');
  if (savedUrl) $('replay-form').elements.url.value = savedUrl;

  // "Answer the next requests with …": the listener's live fault-injection settings.
  function answerSummary(config) {
    if (config.drop) return 'drop';
    const parts = [];
    if (config.respond_sequence && config.respond_sequence.length) parts.push(config.respond_sequence.join(','));
    else parts.push(String(config.status ?? 200));
    if (config.delay_ms) parts.push(`+${config.delay_ms} ms`);
    if (config.fail_rate) parts.push(`${Math.round(config.fail_rate * 100)} % ${config.fail_status ?? 500}`);
    if (config.headers && config.headers.length) parts.push(`${config.headers.length} header${config.headers.length === 1 ? '' : 's'}`);
    if (config.require_signature) parts.push('signed only');
    return parts.join(' ');
  }
  function fillAnswer(config) {
    const form = $('answer-form');
    form.elements.status.value = config.status ?? '';
    form.elements.delay_ms.value = config.delay_ms ?? '';
    form.elements.respond_sequence.value = (config.respond_sequence || []).join(',');
    form.elements.fail_rate.value = config.fail_rate ?? '';
    form.elements.fail_status.value = config.fail_status ?? '';
    form.elements.drop.checked = !!config.drop;
    form.elements.require_signature.checked = !!config.require_signature;
    form.elements.headers.value = (config.headers || []).map(([n, v]) => `${n}: ${v}`).join('\n');
    form.elements.body.value = config.body ?? '';
    $('answer-summary').textContent = answerSummary(config);
  }
  async function loadAnswer() {
    try { fillAnswer(await api('answer')); } catch (error) { $('answer-summary').textContent = '?'; }
  }
  $('answer-button').addEventListener('click', () => { $('answer-panel').hidden = !$('answer-panel').hidden; });
  $('answer-close').addEventListener('click', () => { $('answer-panel').hidden = true; });
  async function applyAnswer(config) {
    try {
      fillAnswer(await api('answer', { method: 'POST', json: config }));
      $('answer-result').textContent = 'Applied to the next requests.';
    } catch (error) {
      $('answer-result').textContent = `Refused: ${error.message}`;
    }
  }
  $('answer-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const config = { drop: f.drop.checked, body: f.body.value, require_signature: f.require_signature.checked };
    const headers = [];
    for (const line of f.headers.value.split('\n')) {
      if (!line.trim()) continue;
      const colon = line.indexOf(':');
      if (colon <= 0) {
        $('answer-result').textContent = `Refused: a header is "Name: value", not "${line.trim()}"`;
        return;
      }
      headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    config.headers = headers;
    if (f.status.value !== '') config.status = Number(f.status.value);
    if (f.fail_status.value !== '') config.fail_status = Number(f.fail_status.value);
    if (f.delay_ms.value !== '') config.delay_ms = Number(f.delay_ms.value);
    if (f.fail_rate.value !== '') config.fail_rate = Number(f.fail_rate.value);
    config.respond_sequence = f.respond_sequence.value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    applyAnswer(config);
  });
  $('answer-reset').addEventListener('click', () => applyAnswer({ reset: true }));

  // The listener's health: while the capture log cannot be written (a full disk) senders get 503
  // and the header says so, until saving works again.
  async function checkSaving() {
    try {
      const res = await fetch('/_blandhook/health', { credentials: 'same-origin', cache: 'no-store' });
      const health = await res.json();
      const saving = $('saving');
      saving.hidden = health.status === 'ok';
      saving.textContent = health.status === 'ok' ? '' : health.status;
    } catch (e) { /* the live indicator shows a listener that is gone */ }
  }

  // ---------------------------------------------------------------------------------------------
  setLive('wait', 'connecting…');
  checkSaving();
  setInterval(checkSaving, 3000);
  loadAnswer();
  loadPage();
  if (location.hash.startsWith('#call=')) {
    openCall(decodeURIComponent(location.hash.slice(6)));
  } else {
    const initial = Number(location.hash.slice(1));
    if (Number.isInteger(initial) && initial > 0) select(initial);
  }
})();
