// perfplan report charts: reads the JSON blob of the #data element and draws SVG into the empty
// svg.chart containers of the page. No libraries, no network. When every chart is
// drawn, the body element gets the attribute data-rendered (the browser test looks for it).
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('data').textContent);
  const GiB = 1024 * 1024 * 1024;
  // The SVG namespace, taken from an inline <svg> so that the file names no URL.
  const NS = document.getElementById('chart-scatter').namespaceURI;

  const TIME_PARTS = [
    ['compute', 'compute', '#4e79a7'],
    ['recompute', 'recompute', '#a0cbe8'],
    ['tp_comm', 'tensor / sequence-parallel communication', '#f28e2b'],
    ['cp_comm', 'context-parallel communication', '#ffbe7d'],
    ['ep_comm', 'expert-parallel all-to-all', '#59a14f'],
    ['pp_bubble', 'pipeline bubble', '#bab0ac'],
    ['pp_p2p', 'pipeline send/receive', '#8cd17d'],
    ['dp_comm', 'data-parallel gradient sync', '#e15759'],
    ['optimizer', 'optimizer', '#b07aa1'],
    ['host', 'host launch stalls', '#9c755f'],
  ];
  const MEMORY_PARTS = [
    ['weights', 'weights', '#4e79a7'],
    ['gradients', 'gradients', '#f28e2b'],
    ['optimizer', 'optimizer states', '#b07aa1'],
    ['activations', 'activations', '#59a14f'],
    ['runtime', 'runtime reserve', '#bab0ac'],
  ];
  const EVENT_KINDS = {
    forward: ['forward', '#4e79a7'],
    backward: ['backward', '#f28e2b'],
    weight_grad: ['weight gradient', '#edc948'],
    dp_comm: ['data-parallel gradient sync', '#e15759'],
    optimizer: ['optimizer', '#b07aa1'],
  };
  const OTHER_EVENT_COLOR = '#9aa5b1';
  const ACCENT = '#2563eb';
  const MFU_COLOR = '#f28e2b';
  const BREAKDOWN_CANDIDATES = 5;

  // ---- formatting -------------------------------------------------------------------------
  function trim3(value) {
    return String(+value.toPrecision(3));
  }
  function compact(value) {
    const a = Math.abs(value);
    if (a >= 1e9) return trim3(value / 1e9) + 'G';
    if (a >= 1e6) return trim3(value / 1e6) + 'M';
    if (a >= 1e3) return trim3(value / 1e3) + 'k';
    return trim3(value);
  }
  function thousands(value) {
    return Math.round(value).toLocaleString('en-US');
  }
  function seconds(value) {
    if (value >= 100) return value.toFixed(0) + ' s';
    if (value >= 1) return value.toFixed(2) + ' s';
    if (value >= 1e-3) return (value * 1e3).toFixed(value >= 0.1 ? 0 : 1) + ' ms';
    return (value * 1e6).toFixed(0) + ' \u00b5s';
  }
  function gib(bytes) {
    return (bytes / GiB).toFixed(1) + ' GiB';
  }
  function percent(fraction, digits) {
    return (100 * fraction).toFixed(digits === undefined ? 1 : digits) + '%';
  }
  // The degrees of the one layout text ("tp8+sp pp2x16 dp32 ..."), before the micro-batch.
  function shortLayout(label) {
    return label.split(' mbs')[0];
  }

  // ---- scales and axes --------------------------------------------------------------------
  function linear(d0, d1, r0, r1) {
    const span = d1 - d0 || 1;
    return (v) => r0 + ((v - d0) / span) * (r1 - r0);
  }
  function niceStep(span, count) {
    const raw = span / Math.max(count, 1);
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    const n = raw / magnitude;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * magnitude;
  }
  function niceMax(max, count) {
    if (!(max > 0) || !isFinite(max)) return 1;
    const step = niceStep(max, count);
    return Math.ceil(max / step - 1e-9) * step;
  }
  function ticks(max, count) {
    const step = niceStep(max, count);
    const out = [];
    for (let i = 0; i * step <= max * (1 + 1e-9); ++i) out.push(+(i * step).toPrecision(12));
    return out;
  }
  function maxOf(values) {
    let best = 0;
    for (const v of values) if (v > best && isFinite(v)) best = v;
    return best;
  }

  // ---- SVG helpers ------------------------------------------------------------------------
  function add(parent, tag, attributes, text) {
    const node = document.createElementNS(NS, tag);
    for (const key in attributes) node.setAttribute(key, attributes[key]);
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }
  function tip(node, text) {
    add(node, 'title', {}, text);
    return node;
  }
  function setup(id, width, height) {
    const svg = document.getElementById('chart-' + id);
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    return svg;
  }
  function message(svg, width, height, text) {
    add(svg, 'text', {x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'message'}, text);
  }
  function xAxis(svg, plot, x, values, format, label) {
    const grid = add(svg, 'g', {class: 'grid'});
    const axis = add(svg, 'g', {class: 'axis'});
    for (const v of values) {
      const px = x(v);
      add(grid, 'line', {x1: px, x2: px, y1: plot.top, y2: plot.bottom});
      add(axis, 'line', {x1: px, x2: px, y1: plot.bottom, y2: plot.bottom + 4});
      add(axis, 'text', {x: px, y: plot.bottom + 17, 'text-anchor': 'middle', class: 'tick-label'}, format(v));
    }
    add(axis, 'line', {x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom});
    add(axis, 'text', {x: (plot.left + plot.right) / 2, y: plot.bottom + 36, 'text-anchor': 'middle', class: 'axis-label'},
        label);
  }
  function yAxis(svg, plot, y, values, format, label, side) {
    const right = side === 'right';
    const at = right ? plot.right : plot.left;
    const grid = add(svg, 'g', {class: 'grid'});
    const axis = add(svg, 'g', {class: 'axis'});
    for (const v of values) {
      const py = y(v);
      if (!right) add(grid, 'line', {x1: plot.left, x2: plot.right, y1: py, y2: py});
      add(axis, 'line', {x1: at, x2: at + (right ? 4 : -4), y1: py, y2: py});
      add(axis, 'text', {x: at + (right ? 7 : -7), y: py + 4, 'text-anchor': right ? 'start' : 'end', class: 'tick-label'},
          format(v));
    }
    add(axis, 'line', {x1: at, x2: at, y1: plot.top, y2: plot.bottom});
    const lx = right ? plot.right + 54 : plot.left - 54;
    const ly = (plot.top + plot.bottom) / 2;
    add(axis, 'text', {x: lx, y: ly, 'text-anchor': 'middle', class: 'axis-label',
                       transform: 'rotate(' + (right ? 90 : -90) + ' ' + lx + ' ' + ly + ')'}, label);
  }
  function legend(id, items) {
    const box = document.getElementById('legend-' + id);
    for (const item of items) {
      const entry = document.createElement('span');
      entry.className = 'legend-item';
      const swatch = document.createElement('span');
      swatch.className = 'swatch ' + (item.kind || 'box');
      if (item.kind === 'dashed') swatch.style.borderColor = item.color;
      else if (item.kind !== 'ring') swatch.style.background = item.color;
      if (item.kind === 'line' || item.kind === 'dashed') swatch.style.width = '18px';
      entry.appendChild(swatch);
      entry.appendChild(document.createTextNode(item.label));
      box.appendChild(entry);
    }
  }
  function note(id, text) {
    const box = document.getElementById('legend-' + id);
    const entry = document.createElement('span');
    entry.className = 'legend-item';
    entry.textContent = text;
    box.appendChild(entry);
  }

  // ---- throughput vs memory ---------------------------------------------------------------
  function drawScatter() {
    const W = 1280, H = 460;
    const plot = {left: 78, right: W - 20, top: 14, bottom: H - 50};
    const svg = setup('scatter', W, H);
    const feasible = data.feasible;
    const col = {};
    feasible.columns.forEach((name, i) => { col[name] = i; });
    const points = feasible.points.map((r) => ({
      tokens: r[col.tokens_per_s], memory: r[col.memory_bytes] / GiB, pareto: r[col.pareto] === 1,
      text: 'TP' + r[col.tp] + ' PP' + r[col.pp] + (r[col.vp] > 1 ? ' VP' + r[col.vp] : '') + ' DP' + r[col.dp] +
            ' CP' + r[col.cp] + ' EP' + r[col.ep] + ' mbs' + r[col.micro_batch_size],
    }));
    const top = data.candidates.map((c) => ({
      rank: c.rank, tokens: c.tokens_per_s, memory: c.memory_bytes.total / GiB, label: c.label,
    }));
    if (!points.length && !top.length) {
      message(svg, W, H, 'No feasible layout.');
      return;
    }
    const capacity = data.gpu_memory_bytes / GiB;
    const xMax = niceMax(1.02 * Math.max(capacity, maxOf(points.map((p) => p.memory)), maxOf(top.map((p) => p.memory))), 8);
    const yMax = niceMax(1.05 * Math.max(maxOf(points.map((p) => p.tokens)), maxOf(top.map((p) => p.tokens))), 6);
    const x = linear(0, xMax, plot.left, plot.right);
    const y = linear(0, yMax, plot.bottom, plot.top);
    yAxis(svg, plot, y, ticks(yMax, 6), compact, 'tokens / s');
    xAxis(svg, plot, x, ticks(xMax, 8), (v) => trim3(v), 'peak memory per GPU (GiB)');

    const cloud = add(svg, 'g', {class: 'points'});
    const ordered = points.filter((p) => !p.pareto).concat(points.filter((p) => p.pareto));
    for (const p of ordered) {
      tip(add(cloud, 'circle', {cx: x(p.memory), cy: y(p.tokens), r: p.pareto ? 4.5 : 3,
                                class: p.pareto ? 'point pareto' : 'point'}),
          p.text + '\n' + thousands(p.tokens) + ' tokens/s \u00b7 ' + p.memory.toFixed(1) + ' GiB' +
              (p.pareto ? ' \u00b7 Pareto front' : ''));
    }
    const front = points.filter((p) => p.pareto).sort((a, b) => a.memory - b.memory || a.tokens - b.tokens);
    if (front.length > 1) {
      add(svg, 'polyline', {class: 'front', points: front.map((p) => x(p.memory) + ',' + y(p.tokens)).join(' ')});
    }
    if (capacity > 0) {
      add(svg, 'line', {class: 'capacity', x1: x(capacity), x2: x(capacity), y1: plot.top, y2: plot.bottom});
      add(svg, 'text', {class: 'capacity-label', x: x(capacity) - 6, y: plot.top + 12, 'text-anchor': 'end'},
          'GPU memory ' + capacity.toFixed(0) + ' GiB');
    }
    // Rings for every top configuration, worst drawn first so that #1 is on top; rank labels
    // best first, skipping one that would overlap a label already placed (near-identical
    // layouts sit on top of each other).
    const rings = add(svg, 'g', {class: 'top'});
    for (const c of top.slice().reverse()) {
      tip(add(rings, 'circle', {cx: x(c.memory), cy: y(c.tokens), r: c.rank === 1 ? 9 : 7, class: 'top-ring',
                                'data-rank': c.rank}),
          '#' + c.rank + ' ' + c.label + '\n' + thousands(c.tokens) + ' tokens/s \u00b7 ' + c.memory.toFixed(1) + ' GiB');
    }
    const placed = [];
    for (const c of top) {
      const lx = x(c.memory) + 10, ly = y(c.tokens) - 10;
      const width = 8 + 7 * String(c.rank).length;
      if (placed.some((b) => Math.abs(b.x - lx) < Math.max(b.width, width) && Math.abs(b.y - ly) < 13)) continue;
      placed.push({x: lx, y: ly, width: width});
      add(rings, 'text', {x: lx, y: ly, class: 'top-label'}, '#' + c.rank);
    }
    legend('scatter', [
      {label: 'feasible layout', color: '#94a3b8', kind: 'dot'},
      {label: 'Pareto front (most tokens/s for the memory)', color: ACCENT, kind: 'line'},
      {label: 'top configuration (#rank)', kind: 'ring'},
    ].concat(capacity > 0 ? [{label: 'GPU memory', color: '#b91c1c', kind: 'dashed'}] : []));
    if (feasible.shown < feasible.total) {
      note('scatter', 'showing ' + thousands(feasible.shown) + ' of ' + thousands(feasible.total) +
                      ' feasible layouts (every Pareto point kept)');
    }
  }

  // ---- stacked breakdowns of the best few -------------------------------------------------
  // Values arrive in SI units (s, bytes); the axis counts `unit`s of them (1 s, 1 GiB).
  // bandOf(c): the likely [low, high] of the total, drawn as a whisker; null for none.
  function drawStacked(id, parts, valuesOf, totalOf, format, unit, axisLabel, capacity, bandOf) {
    const candidates = data.candidates.slice(0, BREAKDOWN_CANDIDATES);
    const rowH = 34, W = 640;
    const plot = {left: 196, right: W - (bandOf ? 150 : 64), top: 8, bottom: 8 + Math.max(candidates.length, 1) * rowH};
    const H = plot.bottom + 46;
    const svg = setup(id, W, H);
    if (!candidates.length) {
      message(svg, W, H, 'No feasible configuration.');
      return;
    }
    const sums = candidates.map((c) => parts.reduce((s, p) => s + (valuesOf(c)[p[0]] || 0), 0));
    const bands = candidates.map((c) => (bandOf ? bandOf(c) : null));
    const max = niceMax(Math.max(maxOf(sums), maxOf(candidates.map(totalOf)), capacity || 0,
                                 maxOf(bands.map((b) => (b ? b[1] : 0)))) / unit, 5);
    const x = linear(0, max * unit, plot.left, plot.right);
    xAxis(svg, plot, (v) => x(v * unit), ticks(max, 5), trim3, axisLabel);
    if (capacity > 0) {
      add(svg, 'line', {class: 'capacity', x1: x(capacity), x2: x(capacity), y1: plot.top, y2: plot.bottom});
    }
    const used = new Set();
    candidates.forEach((c, i) => {
      const top = plot.top + i * rowH + 6, h = rowH - 12;
      const label = add(svg, 'g', {});
      add(label, 'text', {x: 0, y: top + h / 2 + 4, class: 'bar-label', 'font-weight': 700}, '#' + c.rank);
      add(label, 'text', {x: 26, y: top + h / 2 + 4, class: 'bar-label'}, shortLayout(c.label));
      tip(label, c.label);
      const values = valuesOf(c);
      let at = 0;
      for (const [key, name, color] of parts) {
        const v = values[key] || 0;
        if (!(v > 0)) continue;
        used.add(key);
        tip(add(svg, 'rect', {x: x(at), y: top, width: Math.max(x(at + v) - x(at), 0.5), height: h, fill: color,
                              class: 'segment'}),
            '#' + c.rank + ' ' + name + ': ' + format(v) + ' (' + percent(v / (sums[i] || 1)) + ')');
        at += v;
      }
      const band = bands[i];
      let end = Math.max(at, totalOf(c));
      if (band) {
        const y = top + h / 2;
        tip(add(svg, 'line', {x1: x(band[0]), x2: x(band[1]), y1: y, y2: y, class: 'band-range'}),
            '#' + c.rank + ' likely ' + format(band[0]) + '\u2013' + format(band[1]));
        for (const v of band) add(svg, 'line', {x1: x(v), x2: x(v), y1: y - 5, y2: y + 5, class: 'band-range'});
        end = Math.max(end, band[1]);
      }
      // The label sits right of the bar (and its whisker); where the GPU-memory line would run
      // through it, it moves past the line instead.
      const text = format(totalOf(c)) + (band ? ' (likely ' + format(band[0]) + '\u2013' + format(band[1]) + ')' : '');
      const total = add(svg, 'text', {x: x(end) + 6, y: top + h / 2 + 4, class: 'value-label'}, text);
      let box = total.getBBox();
      if (capacity > 0 && box.x - 2 <= x(capacity) && x(capacity) <= box.x + box.width + 2) {
        total.setAttribute('x', x(capacity) + 6);
        box = total.getBBox();
      }
      svg.insertBefore(add(svg, 'rect', {x: box.x - 2, y: box.y, width: box.width + 4, height: box.height,
                                         class: 'label-backdrop'}), total);
    });
    legend(id, parts.filter((p) => used.has(p[0])).map((p) => ({label: p[1], color: p[2]}))
                   .concat(capacity > 0 ? [{label: 'GPU memory', color: '#b91c1c', kind: 'dashed'}] : []));
  }
  function drawTime() {
    drawStacked('time', TIME_PARTS, (c) => c.time_breakdown_s, (c) => c.iteration_time_s, seconds, 1,
                'seconds per iteration', 0, (c) => c.iteration_time_band_s);
  }
  function drawMemory() {
    drawStacked('memory', MEMORY_PARTS, (c) => c.memory_bytes, (c) => c.memory_bytes.total, gib, GiB,
                'GiB per GPU', data.gpu_memory_bytes, null);
  }

  // ---- pipeline timeline (Gantt) of the best ----------------------------------------------
  function drawGantt() {
    const timeline = data.timeline;
    const W = 1280;
    const col = {};
    timeline.columns.forEach((name, i) => { col[name] = i; });
    const events = timeline.events.map((e) => ({
      stage: e[col.stage], name: e[col.name], category: e[col.category], start: e[col.start_s], end: e[col.end_s],
    }));
    if (!events.length) {
      const svg = setup('gantt', W, 80);
      message(svg, W, 40, 'No timeline for this configuration.');
      return;
    }
    const stages = Math.max(timeline.stages, 1);
    const rowH = stages <= 4 ? 40 : stages <= 8 ? 30 : stages <= 16 ? 22 : stages <= 32 ? 14 : 8;
    const plot = {left: 74, right: W - 16, top: 6, bottom: 6 + stages * rowH};
    const H = plot.bottom + 46;
    const svg = setup('gantt', W, H);
    const end = maxOf(events.map((e) => e.end));
    const inMs = end < 2;
    const scale = inMs ? 1e3 : 1;
    const max = niceMax(end * scale, 10);
    const x = linear(0, max / scale, plot.left, plot.right);
    xAxis(svg, plot, (v) => x(v / scale), ticks(max, 10), (v) => trim3(v),
          'time in the iteration (' + (inMs ? 'ms' : 's') + ')');
    for (let s = 0; s < stages; ++s) {
      const y = plot.top + s * rowH;
      if (s % 2 === 1) add(svg, 'rect', {x: plot.left, y: y, width: plot.right - plot.left, height: rowH, fill: '#f8fafc'});
      add(svg, 'text', {x: plot.left - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: 'tick-label'}, 'stage ' + s);
    }
    const used = new Set();
    const group = add(svg, 'g', {class: 'events'});
    for (const e of events) {
      const kind = EVENT_KINDS[e.category];
      used.add(e.category);
      const x0 = x(e.start), width = Math.max(x(e.end) - x0, 0.6);
      const y = plot.top + e.stage * rowH + 2, h = rowH - 4;
      tip(add(group, 'rect', {x: x0, y: y, width: width, height: h, rx: h > 10 && width > 6 ? 2 : 0,
                              fill: kind ? kind[1] : OTHER_EVENT_COLOR, class: 'event'}),
          'stage ' + e.stage + ' \u00b7 ' + e.name + ' (' + (kind ? kind[0] : e.category) + ')\n' + seconds(e.start) +
              ' \u2192 ' + seconds(e.end) + ' (' + seconds(e.end - e.start) + ')');
      if (h >= 12 && width > e.name.length * 5.6 + 4) {
        add(group, 'text', {x: x0 + width / 2, y: y + h / 2 + 3, 'text-anchor': 'middle', class: 'in-bar'}, e.name);
      }
    }
    const items = [];
    for (const key in EVENT_KINDS) {
      if (used.has(key)) items.push({label: EVENT_KINDS[key][0], color: EVENT_KINDS[key][1]});
    }
    for (const key of used) {
      if (!EVENT_KINDS[key]) items.push({label: key, color: OTHER_EVENT_COLOR});
    }
    legend('gantt', items);
    if (data.candidates.length) note('gantt', 'configuration #1: ' + data.candidates[0].label);
  }

  // ---- scaling curve (log-log) -----------------------------------------------------------
  // Log-scale ticks: 1, 2, 5 x 10^k inside [lo, hi].
  function logTicks(lo, hi) {
    const out = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); ++e) {
      for (const m of [1, 2, 5]) {
        const v = m * Math.pow(10, e);
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
      }
    }
    return out;
  }
  function drawScaling() {
    const W = 1280, H = 380;
    const plot = {left: 78, right: W - 78, top: 14, bottom: H - 50};
    const svg = setup('scaling', W, H);
    const points = data.scaling.slice().sort((a, b) => a.gpus - b.gpus);
    if (!points.length) {
      message(svg, W, H, 'No scaling curve in this report.');
      return;
    }
    const first = points[0];
    const ideal = points.map((p) => first.tokens_per_s * p.gpus / first.gpus);
    const band = data.band;  // measured / predicted time: tokens/s spans [t / high, t / low]
    const lowOf = (t) => (band ? t / band.high_ratio : t);
    const highOf = (t) => (band ? t / band.low_ratio : t);
    const lo = Math.log2(first.gpus), hi = Math.log2(points[points.length - 1].gpus);
    const pad = hi > lo ? 0.04 * (hi - lo) + 0.15 : 1;
    const lx = linear(lo - pad, hi + pad, plot.left, plot.right);
    const x = (g) => lx(Math.log2(g));
    // Both axes logarithmic: linear scaling is a straight line of slope 1.
    const yLo = 0.8 * Math.min(...points.map((p) => lowOf(p.tokens_per_s)));
    const yHi = 1.25 * Math.max(maxOf(points.map((p) => highOf(p.tokens_per_s))), maxOf(ideal));
    const ly = linear(Math.log10(yLo), Math.log10(yHi), plot.bottom, plot.top);
    const y = (v) => ly(Math.log10(Math.max(v, yLo)));
    const mfuMax = Math.min(niceMax(1.15 * 100 * maxOf(points.map((p) => p.mfu)), 5), 100);
    const yMfu = linear(0, mfuMax, plot.bottom, plot.top);
    const tickValues = logTicks(yLo, yHi);
    yAxis(svg, plot, y, tickValues.length >= 2 ? tickValues : [yLo, yHi], compact, 'tokens / s (log scale)');
    yAxis(svg, plot, yMfu, ticks(mfuMax, 5), (v) => trim3(v) + '%', 'MFU', 'right');
    const axis = add(svg, 'g', {class: 'axis'});
    add(axis, 'line', {x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom});
    for (const p of points) {
      add(axis, 'line', {x1: x(p.gpus), x2: x(p.gpus), y1: plot.bottom, y2: plot.bottom + 4});
      add(axis, 'text', {x: x(p.gpus), y: plot.bottom + 17, 'text-anchor': 'middle', class: 'tick-label'}, String(p.gpus));
    }
    add(axis, 'text', {x: (plot.left + plot.right) / 2, y: plot.bottom + 36, 'text-anchor': 'middle', class: 'axis-label'},
        'GPUs (log scale)');
    if (band && points.length > 1) {
      const upper = points.map((p) => x(p.gpus) + ',' + y(highOf(p.tokens_per_s)));
      const lower = points.slice().reverse().map((p) => x(p.gpus) + ',' + y(lowOf(p.tokens_per_s)));
      tip(add(svg, 'polygon', {class: 'band-area', points: upper.concat(lower).join(' ')}),
          'likely tokens/s: measured / predicted time ' + band.low_ratio.toFixed(2) + '\u2013' +
              band.high_ratio.toFixed(2) + ' (' + band.basis + ')');
    }
    if (points.length > 1) {
      add(svg, 'polyline', {class: 'ideal', points: points.map((p, i) => x(p.gpus) + ',' + y(ideal[i])).join(' ')});
      add(svg, 'polyline', {class: 'series', stroke: MFU_COLOR,
                            points: points.map((p) => x(p.gpus) + ',' + yMfu(100 * p.mfu)).join(' ')});
      add(svg, 'polyline', {class: 'series', stroke: ACCENT,
                            points: points.map((p) => x(p.gpus) + ',' + y(p.tokens_per_s)).join(' ')});
    }
    points.forEach((p, i) => {
      const text = p.gpus + ' GPUs: ' + thousands(p.tokens_per_s) + ' tokens/s' +
                   (band ? ' (likely ' + compact(lowOf(p.tokens_per_s)) + '\u2013' + compact(highOf(p.tokens_per_s)) + ')' : '') +
                   ', MFU ' + percent(p.mfu) + ', ' + percent(p.tokens_per_s / (ideal[i] || 1), 0) + ' of linear\n' + p.label;
      const size = 7;
      tip(add(svg, 'rect', {x: x(p.gpus) - size / 2, y: yMfu(100 * p.mfu) - size / 2, width: size, height: size,
                            fill: MFU_COLOR}), text);
      tip(add(svg, 'circle', {cx: x(p.gpus), cy: y(p.tokens_per_s), r: 5, fill: ACCENT, stroke: '#ffffff',
                              'stroke-width': 1.5}), text);
      add(svg, 'text', {x: x(p.gpus), y: y(p.tokens_per_s) - 10, 'text-anchor': 'middle', class: 'value-label'},
          compact(p.tokens_per_s));
    });
    legend('scaling', [
      {label: 'tokens/s (left axis, log scale)', color: ACCENT, kind: 'line'},
    ].concat(band ? [{label: 'likely range of tokens/s', color: 'rgba(37, 99, 235, 0.25)'}] : []).concat([
      {label: 'MFU (right axis)', color: MFU_COLOR, kind: 'line'},
      {label: 'linear scaling from ' + first.gpus + ' GPUs', color: '#9aa5b1', kind: 'dashed'},
    ]));
  }

  // ---- a table wider than its card scrolls, and says so ------------------------------------
  function markOverflow() {
    const wrap = document.getElementById('table-wrap');
    const hint = document.getElementById('scroll-hint');
    if (!wrap || !hint) return;
    const update = () => {
      const over = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle('overflowing', over);
      hint.classList.toggle('shown', over);
    };
    update();
    window.addEventListener('resize', update);
  }

  // ---- table <-> scatter highlighting -----------------------------------------------------
  function linkTable() {
    const rows = document.querySelectorAll('tr.candidate');
    const ringOf = (rank) => document.querySelector('#chart-scatter .top-ring[data-rank="' + rank + '"]');
    rows.forEach((row) => {
      const rank = row.getAttribute('data-rank');
      row.addEventListener('mouseenter', () => { const r = ringOf(rank); if (r) r.classList.add('highlight'); });
      row.addEventListener('mouseleave', () => { const r = ringOf(rank); if (r) r.classList.remove('highlight'); });
    });
    document.querySelectorAll('#chart-scatter .top-ring').forEach((ring) => {
      const row = document.getElementById('candidate-' + ring.getAttribute('data-rank'));
      if (!row) return;
      ring.addEventListener('mouseenter', () => row.classList.add('highlight'));
      ring.addEventListener('mouseleave', () => row.classList.remove('highlight'));
    });
  }

  const steps = [['scatter', drawScatter], ['time breakdown', drawTime], ['memory breakdown', drawMemory],
                 ['timeline', drawGantt], ['scaling', drawScaling], ['table links', linkTable],
                 ['table overflow', markOverflow]];
  let failed = 0;
  for (const [name, draw] of steps) {
    try {
      draw();
    } catch (error) {
      // Keep drawing the other charts; the failure is shown in the page and blocks data-rendered.
      ++failed;
      window.perfplanReportError(name + ': ' + (error && error.message ? error.message : error));
    }
  }
  if (failed === 0) document.body.setAttribute('data-rendered', 'true');
})();
