#!/usr/bin/python3
"""bundle_examples.py -- the examples, bundled into the playground at build time.

    /usr/bin/python3 web/bundle_examples.py examples > build/web/examples.js

Writes one JavaScript statement, `self.IPSF_EXAMPLES = [...]`: for each
examples/<name>/ with a pack.ipsf, its name, its README's first heading,
the pack's text and the text of every file of its devices/ directory (JSON,
YAML, JSON Lines), sorted by name.  The data is JSON (json.dumps), so no
text of an example can end the statement or run as code; the page shows it
only through textContent and textarea values.
"""
import json
import os
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def title(readme):
    if not os.path.exists(readme):
        return ""
    for line in read(readme).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def main(root):
    out = []
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        pack = os.path.join(d, "pack.ipsf")
        if not os.path.isfile(pack):
            continue
        dev = os.path.join(d, "devices")
        sheets = []
        if os.path.isdir(dev):
            for f in sorted(os.listdir(dev)):
                p = os.path.join(dev, f)
                if os.path.isfile(p):
                    sheets.append({"name": f, "text": read(p)})
        out.append({"name": name, "title": title(os.path.join(d, "README.md")),
                    "pack": read(pack), "sheets": sheets})
    if not out:
        sys.exit("bundle_examples: no examples/*/pack.ipsf under " + root)
    sys.stdout.write("self.IPSF_EXAMPLES = " + json.dumps(out, ensure_ascii=True, indent=None) + ";\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples")
