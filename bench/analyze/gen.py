#!/usr/bin/env python3
"""Generate a rule pack with N rules for the analysis benchmark.

    gen.py N [SEED] > pack.ipsf

Fixed seed by default, so every run measures the same pack.  The pack looks
like a large sector pack: enum, int, bool and set facts; the two axes
(policy worst, with otherwise) and a `first` scale share the rules; rules
are conjunctions of one to three threshold or membership tests; a handful
of requirements read the scales.
"""
import random
import sys

def main():
    n = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 20240601)
    nfacts = max(8, min(200, n // 20))
    facts = []
    out = ['pack "bench.analyze.n%d" version "1.0.0" { }' % n, 'import "ssf";', "facts {"]
    for i in range(nfacts):
        kind = ("enum", "int", "bool", "set")[i % 4]
        name = "f%d" % i
        if kind == "enum":
            k = rng.randint(3, 5)
            vals = ["v%d_%d" % (i, j) for j in range(k)]
            out.append("  %s: enum { %s } = %s;" % (name, ", ".join(vals), vals[0]))
            facts.append((name, kind, vals))
        elif kind == "int":
            ths = sorted(rng.sample(range(1, 1000), 6))
            out.append("  %s: int = 0;" % name)
            facts.append((name, kind, ths))
        elif kind == "bool":
            out.append("  %s: bool = false;" % name)
            facts.append((name, kind, None))
        else:
            vals = ["m%d_%d" % (i, j) for j in range(4)]
            out.append("  %s: set of enum { %s } = {};" % (name, ", ".join(vals)))
            facts.append((name, kind, vals))
    out.append("}")

    def atom():
        name, kind, data = rng.choice(facts)
        if kind == "enum":
            op = rng.choice(["==", ">=", "<="])
            return "%s %s %s" % (name, op, rng.choice(data))
        if kind == "int":
            return "%s %s %d" % (name, rng.choice([">=", "<", ">"]), rng.choice(data))
        if kind == "bool":
            return name if rng.random() < 0.7 else "not " + name
        return "%s in %s" % (rng.choice(data), name)

    def cond():
        return " and ".join(atom() for _ in range(rng.randint(1, 3)))

    blocks = [("recovery", ["limited", "serious", "fatal"], "", "limited"),
              ("economic", ["limited", "significant", "catastrophic"], "", "limited"),
              ("support", ["standard", "extended", "lifetime"], " policy first", "standard")]
    out.append("scale support { standard, extended, lifetime }")
    share = [n * 2 // 5, n * 2 // 5, n - 2 * (n * 2 // 5)]
    for (scale, levels, policy, other), count in zip(blocks, share):
        out.append("rules %s%s {" % (scale, policy))
        for _ in range(count):
            out.append("  %s when %s;" % (rng.choice(levels[1:]), cond()))
        out.append("  otherwise %s;" % other)
        out.append("}")
    out.append('requirement B-1 "Audit" {\n  viewpoint pre_operation;\n  applies always;\n'
               '  confirm self_declaration;\n'
               '  confirm third_party_certification when recovery == fatal;\n}')
    out.append('requirement B-2 "Support" {\n  viewpoint in_operation;\n'
               '  applies when support >= extended;\n  confirm self_inspection;\n}')
    print("\n".join(out))

main()
