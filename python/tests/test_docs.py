"""The ```python examples of docs/python.md and docs/distributed.md run,
in order, as one program per document, in a directory holding what they
name: examples/ (the repository's), registry.jsonl, registry-0.jsonl,
registry-1.jsonl (the test corpus) and pack.ipsb.  A `# ->` comment after
an expression is its expected value, checked."""
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

DOCS = ["python.md", "distributed.md"]


def blocks(doc):
    text = open(os.path.join(ROOT, "docs", doc), encoding="utf-8").read()
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


def with_checks(code):
    """`expr  # -> value` becomes an assertion that expr == value."""
    out = []
    for line in code.splitlines():
        m = re.match(r"^(\s*)(.+?)\s+# -> (.+)$", line)
        if m:
            ind, expr, want = m.groups()
            line = f"{ind}assert ({expr}) == ({want}), repr(({expr}))"
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("doc", DOCS)
def test_doc_examples_run(doc, ipsb, corpus, tmp_path):
    code = "\n".join(with_checks(b) for b in blocks(doc))
    assert code.strip(), f"docs/{doc} has no python example"
    os.symlink(os.path.join(ROOT, "examples"), tmp_path / "examples")
    shutil.copy(corpus[0], tmp_path / "registry.jsonl")
    shutil.copy(corpus[0], tmp_path / "registry-0.jsonl")
    shutil.copy(corpus[1], tmp_path / "registry-1.jsonl")
    shutil.copy(ipsb, tmp_path / "pack.ipsb")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"docs/{doc}:\n{code}\n{r.stderr[-3000:]}"
