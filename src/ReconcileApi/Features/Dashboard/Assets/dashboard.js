// The dashboard's one script. It reads the API with the workspace key kept in this tab's session storage and
// draws everything itself (SVG, no library): the page's Content-Security-Policy allows scripts and styles from
// this service only, so nothing here is inline and nothing loads from elsewhere. Every number shown carries a
// data-testid and its raw value in data-value, so a test (or a person) can read the DOM.
'use strict';

(() => {
  const KEY_STORAGE = 'reconcileApi.dashboard.key';
  const SVG = 'http://www.w3.org/2000/svg';
  const SEVERITIES = ['critical', 'high', 'medium', 'low'];
  const SECTIONS = ['summary', 'match-rate', 'by-category', 'by-severity', 'causes', 'runs', 'alerts'];

  const state = { days: 30, to: null, daily: null, generation: 0, memoryKey: null };

  // ---- the key: typed once, or handed over in the fragment (#key=...) and then taken out of the address bar ----

  function readKey() {
    try {
      return sessionStorage.getItem(KEY_STORAGE) || state.memoryKey;
    } catch {
      return state.memoryKey; // storage disabled: keep it for this page only
    }
  }

  function storeKey(key) {
    state.memoryKey = key || null;
    try {
      if (key) sessionStorage.setItem(KEY_STORAGE, key);
      else sessionStorage.removeItem(KEY_STORAGE);
    } catch {
      // storage disabled: the in-memory copy serves
    }
  }

  function takeKeyFromFragment() {
    const fragment = location.hash.replace(/^#/, '');
    if (!fragment) return;
    const parts = fragment.split('&');
    const rest = [];
    let key = null;
    for (const part of parts) {
      if (part.startsWith('key=')) {
        try {
          key = decodeURIComponent(part.slice(4)).trim();
        } catch {
          key = part.slice(4).trim();
        }
      } else if (part) {
        rest.push(part);
      }
    }
    if (key === null) return;
    if (key) storeKey(key);
    history.replaceState(null, '', location.pathname + location.search + (rest.length ? '#' + rest.join('&') : ''));
  }

  // ---- DOM helpers: text only through textContent, never markup from data ----

  function h(tag, attributes, ...children) {
    return build(document.createElement(tag), attributes, children);
  }

  function s(tag, attributes, ...children) {
    return build(document.createElementNS(SVG, tag), attributes, children);
  }

  function build(element, attributes, children) {
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined && value !== false) element.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  const toNumber = (value) => (value === null || value === undefined || value === '' ? null : Number(value));
  const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
  const formatCount = (value) => (value === null ? '—' : integer.format(value));
  const formatMoney = (value) => (value === null ? '—' : money.format(value));
  const formatRate = (value) => (value === null ? '—' : (value * 100).toFixed(1) + '%');
  const formatNumber = (value) => (value === null ? '—' : decimal.format(value));

  /** A number as shown: its text, and its raw value for whoever reads the DOM. */
  function num(testid, value, format, tag = 'span') {
    const raw = toNumber(value);
    return h(tag, { class: 'num', 'data-testid': testid, 'data-value': raw === null ? '' : raw }, format(raw));
  }

  /** "missing_in_keap" → "Missing in Keap". */
  function label(code) {
    if (!code) return '—';
    const words = String(code).replace(/_/g, ' ').replace(/\bkeap\b/g, 'Keap');
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  /** An instant as "YYYY-MM-DD HH:MM" in UTC (the tables say so); a time without an offset is UTC, as the API stores it. */
  function formatTime(text) {
    if (!text) return '—';
    const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(text) ? text : text + 'Z';
    const date = new Date(zoned);
    return Number.isNaN(date.getTime()) ? text : date.toISOString().slice(0, 16).replace('T', ' ');
  }

  /** The problem's detail as a clause: no final full stop, since a sentence of ours follows. */
  const clause = (text) => String(text || '').trim().replace(/\.+$/, '');

  /** A calendar date plus days, on the calendar alone (no time zone involved). */
  function addDays(isoDate, days) {
    const date = new Date(isoDate + 'T00:00:00Z');
    date.setUTCDate(date.getUTCDate() + days);
    return date.toISOString().slice(0, 10);
  }

  const dayNumber = (isoDate) => Date.parse(isoDate + 'T00:00:00Z') / 86400000;

  // ---- sections ----

  function section(id) {
    const element = document.getElementById(id);
    return { element, body: element.querySelector('[data-role=body]'), status: element.querySelector('[data-role=status]') };
  }

  /** loading | ready | empty | unavailable (the endpoint is not on this service) | error | locked (no valid key). */
  function setState(id, name, message) {
    const { element, body, status } = section(id);
    element.dataset.state = name;
    status.textContent = message || '';
    status.hidden = !message;
    status.className = 'status ' + name;
    if (name !== 'ready') body.replaceChildren();
  }

  function show(id, ...content) {
    const { body } = section(id);
    body.replaceChildren(...content);
    setState(id, 'ready');
  }

  function banner(kind, message) {
    const element = document.getElementById('banner');
    element.className = 'banner ' + kind;
    element.dataset.kind = kind;
    element.textContent = message;
    element.hidden = false;
  }

  function hideBanner() {
    const element = document.getElementById('banner');
    element.hidden = true;
    element.textContent = '';
    delete element.dataset.kind;
  }

  function showKeyForm(visible) {
    document.getElementById('key-form').hidden = !visible;
    document.getElementById('controls').hidden = visible;
    if (visible) document.getElementById('key-input').focus();
  }

  // ---- the API ----

  class ApiError extends Error {
    constructor(kind, status, path, detail) {
      super(detail);
      this.kind = kind; // network | unauthorized | unavailable | failed
      this.status = status;
      this.path = path;
    }
  }

  async function api(path, key) {
    let response;
    try {
      response = await fetch(path, { headers: { 'X-Api-Key': key, Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
    } catch (error) {
      throw new ApiError('network', 0, path, error && error.message ? error.message : 'no answer');
    }
    if (response.ok) {
      try {
        return await response.json();
      } catch {
        throw new ApiError('failed', response.status, path, 'the answer is not JSON');
      }
    }
    let detail = response.statusText || '';
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || detail;
    } catch {
      // no problem body (a 404 for a route this service does not have is empty)
    }
    const kind = response.status === 401 ? 'unauthorized' : response.status === 404 ? 'unavailable' : 'failed';
    throw new ApiError(kind, response.status, path, detail);
  }

  function failed(ids, error) {
    const endpoint = error.path.split('?')[0];
    for (const id of ids) {
      switch (error.kind) {
        case 'unavailable':
          setState(id, 'unavailable', `Not available: this service has no ${endpoint} yet (404).`);
          break;
        case 'unauthorized':
          setState(id, 'locked', 'Needs a valid API key.');
          break;
        case 'network':
          setState(id, 'error', `Could not reach ${endpoint}: ${clause(error.message)}.`);
          break;
        default:
          setState(id, 'error', `${endpoint} answered ${error.status}${error.message ? ': ' + clause(error.message) : ''}.`);
      }
    }
  }

  function rangeQuery() {
    if (state.days === 30 && !state.to) return ''; // the API's default: the last 30 days in the workspace's timezone
    const to = state.to || new Date().toISOString().slice(0, 10);
    return `?from=${addDays(to, 1 - state.days)}&to=${to}`;
  }

  async function load() {
    const generation = ++state.generation;
    const key = readKey();
    const main = document.getElementById('dashboard');
    if (!key) {
      for (const id of SECTIONS) setState(id, 'locked', 'Enter an API key above.');
      document.getElementById('period').textContent = 'No API key yet';
      banner('info', 'Enter a workspace API key to see its dashboard.');
      showKeyForm(true);
      main.dataset.state = 'locked';
      return;
    }
    showKeyForm(false);
    hideBanner();
    document.getElementById('period').textContent = `Last ${state.days} days`;
    main.dataset.state = 'loading';
    for (const id of SECTIONS) setState(id, 'loading', 'Loading…');

    const range = rangeQuery();
    const current = () => generation === state.generation;
    const parts = [
      [['summary', 'match-rate', 'by-category', 'by-severity'], '/api/v1/metrics/daily' + range, renderDaily],
      [['causes'], '/api/v1/metrics/causes' + range, renderCauses],
      [['runs'], '/api/v1/runs?limit=10', renderRuns],
      [['alerts'], '/api/v1/alerts?limit=10', renderAlerts],
    ];
    const outcomes = await Promise.allSettled(parts.map(([ids, path, render]) =>
      api(path, key).then(
        (data) => { if (current()) render(data); },
        (error) => { if (current()) failed(ids, error); throw error; })));
    if (!current()) return;

    const errors = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
    const refused = errors.find((e) => e.kind === 'unauthorized');
    const unreachable = errors.find((e) => e.kind === 'network');
    const broken = errors.find((e) => !(e instanceof ApiError));
    if (refused) {
      storeKey(null);
      banner('error', `The API key was refused (401): ${clause(refused.message) || 'unknown or revoked'}. Enter a valid workspace key.`);
      document.getElementById('period').textContent = 'No valid API key';
      showKeyForm(true);
    } else if (unreachable) {
      banner('error', `Could not reach the service at ${location.origin} (${clause(unreachable.message)}). Check that it runs, then Refresh.`);
    } else if (broken) {
      banner('error', `The page failed to draw a section: ${broken.message}`);
    }
    main.dataset.state = refused ? 'locked' : 'ready';
  }

  // ---- metrics: summary, match rate, open by category and severity ----

  function renderDaily(daily) {
    state.daily = daily;
    state.to = daily.to || state.to;
    const period = document.getElementById('period');
    period.textContent = `${daily.from} – ${daily.to} (${daily.timezone || 'workspace time'})`;
    period.dataset.from = daily.from;
    period.dataset.to = daily.to;

    const totals = daily.totals || {};
    const open = daily.open || {};
    const tile = (title, number, note) => h('div', { class: 'tile' }, h('span', { class: 'tile-title' }, title), number, note ? h('span', { class: 'tile-note' }, note) : null);
    show('summary', h('div', { class: 'tiles' },
      tile('Open discrepancies', num('open-total', open.total, formatCount), 'now'),
      tile('Money at stake', num('open-impact', open.impact, formatMoney), 'open impact'),
      tile('Match rate', num('period-match-rate', totals.matchRate, formatRate), 'this period'),
      tile('Found', num('period-found', totals.found, formatCount), 'this period'),
      tile('Resolved', num('period-resolved', totals.resolved, formatCount), 'this period'),
      tile('Impact found', num('period-impact', totals.impact, formatMoney), 'this period'),
      tile('Store orders', num('period-store-orders', totals.storeOrders, formatCount), null),
      tile('Keap orders', num('period-keap-orders', totals.keapOrders, formatCount), null),
      tile('Matched', num('period-matched', totals.matched, formatCount), 'store orders found in Keap'),
      tile('Store revenue', num('period-store-revenue', totals.storeRevenue, formatMoney), null),
      tile('Keap revenue', num('period-keap-revenue', totals.keapRevenue, formatMoney), null)));

    renderMatchRate();
    renderBars('by-category', open.byCategory, 'category', (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    renderBars('by-severity', open.bySeverity, 'severity', (a, b) => rank(a[0]) - rank(b[0]));
  }

  const rank = (severity) => (SEVERITIES.includes(severity) ? SEVERITIES.indexOf(severity) : SEVERITIES.length);

  function renderMatchRate() {
    const daily = state.daily;
    if (!daily) return;
    const days = (daily.days || []).slice().sort((a, b) => a.date.localeCompare(b.date));
    const points = days.filter((d) => toNumber(d.matchRate) !== null);
    if (points.length === 0) {
      setState('match-rate', 'empty', 'No store orders dated in this period, so no match rate.');
      return;
    }
    const { body } = section('match-rate');
    const width = Math.max(280, Math.floor(body.clientWidth || 600));
    const height = width < 500 ? 180 : 220;
    const pad = { left: 46, right: 14, top: 12, bottom: 28 };
    const first = dayNumber(daily.from || days[0].date);
    const span = Math.max(1, dayNumber(daily.to || days[days.length - 1].date) - first);
    const values = points.map((d) => toNumber(d.matchRate));
    const low = Math.max(0, Math.min(0.9, Math.floor(Math.min(...values) * 10) / 10));
    const x = (date) => pad.left + ((dayNumber(date) - first) / span) * (width - pad.left - pad.right);
    const y = (rate) => pad.top + (1 - (rate - low) / (1 - low)) * (height - pad.top - pad.bottom);

    const grid = [low, (low + 1) / 2, 1].map((rate) => s('g', { class: 'gridline' },
      s('line', { x1: pad.left, x2: width - pad.right, y1: y(rate), y2: y(rate) }),
      s('text', { x: pad.left - 6, y: y(rate) + 4, 'text-anchor': 'end' }, formatRate(rate))));
    const axis = [
      s('text', { class: 'axis', x: pad.left, y: height - 8, 'text-anchor': 'start' }, daily.from || days[0].date),
      s('text', { class: 'axis', x: width - pad.right, y: height - 8, 'text-anchor': 'end' }, daily.to || days[days.length - 1].date),
    ];

    // The line breaks where a day has no match rate (no store orders) or is missing from the answer.
    let path = '';
    let previous = null;
    for (const day of days) {
      const rate = toNumber(day.matchRate);
      if (rate === null) {
        previous = null;
        continue;
      }
      const joined = previous !== null && dayNumber(day.date) - dayNumber(previous) === 1;
      path += `${joined ? 'L' : 'M'}${x(day.date).toFixed(1)},${y(rate).toFixed(1)}`;
      previous = day.date;
    }

    const circles = points.map((day) => {
      const rate = toNumber(day.matchRate);
      const matched = toNumber(day.matched);
      const orders = toNumber(day.storeOrders);
      return s('circle', {
        class: 'point', r: 3.5, cx: x(day.date).toFixed(1), cy: y(rate).toFixed(1),
        'data-testid': 'match-rate-point', 'data-date': day.date, 'data-value': rate,
      }, s('title', null, `${day.date}: ${formatRate(rate)}` + (matched !== null && orders !== null ? ` (${formatCount(matched)} of ${formatCount(orders)} store orders matched)` : '')));
    });

    const latest = points[points.length - 1];
    body.replaceChildren(
      h('p', { class: 'chart-note' }, 'Latest: ', num('match-rate-latest', latest.matchRate, formatRate), ` on ${latest.date}; `,
        num('match-rate-days', points.length, formatCount), ' days with store orders.'),
      s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'Daily match rate' },
        ...grid, ...axis, s('path', { class: 'line', d: path }), ...circles));
    setState('match-rate', 'ready');
  }

  function renderBars(id, counts, what, order) {
    const entries = Object.entries(counts || {}).map(([k, v]) => [k, toNumber(v) || 0]).filter(([, v]) => v > 0).sort(order);
    if (entries.length === 0) {
      setState(id, 'empty', 'No open discrepancies.');
      return;
    }
    const max = Math.max(...entries.map(([, v]) => v));
    show(id, h('div', { class: 'bars' }, entries.map(([name, count]) =>
      h('div', { class: 'bar-row', 'data-testid': `${what}-bar`, [`data-${what}`]: name, 'data-count': count },
        h('span', { class: 'bar-label' }, label(name)),
        s('svg', { class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
          s('rect', { class: 'track', width: 100, height: 10 }),
          s('rect', { class: `fill ${what}-${name}`, width: Math.max(1, (count / max) * 100).toFixed(2), height: 10 })),
        num(`${what}-count`, count, formatCount)))));
  }

  // ---- causes, runs, alerts: tables that become stacked cards on a phone ----

  function table(columns, rows) {
    return h('table', { class: 'rows' },
      h('thead', null, h('tr', null, columns.map(([title, numeric]) => h('th', { class: numeric ? 'n' : null, scope: 'col' }, title)))),
      h('tbody', null, rows));
  }

  const cell = (title, content, numeric) => h('td', { 'data-label': title, class: numeric ? 'n' : null }, content);

  const TRENDS = { up: '▲ up', down: '▼ down', flat: '▬ flat', new: '● new' };

  function renderCauses(data) {
    const causes = (data.causes || []).slice().sort((a, b) => (toNumber(b.impact) || 0) - (toNumber(a.impact) || 0)).slice(0, 10);
    if (causes.length === 0) {
      setState('causes', 'empty', 'No findings in this period.');
      return;
    }
    const previous = data.previousFrom && data.previousTo ? `Previous period: ${data.previousFrom} – ${data.previousTo}.` : '';
    show('causes',
      previous ? h('p', { class: 'chart-note' }, previous) : null,
      table([['Cause'], ['Category'], ['Findings', true], ['Before', true], ['Money', true], ['Before', true], ['Trend']],
        causes.map((c) => h('tr', { 'data-testid': 'cause-row', 'data-cause': c.causeCode, 'data-category': c.category, 'data-trend': c.trend },
          cell('Cause', label(c.causeCode)),
          cell('Category', label(c.category)),
          cell('Findings', num('cause-findings', c.findings, formatCount), true),
          cell('Previous findings', num('cause-previous-findings', c.previousFindings, formatCount), true),
          cell('Money', num('cause-impact', c.impact, formatMoney), true),
          cell('Previous money', num('cause-previous-impact', c.previousImpact, formatMoney), true),
          cell('Trend', h('span', { class: `trend trend-${c.trend}`, 'data-testid': 'cause-trend', 'data-value': c.trend }, TRENDS[c.trend] || c.trend))))));
  }

  function renderRuns(data) {
    const runs = data.items;
    if (runs.length === 0) {
      setState('runs', 'empty', 'No runs yet: start one with POST /api/v1/runs.');
      return;
    }
    show('runs', table(
      [['Created (UTC)'], ['Status'], ['Window (UTC)'], ['Store', true], ['Keap', true], ['Matched', true], ['Match rate', true], ['Discrepancies', true], ['Money', true], ['Run']],
      runs.map((r) => h('tr', { 'data-testid': 'run-row', 'data-run-id': r.id, 'data-status': r.status },
        cell('Created', formatTime(r.createdAt)),
        cell('Status', h('span', { class: `badge status-${r.status}`, title: r.error || null }, r.status)),
        cell('Window', `${formatTime(r.from)} → ${formatTime(r.to)}`),
        cell('Store orders', num('run-store-orders', r.storeOrders, formatCount), true),
        cell('Keap orders', num('run-keap-orders', r.keapOrders, formatCount), true),
        cell('Matched', num('run-matched', r.matched, formatCount), true),
        cell('Match rate', num('run-match-rate', r.window ? r.window.matchRate : null, formatRate), true),
        cell('Discrepancies', num('run-discrepancies', r.discrepancies, formatCount), true),
        cell('Money', num('run-impact', r.impact, formatMoney), true),
        cell('Run', h('code', { title: r.id, 'data-testid': 'run-id' }, String(r.id).slice(0, 8)))))));
  }

  function renderAlerts(data) {
    const alerts = Array.isArray(data) ? data : data.items || [];
    if (alerts.length === 0) {
      setState('alerts', 'empty', 'No alerts: no rule has fired.');
      return;
    }
    show('alerts', table(
      [['Triggered (UTC)'], ['Rule'], ['Status'], ['Message'], ['Value', true], ['Threshold', true]],
      alerts.map((a) => h('tr', { 'data-testid': 'alert-row', 'data-alert-id': a.id, 'data-rule': a.rule, 'data-status': a.status, 'data-acknowledged': a.acknowledged ? 'true' : 'false' },
        cell('Triggered', formatTime(a.triggeredAt)),
        cell('Rule', label(a.rule)),
        cell('Status', h('span', null, h('span', { class: `badge alert-${a.status}` }, a.status),
          a.clearedAt ? h('span', { class: 'small' }, ` ${formatTime(a.clearedAt)}`) : null,
          a.acknowledged ? h('span', { class: 'small' }, ' acknowledged') : null)),
        cell('Message', h('span', { class: 'message' }, a.message || '')),
        cell('Value', num('alert-value', a.value, alertFormat(a.rule)), true),
        cell('Threshold', num('alert-threshold', a.threshold, alertFormat(a.rule)), true)))));
  }

  /** A rule's value and threshold in its own unit: a rate, money, or a count of hours or discrepancies. */
  function alertFormat(rule) {
    if (rule === 'match_rate_below') return formatRate;
    if (rule === 'impact_above') return formatMoney;
    return formatNumber;
  }

  let resizeTimer = 0;
  function onResize() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (state.daily && section('match-rate').element.dataset.state === 'ready') renderMatchRate();
    }, 150);
  }

  function start() {
    for (const id of SECTIONS) section(id).status.dataset.testid = `${id}-status`;
    window.addEventListener('error', (e) => banner('error', `The page failed: ${e.message}`));
    window.addEventListener('unhandledrejection', (e) => banner('error', `The page failed: ${e.reason && e.reason.message ? e.reason.message : e.reason}`));
    window.addEventListener('resize', onResize);

    document.getElementById('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = document.getElementById('key-input');
      const key = input.value.trim();
      input.value = '';
      if (!key) return;
      storeKey(key);
      load();
    });
    document.getElementById('days').addEventListener('change', (event) => {
      state.days = Number(event.target.value) || 30;
      load();
    });
    document.getElementById('refresh').addEventListener('click', () => load());
    document.getElementById('forget').addEventListener('click', () => {
      storeKey(null);
      state.daily = null;
      state.to = null;
      load();
    });

    takeKeyFromFragment();
    load();
  }

  start();
})();
