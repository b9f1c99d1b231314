#!/usr/bin/python3
"""Property test of `ipsfc diff` (docs/cli.md, "ipsfc diff").

For random pairs of small generated packs (OLD, and NEW = OLD mutated, or
an unrelated pack of the same facts):

  1. every counterexample the symbolic diff reports really differs: it is
     evaluated with `ipsfc eval --allow-unknown-facts` under both packs and
     the records must differ exactly as the region says (same scale moves,
     same requirement changes);
  2. random sampling finds no difference outside the reported regions:
     random sheets (values at, around and between the packs' constants,
     and anywhere) are evaluated under both packs; each pair of records
     that differs must match the changes of some reported region and lie
     inside that region's description (its conditions, or its union of
     boxes) and no other's; a sample that does not differ lies inside no
     region's description;
  3. the same with one output at a time (--by-component): every change of
     a differing sample is the change of some region.

Deterministic (a fixed seed per run, printed); `IPSFC=... tests/diff/property.py [PAIRS]`.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

IPSFC = os.environ.get("IPSFC", "build/ipsfc")
PAIRS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
SEED = int(os.environ.get("SEED", "13"))
SAMPLES = 150

LEVELS1 = ["limited", "serious", "fatal"]
LEVELS2 = ["limited", "significant", "catastrophic"]
ENUM = ["x", "y", "z"]


def cond(r, consts):
    kind = r.randrange(6)
    if kind == 0:
        k = r.choice(consts["a"])
        return "a %s %d" % (r.choice([">=", "<", "==", ">", "<=", "!="]), k)
    if kind == 1:
        return "b %s %s" % (r.choice(["==", "!=", ">="]), r.choice(ENUM))
    if kind == 2:
        return r.choice(["c", "not c"])
    if kind == 3:
        k = r.choice(consts["n"])
        return "n %s %s" % (r.choice([">", "<=", "<"]), k)
    if kind == 4:
        return "%s and %s" % (cond(r, consts), cond(r, consts))
    return "(%s or %s)" % (cond(r, consts), cond(r, consts))


def gen_pack(r, version, consts):
    p = {"version": version, "rules1": [], "rules2": [], "req": []}
    for _ in range(r.randrange(1, 4)):
        p["rules1"].append((r.choice(LEVELS1[1:]), cond(r, consts)))
    for _ in range(r.randrange(1, 3)):
        p["rules2"].append((r.choice(LEVELS2[1:]), cond(r, consts)))
    p["applies"] = cond(r, consts) if r.random() < 0.7 else None
    p["every"] = r.choice([6, 12, 24])
    p["strong_when"] = cond(r, consts) if r.random() < 0.6 else None
    return p


def render(p):
    out = ['pack "t.prop" version "%s" { }' % p["version"], 'import "ssf";',
           "facts {", "  a: int = 0;", "  b: enum { x, y, z } = x;", "  c: bool = false;",
           "  n: number = 0;", "}", "rules recovery {"]
    out += ["  %s when %s;" % tuple(rl) for rl in p["rules1"]]
    out += ["  otherwise limited;", "}", "rules economic {"]
    out += ["  %s when %s;" % tuple(rl) for rl in p["rules2"]]
    out += ["  otherwise limited;", "}", 'requirement R-1 "Updates" {', "  viewpoint in_operation;"]
    out.append("  applies when %s;" % p["applies"] if p["applies"] else "  applies always;")
    out.append("  confirm self_inspection every %d months;" % p["every"])
    if p["strong_when"]:
        out.append("  confirm third_party_inspection when %s;" % p["strong_when"])
    out += ["}", 'requirement R-2 "Policy" {', "  viewpoint pre_operation;",
            "  applies when recovery >= serious;", "  confirm self_declaration;", "}"]
    return "\n".join(out) + "\n"


def mutate(r, p, consts):
    q = json.loads(json.dumps(p))
    q["version"] = "1.1.0"
    for _ in range(r.randrange(1, 3)):
        m = r.randrange(6)
        if m == 0 and q["rules1"]:
            i = r.randrange(len(q["rules1"]))
            q["rules1"][i] = (q["rules1"][i][0], cond(r, consts))
        elif m == 1:
            q["rules2"].append((r.choice(LEVELS2[1:]), cond(r, consts)))
        elif m == 2 and len(q["rules1"]) > 1:
            q["rules1"].pop(r.randrange(len(q["rules1"])))
        elif m == 3:
            q["every"] = r.choice([6, 12, 24])
        elif m == 4:
            q["applies"] = cond(r, consts) if r.random() < 0.7 else None
        else:
            q["strong_when"] = cond(r, consts) if r.random() < 0.6 else None
    return q


def run(args, check=True):
    res = subprocess.run([IPSFC] + args, capture_output=True, text=True)
    if check and res.returncode not in (0, 1):
        sys.exit("ipsfc %s: exit %d\n%s" % (" ".join(args), res.returncode, res.stderr))
    return res


def records(pack, sheets, tmp):
    path = os.path.join(tmp, "sheets.jsonl")
    with open(path, "w") as f:
        for s in sheets:
            f.write(json.dumps(s) + "\n")
    res = run(["eval", "--format", "jsonl", "--allow-unknown-facts", "--fail-on", "never", pack, path])
    return [json.loads(line) for line in res.stdout.splitlines()]


def signature(o, n):
    """What differs between two records, in the terms of a region's changes."""
    if "error" in o or "error" in n:
        return ("error", o.get("error", {}).get("message"), n.get("error", {}).get("message"))
    sig = set()
    for name, lv in o["scales"].items():
        if name in n["scales"] and n["scales"][name] != lv:
            sig.add(("scale", name, lv, n["scales"][name]))
    ro = {q["id"]: (q["method"], q["every_months"] or 0) for q in o["requirements"]}
    rn = {q["id"]: (q["method"], q["every_months"] or 0) for q in n["requirements"]}
    for i in set(ro) | set(rn):
        if ro.get(i) != rn.get(i):
            sig.add(("req", i, ro.get(i), rn.get(i)))
    return frozenset(sig)


def region_signature(g):
    sig = set()
    for c in g["changes"]:
        if c["what"] == "scale":
            sig.add(("scale", c["name"], c["old"], c["new"]))
        elif c["what"] == "requirement" and c["change"] != "status":
            st = lambda s: (s["method"], s["every_months"] or 0) if s else None
            sig.add(("req", c["id"], st(c["old"]), st(c["new"])))
        elif c["what"] == "error":
            return ("error", c["old"], c["new"])
    return frozenset(sig)


NUM = r"(-?[0-9][0-9.e+-]*)"


def atom_holds(atom, facts):
    """One condition of a region's description ("500 <= a < 1000", "b = y",
    "not c"), on a sample's facts."""
    import re
    m = re.fullmatch(NUM + r" (<=|<) (\w+) (<=|<) " + NUM, atom)
    if m:
        lo, op1, f, op2, hi = m.groups()
        v = facts[f]
        return (float(lo) <= v if op1 == "<=" else float(lo) < v) and (v <= float(hi) if op2 == "<=" else v < float(hi))
    m = re.fullmatch(NUM + r" (<=|<) (\w+)", atom)
    if m:
        lo, op, f = m.groups()
        return float(lo) <= facts[f] if op == "<=" else float(lo) < facts[f]
    m = re.fullmatch(r"(\w+) (<=|<) " + NUM, atom)
    if m:
        f, op, hi = m.groups()
        return facts[f] <= float(hi) if op == "<=" else facts[f] < float(hi)
    m = re.fullmatch(r"(\w+) = (.+)", atom)
    if m:
        f, v = m.groups()
        return str(facts[f]) == v if isinstance(facts[f], str) else facts[f] == float(v)
    m = re.fullmatch(r"not (\w+)", atom)
    if m:
        return not facts[m.group(1)]
    if re.fullmatch(r"\w+", atom):
        return bool(facts[atom])
    raise ValueError("unknown condition %r" % atom)


def conj_holds(conds, facts):
    return all(any(atom_holds(a, facts) for a in c.split(" or ")) for c in conds)


def in_region(g, facts):
    """True/False when the region's description is exact, None if not."""
    if g.get("box"):
        return conj_holds(g["where"], facts)
    if "boxes" in g:
        return any(conj_holds(b, facts) for b in g["boxes"])
    return None


def main():
    r = random.Random(SEED)
    print("property: seed %d, %d pairs, %d samples each" % (SEED, PAIRS, SAMPLES))
    checked = sampled = differing = checked_comp = described = 0
    with tempfile.TemporaryDirectory() as tmp:
        for pair in range(PAIRS):
            consts = {"a": sorted(r.sample(range(-5, 100), 3)),
                      "n": [r.choice(["0.5", "2.25", "10", "99.5"]) for _ in range(2)]}
            old = gen_pack(r, "1.0.0", consts)
            new = mutate(r, old, consts) if r.random() < 0.75 else gen_pack(r, "1.1.0", consts)
            po, pn = os.path.join(tmp, "old.ipsf"), os.path.join(tmp, "new.ipsf")
            with open(po, "w") as f:
                f.write(render(old))
            with open(pn, "w") as f:
                f.write(render(new))
            rep = json.loads(run(["diff", "--format", "json", po, pn]).stdout)
            sym = rep["symbolic"]
            assert sym["analysed"], sym
            regions = sym["regions"]
            sigs = [region_signature(g) for g in regions]
            # 1. every counterexample differs, as its region says
            ces = [g["counterexample"] for g in regions]
            if ces:
                ro, rn = records(po, ces, tmp), records(pn, ces, tmp)
                for g, o, n, s in zip(regions, ro, rn, sigs):
                    got = signature(o, n)
                    if not got or got != s or not g["rechecked"]:
                        sys.exit("pair %d: counterexample of region %d does not differ as reported:\n%s\n%s\n"
                                 "region %s\nrecords %s" % (pair, g["region"], render(old), render(new), s, got))
                    checked += 1
            # 2. random samples differ only inside reported regions
            near = lambda ks: [k + d for k in ks for d in (-1, 0, 1)]
            sheets = []
            for i in range(SAMPLES):
                sheets.append({"device": "s%d" % i, "facts": {
                    "a": r.choice(near(consts["a"]) + [r.randrange(-1000, 1000)]),
                    "b": r.choice(ENUM), "c": r.random() < 0.5,
                    "n": r.choice([float(k) for k in consts["n"]] + [r.uniform(-5, 120), 0.0])}})
            ro, rn = records(po, sheets, tmp), records(pn, sheets, tmp)
            for s, o, n in zip(sheets, ro, rn):
                sampled += 1
                got = signature(o, n)
                if not got:
                    continue
                differing += 1
                if got not in sigs:
                    sys.exit("pair %d: sheet %s differs (%s) outside every reported region\n%s\n%s"
                             % (pair, json.dumps(s), sorted(got, key=str), render(old), render(new)))
                # and the region of that change describes where the sheet is
                g = regions[sigs.index(got)]
                inside = in_region(g, s["facts"])
                if inside is False:
                    sys.exit("pair %d: sheet %s changes as region %d says, but lies outside its description %s / %s"
                             % (pair, json.dumps(s), g["region"], g["where"], g.get("boxes")))
                described += inside is True
                for h in regions:
                    if h is not g and h["class"] and in_region(h, s["facts"]):
                        sys.exit("pair %d: sheet %s (region %d) also lies inside region %d's description"
                                 % (pair, json.dumps(s), g["region"], h["region"]))
            # and no sample that does not differ lies inside a region's description
            for s, o, n in zip(sheets, ro, rn):
                if signature(o, n):
                    continue
                for g in regions:
                    if in_region(g, s["facts"]):
                        sys.exit("pair %d: sheet %s does not change, but lies inside region %d (%s / %s)"
                                 % (pair, json.dumps(s), g["region"], g["where"], g.get("boxes")))
            if sym["proved"] is not True:
                sys.exit("pair %d: not proved: %s" % (pair, sym.get("not_analysed")))
            # 3. one output at a time (what large packs get): each change of
            # a differing sample is the change of some region of its output
            comp = json.loads(run(["diff", "--format", "json", "--by-component", po, pn]).stdout)["symbolic"]
            parts = set()
            for g in comp["regions"]:
                if not g["rechecked"]:
                    sys.exit("pair %d: component region %d not confirmed" % (pair, g["region"]))
                rs = region_signature(g)
                parts |= set(rs) if isinstance(rs, frozenset) else {rs}
            for s, o, n in zip(sheets, ro, rn):
                got = signature(o, n)
                items = set(got) if isinstance(got, frozenset) else {got}
                if not items <= parts:
                    sys.exit("pair %d: sheet %s: changes %s found by no component region\n%s\n%s"
                             % (pair, json.dumps(s), sorted(items - parts, key=str), render(old), render(new)))
            if not comp["proved"]:
                sys.exit("pair %d: components not proved" % pair)
            checked_comp += len(comp["regions"])
    print("property: %d counterexamples confirmed, %d samples (%d differing) all inside reported regions"
          " (%d checked against the region's description, and no unchanged sample inside one);"
          " one output at a time: %d regions, every sampled change found"
          % (checked, sampled, differing, described, checked_comp))


main()
