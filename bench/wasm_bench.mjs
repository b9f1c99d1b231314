// wasm_bench.mjs -- the WebAssembly ipsfc under Node against the native CLI
// (docs/performance.md, "The playground (WebAssembly)").
//
//   node bench/wasm_bench.mjs MODULE.js IPSFC PACK SHEETS.jsonl [REPEAT]
//
// Runs `eval --format jsonl --summary PACK SHEETS` REPEAT times (default 3)
// in each, output thrown away (native: > /dev/null; wasm: stdout on the
// module's /dev/null), both on one thread (native --jobs 1; the wasm build
// has no threads), and prints the best time of each, records/s and the
// ratio; then the module's start-up (instantiate) and time to a first
// record (one sheet, pack compiled from source), as the page pays them.
// The summaries (records, errors) must agree, or the script fails.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const api = require(path.join(repo, "web/ipsfc_api.js"));
const [modulePath, ipsfc, pack, sheets] = process.argv.slice(2);
const repeat = Number(process.argv[6] || 3);
if (!sheets) {
  console.error("usage: node bench/wasm_bench.mjs MODULE.js IPSFC PACK SHEETS.jsonl [REPEAT]");
  process.exit(2);
}

/* "ipsfc eval: 100000 devices, 100000 profiles evaluated, 0 errors, 457348
 * unmet; 0.236 s, ..." -> the counts (records: the profiles evaluated). */
function summary(stderr) {
  const line = stderr.trim().split("\n").pop();
  const m = /(\d+) devices, (\d+) profiles evaluated, (\d+) errors, (\d+) unmet/.exec(line);
  return { line, records: m ? Number(m[2]) : NaN, counts: m ? m.slice(1).join(" ") : line };
}

async function main() {
  // native, one thread
  let nativeBest = Infinity, nativeSum = null;
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    const p = spawnSync(ipsfc, ["eval", "--jobs", "1", "--format", "jsonl", "--summary", pack, sheets],
                        { stdio: ["ignore", "ignore", "pipe"] });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (p.error) throw p.error;
    nativeBest = Math.min(nativeBest, ms);
    const stderr = p.stderr.toString();
    nativeSum = summary(stderr);
  }

  // wasm: start-up, then first record, then the batch
  const t0 = process.hrtime.bigint();
  const createIpsfc = require(path.resolve(modulePath));
  const mod = await createIpsfc({ print: () => {}, printErr: () => {} });
  const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
  api.writeFile(mod, "/b/pack.ipsf", fs.readFileSync(pack));
  const firstLine = fs.readFileSync(sheets, "utf8").split("\n", 1)[0];
  api.writeFile(mod, "/b/one.jsonl", firstLine + "\n");
  mod.FS.chdir("/b");
  const t1 = process.hrtime.bigint();
  const one = api.run(mod, ["eval", "--format", "json", "--explain", "pack.ipsf", "one.jsonl"]);
  const firstMs = Number(process.hrtime.bigint() - t1) / 1e6;
  if (!one.stdout.includes('"category"')) throw new Error("no first record: " + one.stderr);
  const tw = process.hrtime.bigint();
  api.writeFile(mod, "/b/sheets.jsonl", fs.readFileSync(sheets));
  const copyMs = Number(process.hrtime.bigint() - tw) / 1e6;
  let wasmBest = Infinity, wasmSum = null;
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    const r = api.run(mod, ["eval", "--format", "jsonl", "--summary", "pack.ipsf", "sheets.jsonl"], true);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    wasmBest = Math.min(wasmBest, ms);
    wasmSum = summary(r.stderr);
  }
  if (nativeSum.counts !== wasmSum.counts || !(nativeSum.records > 0))
    throw new Error(`the runs disagree: native "${nativeSum.line}", wasm "${wasmSum.line}"`);
  const n = nativeSum.records;
  const nRate = n / (nativeBest / 1000), wRate = n / (wasmBest / 1000);
  console.log(`records: ${n} (${path.basename(sheets)})`);
  console.log(`native --jobs 1: ${nativeBest.toFixed(0)} ms, ${Math.round(nRate)} records/s`);
  console.log(`wasm under Node ${process.version}: ${wasmBest.toFixed(0)} ms, ${Math.round(wRate)} records/s` +
              ` (sheets copied into MEMFS beforehand: ${copyMs.toFixed(0)} ms)`);
  console.log(`ratio wasm/native: ${(wRate / nRate).toFixed(2)}`);
  console.log(`wasm start-up (instantiate, one-file build): ${startMs.toFixed(0)} ms; first record` +
              ` (compile pack from source + one sheet, --explain): ${firstMs.toFixed(0)} ms`);
  console.log(`native summary: ${nativeSum.line}`);
  console.log(`wasm summary:   ${wasmSum.line}`);
}

main().catch((e) => {
  console.error(`wasm_bench: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
