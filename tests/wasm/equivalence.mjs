// equivalence.mjs -- the WebAssembly ipsfc against the native one, byte for byte.
//
//   IPSFC=build/ipsfc node tests/wasm/equivalence.mjs build/wasm/ipsfc-node.js
//
// For every examples/<name>/ with a pack.ipsf and a devices/ directory (and
// tests/wasm/builtins/: the built-ins of the native call path, which the
// wasm build calls through web/shim/ffi.h instead of libffi), the
// one-file wasm build (run under Node, the examples copied into its MEMFS
// under the same relative paths, the working directory the repository's
// root in both) and the native CLI run the same commands:
//   eval --format json PACK every-sheet-of-devices/
//   eval --format json --explain PACK every-sheet-of-devices/
//   check --format json PACK
//   test --format json PACK
// and their stdout, stderr and exit codes must be identical (stdout compared
// as UTF-8 bytes).  examples/natives is refused by both (no --allow-native):
// the same message, the same exit code.  Exit 0 when all match; else every
// difference is listed and the exit code is 1.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ipsfc = process.env.IPSFC || path.join(repo, "build/ipsfc");
const modulePath = path.resolve(process.argv[2] || path.join(repo, "build/wasm/ipsfc-node.js"));
const api = require(path.join(repo, "web/ipsfc_api.js"));
const createIpsfc = require(modulePath);

function native(args) {
  try {
    const out = execFileSync(ipsfc, args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
    return { exit: 0, stdout: out, stderr: "" };
  } catch (e) {
    if (typeof e.status !== "number") throw e;
    return { exit: e.status, stdout: e.stdout, stderr: e.stderr.toString("utf8") };
  }
}

async function main() {
const mod = await createIpsfc({ print: () => {}, printErr: () => {} });
const root = "/repo";
let compared = 0, records = 0;
const failures = [];
const cases = fs.readdirSync(path.join(repo, "examples")).sort().map((n) => path.join("examples", n));
cases.push("tests/wasm/builtins");
for (const dir of cases) {
  const pack = path.join(dir, "pack.ipsf");
  const devices = path.join(dir, "devices");
  if (!fs.existsSync(path.join(repo, pack)) || !fs.existsSync(path.join(repo, devices))) continue;
  const sheets = fs.readdirSync(path.join(repo, devices)).sort().map((f) => path.join(devices, f));
  for (const f of [pack, ...sheets]) api.writeFile(mod, `${root}/${f}`, fs.readFileSync(path.join(repo, f)));
  mod.FS.chdir(root);
  const commands = [
    ["eval", "--format", "json", pack, ...sheets],
    ["eval", "--format", "json", "--explain", pack, ...sheets],
    ["check", "--format", "json", pack],
    ["test", "--format", "json", pack],
  ];
  for (const args of commands) {
    const want = native(args);
    const got = api.run(mod, args);
    const gotBytes = Buffer.from(got.stdout, "utf8");
    compared++;
    const what = `ipsfc ${args.slice(0, 3).join(" ")} ${pack}`;
    if (!gotBytes.equals(want.stdout)) {
      let i = 0;
      while (i < gotBytes.length && i < want.stdout.length && gotBytes[i] === want.stdout[i]) i++;
      failures.push(`${what}: stdout differs at byte ${i}:\n  wasm:   ${JSON.stringify(gotBytes.subarray(i, i + 80).toString())}\n  native: ${JSON.stringify(want.stdout.subarray(i, i + 80).toString())}`);
    }
    if (got.exit !== want.exit) failures.push(`${what}: exit ${got.exit} (wasm) != ${want.exit} (native)`);
    if (got.stderr !== want.stderr)
      failures.push(`${what}: stderr differs:\n  wasm:   ${JSON.stringify(got.stderr)}\n  native: ${JSON.stringify(want.stderr)}`);
    if (args[0] === "eval" && want.exit === 0 && want.stdout.length && !args.includes("--explain"))
      records += JSON.parse(want.stdout.toString("utf8")).length;
  }
  api.removeTree(mod, `${root}/${dir}`);
}
if (compared === 0 || records === 0) {
  console.error("equivalence: nothing was compared (no examples/*/devices?)");
  process.exit(1);
}
for (const f of failures) console.error(f);
console.log(`equivalence: ${compared} commands, ${records} records: ${failures.length ? failures.length + " differences" : "identical"}`);
process.exit(failures.length ? 1 : 0);
}

// (the Emscripten module rethrows uncaught errors with its whole source line)
main().catch((e) => {
  console.error(`equivalence: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
