"""ipsf in-process: the same packs, the same records, the same errors as
the CLI (docs/python.md)."""
import glob
import json
import os
import re
import threading

import pytest

import ipsf
from conftest import PACK, ROOT, cli, cli_jsonl


def strip(records):
    """Records without "sheet" and "line", which name the CLI's input."""
    return [{k: v for k, v in r.items() if k not in ("sheet", "line")} for r in records]


def test_pack_declarations(ipsb):
    p = ipsf.Pack(ipsb)
    info = json.loads(cli("inspect", "--format", "json", ipsb).stdout)
    assert (p.name, p.version, p.digest) == (info["name"], info["version"], info["digest"])
    assert p.cost["total"] == info["cost"]["total"]
    assert [f["name"] for f in p.facts][:2] == ["harm_life", "data_sensitivity"]
    usage = next(f for f in p.facts if f["name"] == "usage")
    assert usage["required"] and usage["values"][0] == "home"
    assert p.scales[0] == {"name": "recovery", "levels": ["limited", "serious", "fatal"], "axis": 1}
    assert p.requirements[0]["id"] == "SH-01"
    assert ipsf.version() == "0.1.0"


def test_source_bytes_and_path_agree(ipsb):
    a, b = ipsf.Pack(PACK), ipsf.Pack(open(ipsb, "rb").read())
    assert a.digest == b.digest == ipsf.Pack(ipsb).digest


def test_evaluate_matches_cli_json(ipsb):
    p = ipsf.Pack(ipsb)
    devices = sorted(glob.glob(os.path.join(ROOT, "examples", "smart-home", "devices", "*.json")))
    for path in devices:
        want = json.loads(cli("eval", "--format", "json", "--fail-on", "never", ipsb, path).stdout)
        got = p.evaluate(open(path, encoding="utf-8").read())
        assert got == [dict(r, sheet=None) for r in want], path
        assert p.evaluate(json.load(open(path, encoding="utf-8"))) == got
    yaml_dev = os.path.join(ROOT, "examples", "smart-home", "devices", "baby-monitor.yaml")
    want = json.loads(cli("eval", "--format", "json", "--fail-on", "never", ipsb, yaml_dev).stdout)
    assert p.evaluate(open(yaml_dev).read(), yaml=True) == [dict(r, sheet=None) for r in want]


def test_bad_sheets_are_error_records(ipsb):
    p = ipsf.Pack(ipsb)
    [r] = p.evaluate('{"facts": {"usage": "moon"}}')
    assert r["error"]["kind"] == "type"
    [r] = p.evaluate("{not json")
    assert r["error"]["kind"] == "syntax"
    [r] = p.evaluate({"facts": {"usage": "home"}}, profile="nope")
    assert r["error"]["kind"] == "unknown_profile"


def test_bad_packs_raise(tmp_path):
    with pytest.raises(ipsf.PackError) as e:
        ipsf.Pack(b"not a pack")
    assert e.value.kind == "bytecode"
    with pytest.raises(ipsf.PackError) as e:
        ipsf.Pack(PACK, max_cost=1000)
    assert e.value.kind == "limit" and "exceeds the limit 1000" in e.value.message
    natives = os.path.join(ROOT, "examples", "natives", "pack.ipsf")
    with pytest.raises(ipsf.PackError) as e:
        ipsf.Pack(natives)
    assert e.value.kind == "native"
    with pytest.raises(ipsf.CompileError) as e:
        ipsf.compile('pack "t" version "1.0.0" {}\nfacts { x: nosuchtype; }\n')
    assert e.value.diagnostics and e.value.diagnostics[0]["severity"] == "error"


def test_evaluate_jsonl_matches_cli(ipsb, corpus):
    p = ipsf.Pack(ipsb)
    for path in corpus:
        want = cli_jsonl(ipsb, path, extra=("--jobs", "1"))
        with open(path, encoding="utf-8", newline="") as f:
            got = list(p.evaluate_jsonl(f, sheet=path))
        assert got == want
        with open(path, encoding="utf-8", newline="") as f:
            assert list(p.evaluate_jsonl(f, sheet=path, jobs=4)) == want


def test_threads_share_a_pack(ipsb, corpus):
    p = ipsf.Pack(ipsb)
    lines = open(corpus[0], encoding="utf-8").read().splitlines()
    want = list(p.evaluate_jsonl(lines))
    results, errors = {}, []

    def work(i):
        try:
            results[i] = list(p.evaluate_jsonl(lines))
        except Exception as e:  # noqa: BLE001 -- reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(results[i] == want for i in range(4))


def test_bad_pack_message_is_the_clis(ipsb, tmp_path):
    """A pack the CLI refuses: PackError carries the CLI's message."""
    good = open(ipsb, "rb").read()
    cases = {"magic.ipsb": b"not a pack", "truncated.ipsb": good[: len(good) // 2],
             "flipped.ipsb": good[:40] + bytes([good[40] ^ 0xFF]) + good[41:]}
    sheet = os.path.join(ROOT, "examples", "smart-home", "devices", "baby-monitor.yaml")
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        r = cli("eval", str(path), sheet, check=False)
        assert r.returncode == 3, r
        with pytest.raises(ipsf.PackError) as e:
            ipsf.Pack(data)
        assert r.stderr.strip() == f"ipsfc: {path}: {e.value.message}", name
        assert e.value.kind == "bytecode"


def test_catalogs_match_doc_traceability(ipsb):
    """pack.catalogs against the traceability tables `ipsfc doc` writes
    from the source: the cited catalogs, every provision, its clause,
    status and citing requirements; an uncited import (ssf) is not kept."""
    p = ipsf.Pack(ipsb)
    cats = p.catalogs
    assert [c["name"] for c in cats] == ["ETSI EN 303 645"]
    etsi = cats[0]
    assert (etsi["version"], etsi["date"]) == ("V2.1.1", "2020-06")
    md = cli("doc", "--format", "markdown", PACK).stdout
    table = md.split("### ETSI EN 303 645 V2.1.1", 1)[1].split("\n\n")[1]
    rows = [[c.strip() for c in line.strip("|").split("|")]
            for line in table.splitlines()[2:]]
    assert len(rows) == len(etsi["provisions"])
    for row, prov in zip(rows, etsi["provisions"]):
        assert row[0] == prov["id"] and row[1] == prov["clause"] and row[3] == prov["status"]
        cited = row[4].split(";")[0]
        assert (cited.split(", ") if cited not in ("-", "**none (mandatory)**") else []) \
            == prov["cited_by"]
    first = next(x for x in etsi["provisions"] if x["id"] == "ETSI-5.1-1")
    assert first["title"] == "Passwords unique per device or defined by the user"
    assert first["status"] == "conditional" and first["cited_by"] == ["SH-01"]
    assert all(x["satisfied_by"] == [] for x in etsi["provisions"])


def test_profiles_declared_by_the_pack():
    """pack.profiles against the pack's source: healthcare declares three,
    smart-home none; a sheet naming an undeclared profile is an error
    record, not an exception."""
    health = ipsf.Pack(os.path.join(ROOT, "examples", "healthcare", "pack.ipsf"))
    names = [p["name"] for p in health.profiles]
    src = open(os.path.join(ROOT, "examples", "healthcare", "pack.ipsf")).read()
    declared = re.findall(r"^profile ([a-z_]+) ", src, re.M)
    assert names == declared and len(names) == 3
    assert all(p["title"] for p in health.profiles)
    assert ipsf.Pack(PACK).profiles == []
    recs = health.evaluate({"facts": {}, "profiles": {"no_such": {}}})
    assert [r.get("error", {}).get("kind") for r in recs] == ["unknown_profile"]


def test_catalogs_satisfied_by_and_none():
    src = ('pack "t.cat" version "1.0.0" { }\nimport "ssf";\nimport "etsi_en_303_645";\n'
           'rules recovery { otherwise limited; }\nrules economic { otherwise limited; }\n'
           'catalog "Code" version "2" { source "s";\n'
           '  provision C-1 "1" "One" mandatory satisfied_by ETSI-5.1-1;\n}\n'
           'requirement R-1 "r" { viewpoint pre_operation; ref C-1; applies always;'
           ' confirm self_declaration; }\n')
    cats = ipsf.Pack(ipsf.compile(src)).catalogs
    assert [c["name"] for c in cats] == ["Code"]
    assert cats[0]["date"] is None
    assert cats[0]["provisions"] == [{"id": "C-1", "clause": "1", "title": "One",
                                      "status": "mandatory", "satisfied_by": ["ETSI-5.1-1"],
                                      "cited_by": ["R-1"]}]
    none = src.replace("ref C-1;", 'ref "free";')
    assert ipsf.Pack(ipsf.compile(none)).catalogs == []


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "csv", "sarif", "junit"])
def test_evaluate_format_is_the_cli_document(ipsb, tmp_path, fmt):
    """evaluate(format=F) is `ipsfc eval --format F` for the sheet, but
    for the sheet's name (the CLI names its file; evaluate names none)."""
    p = ipsf.Pack(ipsb)
    for name in ("smart-lock.json", "baby-monitor.yaml", "robot-vacuum.json"):
        path = os.path.join(ROOT, "examples", "smart-home", "devices", name)
        text = open(path, encoding="utf-8").read()
        got = p.evaluate(text, yaml=name.endswith(".yaml"), format=fmt)
        want = cli("eval", "--format", fmt, "--fail-on", "never", ipsb, path).stdout
        if fmt in ("json", "jsonl"):
            assert [dict(r, sheet=None) for r in
                    (json.loads(want) if fmt == "json" else map(json.loads, want.splitlines()))] \
                == (json.loads(got) if fmt == "json" else list(map(json.loads, got.splitlines())))
        elif fmt == "sarif":
            w, g = json.loads(want), json.loads(got)
            for r in w["runs"][0]["results"]:
                del r["locations"]
            assert w == g
        elif fmt == "csv":  # (the subprocess's text mode reads CRLF as LF)
            assert got.replace("\r\n", "\n") == want.replace(path, "")
        elif fmt == "junit":
            assert got == want.replace(f'classname="{path}"', 'classname=""')
        else:  # text: an unnamed sheet is "-"
            assert got == want.replace(path, "-")
    bad = p.evaluate('{"facts": {"usage": 7}}', format=fmt)
    assert "type" in bad
    with pytest.raises(ValueError):
        p.evaluate("{}", format="xml")
