#!/usr/bin/python3
"""Test the TextMate grammar (editors/vscode/syntaxes/ipsf.tmLanguage.json)
on every example pack and stdlib module: each line tokenizes (every
character that is not blank is inside a token with a scope), and every
token class (scope) the grammar names appears somewhere.

The matcher is a subset of a TextMate engine written with Python's re:
`match` rules with `captures`, `begin`/`end` rules (multi-line, with inner
`patterns`), `include` of the repository and `$self`.  Limitation: the
grammar's regular expressions must be ones Python's re reads the same way
as Oniguruma (no \\G, \\h, possessive quantifiers or back-references into
`end`); the grammar keeps to that subset, and this script rejects a
pattern re cannot compile.

    /usr/bin/python3 editors/test_textmate.py [FILE.ipsf...]
"""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GRAMMAR = os.path.join(HERE, "vscode/syntaxes/ipsf.tmLanguage.json")


class Grammar:
    def __init__(self, path):
        g = json.load(open(path))
        self.repo = g.get("repository", {})
        self.top = g["patterns"]
        self.scopes = set()
        self._collect(g)

    def _collect(self, node):
        if isinstance(node, dict):
            for key in ("match", "begin", "end"):
                if isinstance(node.get(key), str):
                    node["_re_" + key] = re.compile(node[key], re.M)
            for k, v in list(node.items()):
                if k == "name" and isinstance(v, str) and "." in v:
                    self.scopes.add(v)
                if not k.startswith("_re_"):
                    self._collect(v)
        elif isinstance(node, list):
            for v in node:
                self._collect(v)

    def expand(self, patterns):
        out = []
        for p in patterns:
            if "include" in p:
                ref = p["include"]
                if ref == "$self":
                    out.extend(self.expand(self.top))
                else:
                    r = self.repo[ref.lstrip("#")]
                    out.extend(self.expand(r["patterns"]) if "patterns" in r and "match" not in r
                               and "begin" not in r else [r])
            elif "patterns" in p and "match" not in p and "begin" not in p:
                out.extend(self.expand(p["patterns"]))
            else:
                out.append(p)
        return out


def captures_tokens(rule, m, key="captures"):
    toks = []
    for k, c in rule.get(key, {}).items():
        g = int(k)
        if m.group(g) is not None and m.group(g) != "":
            toks.append((m.start(g), m.end(g), c["name"]))
    if "name" in rule:
        toks.append((m.start(), m.end(), rule["name"]))
    return toks


def tokenize(grammar, text):
    """Yield (start, end, scope) tokens of the whole text."""
    tokens = []
    stack = []  # open begin/end rules
    pos = 0
    n = len(text)
    while pos < n:
        if stack:
            rule = stack[-1]
            patterns = grammar.expand(rule.get("patterns", []))
            end = rule["_re_end"].search(text, pos)
        else:
            patterns = grammar.expand(grammar.top)
            end = None
        best = None
        for p in patterns:
            r = p.get("_re_match") or p.get("_re_begin")
            m = r.search(text, pos)
            if m and (best is None or m.start() < best[1].start()):
                best = (p, m)
        if end and (best is None or end.start() <= best[1].start()):
            if end.start() > pos:
                tokens.append((pos, end.start(), rule["name"]))
            tokens.append((end.start(), end.end(), rule["name"]))
            stack.pop()
            pos = end.end()
            continue
        if best is None:
            if stack:  # an unterminated region runs to the end
                tokens.append((pos, n, stack[-1]["name"]))
            break
        p, m = best
        if stack and m.start() > pos:
            tokens.append((pos, m.start(), stack[-1]["name"]))
        if "_re_begin" in p:
            tokens.extend(captures_tokens(p, m, "beginCaptures"))
            if "name" in p:
                tokens.append((m.start(), m.end(), p["name"]))
            stack.append(p)
        else:
            tokens.extend(captures_tokens(p, m))
        pos = m.end() if m.end() > m.start() else m.end() + 1
    return tokens


def check_file(grammar, path, seen):
    text = open(path, encoding="utf-8").read()
    covered = bytearray(len(text))
    for s, e, scope in tokenize(grammar, text):
        seen.add(scope)
        for i in range(s, e):
            covered[i] = 1
    bad = []
    for lineno, (start, line) in enumerate(line_starts(text), 1):
        for i, ch in enumerate(line):
            if not ch.isspace() and not covered[start + i]:
                bad.append("%s:%d:%d: %r is in no token" % (path, lineno, i + 1, ch))
                break
    return bad


def line_starts(text):
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


def check_extension():
    """The VS Code extension's manifest names this grammar, language and files."""
    ext = os.path.join(HERE, "vscode")
    pkg = json.load(open(os.path.join(ext, "package.json")))
    g = json.load(open(GRAMMAR))
    bad = []
    grammars = pkg["contributes"]["grammars"]
    if not any(x["scopeName"] == g["scopeName"] and
               os.path.samefile(os.path.join(ext, x["path"]), GRAMMAR) for x in grammars):
        bad.append("package.json does not contribute %s" % GRAMMAR)
    for lang in pkg["contributes"]["languages"]:
        if ".ipsf" not in lang["extensions"]:
            bad.append("the language is not bound to .ipsf")
        json.load(open(os.path.join(ext, lang["configuration"])))
    if not os.path.exists(os.path.join(ext, pkg["main"])):
        bad.append("no %s" % pkg["main"])
    if "onLanguage:ipsf" not in pkg["activationEvents"]:
        bad.append("not activated by the ipsf language")
    return bad


def main():
    grammar = Grammar(GRAMMAR)
    for b in check_extension():
        print("FAIL", b)
        return 1
    files = sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "examples/*/pack.ipsf")) +
                                   glob.glob(os.path.join(ROOT, "stdlib/*.ipsf")) +
                                   glob.glob(os.path.join(ROOT, "tests/lsp/fixtures/*.ipsf")) +
                                   glob.glob(os.path.join(HERE, "testdata/*.ipsf")))
    seen = set()
    bad = []
    for f in files:
        bad.extend(check_file(grammar, f, seen))
    missing = sorted(grammar.scopes - seen)
    for b in bad:
        print("FAIL", b)
    if missing and not sys.argv[1:]:
        print("FAIL token classes never seen:", ", ".join(missing))
    ok = not bad and (not missing or sys.argv[1:])
    print("%s textmate grammar: %d files, %d lines, %d token classes (%s)" % (
        "ok  " if ok else "FAIL", len(files), sum(open(f).read().count("\n") for f in files),
        len(grammar.scopes), ", ".join(sorted(seen & grammar.scopes))))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
