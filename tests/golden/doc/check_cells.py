#!/usr/bin/python3
"""Check the guideline's per-cell analysis against the evaluator.

For each example pack, `ipsfc doc` says per cell of the category matrix
which requirements apply there ("always", "depends", "unknown"; absent:
never), which confirm lines can be chosen there, and which cells no input
reaches.  This evaluates every device sheet of the example with
`ipsfc eval --format json` and checks that no record contradicts it:

  * the record's cell is not one "no input reaches";
  * a requirement the record lists (it applies) is listed in the cell,
    and one the cell says applies "always" is in the record;
  * the record's method (with its period) is one of the cell's lines,
    when the analysis says its set of lines is exact.

A contradiction is a bug in the analysis (compiler/doc_cells.c) or in
the evaluator.  Prints one line per example and exits 1 on any
contradiction.

Usage (from anywhere): IPSFC=build/ipsfc /usr/bin/python3 check_cells.py EXAMPLE...
"""
import glob
import html.parser
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


class Guide(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels = {}     # "l1-l2" -> (axis1 level, axis2 level)
        self.unreached = set()
        self.rows = {}       # (axis1, axis2) -> {req: (applies, exact, [lines])}
        self.cur = None
        self.in_cell_p = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "g" and a.get("class") == "cell":
            key = a["id"][len("cell-"):]
            self.levels[key] = (a["data-axis1"], a["data-axis2"])
        elif tag == "h3" and (a.get("id") or "").startswith("req-cell-"):
            self.cur = self.levels[a["id"][len("req-cell-"):]]
            self.rows.setdefault(self.cur, {})
        elif tag == "h2" and self.cur is not None:
            self.cur = None
        elif tag == "tr" and "data-req" in a and self.cur is not None:
            lines = a["data-lines"].split("\t") if a["data-lines"] else []
            self.rows[self.cur][a["data-req"]] = (a["data-applies"], a["data-exact"] == "true", lines)
        elif tag == "p" and self.cur is not None:
            self.in_cell_p = True

    def handle_data(self, data):
        if self.in_cell_p and data.strip() == "No input reaches this cell.":
            self.unreached.add(self.cur)

    def handle_endtag(self, tag):
        if tag == "p":
            self.in_cell_p = False


def run(cmd):
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def check(ipsfc, example):
    pack = "examples/%s/pack.ipsf" % example
    sheets = sorted(s for s in glob.glob("examples/%s/devices/*" % example, root_dir=ROOT)
                    if not os.path.basename(s).startswith("bad-"))
    native = []
    if example == "natives":
        native = ["--allow-native", os.path.join(os.path.dirname(ipsfc), "examples/natives/libcvss.so")]
    code, out, err = run([ipsfc, "doc", pack] + native)
    if code != 0:
        return ["doc exited %d: %s" % (code, err)], 0, 0
    g = Guide()
    g.feed(out)
    code, out, err = run([ipsfc, "eval", "--format", "json", pack] + native + sheets)
    if code != 0:
        return ["eval exited %d: %s" % (code, err)], 0, 0
    problems, pairs = [], 0
    records = json.loads(out)
    for rec in records:
        who = "%s %s" % (rec["sheet"], rec["profile"] or "")
        cell = (rec["category"]["axis1"], rec["category"]["axis2"])
        if cell in g.unreached:
            problems.append("%s: in %s, which the guideline says no input reaches" % (who, cell))
            continue
        rows = g.rows.get(cell, {})
        got = {q["id"]: q for q in rec["requirements"]}
        for rid, (applies, exact, lines) in rows.items():
            pairs += 1
            if applies == "always" and rid not in got:
                problems.append("%s: %s is 'required' in %s but does not apply" % (who, rid, cell))
        for rid, q in got.items():
            pairs += 1
            if rid not in rows:
                problems.append("%s: %s applies, but the guideline does not list it in %s" % (who, rid, cell))
                continue
            applies, exact, lines = rows[rid]
            method = q["method"]
            if q.get("every_months"):
                method += " every %d months" % q["every_months"]
            if exact and method not in lines:
                problems.append("%s: %s chose %r, not among %r in %s" % (who, rid, method, lines, cell))
    return problems, len(records), pairs


def main():
    ipsfc = os.path.abspath(os.environ.get("IPSFC", os.path.join(ROOT, "build", "ipsfc")))
    bad = False
    for example in sys.argv[1:]:
        problems, records, pairs = check(ipsfc, example)
        for p in problems:
            print("%s: CONTRADICTION: %s" % (example, p))
        bad |= bool(problems)
        print("%s: %d records, %d (record, requirement) checks, %d contradictions"
              % (example, records, pairs, len(problems)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
