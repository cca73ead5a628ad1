// lpnet explorer: controls -> POST /api/path (cached per penalty choice) and /api/fit -> three views.
// At most one update is in flight; changes arriving meanwhile are merged into the next one, so a
// dragged slider is throttled to the server's pace and the last position always gets drawn.  The
// labels follow the controls at once, and a busy indicator shows what is still being computed.
// The penalty menu and the sliders of the shape parameters are built from GET /api/penalties (lpnet's
// registry), the datafit menu and its parameters' sliders from GET /api/datafits, and which data set
// goes with which datafit from GET /api/datasets: no penalty, datafit or data set is named here.
"use strict";
(function () {
  const SLIDER = 1000; // alpha and radius sliders run over 0..SLIDER
  const PATH_POINTS = 50; // 16 per decade of alpha: smooth curves, half the time of 100
  const GRID = 5; // the page draws the exact contour lines; it needs only the grid's extent
  const BUSY_DELAY_MS = 150; // a fast update does not flash the indicator
  const LEGEND_MAX = 10; // more path curves than this: the coefficient table is the legend
  const ARROW = 0.3; // the longer KKT arrow spans this fraction of the window's half-width
  const LABEL_GAP = 7; // px between a point or an arrow's head and its label
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#ff7f0e"];
  const GRAD_COLOR = "#d62728";
  const NORMAL_COLOR = "rgba(230,126,0,0.65)";
  const ZERO_COLOR = "#1a7f37";
  const $ = (id) => document.getElementById(id);
  const datasets = new Map();
  const penalties = new Map(); // name -> the server's description: label, parameters, ball, exponent
  const controls = new Map(); // penalty name -> its shape parameters' sliders
  const datafits = new Map(); // name -> the server's description: label, formula, parameters, constrained
  const datafitControls = new Map(); // datafit name -> its parameters' sliders
  const pathCache = new Map();
  let minima = null; // {key, result} of the last multi-start
  let shown = null; // {key, convex} of the fit on the page
  let busy = false;
  let pendingSince = null;

  // beyond the ten distinct colours: hues a golden angle apart, so neighbours differ
  function color(j) {
    return j < COLORS.length ? COLORS[j] : `hsl(${Math.round((j * 137.508) % 360)}, 65%, 42%)`;
  }

  window.lpnetUpdates = 0; // completed updates (tests wait on it)
  window.lpnetLastUpdateMs = null; // control change -> all views drawn, in ms
  window.lpnetLastBreakdown = null; // where that time went: requests, each view, the frame

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(json.message || response.statusText);
    return json;
  }

  // ------------------------------------------------------------------ the penalty controls
  // One slider per shape parameter of each penalty: over its list of values (an unbounded parameter;
  // an exponent also offers infinity, in constrained form) or linear from its low to its high end.
  function buildPenalties(list) {
    const owners = new Map(); // parameter name -> how many penalties take it
    for (const prm of list.flatMap((info) => info.parameters)) owners.set(prm.name, (owners.get(prm.name) || 0) + 1);
    $("penalty").innerHTML = list.map((info) =>
      `<option value="${esc(info.name)}" title="${esc(info.description)}">${esc(info.label)}</option>`).join("");
    const boxes = [];
    for (const info of list) {
      penalties.set(info.name, info);
      controls.set(info.name, info.parameters.map((prm) => {
        const base = prm.name.replace(/[^A-Za-z0-9]+/g, "-");
        // the id is the parameter's own (#p, #l1-ratio) unless another penalty or the page has it
        const id = owners.get(prm.name) > 1 || $(base) ? `${info.name}-${base}` : base;
        const values = prm.values && (prm.exponent ? [...prm.values, Infinity] : prm.values);
        const [min, max, step, value] = values ? [0, values.length - 1, 1, values.indexOf(prm.default)] :
          [prm.low, prm.high, prm.step, prm.default];
        boxes.push(`<label id="${esc(id)}-box" hidden>${esc(prm.name)} <output id="${esc(id)}-value"></output>` +
          `<input type="range" id="${esc(id)}" min="${min}" max="${max}" step="${step}" value="${value}"></label>`);
        return { ...prm, id: id, values: values };
      }));
    }
    $("shape-params").innerHTML = boxes.join("");
  }

  // The datafit menu: every registered datafit, those the explorer cannot draw greyed out with the
  // reason; one slider per parameter of each (over its list of values).
  function buildDatafits(list) {
    $("datafit").innerHTML = list.map((info) => `<option value="${esc(info.name)}"` +
      ` title="${esc(info.offered ? info.description : "not offered: " + info.reason)}"` +
      `${info.offered ? "" : " disabled"}>${esc(info.label)}</option>`).join("");
    const boxes = [];
    for (const info of list) {
      datafits.set(info.name, info);
      datafitControls.set(info.name, info.parameters.map((prm) => {
        const id = `datafit-${info.name}-${prm.name}`.replace(/[^A-Za-z0-9-]+/g, "-");
        boxes.push(`<label id="${esc(id)}-box" hidden>${esc(prm.name)} <output id="${esc(id)}-value"></output>` +
          `<input type="range" id="${esc(id)}" min="0" max="${prm.values.length - 1}" step="1" ` +
          `value="${prm.values.indexOf(prm.default)}"></label>`);
        return { ...prm, id: id };
      }));
    }
    $("datafit-params").innerHTML = boxes.join("");
  }

  function datafitParams(name) {
    const params = {};
    for (const c of datafitControls.get(name)) params[c.name] = controlValue(c);
    return params;
  }

  // a slider's value: a number, Infinity, or the position `at` on a list slider
  function controlValue(c, at = null) {
    const k = at === null ? Number($(c.id).value) : at;
    return c.values ? c.values[k] : k;
  }

  function setControl(c, value) {
    const v = value === null || value === "inf" ? Infinity : value;
    $(c.id).value = String(c.values ? c.values.indexOf(v) : v);
  }

  function decimals(c) {
    return c.values ? 0 : Math.max(0, -Math.floor(Math.log10(c.step) + 1e-9));
  }

  function describePenalty(name, params) {
    const shape = Object.entries(params).map(([k, v]) => `${k} = ${v === "inf" || v === null ? "\u221e" : v}`);
    return penalties.get(name).label + (shape.length ? ` (${shape.join(", ")})` : "");
  }

  // the exponent of the norm whose ball is drawn, or null: the level sets of a penalty without a norm
  function ballExponent(s) {
    const c = controls.get(s.penalty).find((x) => x.exponent);
    return c ? s.params[c.name] : penalties.get(s.penalty).exponent;
  }

  // ------------------------------------------------------------------ reading the controls
  function checkedFeatures() {
    return [...document.querySelectorAll("#features input:checked")].map((el) => el.value);
  }

  function settings() {
    const penalty = $("penalty").value;
    const params = {};
    for (const c of controls.get(penalty)) {
      const v = controlValue(c);
      params[c.name] = v === Infinity ? "inf" : v;
    }
    return {
      dataset: $("dataset").value,
      features: checkedFeatures(),
      view: [$("view-x").value, $("view-y").value],
      datafit: $("datafit").value,
      datafitParams: datafitParams($("datafit").value),
      penalty: penalty,
      form: document.querySelector("input[name=form]:checked").value,
      params: params,
    };
  }

  // the fields every request shares: the data, the datafit and the penalty with their parameters
  function problemFields(s) {
    return { dataset: s.dataset, features: s.features, datafit: s.datafit, ...s.datafitParams,
      penalty: s.penalty, ...s.params };
  }

  function rangeRequest(s) {
    return { ...problemFields(s), form: s.form };
  }

  function pathRequest(s) {
    return { ...rangeRequest(s), n_points: PATH_POINTS };
  }

  // The slider's range depends on less than the path: the alpha range is alpha_max's, the radius range
  // the least-squares norm's.  It comes from the path or, quicker, from /api/range: the fit never waits
  // for a new path (seconds for a constrained p < 1).
  function rangeKey(s) {
    return JSON.stringify([s.dataset, s.features, s.datafit, s.datafitParams, s.form, s.penalty, s.params]);
  }
  const ranges = new Map();

  // the slider keeps its relative position when the range changes (a new penalty has a new alpha_max);
  // the mapping is the server's (lpnet.explorer.corner.slider_value), so a position it finds is exact
  function sliderValue(s, range) {
    const pos = Number($(s.form === "penalized" ? "alpha" : "radius").value) / SLIDER;
    if (range.scale === "log") return range.x_min * Math.pow(range.x_max / range.x_min, pos);
    return range.x_max * pos;
  }

  async function sliderRange(s) {
    const key = rangeKey(s);
    if (!ranges.has(key)) ranges.set(key, await post("/api/range", rangeRequest(s)));
    return ranges.get(key);
  }

  // the labels follow the controls at once, also while an update is still being computed
  function showLabels() {
    const s = settings();
    const range = ranges.get(rangeKey(s));
    const label = $(s.form === "penalized" ? "alpha-value" : "radius-value");
    label.textContent = range ? fmt(sliderValue(s, range)) : "\u2026"; // the range is on its way
    for (const c of controls.get(s.penalty)) {
      const v = controlValue(c);
      $(c.id + "-value").textContent = v === Infinity ? "\u221e" : c.values ? String(v) : v.toFixed(decimals(c));
    }
    for (const c of datafitControls.get(s.datafit)) $(c.id + "-value").textContent = String(controlValue(c));
  }

  // ------------------------------------------------------------------ the busy indicator
  // What is being computed, by task; the indicator shows the latest one's text after BUSY_DELAY_MS
  // and dims the views that the controls have moved past.
  const tasks = new Map();
  let busyTimer = null;

  function busyStart(task, text, stalePlots) {
    tasks.delete(task); // re-added last: its text is shown
    tasks.set(task, { text: text, plots: stalePlots });
    refreshBusy();
  }

  function busyEnd(task) {
    tasks.delete(task);
    refreshBusy();
  }

  function refreshBusy() {
    if (!tasks.size) {
      clearTimeout(busyTimer);
      busyTimer = null;
      $("busy").hidden = true;
      for (const id of ["geometry", "path"]) $(id).classList.remove("stale");
      return;
    }
    if ($("busy").hidden) {
      if (busyTimer === null) {
        busyTimer = setTimeout(() => { busyTimer = null; $("busy").hidden = false; refreshBusy(); }, BUSY_DELAY_MS);
      }
      return;
    }
    const active = [...tasks.values()];
    $("busy-text").textContent = active[active.length - 1].text;
    const stale = new Set(active.flatMap((t) => t.plots));
    for (const id of ["geometry", "path"]) $(id).classList.toggle("stale", stale.has(id));
  }

  function pathText(s, fit) {
    return s.form === "constrained" && !fit.convex ?
      "computing the path: a local fit per radius, some seconds\u2026" : "computing the path\u2026";
  }

  // feature names come from the user's CSV header: escape them before they go into HTML
  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  function fmt(v, digits = 4) {
    if (v === null || v === undefined) return "n/a";
    if (v === 0) return "0";
    const a = Math.abs(v);
    return a >= 1e5 || a < 1e-3 ? v.toExponential(digits - 1) : v.toPrecision(digits);
  }

  // ------------------------------------------------------------------ the update cycle
  function requestUpdate() {
    if (pendingSince === null) pendingSince = performance.now();
    if (!busy) run();
  }

  async function run() {
    busy = true;
    const t0 = pendingSince; // the oldest change this update answers: its latency is the one reported
    pendingSince = null;
    const s = settings();
    busyStart("update", "fitting\u2026", ["geometry", "path"]);
    try {
      const key = JSON.stringify(pathRequest(s));
      let path = pathCache.get(key);
      let pending = null;
      if (!path) {
        pending = post("/api/path", pathRequest(s)).then((result) => {
          pathCache.set(key, result);
          ranges.set(rangeKey(s), result);
          return result;
        });
        pending.catch(() => {}); // if the fit fails first, its error is the one shown
      }
      const range = path || await sliderRange(s);
      showLabels();
      const value = sliderValue(s, range);
      const body = { ...problemFields(s), view: s.view, grid: GRID };
      body[s.form === "penalized" ? "alpha" : "radius"] = value;
      const t1 = performance.now();
      const fit = await post("/api/fit", body);
      const t2 = performance.now();
      // the fit is drawn as soon as it is known: a slow path must not hide it
      await drawGeometry(fit, s);
      drawNumbers(fit, s);
      shown = { key: settingKey(s), convex: fit.convex };
      showMultistart();
      const t3 = performance.now();
      if (!path) {
        busyStart("update", pathText(s, fit), ["path"]);
        path = await pending;
      }
      const t4 = performance.now();
      await drawPath(path, fit, s, value);
      await new Promise((resolve) => requestAnimationFrame(resolve));
      window.lpnetLastBreakdown = { range_and_path: t1 - t0, fit: t2 - t1, geometry_and_numbers: t3 - t2,
        path_wait: t4 - t3, path_plot_and_paint: performance.now() - t4 };
      $("status").textContent = "";
    } catch (err) {
      $("status").textContent = err.message;
    }
    const ms = performance.now() - t0;
    window.lpnetLastUpdateMs = ms;
    window.lpnetUpdates += 1;
    $("n-update").textContent = ms.toFixed(0) + " ms";
    busy = false;
    if (pendingSince !== null) {
      run(); // the indicator stays on: the controls are still ahead of the picture
    } else {
      busyEnd("update");
      prefetch(s);
    }
  }

  // While the page is idle, compute the paths up to three steps away on each shape parameter's slider,
  // nearest first, so that the next change of these sliders finds its path cached (a new path costs
  // tens of ms on the server).  One request at a time, and none while an update waits: a user's
  // change never queues behind more than one of them.  (Prefetching every position was tried: the
  // longer idle work slowed the next change more than the extra cache hits helped.)
  let prefetchRound = 0;

  async function prefetch(s) {
    const round = ++prefetchRound; // a newer round (after a newer update) ends this one
    const requests = [];
    for (const step of [1, -1, 2, -2, 3, -3]) {
      for (const c of controls.get(s.penalty)) {
        const slider = $(c.id);
        const at = c.values ? Number(slider.value) + step :
          Number((Number(slider.value) + step * c.step).toFixed(decimals(c)));
        if (at < Number(slider.min) || at > Number(slider.max)) continue;
        const v = controlValue(c, at);
        // constrained p < 1 paths take seconds (a local solver per radius): computed only when chosen
        if (s.form === "constrained" && c.exponent && v < 1) continue;
        requests.push({ ...s, params: { ...s.params, [c.name]: v === Infinity ? "inf" : v } });
      }
    }
    for (const next of requests) {
      const key = JSON.stringify(pathRequest(next));
      if (busy || pendingSince !== null || round !== prefetchRound) return;
      if (pathCache.has(key)) continue;
      try {
        const result = await post("/api/path", pathRequest(next));
        pathCache.set(key, result);
        ranges.set(rangeKey(next), result);
      } catch (err) {
        return; // a setting the server refuses is not worth a message before it is chosen
      }
    }
  }

  // ------------------------------------------------------------------ view 1: the geometry
  function settingKey(s) {
    return JSON.stringify([s, $("alpha").value, $("radius").value]);
  }

  // ------------------------------------------------------------------ labels that do not overprint
  // A label beside a point, on the side that a direction (data units, y up; the view has equal
  // scales, so also on screen) points to, `gap` px away: anchored by its near corner or edge, it
  // never covers the point, nor an arrow that reaches the point from the opposite side.
  const LABEL_SIZE = 12;
  const measure = document.createElement("canvas").getContext("2d");

  function textBox(html) {
    const lines = html.replace(/<br>/g, "\n").replace(/<[^>]+>/g, "")
      .replace(/&#(\d+);/g, (m, code) => String.fromCharCode(Number(code))).split("\n");
    measure.font = `${LABEL_SIZE}px "Open Sans", verdana, arial, sans-serif`;
    const width = Math.max(...lines.map((l) => measure.measureText(l).width));
    return { w: width + 6, h: lines.length * LABEL_SIZE * 1.3 + 4 }; // with the label's padding
  }

  function anchors(ux, uy) {
    return [ux > 0.38 ? "left" : ux < -0.38 ? "right" : "center", uy > 0.38 ? "bottom" : uy < -0.38 ? "top" : "middle"];
  }

  // Of the directions `u`, then u turned by +-90 degrees, then -u, the first whose label fits in the
  // plot area (`view`: px per data unit, the area's half-sizes in px and the markers to keep clear,
  // in data units), so that a label near the window's edge is not cut off, nor hides a marker;
  // failing all, the first that fits.
  function fittingDirection(x, y, u, html, gap, view) {
    const box = textBox(html);
    const candidates = [u, [-u[1], u[0]], [u[1], -u[0]], [-u[0], -u[1]]].map(([dx, dy]) => {
      const len = Math.hypot(dx, dy) || 1;
      return [dx / len, dy / len];
    });
    const placed = candidates.map(([ux, uy]) => {
      const [xa, ya] = anchors(ux, uy);
      const px = x * view.scale + gap * ux, py = y * view.scale + gap * uy;
      const left = xa === "left" ? px : xa === "right" ? px - box.w : px - box.w / 2;
      const bottom = ya === "bottom" ? py : ya === "top" ? py - box.h : py - box.h / 2;
      const fits = left >= -view.w && left + box.w <= view.w && bottom >= -view.h && bottom + box.h <= view.h;
      const clear = view.markers.every(([mx, my]) => {
        const [qx, qy] = [mx * view.scale, my * view.scale];
        return qx < left - 6 || qx > left + box.w + 6 || qy < bottom - 6 || qy > bottom + box.h + 6;
      });
      return { u: [ux, uy], fits: fits, clear: clear };
    });
    const best = placed.find((c) => c.fits && c.clear) || placed.find((c) => c.fits) || placed[0];
    return best.u;
  }

  function labelAt(x, y, u, html, color, gap, view) {
    const [ux, uy] = fittingDirection(x, y, u, html, gap, view);
    const [xa, ya] = anchors(ux, uy);
    return { x: x, y: y, xref: "x", yref: "y", text: html, showarrow: false, font: { color: color, size: LABEL_SIZE },
      xanchor: xa, yanchor: ya, xshift: gap * ux, yshift: gap * uy, bgcolor: "rgba(255,255,255,0.75)" };
  }

  // px per data unit and the plot area's half-sizes: the last drawing's (the same div and margins)
  // or, before the first, an estimate from the div
  function geometryView(half, markers) {
    const size = $("geometry")._fullLayout && $("geometry")._fullLayout._size;
    const w = size ? size.w : $("geometry").clientWidth - 65;
    const h = size ? size.h : $("geometry").clientHeight - 150;
    // equal scales: the shorter side spans the window [-half, half], the longer one shows more
    return { scale: Math.min(w, h) / (2 * half), w: w / 2, h: h / 2, markers: markers };
  }

  function arrowFrom(x, y, vec, k, color, width) {
    return { x: x + k * vec[0], y: y + k * vec[1], ax: x, ay: y, xref: "x", yref: "y", axref: "x", ayref: "y",
      text: "", showarrow: true, arrowhead: 2, arrowsize: 1, arrowwidth: width, arrowcolor: color };
  }

  // The KKT arrows and the labels of w* and of the arrows, placed so that none covers another: the
  // arrow labels beyond the heads, the w* label on the far side of w*.
  function kktAnnotations(fit, s, half, zeroNames) {
    const [wx, wy] = fit.w_star;
    const grad = fit.gradient.map((v) => -v); // zero when within rounding of 0: then no arrow
    const normal = fit.normal;
    const lg = Math.hypot(...grad), ln = Math.hypot(...normal);
    const k = ARROW * half / Math.max(lg, ln, 1e-300);
    const view = geometryView(half, [fit.w_star, fit.unconstrained]);
    const mult = s.form === "penalized" ? "\u03b1" : "\u03bc";
    const gradText = `<span style="color:${GRAD_COLOR}">\u2212\u2207loss</span>`;
    const normalText = `<span style="color:#b35f00">${mult} \u00d7 normal</span>`;
    const out = [];
    if (ln > 0) out.push(arrowFrom(wx, wy, normal, k, NORMAL_COLOR, 7));
    if (lg > 0) out.push(arrowFrom(wx, wy, grad, k, GRAD_COLOR, 2));
    // heads closer than a label is wide share one label, beyond the longer arrow; "=" where they
    // coincide to the eye (the KKT conditions hold)
    const apart = Math.hypot(grad[0] - normal[0], grad[1] - normal[1]) * k * view.scale;
    if (lg > 0 && ln > 0 && apart < 40) {
      const v = lg >= ln ? grad : normal;
      const text = gradText + (apart <= 3 ? " =<br>" : "<br>") + normalText;
      out.push(labelAt(wx + k * v[0], wy + k * v[1], v, text, GRAD_COLOR, LABEL_GAP, view));
    } else {
      if (lg > 0) out.push(labelAt(wx + k * grad[0], wy + k * grad[1], grad, gradText, GRAD_COLOR, LABEL_GAP, view));
      if (ln > 0) {
        out.push(labelAt(wx + k * normal[0], wy + k * normal[1], normal, normalText, "#b35f00", LABEL_GAP, view));
      }
    }
    // w*'s label opposite the arrows (their mean direction), else away from the ball's centre
    let u = [-(grad[0] + normal[0]) * k, -(grad[1] + normal[1]) * k];
    if (Math.hypot(...u) < 1e-12 * half) u = Math.hypot(wx, wy) > 0 ? [wx, wy] : [1, -1];
    const zero = zeroNames.length ?
      ` <span style="color:${ZERO_COLOR}">(${zeroNames.map((n) => esc(n) + " = 0").join(", ")})</span>` : "";
    // the gap clears the exact-zero diamond (22 px across) drawn around w*
    out.push(labelAt(wx, wy, u, "w*" + zero, "#7a0f0f", zeroNames.length ? 14 : LABEL_GAP + 2, view));
    return out;
  }

  function drawGeometry(fit, s) {
    const g = fit.grid;
    const half = g.w1[g.w1.length - 1];
    const [wx, wy] = fit.w_star;
    const names = fit.view;
    // the slice's unpenalized optimum: null where it has none (classes that separate along the slice)
    const [lx, ly] = fit.unconstrained;
    const offView = Math.max(Math.abs(lx), Math.abs(ly)) > half;
    const optimum = datafits.get(s.datafit).quadratic ? "least squares (slice)" : "unpenalized optimum (slice)";
    // the level sets of the loss come as lines (exact ellipses for the squared loss, traced on a grid
    // for the others): drawing lines is several times faster than a contour or heatmap trace of the
    // grid, which keeps an update within its 100 ms
    const traces = [
      { type: "scatter", mode: "lines", name: "loss contours", x: fit.contours.x, y: fit.contours.y,
        line: { color: "#6f93c2", width: 1 }, hoverinfo: "skip", connectgaps: false },
      { type: "scatter", mode: "lines", name: "level of w*", x: fit.solution_level.x, y: fit.solution_level.y,
        line: { color: "#08306b", width: 2.5 }, hoverinfo: "skip", connectgaps: false },
      { type: "scatter", mode: "lines", name: "ball", x: fit.ball.x, y: fit.ball.y, fill: "toself",
        fillcolor: "rgba(255,140,0,0.15)", line: { color: "#e67e00", width: 2 }, hoverinfo: "skip" },
      // the window frames the ball: a strong penalty leaves the least-squares point outside it
      { type: "scatter", mode: "markers", x: [lx], y: [ly], marker: { symbol: "x", size: 11, color: "#444" },
        name: lx === null ? optimum.replace(")", "; none: the loss decreases to infinity)") :
          offView ? optimum.replace(")", "; off the view)") : optimum },
      { type: "scatter", mode: "markers", name: "w*", x: [wx], y: [wy],
        marker: { size: 12, color: "#d62728", line: { color: "#fff", width: 1.5 } } },
    ];
    const shapes = [];
    const zeroNames = [];
    if (wx === 0) zeroNames.push(names[0]);
    if (wy === 0) zeroNames.push(names[1]);
    if (zeroNames.length) {
      traces.push({ type: "scatter", mode: "markers", name: "exact zero", x: [wx], y: [wy],
        marker: { symbol: "diamond-open", size: 22, color: ZERO_COLOR, line: { width: 3 } } });
      // the axis the point sits on: w_x = 0 is the vertical axis, w_y = 0 the horizontal one
      if (wx === 0) shapes.push({ type: "line", x0: 0, x1: 0, y0: -half, y1: half, line: { color: ZERO_COLOR, width: 3 } });
      if (wy === 0) shapes.push({ type: "line", x0: -half, x1: half, y0: 0, y1: 0, line: { color: ZERO_COLOR, width: 3 } });
    }
    if (minima && minima.key === settingKey(s)) {
      const m = minima.result.minima;
      traces.push({ type: "scatter", mode: "markers+text", name: "local minima", x: m.map((v) => v.w_view[0]),
        y: m.map((v) => v.w_view[1]), text: m.map((v, i) => String(i + 1)), textposition: "bottom center",
        marker: { symbol: "star", size: 14, color: "#9467bd" } });
    }
    const layout = {
      title: { text: esc(datafits.get(s.datafit).label) + " loss contours, ball and w* (slice along " +
        names.map(esc).join(", ") + ")", font: { size: 13 } },
      margin: { l: 55, r: 10, t: 40, b: 45 }, showlegend: true,
      legend: { orientation: "h", y: -0.17, font: { size: 11 } },
      xaxis: { title: { text: "w[" + esc(names[0]) + "]" }, range: [-half, half], zeroline: true, zerolinecolor: "#999" },
      yaxis: { title: { text: "w[" + esc(names[1]) + "]" }, range: [-half, half], zeroline: true, zerolinecolor: "#999",
        scaleanchor: "x", scaleratio: 1 },
      shapes: shapes, annotations: kktAnnotations(fit, s, half, zeroNames),
      // no uirevision: each fit has its own window, framing its ball, which a kept zoom would undo
    };
    return Plotly.react("geometry", traces, layout, { displaylogo: false, responsive: true });
  }

  // ------------------------------------------------------------------ view 2: the path
  // The traces are rebuilt only when the path or the view changes; the current value is drawn with
  // layout shapes, so a slider move changes the layout alone and Plotly redraws only the shapes.
  let pathTraces = { key: null, traces: null };

  function pathLines(path, view) {
    const key = [path, view.join("\u0000")];
    if (pathTraces.key && pathTraces.key[0] === key[0] && pathTraces.key[1] === key[1]) return pathTraces.traces;
    const traces = path.feature_names.map((name, j) => ({
      type: "scatter", mode: "lines", name: name, x: path.x, y: path.coefs.map((row) => row[j]),
      line: { width: view.includes(name) ? 3 : 1.5, color: color(j) },
    }));
    pathTraces = { key: key, traces: traces };
    return traces;
  }

  function drawPath(path, fit, s, value) {
    const traces = pathLines(path, fit.view);
    const penalized = s.form === "penalized";
    const shapes = [{ type: "line", xref: "x", yref: "paper", x0: value, x1: value, y0: 0, y1: 1,
      line: { color: "#000", width: 1, dash: "dot" } }];
    fit.coef.forEach((c, j) => shapes.push({ type: "circle", xref: "x", yref: "y", xsizemode: "pixel",
      ysizemode: "pixel", xanchor: value, yanchor: c, x0: -5, x1: 5, y0: -5, y1: 5,
      fillcolor: color(j), line: { color: "#000", width: 1 } }));
    const layout = {
      title: { text: "coefficient paths (" + (penalized ? "penalized" : "constrained") + ")", font: { size: 13 } },
      margin: { l: 55, r: 10, t: 40, b: 45 },
      // a legend of many features would take the plot's height; the table's swatches name them instead
      showlegend: path.feature_names.length <= LEGEND_MAX,
      legend: { orientation: "h", y: -0.12, font: { size: 11 } },
      xaxis: penalized ? { type: "log", title: { text: "alpha (log scale)" } } : { title: { text: "radius t" } },
      yaxis: { title: { text: "coefficient" }, zeroline: true },
      shapes: shapes, uirevision: JSON.stringify(pathRequest(s)),
    };
    return Plotly.react("path", traces, layout, { displaylogo: false, responsive: true });
  }

  // ------------------------------------------------------------------ the numbers
  function drawNumbers(fit, s) {
    const rows = fit.feature_names.map((name, j) => {
      const c = fit.coef[j];
      const cls = [c === 0 ? "zero" : "", fit.view.includes(name) ? "view" : ""].join(" ");
      return `<tr class="${cls}"><td><span class="swatch" style="background:${color(j)}"></span>${esc(name)}</td>` +
        `<td>${c === 0 ? "0 (exact)" : fmt(c, 5)}</td></tr>`;
    });
    $("coef-table").tBodies[0].innerHTML = rows.join("");
    $("n-intercept").textContent = fmt(fit.intercept, 5);
    const penalized = s.form === "penalized";
    $("n-multiplier-label").textContent = penalized ? "multiplier (= alpha)" : "multiplier \u03bc";
    $("n-multiplier").textContent = fmt(fit.multiplier) + (fit.active === false ? " (inactive)" : "");
    const p = ballExponent(s);
    $("n-radius").textContent = (p === null ? "P(w*)/alpha = " : "\u2016w*\u2016_" +
      (p === "inf" ? "\u221e" : p) + " = ") + fmt(fit.radius);
    const gap = fit.dual_gap !== null;
    $("n-certificate-label").textContent = gap ? "duality gap" : "optimality violation (non-convex)";
    $("n-certificate").textContent = fmt(gap ? fit.dual_gap : fit.optimality_violation, 3) +
      (fit.converged ? "" : " (not converged)");
    $("n-zero").textContent = fit.n_zero + " of " + fit.coef.length;
    $("n-zero-list").textContent = fit.zero_features.join(", ");
    $("n-r2-label").textContent = "train " + fit.score_label;
    $("n-r2").textContent = fmt(fit.score);
    $("n-seconds").textContent = (fit.seconds * 1000).toFixed(2) + " ms";
    const list = $("minima");
    if (minima && minima.key === settingKey(s)) {
      const items = minima.result.minima.map((m) => `<li>objective ${fmt(m.objective, 6)}, ` +
        `${m.n_zero} zeros, from ${m.count} of ${minima.result.n_starts} starts${m.from_zero ? " (this fit)" : ""}</li>`);
      list.innerHTML = `<h2>Local minima</h2><ol>${items.join("")}</ol>`;
    } else {
      list.innerHTML = "";
    }
  }

  // ------------------------------------------------------------------ controls
  function syncControls() {
    const penalty = $("penalty").value;
    const datafit = datafits.get($("datafit").value);
    const constrained = document.querySelector("input[name=form][value=constrained]");
    // no norm, no ball radius (the Elastic Net); a datafit the constrained estimator does not take
    constrained.disabled = !penalties.get(penalty).ball || !datafit.constrained;
    constrained.parentElement.title = !datafit.constrained ? `the constrained form does not take datafit ${datafit.label}` :
      !penalties.get(penalty).ball ? `${penalties.get(penalty).label} has no norm ball` : "";
    if (constrained.disabled && constrained.checked) {
      document.querySelector("input[name=form][value=penalized]").checked = true;
    }
    const form = document.querySelector("input[name=form]:checked").value;
    $("alpha-box").hidden = form !== "penalized";
    $("radius-box").hidden = form !== "constrained";
    for (const [name, list] of controls) {
      for (const c of list) {
        $(c.id + "-box").hidden = name !== penalty;
        // an infinite exponent is a constraint only
        if (c.values && c.exponent) $(c.id).max = String(c.values.length - (form === "constrained" ? 1 : 2));
      }
    }
    for (const [name, list] of datafitControls) for (const c of list) $(c.id + "-box").hidden = name !== datafit.name;
    // the data sets whose target the datafit accepts; the others say why not
    for (const option of $("dataset").options) {
      const info = datasets.get(option.value);
      option.disabled = !info.datafits.includes(datafit.name);
      option.title = option.disabled ? info.refusals[datafit.name] : info.description;
    }
    // the formula, and which datafits cannot be drawn: their reasons on hover, the note stays short
    const left = [...datafits.values()].filter((d) => !d.offered);
    $("datafit-note").textContent = datafit.description + (left.length ?
      `.  Not drawn: ${left.map((d) => d.label).join(", ")} (hover for why)` : "");
    $("datafit-note").title = left.map((d) => `${d.label}: ${d.reason}`).join("\n");
    showMultistart();
  }

  // A new datafit keeps the data set where it accepts its target, else takes the first that does.
  function chooseDatafit() {
    const name = $("datafit").value;
    if (!datasets.get($("dataset").value).datafits.includes(name)) {
      const taker = [...datasets.values()].find((d) => d.datafits.includes(name));
      if (taker) {
        $("dataset").value = taker.name;
        chooseDataset();
      }
    }
    minima = null;
  }

  // multi-start looks for the local minima of a non-convex fit: offered once the fit on the page is one
  function showMultistart() {
    const s = settings();
    $("multistart").hidden = !(s.form === "penalized" && shown && shown.key === settingKey(s) && !shown.convex);
  }

  function fillViews() {
    const feats = checkedFeatures();
    for (const [id, fallback] of [["view-x", 0], ["view-y", 1]]) {
      const sel = $(id);
      const old = sel.value;
      sel.innerHTML = feats.map((f) => `<option value="${esc(f)}">${esc(f)}</option>`).join("");
      sel.value = feats.includes(old) ? old : feats[fallback];
    }
    if ($("view-x").value === $("view-y").value) {
      $("view-y").value = feats.find((f) => f !== $("view-x").value);
    }
  }

  function fillFeatures(names, chosen) {
    $("features").innerHTML = names.map((n) =>
      `<label><input type="checkbox" value="${esc(n)}"${chosen.includes(n) ? " checked" : ""}> ${esc(n)}</label>`).join("");
    fillViews();
  }

  function chooseDataset() {
    const info = datasets.get($("dataset").value);
    $("description").textContent = info.description;
    fillFeatures(info.feature_names, info.default_features);
    minima = null;
  }

  async function runMultistart() {
    const s = settings();
    const path = pathCache.get(JSON.stringify(pathRequest(s)));
    if (!path) return;
    busyStart("multistart", "multi-start: fits from 30 starting points\u2026", ["geometry"]);
    try {
      const result = await post("/api/multistart", { ...problemFields(s), view: s.view,
        alpha: sliderValue(s, path), n_starts: 30 });
      minima = { key: settingKey(s), result: result };
      $("status").textContent = "";
      requestUpdate();
    } catch (err) {
      $("status").textContent = err.message;
    }
    busyEnd("multistart");
  }

  // Move the slider to where w* sits on an axis of the view; a penalty whose ball has no corners
  // there (L2, Lp with p > 1) gives way to one that has (L1).  The server scans the path and checks the fit.
  async function showCorner(opening) {
    const s = settings();
    busyStart("corner", "finding where w* sits on an axis\u2026", []);
    try {
      const c = await post("/api/corner", { ...pathRequest(s), view: s.view });
      const switched = c.penalty !== s.penalty;
      if (switched) {
        $("penalty").value = c.penalty;
        for (const control of controls.get(c.penalty)) setControl(control, c.params[control.name]);
      }
      $(c.form === "penalized" ? "alpha" : "radius").value = String(c.position);
      syncControls();
      showLabels();
      const what = c.form === "penalized" ? "alpha" : "radius";
      $("corner-note").textContent = `w* on the ${c.axis_feature} axis (${c.zero_feature} = 0) for ${what} ` +
        `from ${fmt(c.low)} to ${fmt(c.high)}` + (switched ? `; ${describePenalty(c.penalty, c.params)}, as ` +
        `the ${describePenalty(s.penalty, s.params)} ball has no corners on the axes` : "");
      requestUpdate();
    } catch (err) {
      // the page opens where the slider is when its first view has no corner: no message needed
      if (!opening) $("status").textContent = err.message;
    }
    busyEnd("corner");
  }

  function wire() {
    const changed = () => { syncControls(); showLabels(); $("corner-note").textContent = ""; requestUpdate(); };
    for (const id of ["alpha", "radius"]) $(id).addEventListener("input", changed);
    $("shape-params").addEventListener("input", changed);
    $("datafit-params").addEventListener("input", changed);
    $("datafit").addEventListener("change", () => { chooseDatafit(); changed(); });
    for (const id of ["penalty", "view-x", "view-y"]) $(id).addEventListener("change", changed);
    for (const el of document.querySelectorAll("input[name=form]")) el.addEventListener("change", changed);
    $("dataset").addEventListener("change", () => { chooseDataset(); requestUpdate(); });
    $("features").addEventListener("change", (ev) => {
      if (checkedFeatures().length < 2) { // the picture needs two features
        ev.target.checked = true;
        $("status").textContent = "keep at least two features";
        return;
      }
      fillViews();
      requestUpdate();
    });
    $("all-features").addEventListener("click", () => {
      const info = datasets.get($("dataset").value);
      fillFeatures(info.feature_names, info.feature_names);
      requestUpdate();
    });
    $("default-features").addEventListener("click", () => {
      const info = datasets.get($("dataset").value);
      fillFeatures(info.feature_names, info.default_features);
      requestUpdate();
    });
    $("multistart").addEventListener("click", runMultistart);
    $("corner").addEventListener("click", () => showCorner(false));
  }

  async function start() {
    const [menu, families, json] = await Promise.all(["/api/penalties", "/api/datafits", "/api/datasets"].map(
      (url) => fetch(url).then((response) => response.json())));
    buildPenalties(menu.penalties);
    buildDatafits(families.datafits);
    $("datafit").value = families.default.name;
    for (const c of datafitControls.get(families.default.name)) setControl(c, families.default.params[c.name]);
    for (const d of json.datasets) datasets.set(d.name, d);
    $("dataset").innerHTML = json.datasets.map((d) => `<option value="${esc(d.name)}">${esc(d.name)}</option>`).join("");
    chooseDataset();
    chooseDatafit();
    wire();
    syncControls();
    showLabels();
    // the page opens on a corner: the picture the explorer is for, a coefficient exactly zero
    await showCorner(true);
    if (!busy) requestUpdate(); // no corner found: the picture at the slider's default position
  }

  start();
})();
