#include "tools/timeline_page.h"

namespace rwd {

namespace {

constexpr const char* kStyle = R"CSS(
:root { --bg: #ffffff; --fg: #1d2430; --muted: #687385; --line: #d9dee7; --label-w: 150px; }
* { box-sizing: border-box; }
body { margin: 0; padding: 10px 14px; background: var(--bg); color: var(--fg);
       font: 13px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 16px; margin: 0 0 2px; }
.sub { color: var(--muted); margin: 0 0 6px; word-break: break-all; }
#controls { display: flex; gap: 6px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
#controls button { font: inherit; padding: 1px 9px; border: 1px solid var(--line); background: #f6f7f9;
                   border-radius: 4px; cursor: pointer; }
#range { font-variant-numeric: tabular-nums; margin-left: 6px; }
.hint { color: var(--muted); margin-left: auto; }
#timeline { border: 1px solid var(--line); border-radius: 4px; user-select: none; }
.row { display: flex; align-items: stretch; border-top: 1px solid var(--line); }
.row:first-child { border-top: 0; }
.label { flex: 0 0 var(--label-w); padding: 3px 8px; border-right: 1px solid var(--line); overflow: hidden;
         white-space: nowrap; text-overflow: ellipsis; }
.label small { display: block; color: var(--muted); font-size: 11px; }
.track { flex: 1 1 auto; position: relative; min-width: 0; }
.track canvas { display: block; width: 100%; height: 100%; cursor: crosshair; }
.axis { height: 30px; }
.marks { height: 34px; }
.lane { height: 38px; }
#tooltip { position: fixed; pointer-events: none; background: #1d2430; color: #fff; padding: 5px 8px;
           border-radius: 4px; font-size: 12px; max-width: 560px; white-space: pre-wrap; display: none;
           z-index: 10; word-break: break-all; }
#details { margin: 8px 0; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; min-height: 2.6em;
           white-space: pre-wrap; word-break: break-all; font-family: ui-monospace, monospace; font-size: 12px; }
details { margin: 6px 0; }
summary { cursor: pointer; color: var(--muted); }
pre { margin: 4px 0; font-size: 12px; }
table { border-collapse: collapse; font-size: 12px; }
td { padding: 1px 10px 1px 0; vertical-align: top; white-space: pre-wrap; word-break: break-all; }
#timeline-error { color: #b00020; font-weight: bold; }
)CSS";

// Reports any script error on the page itself (the tests look for it), so
// it runs before the main script.
constexpr const char* kErrorHook = R"JS(
window.addEventListener('error', function (e) {
  var d = document.createElement('div');
  d.id = 'timeline-error';
  d.textContent = 'timeline script error: ' + e.message + ' (line ' + e.lineno + ')';
  (document.body || document.documentElement).appendChild(d);
});
)JS";

constexpr const char* kScript = R"JS(
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('timeline-data').textContent);

  // ---- helpers ------------------------------------------------------------
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function grouped(v) { return Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function short(v) {
    for (const [unit, s] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']])
      if (Math.abs(v) >= unit) return +(v / unit).toPrecision(4) + s;
    return String(Math.round(v));
  }
  // Colours come from each kind's number (a golden-angle hue), so a kind
  // added to the registry later gets a colour of its own.
  function hue(kind) { return (kind * 137.508) % 360; }
  // Lightness varies too, so that kinds whose hues come out close still differ.
  function colour(kind, alpha) {
    return 'hsla(' + hue(kind).toFixed(1) + ',70%,' + (34 + (kind % 3) * 9) + '%,' + alpha + ')';
  }
  function hex32(v) { return ('0000000' + (v >>> 0).toString(16)).slice(-8); }
  // First index i in the sorted array-like `a` with key(a[i]) >= x.
  function lowerBound(a, x, key) {
    let lo = 0, hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (key(a[mid]) < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // ---- the data -----------------------------------------------------------
  // Cells arrive as (bin delta, count) pairs; bin b covers instructions
  // first + b * binWidth .. first + (b + 1) * binWidth - 1.
  for (const lane of data.lanes) {
    const n = lane.cells.length / 2;
    lane.cellStart = new Float64Array(n);
    lane.cellCount = new Float64Array(n);
    let bin = 0;
    for (let i = 0; i < n; ++i) {
      bin += lane.cells[2 * i];
      lane.cellStart[i] = data.first + bin * data.binWidth;
      lane.cellCount[i] = lane.cells[2 * i + 1];
    }
    lane.kept = lane.events.map(e => ({ n: e[0], icount: e[1], batch: e[2] === 1, check: e[3], summary: e[4] }));
  }
  const keptTotal = data.lanes.reduce((s, l) => s + l.kept.length, 0);
  const checkpoints = data.lanes.filter(l => l.checkpoint).flatMap(l => l.kept);
  const full = { a: data.first, b: data.last + 1 };  // half-open
  let view = { a: full.a, b: full.b };
  let pinned = '';           // "KIND@ICOUNT" of the event whose details are kept
  let remembering = false;  // the address follows the view (once the page is set up)

  // ---- the page -----------------------------------------------------------
  const body = document.body;
  body.appendChild(el('h1', null, 'rewind timeline'));
  body.appendChild(el('p', 'sub', data.file + ' \u2014 ' + data.status + ', final instruction count ' +
                      grouped(data.finalIcount) + (data.selection ? ' \u2014 selection: ' + data.selection : '')));
  body.appendChild(el('p', 'sub', grouped(data.events) + ' events in ' + data.lanes.length + ' lanes; density from ' +
                      'all of them (bins of ' + grouped(data.binWidth) + ' instruction' +
                      (data.binWidth === 1 ? '' : 's') + '), details for ' + grouped(keptTotal) + ' of them (at most ' +
                      grouped(data.bounds.events) + ' are kept, evenly spread over each lane)'));

  const controls = el('div');
  controls.id = 'controls';
  const buttons = [['\u2212', () => zoom(2, 0.5)], ['+', () => zoom(0.5, 0.5)], ['\u2190', () => pan(-0.25)],
                   ['\u2192', () => pan(0.25)], ['whole recording', () => setView(full.a, full.b)]];
  for (const [text, action] of buttons) {
    const b = el('button', null, text);
    b.addEventListener('click', action);
    controls.appendChild(b);
  }
  const rangeText = el('span');
  rangeText.id = 'range';
  controls.appendChild(rangeText);
  controls.appendChild(el('span', 'hint', 'wheel: zoom \u00b7 drag: pan \u00b7 click: details \u00b7 keys + \u2212 0 \u2190 \u2192'));
  body.appendChild(controls);

  const timeline = el('div');
  timeline.id = 'timeline';
  body.appendChild(timeline);
  function row(cls, title, note) {
    const r = el('div', 'row ' + cls);
    const label = el('div', 'label', title);
    if (note) label.appendChild(el('small', null, note));
    const track = el('div', 'track');
    const canvas = el('canvas');
    track.appendChild(canvas);
    r.appendChild(label);
    r.appendChild(track);
    timeline.appendChild(r);
    return { row: r, canvas: canvas };
  }
  const axis = row('axis', 'instructions');
  const marks = row('marks', 'marks', 'checkpoints, snapshots');
  for (const lane of data.lanes) {
    const r = row('lane', lane.name, lane.family + ' \u00b7 ' + grouped(lane.count));
    r.row.dataset.kind = lane.name;
    r.row.dataset.number = lane.kind;
    r.row.dataset.count = lane.count;
    r.row.querySelector('.label').style.borderLeft = '4px solid ' + colour(lane.kind, 1);
    lane.canvas = r.canvas;
    lane.row = r.row;
  }

  const details = el('div');
  details.id = 'details';
  details.textContent = 'Hover over a lane for an event\u2019s details; click to keep them here.';
  body.appendChild(details);
  const tooltip = el('div');
  tooltip.id = 'tooltip';
  body.appendChild(tooltip);

  if (data.snapshots.length) {
    const box = el('details');
    box.open = true;
    box.appendChild(el('summary', null, 'Snapshots (' + data.snapshots.length + ')'));
    const t = el('table');
    t.id = 'snapshots';
    for (const s of data.snapshots) {
      const tr = el('tr', 'snapshot');
      tr.appendChild(el('td', null, s.name));
      tr.appendChild(el('td', null, 'instruction ' + grouped(s.icount)));
      tr.appendChild(el('td', null, s.note));
      t.appendChild(tr);
    }
    box.appendChild(t);
    body.appendChild(box);
  }
  const statsBox = el('details');
  statsBox.appendChild(el('summary', null, 'Event statistics (rewind-dump --stats)'));
  statsBox.appendChild(el('pre', null, data.stats));
  body.appendChild(statsBox);
  const headerBox = el('details');
  headerBox.appendChild(el('summary', null, 'Recording header'));
  const ht = el('table');
  for (const [k, v] of data.header) {
    const tr = el('tr');
    tr.appendChild(el('td', null, k));
    tr.appendChild(el('td', null, v));
    ht.appendChild(tr);
  }
  headerBox.appendChild(ht);
  body.appendChild(headerBox);

  // ---- drawing ------------------------------------------------------------
  function fitCanvas(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const h = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    return canvas.getContext('2d');
  }
  function xOf(icount, w) { return (icount - view.a) / (view.b - view.a) * w; }

  function niceStep(span, maxTicks) {
    const raw = span / maxTicks;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return Math.max(1, m * p);
    return Math.max(1, 10 * p);
  }
  function drawAxis() {
    const c = axis.canvas, ctx = fitCanvas(c), w = c.width, h = c.height;
    const ratio = window.devicePixelRatio || 1;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = '#1d2430';
    ctx.strokeStyle = '#8a93a3';
    ctx.font = (11 * ratio) + 'px system-ui, sans-serif';
    const step = niceStep(view.b - view.a, Math.max(2, w / (90 * ratio)));
    for (let t = Math.ceil(view.a / step) * step; t < view.b; t += step) {
      const x = Math.round(xOf(t, w)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, h - 6 * ratio);
      ctx.lineTo(x, h);
      ctx.stroke();
      ctx.fillText(short(t), x + 3 * ratio, h - 9 * ratio);
    }
  }

  // Checkpoints as ticks, snapshots as labelled triangles.
  function drawMarks() {
    const c = marks.canvas, ctx = fitCanvas(c), w = c.width, h = c.height;
    const ratio = window.devicePixelRatio || 1;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = '#687385';
    for (const e of checkpoints) {
      const x = xOf(e.icount, w);
      if (x >= -1 && x <= w) ctx.fillRect(Math.floor(x), h / 2, Math.max(1, ratio), h / 2);
    }
    ctx.font = (11 * ratio) + 'px system-ui, sans-serif';
    for (const s of data.snapshots) {
      const x = xOf(s.icount, w);
      if (x < -1 || x > w) continue;
      ctx.fillStyle = '#c2410c';
      ctx.beginPath();
      ctx.moveTo(x, h);
      ctx.lineTo(x - 5 * ratio, h - 9 * ratio);
      ctx.lineTo(x + 5 * ratio, h - 9 * ratio);
      ctx.fill();
      ctx.fillText(s.name, x + 6 * ratio, h - 12 * ratio);
    }
  }

  // A lane: the density of its events per pixel column (every event
  // counted), then, when few enough are in view, the kept events as ticks.
  function drawLane(lane) {
    const c = lane.canvas, ctx = fitCanvas(c), w = c.width, h = c.height;
    ctx.clearRect(0, 0, w, h);
    const cols = new Float64Array(w);
    const bw = data.binWidth;
    let i = lowerBound(lane.cellStart, Math.floor(view.a - bw) + 1, v => v);  // first bin ending after view.a
    for (; i < lane.cellStart.length && lane.cellStart[i] < view.b; ++i) {
      // A bin wider than a column fills every column it covers with its
      // count: where inside the bin its events are is not known.
      const x0 = Math.max(0, Math.floor(xOf(lane.cellStart[i], w)));
      const x1 = Math.min(w, Math.max(x0 + 1, Math.ceil(xOf(lane.cellStart[i] + bw, w))));
      for (let x = x0; x < x1; ++x) cols[x] += lane.cellCount[i];
    }
    let max = 0;
    for (let x = 0; x < w; ++x) if (cols[x] > max) max = cols[x];
    lane.cols = cols;
    ctx.fillStyle = colour(lane.kind, 0.45);
    const scale = max > 0 ? Math.log1p(max) : 1;
    for (let x = 0; x < w; ++x) {
      if (!cols[x]) continue;
      const bar = Math.max(2, Math.round(h * (0.2 + 0.75 * Math.log1p(cols[x]) / scale)));
      ctx.fillRect(x, h - bar, 1, bar);
    }
    const from = lowerBound(lane.kept, view.a, e => e.icount);
    const to = lowerBound(lane.kept, view.b, e => e.icount);
    if (to - from > 0 && to - from <= w / 4) {
      const ratio = window.devicePixelRatio || 1;
      ctx.fillStyle = colour(lane.kind, 1);
      for (let k = from; k < to; ++k)
        ctx.fillRect(Math.floor(xOf(lane.kept[k].icount, w)), 2 * ratio, Math.max(2, ratio * 2), h - 2 * ratio);
    }
  }

  function draw() {
    rangeText.textContent = 'instructions ' + grouped(view.a) + ' \u2013 ' + grouped(view.b - 1) +
                            ' (' + short(view.b - view.a) + ')';
    drawAxis();
    drawMarks();
    for (const lane of data.lanes) drawLane(lane);
  }

  // ---- zoom and pan -------------------------------------------------------
  function setView(a, b) {
    const minSpan = Math.min(8, full.b - full.a);
    if (b - a < minSpan) { const mid = (a + b) / 2; a = mid - minSpan / 2; b = mid + minSpan / 2; }
    if (b - a >= full.b - full.a) { a = full.a; b = full.b; }
    if (a < full.a) { b += full.a - a; a = full.a; }
    if (b > full.b) { a -= b - full.b; b = full.b; }
    view = { a: a, b: b };
    draw();
    remember();
  }
  // Scales the view by `factor` around the point at fraction `at` of it.
  function zoom(factor, at) {
    const pivot = view.a + (view.b - view.a) * at;
    setView(pivot - (pivot - view.a) * factor, pivot + (view.b - pivot) * factor);
  }
  function pan(fraction) {
    const d = (view.b - view.a) * fraction;
    setView(view.a + d, view.b + d);
  }
  let drag = null;
  for (const c of [axis.canvas, marks.canvas].concat(data.lanes.map(l => l.canvas))) {
    c.addEventListener('wheel', e => {
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.25 : 0.8, e.offsetX / c.clientWidth);
    }, { passive: false });
    c.addEventListener('mousedown', e => {
      drag = { x: e.clientX, view: view, width: c.clientWidth, moved: false };
    });
  }
  window.addEventListener('mousemove', e => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (Math.abs(dx) > 2) drag.moved = true;
    if (!drag.moved) return;
    const d = -dx / drag.width * (drag.view.b - drag.view.a);
    setView(drag.view.a + d, drag.view.b + d);
  });
  window.addEventListener('mouseup', () => { setTimeout(() => { drag = null; }, 0); });
  window.addEventListener('keydown', e => {
    if (e.key === '+' || e.key === '=') zoom(0.5, 0.5);
    else if (e.key === '-') zoom(2, 0.5);
    else if (e.key === '0') setView(full.a, full.b);
    else if (e.key === 'ArrowLeft') pan(-0.25);
    else if (e.key === 'ArrowRight') pan(0.25);
  });
  window.addEventListener('resize', draw);

  // ---- details ------------------------------------------------------------
  // The kept event of `lane` nearest to instruction `at`, if one is within `slack`.
  function eventNear(lane, at, slack) {
    const k = lowerBound(lane.kept, at, e => e.icount);
    let best = null;
    for (const j of [k - 1, k]) {
      const e = lane.kept[j];
      if (e && Math.abs(e.icount - at) <= slack && (!best || Math.abs(e.icount - at) < Math.abs(best.icount - at)))
        best = e;
    }
    return best;
  }
  function eventText(lane, e) {
    return lane.name + ' (' + lane.family + ')  #' + e.n + '  instruction ' + grouped(e.icount) +
           (e.batch ? '  [starts a service batch]' : '') + '\n' + (e.summary || '(no fields)') +
           '\nstate check ' + hex32(e.check);
  }
  // What is under the pointer in a lane: the nearest kept event within a few
  // pixels, else how many events the pixel column holds.
  function describe(lane, offsetX) {
    const c = lane.canvas, ratio = window.devicePixelRatio || 1;
    const at = view.a + offsetX / c.clientWidth * (view.b - view.a);
    const best = eventNear(lane, at, 5 / c.clientWidth * (view.b - view.a));
    if (best) return { text: eventText(lane, best), event: best };
    const col = Math.floor(offsetX * ratio);
    const count = lane.cols ? lane.cols[col] || 0 : 0;
    if (!count) return null;
    const colA = view.a + col / c.width * (view.b - view.a);
    const colB = view.a + (col + 1) / c.width * (view.b - view.a);
    return { text: lane.name + ': ' + grouped(count) + ' event' + (count === 1 ? '' : 's') + ' around instructions ' +
                   grouped(colA) + ' \u2013 ' + grouped(colB) + '\n(zoom in for each one\u2019s details)' };
  }
  function pin(lane, e) {
    details.textContent = eventText(lane, e);
    pinned = lane.name + '@' + e.icount;
    remember();
  }
  for (const lane of data.lanes) {
    lane.canvas.addEventListener('mousemove', e => {
      const d = drag && drag.moved ? null : describe(lane, e.offsetX);
      if (!d) { tooltip.style.display = 'none'; return; }
      tooltip.textContent = d.text;
      tooltip.style.display = 'block';
      const x = Math.min(e.clientX + 14, window.innerWidth - tooltip.offsetWidth - 4);
      tooltip.style.left = Math.max(0, x) + 'px';
      tooltip.style.top = (e.clientY + 16) + 'px';
    });
    lane.canvas.addEventListener('mouseleave', () => { tooltip.style.display = 'none'; });
    lane.canvas.addEventListener('click', e => {
      if (drag && drag.moved) return;
      const d = describe(lane, e.offsetX);
      if (d && d.event) pin(lane, d.event);
      else if (d) details.textContent = d.text;
    });
  }

  // ---- the address: #from=N&to=M&pin=KIND@ICOUNT ----------------------------
  // The view and the pinned event are kept in the page's address, so that a
  // link (in a bug report, say) opens the page where it was.
  function remember() {
    if (!remembering) return;
    let hash = '#from=' + Math.floor(view.a) + '&to=' + (Math.ceil(view.b) - 1);
    if (pinned) hash += '&pin=' + encodeURIComponent(pinned);
    try { history.replaceState(null, '', hash); } catch (e) { /* a page without history (some viewers) */ }
  }
  function applyAddress() {
    const args = new URLSearchParams(location.hash.slice(1));
    const from = Number(args.get('from')), to = Number(args.get('to'));
    if (args.has('from') && args.has('to') && isFinite(from) && isFinite(to) && to >= from) setView(from, to + 1);
    const m = /^(.+)@(\d+)$/.exec(args.get('pin') || '');
    const lane = m && data.lanes.find(l => l.name === m[1]);
    const e = lane && eventNear(lane, Number(m[2]), 0.5);
    if (e) pin(lane, e);
  }

  draw();
  applyAddress();
  remembering = true;
  // Where each lane's drawing is on the page, for tests that look at a
  // screenshot; then the marker saying the script ran to its end.
  for (const lane of data.lanes) {
    const r = lane.canvas.getBoundingClientRect();
    lane.row.dataset.top = Math.round(r.top + window.scrollY);
    lane.row.dataset.left = Math.round(r.left + window.scrollX);
    lane.row.dataset.width = Math.round(r.width);
    lane.row.dataset.height = Math.round(r.height);
  }
  const ready = el('div');
  ready.id = 'timeline-ready';
  ready.hidden = true;
  body.appendChild(ready);
  body.dataset.timeline = 'ready';
})();
)JS";

}  // namespace

std::string timeline_page(const std::string& data_json) {
  std::string page;
  page.reserve(data_json.size() + 32768);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"generator\" content=\"rewind-dump --timeline\">\n<title>rewind timeline</title>\n";
  page += "<style>";
  page += kStyle;
  page += "</style>\n<script>";
  page += kErrorHook;
  page += "</script>\n</head>\n<body>\n<script type=\"application/json\" id=\"timeline-data\">\n";
  page += data_json;
  page += "\n</script>\n<script>";
  page += kScript;
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace rwd
