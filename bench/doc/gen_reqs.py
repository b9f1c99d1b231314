#!/usr/bin/env python3
"""Append R requirements to a pack of bench/analyze/gen.py, for the
`ipsfc doc` benchmark (bench/doc/run.sh).

    gen.py N | gen_reqs.py R [SEED] > pack.ipsf

Each requirement applies when a conjunction of one or two tests of the
pack's facts or axes holds, and has two or three confirm lines whose
conditions read the axes or facts: what the per-cell analysis of
`ipsfc doc` searches (9 cells x (2 + lines) questions per requirement).
Fixed seed by default.
"""
import random
import re
import sys


def main():
    r = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 20261205)
    pack = sys.stdin.read()
    atoms = []
    for m in re.finditer(r"^  (f\d+): (enum \{ ([^}]*) \}|int|bool|set of enum \{ ([^}]*) \})", pack, re.M):
        name, kind = m.group(1), m.group(2)
        if kind.startswith("enum"):
            vals = [v.strip() for v in m.group(3).split(",")]
            atoms.append(lambda n=name, v=vals: "%s >= %s" % (n, rng.choice(v[1:])))
        elif kind == "int":
            atoms.append(lambda n=name: "%s > %d" % (n, rng.randint(1, 999)))
        elif kind == "bool":
            atoms.append(lambda n=name: n)
        else:
            vals = [v.strip() for v in m.group(4).split(",")]
            atoms.append(lambda n=name, v=vals: "%s in %s" % (rng.choice(v), n))
    atoms.append(lambda: "recovery >= %s" % rng.choice(["serious", "fatal"]))
    atoms.append(lambda: "economic >= %s" % rng.choice(["significant", "catastrophic"]))
    out = [pack.rstrip("\n")]
    views = [("pre_operation", "self_declaration", "third_party_certification"),
             ("in_operation", "self_inspection", "third_party_inspection"),
             ("operator", "training", "licence")]
    for i in range(r):
        vp, weak, strong = rng.choice(views)
        cond = " and ".join(rng.choice(atoms)() for _ in range(rng.randint(1, 2)))
        lines = ["  confirm %s;" % weak,
                 "  confirm %s when %s;" % (strong, rng.choice(atoms)())]
        if rng.random() < 0.5:
            lines.append("  confirm %s every 6 months when %s;" % (strong, rng.choice(atoms)()))
        out.append('requirement G-%d "Generated %d" {\n  viewpoint %s;\n  applies when %s;\n%s\n}'
                   % (i + 1, i + 1, vp, cond, "\n".join(lines)))
    print("\n".join(out))


main()
