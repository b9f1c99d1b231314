/*
 * app.js -- the playground page (docs/playground.md).
 *
 * The page edits a pack and its sheets, sends them to the Web Worker
 * (worker.js) that runs the WebAssembly ipsfc, and shows what the CLI
 * says: check's diagnostics and findings, the eval records (--explain),
 * the pack's tests.  It computes nothing about packs itself.
 *
 * Invariants:
 *  - Text from packs, sheets and the CLI reaches the page only through
 *    textContent, attribute values and textarea values: never innerHTML.
 *  - No exception escapes to the console: every handler goes through
 *    guard(), the worker's errors and unhandled rejections are caught and
 *    shown in the status line.
 *  - One run at a time: a new run (or Cancel) terminates a busy worker and
 *    starts a fresh one; messages of older runs are dropped by id.
 *  - The state (pack, sheets, current sheet) is all in `state`; a shared
 *    link is that state as JSON, deflate-raw compressed, base64url, in the
 *    URL fragment (#s=...): nothing is sent anywhere.
 */
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const state = { pack: "", sheets: [], current: 0 };
const view = { records: [], describe: null };
let worker = null;
let busy = false;
let runId = 0;
let editTimer = 0;
const pageStart = performance.now();
let firstResultMs = null;

function setStatus(text) {
  $("status").textContent = text;
}

/* Run fn, showing any exception in the status line instead of the console. */
function guard(fn) {
  return function (...args) {
    try {
      const r = fn.apply(this, args);
      if (r && typeof r.catch === "function") r.catch((e) => setStatus("error: " + errText(e)));
      return r;
    } catch (e) {
      setStatus("error: " + errText(e));
      return undefined;
    }
  };
}

function errText(e) {
  return String((e && e.message) || e);
}

/* An element with text children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/* ---- sheet names ---------------------------------------------------------- */

/* A name the worker can use as a file name: letters, digits, . _ - only,
 * with a sheet extension (the CLI reads a sheet by its extension). */
function safeName(name, taken) {
  let n = String(name || "").replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[._]+/, "");
  if (!n) n = "sheet";
  if (!/\.(json|jsonl|ya?ml)$/i.test(n)) n += ".json";
  if (taken) {
    const base = n.replace(/(\.[^.]+)$/, "");
    const ext = n.slice(base.length);
    for (let i = 2; taken.has(n); i++) n = `${base}-${i}${ext}`;
  }
  return n;
}

function takenNames(except) {
  const s = new Set();
  state.sheets.forEach((sh, i) => {
    if (i !== except) s.add(sh.name);
  });
  return s;
}

/* ---- editors --------------------------------------------------------------- */

function showSheets() {
  const tabs = $("sheet-tabs");
  clear(tabs);
  state.sheets.forEach((s, i) => {
    const b = el("button", { type: "button", role: "tab", "aria-selected": String(i === state.current) }, s.name);
    b.addEventListener("click", guard(() => {
      state.current = i;
      showSheets();
    }));
    tabs.append(b);
  });
  const cur = state.sheets[state.current];
  $("sheet").value = cur ? cur.text : "";
  $("sheet-name").value = cur ? cur.name : "";
  $("sheet").disabled = $("sheet-name").disabled = $("sheet-remove").disabled = !cur;
}

function addSheet(name, text) {
  state.sheets.push({ name: safeName(name, takenNames(-1)), text: String(text) });
  state.current = state.sheets.length - 1;
  showSheets();
}

function loadState(s) {
  state.pack = String(s.pack || "");
  state.sheets = [];
  for (const sh of Array.isArray(s.sheets) ? s.sheets : [])
    state.sheets.push({ name: safeName(sh.name, takenNames(-1)), text: String(sh.text || "") });
  state.current = Math.min(Math.max(0, s.current | 0), Math.max(0, state.sheets.length - 1));
  $("pack").value = state.pack;
  gutterMarks.clear();
  drawGutter();
  showSheets();
}

function loadExample(name) {
  const ex = (self.IPSF_EXAMPLES || []).find((e) => e.name === name);
  if (!ex) return;
  loadState({ pack: ex.pack, sheets: ex.sheets, current: 0 });
  startRun();
}

/* The pack editor's line numbers, marked where a diagnostic points
 * (marks: line -> "err" or "warn"), scrolled with the text. */
const gutterMarks = new Map();
function drawGutter() {
  const g = $("gutter");
  const lines = $("pack").value.split("\n").length;
  if (Number(g.dataset.lines) !== lines || g.dataset.marks !== JSON.stringify([...gutterMarks])) {
    clear(g);
    for (let i = 1; i <= lines; i++) {
      const span = el("span", gutterMarks.has(i) ? { class: gutterMarks.get(i) } : {}, String(i));
      g.append(span, "\n");
    }
    g.dataset.lines = String(lines);
    g.dataset.marks = JSON.stringify([...gutterMarks]);
  }
  g.scrollTop = $("pack").scrollTop;
}

/* Jump to line:col of the pack editor. */
function jumpTo(line, col) {
  const ta = $("pack");
  const lines = ta.value.split("\n");
  let off = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
  const len = line - 1 < lines.length ? lines[line - 1].length : 0;
  ta.focus();
  ta.setSelectionRange(off + Math.min(Math.max(0, col - 1), len), off + len);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 17;
  ta.scrollTop = Math.max(0, (line - 4) * lh);
  ta.dataset.line = String(line);
  drawGutter();
}

/* ---- the worker ------------------------------------------------------------ */

function newWorker() {
  if (worker) worker.terminate();
  worker = new Worker("worker.js");
  worker.onmessage = guard(onWorkerMessage);
  worker.onerror = (ev) => {
    ev.preventDefault();
    busy = false;
    $("batch").hidden = true;
    setStatus("the compiler failed to load: " + (ev.message || "worker error"));
  };
}

function startRun() {
  state.pack = $("pack").value;
  if (busy) newWorker(); /* the busy one is stopped: its results are stale */
  busy = true;
  const id = ++runId;
  $("batch").hidden = false; /* Cancel, whatever the run costs */
  $("progress").removeAttribute("value"); /* indeterminate until the sheets start */
  $("progress-text").textContent = "checking the pack…";
  setStatus("running…");
  worker.postMessage({ id, pack: state.pack, sheets: state.sheets.map((s) => ({ name: s.name, text: s.text })) });
}

function cancelRun() {
  if (!busy) return;
  newWorker();
  busy = false;
  $("batch").hidden = true;
  setStatus("cancelled");
}

function onWorkerMessage(ev) {
  const m = ev.data || {};
  if (m.id !== runId) return;
  if (m.type === "checked") {
    showDiagnostics(m.check);
    showTests(m.test);
    view.describe = m.describe;
    if (firstResultMs === null) {
      firstResultMs = performance.now() - pageStart;
      document.body.dataset.firstResultMs = String(Math.round(firstResultMs));
    }
  } else if (m.type === "progress") {
    $("progress").max = m.total;
    $("progress").value = m.done;
    $("progress-text").textContent = `${m.done} / ${m.total} sheets`;
    document.body.dataset.progress = `${m.done}/${m.total}`;
  } else if (m.type === "done") {
    busy = false;
    $("batch").hidden = true;
    view.records = m.records;
    showRecords(m.evalStderr);
    const errs = m.records.filter((r) => r.error).length;
    setStatus(`${m.records.length} records (${errs} errors) in ${Math.round(m.ms)} ms`);
    document.body.dataset.runs = String((Number(document.body.dataset.runs) || 0) + 1);
  } else if (m.type === "error") {
    /* the module may be unusable after a failure: start a fresh one */
    newWorker();
    busy = false;
    $("batch").hidden = true;
    setStatus("error: " + m.message);
  }
}

/* ---- results ----------------------------------------------------------------- */

function showDiagnostics(check) {
  const list = $("diagnostics");
  const fl = $("findings");
  clear(list);
  clear(fl);
  const diags = Array.isArray(check.diags) ? check.diags : [];
  let errors = 0, warnings = 0, lastFinding = null;
  gutterMarks.clear();
  for (const d of diags) {
    if (d.file === "pack.ipsf" && d.line && d.severity !== "note" && gutterMarks.get(d.line) !== "err")
      gutterMarks.set(d.line, d.severity === "error" ? "err" : "warn");
    if (d.severity === "error") errors++;
    if (d.severity === "warning") warnings++;
    const li = el("li", { class: "diag" });
    if (d.line !== null && d.line !== undefined) {
      const loc = el("button", { type: "button", class: "loc" }, `${d.file}:${d.line}:${d.col}`);
      if (d.file === "pack.ipsf") loc.addEventListener("click", guard(() => jumpTo(d.line, d.col)));
      li.append(loc);
    }
    li.append(el("span", { class: "sev-" + d.severity }, d.severity + ": "), d.message);
    if (d.code) li.append(" ", el("code", {}, "[" + d.code + "]"));
    li.dataset.line = String(d.line);
    li.dataset.severity = d.severity;
    list.append(li);
    if (d.code && d.severity !== "note") lastFinding = showFinding(fl, d);
    else if (d.severity === "note" && lastFinding) lastFinding.append(el("div", { class: "sev-note" }, "note: " + d.message));
    else lastFinding = null;
  }
  if (check.stderr) list.append(el("li", {}, el("pre", {}, check.stderr)));
  drawGutter();
  $("diag-count").textContent = `${errors} errors, ${warnings} warnings`;
  if (!fl.firstChild) fl.append(el("li", {}, "none"));
}

function showFinding(fl, d) {
  const li = el("li", { class: "finding" });
  li.append(el("code", {}, d.code), " ", d.line ? `line ${d.line}: ` : "", d.message);
  if (d.counterexample) {
    li.append(el("pre", {}, JSON.stringify(d.counterexample, null, 2)));
    const b = el("button", { type: "button", class: "load-cx" }, "Load as sheet");
    b.addEventListener("click", guard(() => {
      addSheet(`counterexample-${d.code.replace(/^IPSF-/, "")}.json`, JSON.stringify(d.counterexample, null, 2) + "\n");
      startRun();
    }));
    li.append(b);
  }
  fl.append(li);
  return li;
}

function showTests(test) {
  const ul = $("tests");
  clear(ul);
  $("test-count").textContent = "";
  if (!test || !test.result || !Array.isArray(test.result.packs)) {
    if (test && test.stderr) ul.append(el("li", {}, el("pre", {}, test.stderr)));
    return;
  }
  let passed = 0, failed = 0;
  for (const p of test.result.packs) {
    for (const t of p.tests || []) {
      const ok = t.status === "passed";
      ok ? passed++ : failed++;
      const li = el("li", { class: "test" }, el("span", { class: ok ? "passed" : "failed" }, ok ? "pass " : "FAIL "), t.name);
      if (t.profile) li.append(` (profile ${t.profile})`);
      for (const f of t.failures || []) li.append(el("pre", {}, typeof f === "string" ? f : JSON.stringify(f)));
      ul.append(li);
    }
  }
  $("test-count").textContent = `${passed} passed, ${failed} failed`;
}

function recordLabel(r) {
  let s = r.sheet || "";
  if (r.line) s += ":" + r.line;
  if (r.profile) s += " [" + r.profile + "]";
  if (r.device) s += " " + r.device;
  return s;
}

function showRecords(stderr) {
  const sel = $("record");
  const prev = sel.value;
  clear(sel);
  view.records.forEach((r, i) => sel.append(el("option", { value: String(i) }, recordLabel(r))));
  if (prev && Number(prev) < view.records.length) sel.value = prev;
  showRecord(stderr);
}

function showRecord(stderr) {
  const r = view.records[Number($("record").value)];
  const errBox = $("record-error");
  clear(errBox);
  clear($("requirements"));
  clear($("reasons"));
  drawMatrix(r && !r.error ? r : null);
  if (!r) {
    if (stderr) errBox.append(el("pre", {}, stderr));
    return;
  }
  if (r.error) {
    errBox.append(el("div", {}, `${r.error.kind}: ${r.error.message}`));
    return;
  }
  showRequirements(r);
  showReasons(r);
}

function drawMatrix(r) {
  const box = $("matrix");
  clear(box);
  const d = view.describe;
  if (!d || !d.axis1 || !d.axis2) {
    box.append(el("p", {}, d ? "the pack declares no category axes" : ""));
    return;
  }
  const rows = d.axis1.levels.slice().reverse(); /* worst at the top */
  const cols = d.axis2.levels;
  const cw = 110, ch = 34, left = 120, top = 40;
  const w = left + cols.length * cw + 10, h = top + rows.length * ch + 30;
  const s = svg("svg", { viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: "img",
                         "aria-label": "category matrix" });
  s.append(svg("text", { x: left, y: 14 }, `axis 2: ${d.axis2.scale}`));
  s.append(svg("text", { x: 4, y: top - 8 }, `axis 1: ${d.axis1.scale}`));
  cols.forEach((c, j) => s.append(svg("text", { x: left + j * cw + 6, y: top - 8 }, c)));
  rows.forEach((lv, i) => {
    s.append(svg("text", { x: 4, y: top + i * ch + 22 }, lv));
    cols.forEach((c, j) => {
      const placed = r && r.category && r.category.axis1 === lv && r.category.axis2 === c;
      const rect = svg("rect", { x: left + j * cw, y: top + i * ch, width: cw - 4, height: ch - 4,
                                 class: placed ? "cell placed" : "cell" });
      rect.dataset.axis1 = lv;
      rect.dataset.axis2 = c;
      s.append(rect);
      if (placed) {
        const name = r.device || "device";
        const short = name.length > 13 ? name.slice(0, 12) + "\u2026" : name;
        const label = svg("text", { x: left + j * cw + 6, y: top + i * ch + 20, class: "placed" }, short);
        label.setAttribute("id", "placed");
        label.append(svg("title", {}, name));
        s.append(label);
      }
    });
  });
  box.append(s);
}

function showRequirements(r) {
  const box = $("requirements");
  const vps = Array.isArray(r.viewpoints) ? r.viewpoints : [];
  const byVp = new Map(vps.map((v) => [v, []]));
  for (const q of r.requirements || []) {
    if (!byVp.has(q.viewpoint)) byVp.set(q.viewpoint, []);
    byVp.get(q.viewpoint).push(q);
  }
  for (const [vp, reqs] of byVp) {
    box.append(el("h3", {}, vp, " ", el("small", {}, `${reqs.length} requirements`)));
    if (!reqs.length) continue;
    const t = el("table", { class: "reqs" });
    t.append(el("tr", {}, el("th", {}, "id"), el("th", {}, "requirement"), el("th", {}, "method"),
                el("th", {}, "status")));
    for (const q of reqs) {
      const method = q.method + (q.every_months ? ` every ${q.every_months} months` : "");
      const tr = el("tr", { class: "req" }, el("td", {}, q.id), el("td", {}, q.title), el("td", {}, method),
                    el("td", { class: "st-" + q.status }, q.status));
      tr.dataset.id = q.id;
      t.append(tr);
    }
    box.append(t);
  }
}

function showReasons(r) {
  const box = $("reasons");
  const t = el("table", {});
  t.append(el("tr", {}, el("th", {}, "scale"), el("th", {}, "level"), el("th", {}, "rule"), el("th", {}, "because")));
  for (const [scale, reasons] of Object.entries(r.reasons || {})) {
    for (const x of reasons)
      t.append(el("tr", {}, el("td", {}, scale), el("td", {}, x.level), el("td", {}, x.at || ""),
                  el("td", {}, x.otherwise ? "(otherwise)" : x.because || "")));
  }
  box.append(t);
}

/* ---- sharing --------------------------------------------------------------------- */

function toBase64Url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

async function share() {
  state.pack = $("pack").value;
  const json = JSON.stringify({ pack: state.pack, sheets: state.sheets, current: state.current });
  const packed = await pipe(new TextEncoder().encode(json), new CompressionStream("deflate-raw"));
  const url = location.href.replace(/#.*$/, "") + "#s=" + toBase64Url(packed);
  history.replaceState(null, "", url);
  const box = $("share-url");
  box.hidden = false;
  box.value = url;
  box.select();
  setStatus(`link: ${url.length} characters (nothing was sent)`);
}

async function restoreFromHash() {
  const m = /^#s=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!m) return false;
  let bytes;
  try {
    bytes = await pipe(fromBase64Url(m[1]), new DecompressionStream("deflate-raw"));
  } catch (e) {
    throw new Error("it is not a compressed playground state");
  }
  const s = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  if (!s || typeof s !== "object") throw new Error("the link's state is not an object");
  loadState(s);
  return true;
}

/* ---- wiring --------------------------------------------------------------------- */

function scheduleRun() {
  clearTimeout(editTimer);
  editTimer = setTimeout(guard(startRun), 400);
}

async function init() {
  window.addEventListener("unhandledrejection", (ev) => {
    ev.preventDefault();
    setStatus("error: " + errText(ev.reason));
  });
  const sel = $("example");
  for (const ex of self.IPSF_EXAMPLES || [])
    sel.append(el("option", { value: ex.name }, ex.title ? `${ex.name}: ${ex.title}` : ex.name));
  sel.addEventListener("change", guard(() => loadExample(sel.value)));
  $("pack").addEventListener("input", guard(() => {
    drawGutter();
    scheduleRun();
  }));
  $("pack").addEventListener("scroll", guard(drawGutter));
  $("sheet").addEventListener("input", guard(() => {
    const cur = state.sheets[state.current];
    if (cur) cur.text = $("sheet").value;
    scheduleRun();
  }));
  $("sheet-name").addEventListener("change", guard(() => {
    const cur = state.sheets[state.current];
    if (!cur) return;
    cur.name = safeName($("sheet-name").value, takenNames(state.current));
    showSheets();
    scheduleRun();
  }));
  $("sheet-add").addEventListener("click", guard(() => {
    addSheet("sheet.json", '{\n  "device": "my device",\n  "facts": {}\n}\n');
  }));
  $("sheet-remove").addEventListener("click", guard(() => {
    state.sheets.splice(state.current, 1);
    state.current = Math.max(0, state.current - 1);
    showSheets();
    scheduleRun();
  }));
  $("sheet-files").addEventListener("change", guard(async () => {
    for (const f of $("sheet-files").files) addSheet(f.name, await f.text());
    startRun();
  }));
  $("record").addEventListener("change", guard(() => showRecord("")));
  $("run").addEventListener("click", guard(startRun));
  $("cancel").addEventListener("click", guard(cancelRun));
  $("share").addEventListener("click", guard(share));
  newWorker();
  window.addEventListener("hashchange", guard(async () => {
    try {
      if (await restoreFromHash()) startRun();
    } catch (e) {
      setStatus("the link's state cannot be read: " + errText(e));
    }
  }));
  let restored = false;
  try {
    restored = await restoreFromHash();
  } catch (e) {
    setStatus("the link's state cannot be read: " + errText(e));
  }
  if (restored) startRun();
  else if ((self.IPSF_EXAMPLES || []).length) {
    const first = self.IPSF_EXAMPLES.find((e) => e.name === "smart-home") || self.IPSF_EXAMPLES[0];
    sel.value = first.name;
    loadExample(first.name);
  } else {
    showSheets();
  }
}

guard(init)();
