#!/usr/bin/python3
"""Latency of `ipsfc lsp` diagnostics after a change (docs/editors.md).

For each pack: open it, then REPEAT times send a didChange (full text, one
character of a comment changed, so the pack stays the same) and time, on the
client side (pipe and JSON included), how long until the server publishes
the type-check diagnostics and then the analysis ones (analysisDelayMs = 0,
so the analysis starts as soon as the type check is published).  Packs: the
largest example (by bytes) and a generated pack of RULES rules (default
1000) over 50 facts, in scales of the ssf axes and one `first` scale.

    /usr/bin/python3 bench/lsp_latency.py [--repeat N] [--rules N] [--work N]
"""
import argparse
import glob
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests/lsp"))
from lspclient import LspClient  # noqa: E402

IPSFC = os.path.abspath(os.environ.get("IPSFC", os.path.join(ROOT, "build/ipsfc")))


def generated(rules):
    facts = 50
    out = ['pack "bench.lsp" version "1.0.0" { }', "", 'import "ssf";', "", "facts {"]
    for i in range(facts):
        out.append("  f%d: int = 0;" % i)
    out.append("  zone: enum { home, office, plant, hospital } = home;")
    out.append("}")
    out.append("")
    per = rules // 3
    levels = {"recovery": ["serious", "fatal"], "economic": ["significant", "catastrophic"],
              "support": ["extended", "lifetime"]}
    out.append("scale support { standard, extended, lifetime }")
    n = 0
    for scale, lv in levels.items():
        count = per if scale != "support" else rules - 2 * per
        policy = " policy first" if scale == "support" else ""
        out.append("")
        out.append("rules %s%s {" % (scale, policy))
        for k in range(count):
            f = n % facts
            out.append("  %s when f%d > %d and zone == %s;" % (
                lv[k % 2], f, 10 + k, ["home", "office", "plant", "hospital"][k % 4]))
            n += 1
        out.append("  otherwise %s;" % ("standard" if scale == "support" else "limited"))
        out.append("}")
    return "\n".join(out) + "\n// x\n"


def measure(path, text, repeat, work):
    c = LspClient(IPSFC, env=dict(os.environ, XDG_CACHE_HOME=tempfile.mkdtemp()))
    c.request("initialize", {"capabilities": {}, "initializationOptions": opts(work)})
    c.notify("initialized", {})
    uri = "file://" + path
    c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ipsf",
                                                       "version": 1, "text": text}})
    first = c.diagnostics(uri, timeout=120)
    errors = any(d.get("severity") == 1 for d in first["diagnostics"])
    if not errors:
        c.diagnostics(uri, timeout=120)
    types, analysis = [], []
    for v in range(repeat):
        # change one character of a trailing comment: same pack, new text
        changed = text + ("//%d\n" % v)
        t0 = time.perf_counter()
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v + 2},
                                            "contentChanges": [{"text": changed}]})
        d1 = c.diagnostics(uri, timeout=120)
        t1 = time.perf_counter()
        types.append((t1 - t0) * 1000)
        if not errors:
            d2 = c.diagnostics(uri, timeout=120)
            analysis.append((time.perf_counter() - t0) * 1000)
    findings = len(d2["diagnostics"]) if not errors else len(d1["diagnostics"])
    c.request("shutdown")
    c.notify("exit")
    c.close()
    return types, analysis, findings


def opts(work):
    o = {"analysisDelayMs": 0}
    if work is not None:
        o["analysisWork"] = work
    return o


def row(name, lines, ms):
    if not ms:
        return "%-34s %6s %10s %10s" % (name, lines, "-", "-")
    ms = sorted(ms)
    return "%-34s %6d %8.1f ms %8.1f ms" % (name, lines, statistics.median(ms), ms[int(len(ms) * 0.9) - 1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--work", type=int, default=None,
                    help="analysisWork (default: the server's; 0: check's own bound)")
    a = ap.parse_args()
    largest = max(glob.glob(os.path.join(ROOT, "examples/*/pack.ipsf")), key=os.path.getsize)
    tmp = tempfile.mkdtemp()
    gen = os.path.join(tmp, "generated.ipsf")
    with open(gen, "w") as f:
        f.write(generated(a.rules))
    print("ipsfc lsp: diagnostics after a change, client side, %d changes each" % a.repeat)
    print("%-34s %6s %11s %11s" % ("pack / phase", "lines", "median", "p90"))
    for name, path in [(os.path.relpath(largest, ROOT), largest), ("generated, %d rules" % a.rules, gen)]:
        text = open(path).read()
        types, analysis, findings = measure(path, text, a.repeat, a.work)
        lines = text.count("\n")
        print(row(name + ": type check", lines, types))
        print(row(name + ": + analysis (%d findings)" % findings, lines, analysis))


if __name__ == "__main__":
    main()
