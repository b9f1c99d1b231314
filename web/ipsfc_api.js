/*
 * ipsfc_api.js -- calling the WebAssembly ipsfc (web/ipsfc_web.c) from
 * JavaScript: the Web Worker (web/worker.js) and the Node test
 * (tests/wasm/equivalence.mjs) share it.
 *
 *   const r = IpsfcApi.run(mod, ["eval", "--format", "json", "p.ipsf", "s.json"]);
 *   // r = {exit: 0, stdout: "...", stderr: "..."}
 *   IpsfcApi.writeFile(mod, "/w/p.ipsf", text);   // MEMFS, directories made
 *
 * Invariant: every string crosses into the module as NUL-terminated UTF-8
 * in memory malloc'd here and freed before run returns; the result string
 * is freed with ipsfw_free.  Nothing here throws on what a pack or a
 * sheet contains; a module that cannot answer (out of memory) gives
 * {exit: 4, stdout: "", stderr: "..."}.
 */
(function (root) {
  "use strict";

  function cString(mod, s) {
    const n = mod.lengthBytesUTF8(s) + 1;
    const p = mod._malloc(n);
    if (!p) return 0;
    mod.stringToUTF8(s, p, n);
    return p;
  }

  /* discard: stdout goes to /dev/null (the benchmark), "stdout" is "". */
  function run(mod, args, discard) {
    const ptrs = [];
    const argv = mod._malloc(4 * (args.length + 1));
    try {
      for (let i = 0; i < args.length; i++) {
        const p = cString(mod, String(args[i]));
        ptrs.push(p);
        mod.HEAPU32[(argv >> 2) + i] = p;
      }
      mod.HEAPU32[(argv >> 2) + args.length] = 0;
      const res = discard ? mod._ipsfw_run_discard(args.length, argv) : mod._ipsfw_run(args.length, argv);
      if (!res) return { exit: 4, stdout: "", stderr: "ipsfc: out of memory\n" };
      const text = mod.UTF8ToString(res);
      mod._ipsfw_free(res);
      return JSON.parse(text);
    } finally {
      for (const p of ptrs) mod._free(p);
      mod._free(argv);
    }
  }

  function mkdirs(mod, path) {
    const parts = path.split("/").slice(0, -1);
    let cur = "";
    for (const part of parts) {
      if (!part) continue;
      cur += "/" + part;
      try {
        mod.FS.mkdir(cur);
      } catch (e) {
        /* exists */
      }
    }
  }

  function writeFile(mod, path, text) {
    mkdirs(mod, path);
    mod.FS.writeFile(path, text);
  }

  function removeTree(mod, path) {
    let st;
    try {
      st = mod.FS.stat(path);
    } catch (e) {
      return;
    }
    if (mod.FS.isDir(st.mode)) {
      for (const name of mod.FS.readdir(path))
        if (name !== "." && name !== "..") removeTree(mod, path + "/" + name);
      mod.FS.rmdir(path);
    } else {
      mod.FS.unlink(path);
    }
  }

  const api = { run, writeFile, removeTree };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.IpsfcApi = api;
})(typeof self !== "undefined" ? self : this);
