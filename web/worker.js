/*
 * worker.js -- the playground's Web Worker: the WebAssembly ipsfc
 * (ipsfc.js + ipsfc.wasm) runs here, never on the page's thread, so the
 * page stays responsive whatever a pack or a sheet set costs; the page
 * cancels a run by terminating this worker and starting another.
 *
 * One message in: {id, pack, sheets: [{name, text}]}.  Messages out, all
 * with that id:
 *   {type: "checked", check, describe, test}   as soon as those are known
 *   {type: "progress", done, total}            after each chunk of sheets
 *   {type: "done", records, evalStderr, ms}    the eval records, in order
 *   {type: "error", message}                   the worker itself failed
 * check: {exit, diags (ipsfc check --format json), stderr}; describe: the
 * axes and viewpoints (web/ipsfc_web.c) or null; test: ipsfc test
 * --format json or null.  Records are `ipsfc eval --format json --explain`
 * records, CHUNK sheets per call, concatenated.
 *
 * Files: the pack is /w/pack.ipsf, the sheets /w/sheets/NAME (names made
 * safe by the page), the working directory /w: the names the CLI prints
 * are "pack.ipsf" and "sheets/NAME".  /w is emptied before every run.
 */
"use strict";
importScripts("ipsfc.js", "ipsfc_api.js");

const CHUNK = 100;
let mod = null;
const ready = createIpsfc({ print: () => {}, printErr: () => {} }).then((m) => {
  mod = m;
});

function parse(text, fallback) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return fallback;
  }
}

function run(msg) {
  const t0 = performance.now();
  const api = self.IpsfcApi;
  mod.FS.chdir("/");
  api.removeTree(mod, "/w");
  api.writeFile(mod, "/w/pack.ipsf", msg.pack);
  const names = [];
  for (const s of msg.sheets) {
    api.writeFile(mod, "/w/sheets/" + s.name, s.text);
    names.push("sheets/" + s.name);
  }
  mod.FS.chdir("/w");
  const c = api.run(mod, ["check", "--format", "json", "pack.ipsf"]);
  const check = { exit: c.exit, diags: parse(c.stdout, []), stderr: c.stderr };
  const failed = c.exit !== 0 && check.diags.some((d) => d.severity === "error");
  let describe = null, test = null;
  if (!failed) {
    const d = api.run(mod, ["describe", "pack.ipsf"]);
    describe = d.exit === 0 ? parse(d.stdout, null) : null;
    const t = api.run(mod, ["test", "--format", "json", "pack.ipsf"]);
    test = { exit: t.exit, result: parse(t.stdout, null), stderr: t.stderr };
  }
  postMessage({ id: msg.id, type: "checked", check, describe, test });
  const records = [];
  let evalStderr = "";
  if (!failed && describe) {
    for (let i = 0; i < names.length; i += CHUNK) {
      const part = names.slice(i, i + CHUNK);
      const r = api.run(mod, ["eval", "--format", "json", "--explain", "--fail-on", "never",
                              "pack.ipsf", ...part]);
      const got = parse(r.stdout, null);
      if (Array.isArray(got)) for (const rec of got) records.push(rec);
      evalStderr += r.stderr;
      postMessage({ id: msg.id, type: "progress", done: Math.min(i + CHUNK, names.length),
                    total: names.length });
    }
  }
  postMessage({ id: msg.id, type: "done", records, evalStderr, ms: performance.now() - t0 });
}

self.onmessage = (ev) => {
  const msg = ev.data || {};
  ready
    .then(() => run(msg))
    .catch((e) => {
      postMessage({ id: msg.id, type: "error", message: String((e && e.message) || e) });
    });
};
