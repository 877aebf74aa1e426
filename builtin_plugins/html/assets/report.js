// The report page: everything is made from the JSON in #report-data, as text nodes only (no
// innerHTML anywhere), so nothing a test wrote can become markup or script.
// The test list is virtual: only the rows in view exist in the DOM, whatever the number of tests.
"use strict";
(function () {
  var t0 = performance.now();
  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  var TESTS = DATA.tests;
  var ROW = 24;
  var ORDER = ["failed", "error", "passed", "skipped", "xfailed", "xpassed", "flaky", "rerun"];
  var state = { outcomes: {}, query: "", selected: null, shown: TESTS };

  // -- small DOM helpers ------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function fmtDur(s) {
    if (s >= 60) return (s / 60).toFixed(1) + "m";
    if (s >= 1) return s.toFixed(2) + "s";
    return (s * 1000).toFixed(s >= 0.01 ? 0 : 1) + "ms";
  }
  function outcomeClass(o) { return ORDER.indexOf(o) >= 0 ? "o-" + o : "o-other"; }

  // -- text with the terminal's colours ---------------------------------------------------------
  // ANSI SGR sequences become spans; "E   " lines are red and bold as the terminal writes them;
  // other control characters are shown as their visible symbol (U+2400 + code), never as-is.
  var SGR = { 31: "c-red", 32: "c-green", 33: "c-yellow", 34: "c-blue", 35: "c-magenta", 36: "c-cyan",
              91: "c-red", 92: "c-green", 93: "c-yellow", 94: "c-blue", 95: "c-magenta", 96: "c-cyan" };
  var CTL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
  function visible(s) {
    return s.replace(CTL, function (c) { return c === "\u007f" ? "\u2421" : String.fromCharCode(0x2400 + c.charCodeAt(0)); });
  }
  function appendText(parent, text, classes) {
    if (!text) return;
    text = visible(text);
    if (classes.length) parent.appendChild(el("span", { "class": classes.join(" "), text: text }));
    else parent.appendChild(document.createTextNode(text));
  }
  function renderTerminalText(pre, text) {
    var lines = text.split("\n");
    var color = null, bold = false;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      var eLine = line.indexOf("E   ") === 0;
      var re = /\u001b\[([0-9;]*)m/g, last = 0, m;
      while ((m = re.exec(line)) !== null) {
        appendText(pre, line.slice(last, m.index), cls());
        last = re.lastIndex;
        (m[1] || "0").split(";").forEach(function (code) {
          var n = parseInt(code || "0", 10);
          if (n === 0) { color = null; bold = false; }
          else if (n === 1) bold = true;
          else if (n === 22) bold = false;
          else if (n === 39) color = null;
          else if (SGR[n]) color = SGR[n];
        });
      }
      appendText(pre, line.slice(last), cls());
      if (i < lines.length - 1) pre.appendChild(document.createTextNode("\n"));
    }
    function cls() {
      var c = [];
      if (color) c.push(color); else if (eLine) c.push("c-red");
      if (bold || eLine) c.push("c-bold");
      return c;
    }
  }
  function terminalPre(text) { var pre = el("pre"); renderTerminalText(pre, text); return pre; }

  // -- the page ---------------------------------------------------------------------------------
  var counts = {};
  TESTS.forEach(function (t) { counts[t.o] = (counts[t.o] || 0) + 1; });
  var outcomes = ORDER.filter(function (o) { return counts[o]; })
    .concat(Object.keys(counts).filter(function (o) { return ORDER.indexOf(o) < 0; }).sort());

  document.title = DATA.title;
  var totalsText = outcomes.map(function (o) { return counts[o] + " " + o; }).join(", ") || "no tests ran";
  var header = el("header", null, [
    el("h1", { text: DATA.title }),
    el("div", { id: "totals", text: totalsText + " in " + fmtDur(DATA.duration) }),
    el("div", { "class": "meta", text: new Date(DATA.start * 1000).toISOString() + " \u00b7 exit status " +
      DATA.exitstatus + " \u00b7 " + DATA.platform + " \u00b7 rootdir " + DATA.rootdir +
      (DATA.args.length ? " \u00b7 args: " + DATA.args.join(" ") : "") })
  ]);
  var bar = el("div", { "class": "bar", role: "toolbar" });
  var allButton = el("button", { "data-outcome": "", "aria-pressed": "true" }, [el("span", { text: "all " }), el("span", { "class": "count", text: String(TESTS.length) })]);
  bar.appendChild(allButton);
  var buttons = {};
  outcomes.forEach(function (o) {
    var b = el("button", { "data-outcome": o, "aria-pressed": "false" }, [el("span", { text: o + " " }), el("span", { "class": "count", text: String(counts[o]) })]);
    buttons[o] = b;
    bar.appendChild(b);
  });
  var search = el("input", { type: "search", id: "search", placeholder: "search test names and messages", "aria-label": "search" });
  bar.appendChild(search);
  var shownLine = el("div", { id: "shown" });
  var list = el("div", { id: "list", role: "list", tabindex: "0" });
  var spacer = el("div", { id: "spacer" });
  list.appendChild(spacer);
  var detail = el("section", { id: "detail" });
  var main = el("main", null, [bar, shownLine, list, detail]);
  document.body.appendChild(header);
  document.body.appendChild(main);

  // -- filtering --------------------------------------------------------------------------------
  function applyFilter() {
    var q = state.query.toLowerCase();
    var wanted = state.outcomes, any = Object.keys(wanted).length > 0;
    state.shown = TESTS.filter(function (t) {
      if (any && !wanted[t.o]) return false;
      if (!q) return true;
      return t.id.toLowerCase().indexOf(q) >= 0 || (t.m !== undefined && t.m.toLowerCase().indexOf(q) >= 0);
    });
    allButton.setAttribute("aria-pressed", any ? "false" : "true");
    outcomes.forEach(function (o) { buttons[o].setAttribute("aria-pressed", wanted[o] ? "true" : "false"); });
    shownLine.textContent = state.shown.length + " of " + TESTS.length + " tests shown";
    spacer.style.height = (state.shown.length * ROW) + "px";
    // as tall as its rows, up to half the window (a short list leaves no empty box)
    list.style.height = Math.max(3 * ROW, Math.min(state.shown.length * ROW + 2, window.innerHeight * 0.5)) + "px";
    list.scrollTop = 0;
    renderRows(true);
    saveHash();
  }
  bar.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    var o = b.getAttribute("data-outcome");
    if (!o) state.outcomes = {};
    else if (ev.ctrlKey || ev.metaKey || ev.shiftKey) { if (state.outcomes[o]) delete state.outcomes[o]; else state.outcomes[o] = true; }
    else if (state.outcomes[o] && Object.keys(state.outcomes).length === 1) state.outcomes = {};
    else { state.outcomes = {}; state.outcomes[o] = true; }
    applyFilter();
  });
  var searchTimer = null;
  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { state.query = search.value; applyFilter(); }, 80);
  });

  // -- the virtual list -------------------------------------------------------------------------
  var rendered = { from: -1, to: -1 };
  function renderRows(force) {
    var from = Math.max(0, Math.floor(list.scrollTop / ROW) - 10);
    var to = Math.min(state.shown.length, Math.ceil((list.scrollTop + list.clientHeight) / ROW) + 10);
    if (!force && from === rendered.from && to === rendered.to) return;
    rendered = { from: from, to: to };
    var frag = document.createDocumentFragment();
    for (var i = from; i < to; i++) {
      var t = state.shown[i];
      var row = el("div", { "class": "row" + (t === state.selected ? " sel" : ""), role: "listitem", "data-index": String(i) }, [
        el("span", { "class": "badge " + outcomeClass(t.o), text: t.o }),
        el("span", { "class": "id", text: visible(t.id), title: visible(t.id) }),
        t.m ? el("span", { "class": "msg", text: visible(t.m) }) : null,
        t.w ? el("span", { "class": "wk", text: t.w }) : null,
        el("span", { "class": "dur", text: fmtDur(t.d) })
      ]);
      row.style.top = (i * ROW) + "px";
      frag.appendChild(row);
    }
    spacer.textContent = "";
    spacer.appendChild(frag);
    if (!state.shown.length) spacer.appendChild(el("div", { "class": "empty", text: "no test matches" }));
  }
  list.addEventListener("scroll", function () { renderRows(false); });
  window.addEventListener("resize", function () { renderRows(true); });
  list.addEventListener("click", function (ev) {
    var row = ev.target.closest(".row");
    if (row) select(state.shown[parseInt(row.getAttribute("data-index"), 10)]);
  });

  // -- one test's details -----------------------------------------------------------------------
  function testDetails(t, withTitle) {
    var box = el("div");
    if (withTitle) box.appendChild(el("h3", { text: visible(t.id) }));
    var facts = [t.o, fmtDur(t.d)];
    if (t.w) facts.push("worker " + t.w);
    if (t.r) facts.push(t.r + " rerun" + (t.r > 1 ? "s" : ""));
    box.appendChild(el("div", { "class": "meta", text: facts.join(" \u00b7 ") }));
    (t.ph || []).forEach(function (p) {
      var phase = el("div", { "class": "phase" });
      phase.appendChild(el("div", { "class": "meta", text: p.w + ": " + p.o + (p.a ? " (attempt " + (p.a + 1) + ")" : "") }));
      if (p.t) phase.appendChild(terminalPre(p.t));
      (p.s || []).forEach(function (s) {
        // captured output is folded: open it when you need it
        phase.appendChild(el("details", null, [el("summary", { text: visible(s[0]) + " (" + s[1].split("\n").length + " lines)" }), terminalPre(s[1])]));
      });
      box.appendChild(phase);
    });
    return box;
  }
  function select(t) {
    state.selected = t;
    detail.textContent = "";
    if (t) {
      detail.appendChild(el("h2", { text: "Selected test" }));
      detail.appendChild(testDetails(t, true));
    }
    renderRows(true);
    saveHash();
  }

  // -- failures, durations, timeline, warnings ---------------------------------------------------
  var failures = TESTS.filter(function (t) { return t.o === "failed" || t.o === "error"; });
  var failSection = el("section", { id: "failures" }, [el("h2", { text: "Failures (" + failures.length + ")" })]);
  var failShown = 0;
  function moreFailures(n) {
    var end = Math.min(failures.length, failShown + n);
    for (; failShown < end; failShown++) {
      var box = testDetails(failures[failShown], true);
      box.className = "failure";
      failSection.insertBefore(box, moreButton);
    }
    moreButton.style.display = failShown < failures.length ? "" : "none";
    moreButton.textContent = "show more failures (" + (failures.length - failShown) + " left)";
  }
  var moreButton = el("button", { type: "button" });
  moreButton.addEventListener("click", function () { moreFailures(100); });
  failSection.appendChild(moreButton);
  if (!failures.length) failSection.appendChild(el("div", { "class": "empty", text: "no failures" }));
  main.appendChild(failSection);
  moreFailures(20);

  var bySlowest = TESTS.slice().sort(function (a, b) { return b.d - a.d; }).slice(0, 20);
  var slowTable = el("table", { id: "slowest" }, [el("tr", null, [el("th", { text: "duration" }), el("th", { text: "outcome" }), el("th", { text: "test" })])]);
  bySlowest.forEach(function (t) {
    var link = el("a", { href: "#", text: visible(t.id) });
    link.addEventListener("click", function (ev) { ev.preventDefault(); select(t); detail.scrollIntoView(); });
    slowTable.appendChild(el("tr", null, [el("td", { "class": "num", text: fmtDur(t.d) }), el("td", { text: t.o }), el("td", null, [link])]));
  });
  main.appendChild(el("section", { id: "durations" }, [el("h2", { text: "Durations" }),
    el("div", { "class": "cols" }, [el("div", null, [el("div", { "class": "meta", text: "slowest 20" }), slowTable]), histogram()])]));

  function histogram() {
    // buckets by powers of ten of the duration: <1ms, 1-10ms, ..., >=100s
    var edges = [0.001, 0.01, 0.1, 1, 10, 100], labels = ["<1ms", "1-10ms", "10-100ms", "0.1-1s", "1-10s", "10-100s", ">=100s"];
    var bins = labels.map(function () { return 0; });
    TESTS.forEach(function (t) { var i = 0; while (i < edges.length && t.d >= edges[i]) i++; bins[i]++; });
    var max = Math.max.apply(null, bins.concat([1]));
    var table = el("table", { id: "histogram" });
    bins.forEach(function (n, i) {
      var barEl = el("div");
      barEl.style.cssText = "height:12px;background:#57606a;width:" + Math.max(n ? 2 : 0, Math.round(300 * n / max)) + "px";
      table.appendChild(el("tr", null, [el("td", { text: labels[i] }), el("td", null, [barEl]), el("td", { "class": "num", text: String(n) })]));
    });
    return el("div", null, [el("div", { "class": "meta", text: "tests by duration" }), table]);
  }

  var timed = TESTS.filter(function (t) { return t.w && t.t0 !== undefined; });
  if (timed.length) main.appendChild(timeline(timed));
  function timeline(tests) {
    var workers = [];
    tests.forEach(function (t) { if (workers.indexOf(t.w) < 0) workers.push(t.w); });
    workers.sort(function (a, b) { return a.localeCompare(b, undefined, { numeric: true }); });
    var lanes = workers.map(function () { return []; });
    var end = 0;
    tests.forEach(function (t) { lanes[workers.indexOf(t.w)].push(t); end = Math.max(end, t.t1); });
    lanes.forEach(function (lane) { lane.sort(function (a, b) { return a.t0 - b.t0; }); });
    var LANE = 22, LEFT = 60;
    var canvas = el("canvas", { id: "timeline", role: "img", "aria-label": "which worker ran which test when" });
    var tip = el("div", { id: "tip" });
    var wrap = el("div", { id: "timeline-wrap" }, [canvas, tip]);
    function draw() {
      var width = Math.max(300, canvas.parentNode.clientWidth), ratio = window.devicePixelRatio || 1;
      canvas.width = width * ratio; canvas.height = (workers.length * LANE + 20) * ratio;
      canvas.style.height = (workers.length * LANE + 20) + "px";
      var ctx = canvas.getContext("2d");
      ctx.scale(ratio, ratio);
      ctx.font = "11px sans-serif";
      var scale = (width - LEFT - 10) / (end || 1);
      var colors = { passed: "#1a7f37", failed: "#cf222e", error: "#cf222e", skipped: "#9a6700", xfailed: "#9a6700" };
      lanes.forEach(function (lane, i) {
        ctx.fillStyle = "#333";
        ctx.fillText(workers[i], 4, i * LANE + 15);
        lane.forEach(function (t) {
          ctx.fillStyle = colors[t.o] || "#6e40c9";
          ctx.fillRect(LEFT + t.t0 * scale, i * LANE + 4, Math.max(1, (t.t1 - t.t0) * scale), LANE - 8);
        });
      });
      ctx.fillStyle = "#667";
      ctx.fillText("0", LEFT, workers.length * LANE + 14);
      ctx.fillText(fmtDur(end / 1000), width - 50, workers.length * LANE + 14);
      canvas._scale = scale;
    }
    function at(ev) {
      var rect = canvas.getBoundingClientRect();
      var lane = lanes[Math.floor((ev.clientY - rect.top) / LANE)];
      if (!lane) return null;
      var time = (ev.clientX - rect.left - LEFT) / canvas._scale;
      var lo = 0, hi = lane.length - 1;
      while (lo <= hi) {  // the last test starting before that time
        var mid = (lo + hi) >> 1;
        if (lane[mid].t0 <= time) lo = mid + 1; else hi = mid - 1;
      }
      var t = lane[hi];
      return t && time <= t.t1 + 2 / canvas._scale ? t : null;
    }
    canvas.addEventListener("mousemove", function (ev) {
      var t = at(ev);
      tip.style.display = t ? "block" : "none";
      if (t) {
        tip.textContent = visible(t.id) + " \u00b7 " + fmtDur(t.d);
        tip.style.left = (ev.offsetX + 12) + "px"; tip.style.top = (ev.offsetY + 12) + "px";
      }
    });
    canvas.addEventListener("mouseleave", function () { tip.style.display = "none"; });
    canvas.addEventListener("click", function (ev) { var t = at(ev); if (t) { select(t); detail.scrollIntoView(); } });
    setTimeout(draw, 0);
    window.addEventListener("resize", draw);
    return el("section", { id: "timeline-section" }, [el("h2", { text: "Timeline (" + workers.length + " workers)" }), wrap]);
  }

  if (DATA.warnings.length) {
    var wtable = el("table", { id: "warnings" });
    DATA.warnings.forEach(function (w) {
      wtable.appendChild(el("tr", null, [el("td", { text: visible(w.id || w.w) }), el("td", { text: visible(w.c + ": " + w.m) }), el("td", { "class": "meta", text: visible(w.f) })]));
    });
    main.appendChild(el("section", { id: "warnings-section" }, [el("h2", { text: "Warnings (" + DATA.warnings.length + ")" }), wtable]));
  }

  // -- state in the address: #o=failed,error&q=text&t=nodeid (a link shows the same view) -------
  function saveHash() {
    var parts = [];
    var o = Object.keys(state.outcomes);
    if (o.length) parts.push("o=" + encodeURIComponent(o.join(",")));
    if (state.query) parts.push("q=" + encodeURIComponent(state.query));
    if (state.selected) parts.push("t=" + encodeURIComponent(state.selected.id));
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash !== location.hash && !(hash === "" && location.hash === "#")) history.replaceState(null, "", hash || location.pathname + location.search);
  }
  function loadHash() {
    var params = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) params[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1));
    });
    state.outcomes = {};
    (params.o ? params.o.split(",") : []).forEach(function (o) { if (counts[o]) state.outcomes[o] = true; });
    state.query = params.q || "";
    search.value = state.query;
    if (params.t) TESTS.some(function (t) { if (t.id === params.t) { state.selected = t; return true; } return false; });
  }
  loadHash();
  applyFilter();
  if (state.selected) select(state.selected);
  // for whoever drives the page (the browser test): when it was ready, and a way to filter
  window.minitestReport = {
    readyMs: performance.now() - t0,  // the script's own time (data parsed, page built)
    readyAt: performance.now(),  // since the navigation started: what opening the page took
    filter: function (outcome, query) {
      var start = performance.now();
      state.outcomes = {}; if (outcome) state.outcomes[outcome] = true;
      state.query = query || ""; search.value = state.query;
      applyFilter();
      return performance.now() - start;
    },
    shown: function () { return state.shown.length; }
  };
  document.body.setAttribute("data-ready", "1");
})();
