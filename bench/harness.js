// harness.js -- the loop shared by the Node.js peers of bench/run.sh.
//
//   node policy_X.js FILE.jsonl                 end to end: "<recovery> <economic>" per line
//   node policy_X.js FILE.jsonl --eval-only [K] evaluation only (see below)
//
// End to end reads the file in 1 MiB chunks, JSON.parse()s each line and
// asks the engine for the sheet's placements. --eval-only parses the first
// K sheets (default 100000) first, untimed, then times only the engine's
// decision over them (after a short warm-up for the JIT), for at least one
// second or three passes, whichever comes first, and prints
//   RESULT eval=NS_PER_SHEET evals=COUNT
// `decide(facts)` returns "<recovery> <economic>" or a promise of it.
'use strict';
const fs = require('fs');

function* sheets(file, max) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  let rest = '', n = 0;
  for (;;) {
    const got = fs.readSync(fd, buf, 0, buf.length, null);
    const text = rest + buf.toString('utf8', 0, got);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (nl > start) {
        yield JSON.parse(text.slice(start, nl));
        if (++n >= max) { fs.closeSync(fd); return; }
      }
      start = nl + 1;
    }
    rest = text.slice(start);
    if (got === 0) break;
  }
  if (rest.length) yield JSON.parse(rest);
  fs.closeSync(fd);
}

async function endToEnd(file, decide) {
  let out = [];
  const flush = () => { if (out.length) process.stdout.write(out.join('\n') + '\n'); out = []; };
  for (const sheet of sheets(file, Infinity)) {
    let r = decide(sheet.facts);
    if (typeof r !== 'string') r = await r;
    out.push(r);
    if (out.length >= 65536) flush();
  }
  flush();
}

async function evalOnly(file, decide, k) {
  const facts = [];
  for (const sheet of sheets(file, k)) facts.push(sheet.facts);
  const isAsync = typeof decide(facts[0]) !== 'string';
  const one = isAsync ? async (f) => await decide(f) : decide;
  let sink = 0;
  for (let i = 0; i < Math.min(facts.length, 5000); i++) { const r = one(facts[i]); sink += isAsync ? (await r).length : r.length; }
  const t0 = process.hrtime.bigint();
  let evals = 0, elapsed = 0n;
  for (let pass = 0; pass < 3 && elapsed < 1000000000n; pass++) {
    for (let i = 0; i < facts.length; i++) {
      const r = one(facts[i]);
      sink += isAsync ? (await r).length : r.length;
      evals++;
      if ((evals & 255) === 0) {
        elapsed = process.hrtime.bigint() - t0;
        if (elapsed >= 1000000000n && evals >= 1000) break;
      }
    }
  }
  elapsed = process.hrtime.bigint() - t0;
  console.log(`RESULT eval=${(Number(elapsed) / evals).toFixed(1)} evals=${evals} sink=${sink % 2}`);
}

module.exports = function run(decide) {
  process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
  const args = process.argv.slice(2);
  const file = args[0];
  const i = args.indexOf('--eval-only');
  const p = i >= 0 ? evalOnly(file, decide, Number(args[i + 1]) || 100000) : endToEnd(file, decide);
  p.catch((e) => { console.error(e); process.exit(1); });
};
