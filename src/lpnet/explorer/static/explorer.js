// lpnet explorer: controls -> POST /api/path (cached per penalty choice) and /api/fit -> three views.
// At most one update is in flight; changes arriving meanwhile are merged into the next one, so a
// dragged slider is throttled to the server's pace and the last position always gets drawn.
"use strict";
(function () {
  const P_VALUES = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8, Infinity];
  const SLIDER = 1000; // alpha and radius sliders run over 0..SLIDER
  const PATH_POINTS = 50; // 10 per decade of alpha: smooth curves, half the time of 100
  const GRID = 5; // the page draws the exact contour lines; it needs only the grid's extent
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#ff7f0e"];
  const $ = (id) => document.getElementById(id);
  const datasets = new Map();
  const pathCache = new Map();
  let minima = null; // {key, result} of the last multi-start
  let busy = false;
  let pendingSince = null;

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

  // ------------------------------------------------------------------ reading the controls
  function checkedFeatures() {
    return [...document.querySelectorAll("#features input:checked")].map((el) => el.value);
  }

  function settings() {
    const penalty = $("penalty").value;
    const form = document.querySelector("input[name=form]:checked").value;
    const pValue = P_VALUES[Number($("p").value)];
    return {
      dataset: $("dataset").value,
      features: checkedFeatures(),
      view: [$("view-x").value, $("view-y").value],
      penalty: penalty,
      form: form,
      p: penalty === "lp" ? (pValue === Infinity ? "inf" : pValue) : null,
      l1_ratio: penalty === "elasticnet" ? Number($("l1-ratio").value) : null,
    };
  }

  function pathRequest(s) {
    return { dataset: s.dataset, features: s.features, penalty: s.penalty, form: s.form, p: s.p,
      l1_ratio: s.l1_ratio, n_points: PATH_POINTS };
  }

  // The slider's range depends on less than the path: the alpha range is alpha_max's (the L1 value
  // for every Lp, whatever p), the radius range the least-squares norm's.  When it is known, the fit
  // need not wait for a new path: both requests run at once.
  function rangeKey(s) {
    return JSON.stringify([s.dataset, s.features, s.form, s.form === "penalized" && s.penalty === "lp" ?
      "lp" : [s.penalty, s.p], s.l1_ratio]);
  }
  const ranges = new Map();

  // the slider keeps its relative position when the range changes (a new penalty has a new alpha_max)
  function sliderValue(s, path) {
    const pos = Number($(s.form === "penalized" ? "alpha" : "radius").value) / SLIDER;
    if (s.form === "penalized") {
      const lo = Math.log10(path.x_min), hi = Math.log10(path.x_max);
      return Math.pow(10, lo + (hi - lo) * pos);
    }
    return path.x_max * pos;
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
      const range = path || ranges.get(rangeKey(s)) || (path = await pending);
      const value = sliderValue(s, range);
      const body = { dataset: s.dataset, features: s.features, view: s.view, penalty: s.penalty,
        p: s.p, l1_ratio: s.l1_ratio, grid: GRID };
      body[s.form === "penalized" ? "alpha" : "radius"] = value;
      const t1 = performance.now();
      const fit = await post("/api/fit", body);
      if (!path) path = await pending;
      const t2 = performance.now();
      showValues(s, value);
      await drawGeometry(fit, s);
      const t3 = performance.now();
      await drawPath(path, fit, s, value);
      const t4 = performance.now();
      drawNumbers(fit, s);
      await new Promise((resolve) => requestAnimationFrame(resolve));
      window.lpnetLastBreakdown = { path: t1 - t0, fit: t2 - t1, geometry: t3 - t2, path_plot: t4 - t3,
        paint: performance.now() - t4 };
      $("status").textContent = "";
    } catch (err) {
      $("status").textContent = err.message;
    }
    const ms = performance.now() - t0;
    window.lpnetLastUpdateMs = ms;
    window.lpnetUpdates += 1;
    $("n-update").textContent = ms.toFixed(0) + " ms";
    busy = false;
    if (pendingSince !== null) run();
    else prefetch(s);
  }

  // While the page is idle, compute the paths up to three steps away on the p or l1_ratio slider,
  // nearest first, so that the next change of these sliders finds its path cached (a new path costs
  // tens of ms on the server).  One request at a time, and none while an update waits: a user's
  // change never queues behind more than one of them.  (Prefetching every position was tried: the
  // longer idle work slowed the next change more than the extra cache hits helped.)
  let prefetchRound = 0;

  async function prefetch(s) {
    const round = ++prefetchRound; // a newer round (after a newer update) ends this one
    const requests = [];
    for (const step of [1, -1, 2, -2, 3, -3]) {
      if (s.penalty === "lp") {
        const k = Number($("p").value) + step;
        if (k < 0 || k > Number($("p").max)) continue;
        const p = P_VALUES[k];
        // constrained p < 1 paths take seconds (a local solver per radius): computed only when chosen
        if (s.form === "constrained" && p < 1) continue;
        requests.push({ ...s, p: p === Infinity ? "inf" : p });
      } else if (s.penalty === "elasticnet") {
        const r = Math.round((s.l1_ratio + 0.05 * step) * 100) / 100;
        if (r >= 0 && r <= 1) requests.push({ ...s, l1_ratio: r });
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

  function showValues(s, value) {
    $(s.form === "penalized" ? "alpha-value" : "radius-value").textContent = fmt(value);
    const p = P_VALUES[Number($("p").value)];
    $("p-value").textContent = p === Infinity ? "\u221e" : String(p);
    $("l1-ratio-value").textContent = Number($("l1-ratio").value).toFixed(2);
  }

  // ------------------------------------------------------------------ view 1: the geometry
  function settingKey(s) {
    return JSON.stringify([s, $("alpha").value, $("radius").value]);
  }

  function drawGeometry(fit, s) {
    const g = fit.grid;
    const half = g.w1[g.w1.length - 1];
    const [wx, wy] = fit.w_star;
    const names = fit.view;
    // the level sets of the loss come as exact ellipses: drawing lines is several times faster than
    // a contour or heatmap trace of the grid, which keeps an update within its 100 ms
    const traces = [
      { type: "scatter", mode: "lines", name: "loss contours", x: fit.contours.x, y: fit.contours.y,
        line: { color: "#6f93c2", width: 1 }, hoverinfo: "skip", connectgaps: false },
      { type: "scatter", mode: "lines", name: "level of w*", x: fit.solution_level.x, y: fit.solution_level.y,
        line: { color: "#08306b", width: 2.5 }, hoverinfo: "skip", connectgaps: false },
      { type: "scatter", mode: "lines", name: "ball", x: fit.ball.x, y: fit.ball.y, fill: "toself",
        fillcolor: "rgba(255,140,0,0.15)", line: { color: "#e67e00", width: 2 }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", name: "least squares (slice)", x: [fit.unconstrained[0]],
        y: [fit.unconstrained[1]], marker: { symbol: "x", size: 11, color: "#444" } },
      { type: "scatter", mode: "markers", name: "w*", x: [wx], y: [wy],
        marker: { size: 12, color: "#d62728", line: { color: "#fff", width: 1.5 } } },
    ];
    const shapes = [];
    const zeroNames = [];
    if (wx === 0) zeroNames.push(names[0]);
    if (wy === 0) zeroNames.push(names[1]);
    if (zeroNames.length) {
      traces.push({ type: "scatter", mode: "markers+text", name: "exact zero", x: [wx], y: [wy],
        text: [zeroNames.map((n) => n + " = 0").join(", ")], textposition: "top right",
        textfont: { color: "#1a7f37" }, marker: { symbol: "diamond-open", size: 22, color: "#1a7f37",
          line: { width: 3 } } });
      // the axis the point sits on: w_x = 0 is the vertical axis, w_y = 0 the horizontal one
      if (wx === 0) shapes.push({ type: "line", x0: 0, x1: 0, y0: -half, y1: half, line: { color: "#1a7f37", width: 3 } });
      if (wy === 0) shapes.push({ type: "line", x0: -half, x1: half, y0: 0, y1: 0, line: { color: "#1a7f37", width: 3 } });
    }
    if (minima && minima.key === settingKey(s)) {
      const m = minima.result.minima;
      traces.push({ type: "scatter", mode: "markers+text", name: "local minima", x: m.map((v) => v.w_view[0]),
        y: m.map((v) => v.w_view[1]), text: m.map((v, i) => String(i + 1)), textposition: "bottom center",
        marker: { symbol: "star", size: 14, color: "#9467bd" } });
    }
    // -grad D and multiplier * normal from w*, scaled alike: equal arrows are the KKT conditions
    const grad = fit.gradient.map((v) => -v);
    const norm = Math.max(Math.hypot(...grad), Math.hypot(...fit.normal), 1e-300);
    const k = 0.3 * half / norm;
    const arrow = (vec, color, width, text) => ({ x: wx + k * vec[0], y: wy + k * vec[1], ax: wx, ay: wy,
      xref: "x", yref: "y", axref: "x", ayref: "y", showarrow: true, arrowhead: 2, arrowsize: 1,
      arrowwidth: width, arrowcolor: color, text: text, font: { color: color, size: 11 } });
    const annotations = [];
    if (Math.hypot(...fit.normal) > 0) annotations.push(arrow(fit.normal, "rgba(230,126,0,0.65)", 7, ""));
    if (Math.hypot(...grad) > 0) annotations.push(arrow(grad, "#d62728", 2, "\u2212\u2207loss"));
    const layout = {
      title: { text: "loss contours, ball and w* (slice along " + names.join(", ") + ")", font: { size: 13 } },
      margin: { l: 55, r: 10, t: 40, b: 45 }, showlegend: true,
      legend: { orientation: "h", y: -0.17, font: { size: 11 } },
      xaxis: { title: { text: "w[" + names[0] + "]" }, range: [-half, half], zeroline: true, zerolinecolor: "#999" },
      yaxis: { title: { text: "w[" + names[1] + "]" }, range: [-half, half], zeroline: true, zerolinecolor: "#999",
        scaleanchor: "x", scaleratio: 1 },
      shapes: shapes, annotations: annotations, uirevision: "geometry",
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
      line: { width: view.includes(name) ? 3 : 1.5, color: COLORS[j % COLORS.length] },
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
      fillcolor: COLORS[j % COLORS.length], line: { color: "#000", width: 1 } }));
    const layout = {
      title: { text: "coefficient paths (" + (penalized ? "penalized" : "constrained") + ")", font: { size: 13 } },
      margin: { l: 55, r: 10, t: 40, b: 45 },
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
      return `<tr class="${cls}"><td>${esc(name)}</td><td>${c === 0 ? "0 (exact)" : fmt(c, 5)}</td></tr>`;
    });
    $("coef-table").tBodies[0].innerHTML = rows.join("");
    $("n-intercept").textContent = fmt(fit.intercept, 5);
    const penalized = s.form === "penalized";
    $("n-multiplier-label").textContent = penalized ? "multiplier (= alpha)" : "multiplier \u03bc";
    $("n-multiplier").textContent = fmt(fit.multiplier) + (fit.active === false ? " (inactive)" : "");
    const p = s.penalty === "l1" ? 1 : s.penalty === "l2" ? 2 : s.p;
    $("n-radius").textContent = (s.penalty === "elasticnet" ? "P(w*)/alpha = " : "\u2016w*\u2016_" +
      (p === "inf" ? "\u221e" : p) + " = ") + fmt(fit.radius);
    const gap = fit.dual_gap !== null;
    $("n-certificate-label").textContent = gap ? "duality gap" : "optimality violation (p < 1)";
    $("n-certificate").textContent = fmt(gap ? fit.dual_gap : fit.optimality_violation, 3) +
      (fit.converged ? "" : " (not converged)");
    $("n-zero").textContent = fit.n_zero + " of " + fit.coef.length +
      (fit.n_zero ? ": " + fit.zero_features.join(", ") : "");
    $("n-r2").textContent = fmt(fit.r2);
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
    const constrained = document.querySelector("input[name=form][value=constrained]");
    constrained.disabled = penalty === "elasticnet"; // the Elastic Net has no ball radius here
    if (constrained.disabled && constrained.checked) {
      document.querySelector("input[name=form][value=penalized]").checked = true;
    }
    const form = document.querySelector("input[name=form]:checked").value;
    $("alpha-box").hidden = form !== "penalized";
    $("radius-box").hidden = form !== "constrained";
    $("p-box").hidden = penalty !== "lp";
    $("l1-ratio-box").hidden = penalty !== "elasticnet";
    // p = inf is a constraint only
    $("p").max = String(form === "constrained" ? P_VALUES.length - 1 : P_VALUES.length - 2);
    const p = P_VALUES[Number($("p").value)];
    $("multistart").hidden = !(penalty === "lp" && p < 1 && form === "penalized");
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
    $("status").textContent = "multi-start...";
    try {
      const result = await post("/api/multistart", { dataset: s.dataset, features: s.features, view: s.view,
        penalty: s.penalty, p: s.p, alpha: sliderValue(s, path), n_starts: 30 });
      minima = { key: settingKey(s), result: result };
      $("status").textContent = "";
      requestUpdate();
    } catch (err) {
      $("status").textContent = err.message;
    }
  }

  function wire() {
    for (const id of ["alpha", "radius", "p", "l1-ratio"]) {
      $(id).addEventListener("input", () => { syncControls(); requestUpdate(); });
    }
    for (const id of ["penalty", "view-x", "view-y"]) {
      $(id).addEventListener("change", () => { syncControls(); requestUpdate(); });
    }
    for (const el of document.querySelectorAll("input[name=form]")) {
      el.addEventListener("change", () => { syncControls(); requestUpdate(); });
    }
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
  }

  async function start() {
    const response = await fetch("/api/datasets");
    const json = await response.json();
    for (const d of json.datasets) datasets.set(d.name, d);
    $("dataset").innerHTML = json.datasets.map((d) => `<option value="${esc(d.name)}">${esc(d.name)}</option>`).join("");
    chooseDataset();
    wire();
    syncControls();
    requestUpdate();
  }

  start();
})();
