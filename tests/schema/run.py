"""The JSON Schema of `ipsfc schema` against the evaluator, both ways.

For every example pack: the schema is itself a valid draft 2020-12 schema;
every device sheet shipped in examples/ validates; and for a corpus of
sheets mutated from them (a wrong JSON type for each fact, a value outside
an enum, an unknown fact, an unknown top-level key, unknown evidence ids and
methods, a missing required fact, duplicate set members), the schema
accepts a sheet exactly when `ipsfc eval` binds it without a sheet error
(kinds type, unknown_fact, missing_fact).  Where the two are allowed to
differ (docs/cli.md, "schema"), the case is listed and its direction
checked, not skipped.

    IPSFC=build/ipsfc /usr/bin/python3 tests/schema/run.py
"""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader without YAML 1.1 timestamps: ipsfc reads YAML
    as the 1.2 core schema, where 2025-07-01 is a string (an evidence
    date), not a datetime.date."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

IPSFC = os.environ["IPSFC"]
SHEET_ERRORS = {"type", "unknown_fact", "missing_fact", "unknown_profile", "profile_constraint"}


def schema_of(pack):
    out = subprocess.run([IPSFC, "schema", pack], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def eval_kinds(pack, sheets, tmp):
    """Per sheet, in order: the error kind of its records (a sheet with
    profiles has several; a sheet error in any of them counts), None if
    every record is a placement."""
    path = os.path.join(tmp, "corpus.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for s in sheets:
            f.write(json.dumps(s) + "\n")
    build = os.path.dirname(IPSFC)
    native = ["--allow-native", os.path.join(build, "examples", "natives", "libcvss.so"),
              "--allow-native", os.path.join(build, "tests", "native", "libipsftest.so")]
    out = subprocess.run([IPSFC, "eval", "--format", "jsonl", "--fail-on", "never"] + native +
                         [pack, path],
                         capture_output=True, text=True)
    if not out.stdout:
        return None  # the pack is refused before any sheet (natives, limits)
    kinds = {}
    for line in out.stdout.splitlines():
        rec = json.loads(line)
        kind = (rec.get("error") or {}).get("kind")
        if kinds.get(rec["line"]) not in SHEET_ERRORS:
            kinds[rec["line"]] = kind
    return [kinds[i + 1] for i in range(len(sheets))]


def load_sheet(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith((".yaml", ".yml")):
            return [yaml.load(f, Loader=Yaml12Loader)]
        if path.endswith(".jsonl"):
            return [json.loads(l) for l in f if l.strip()]
        return [json.load(f)]


def wrong_values(prop):
    """JSON values of the wrong type (or outside the enum) for a fact."""
    t = prop.get("type")
    bad = {"boolean": ["yes", 1, None], "integer": ["1", 1.5, True, None],
           "number": ["1.5", True, None], "string": [1, True, None],
           "array": ["wifi", [1], None]}.get(t, [])
    if "enum" in prop:
        bad = bad + ["no-such-value", 3]
    if t == "array":
        bad = bad + [["no-such-value"]]
    return bad


def mutations(base, schema):
    """(name, sheet, allowed) -- allowed: None (must agree), or the
    documented direction of a difference: 'schema-stricter' (duplicate set
    members), 'schema-looser' (a base fact outside what a usage profile
    allows, which only eval sees: docs/cli.md, "schema")."""
    facts = schema["$defs"]["facts"]["properties"]
    required = [c["anyOf"][0]["properties"]["facts"]["required"][0]
                for c in schema.get("allOf", [])]
    # A pack that declares usage profiles: sheets may name only those.
    declared = list((schema["properties"]["profiles"].get("properties") or {}).keys())
    p, a, b = (declared + declared + declared)[:3] if declared else ("p", "a", "b")
    if len(declared) > 1:
        b = declared[1]
    yield "as shipped", base, None
    if declared:
        s = copy.deepcopy(base)
        s["profiles"] = {"no_such_profile": {}}
        yield "a profile the pack does not declare", s, None
        for name in declared:
            props = schema["$defs"]["profile:" + name]["properties"]
            # within what the profile allows, whatever the base facts say:
            # each fact the profile constrains (fewer values than the fact)
            within = {}
            for f, q in props.items():
                full = facts[f].get("enum") or (facts[f].get("items") or {}).get("enum")
                if q.get("type") == "string" and q.get("enum") not in (None, full):
                    within[f] = q["enum"][0]
                elif q.get("type") == "array" and q["items"].get("enum") != full:
                    within[f] = []
            for fact, prop in props.items():
                if prop.get("type") == "string" and "enum" in prop:
                    outside = [v for v in facts[fact]["enum"] if v not in prop["enum"]]
                    if outside:
                        s = copy.deepcopy(base)
                        s.setdefault("facts", {})[fact] = outside[0]
                        s["profiles"] = {name: {}}
                        yield (f"base fact {fact} outside what profile {name} allows",
                               s, "schema-looser")
                if "const" in prop:
                    other = [v for v in facts[fact].get("enum", []) if v != prop["const"]]
                    if other:
                        s = copy.deepcopy(base)
                        s["profiles"] = {name: dict(within, **{fact: other[0]})}
                        yield f"profile {name} changes {fact}, which it sets", s, None
                    s = copy.deepcopy(base)
                    s["profiles"] = {name: dict(within, **{fact: prop["const"]})}
                    yield f"profile {name} repeats {fact}, which it sets", s, None
                elif prop.get("type") == "string" and "enum" in prop:
                    outside = [v for v in facts[fact]["enum"] if v not in prop["enum"]]
                    if outside:
                        s = copy.deepcopy(base)
                        s["profiles"] = {name: {fact: outside[0]}}
                        yield f"profile {name}: {fact} outside what it allows", s, None
    for name, prop in facts.items():
        for v in wrong_values(prop):
            s = copy.deepcopy(base)
            s.setdefault("facts", {})[name] = v
            yield f"fact {name} = {v!r}", s, None
            s = copy.deepcopy(base)
            s["profiles"] = {p: {name: v}}
            yield f"profile fact {name} = {v!r}", s, None
        if prop.get("type") == "array":
            enum = prop["items"]["enum"]
            s = copy.deepcopy(base)
            s.setdefault("facts", {})[name] = [enum[0], enum[0]]
            yield f"fact {name} with a duplicate member", s, "schema-stricter"
    for name in required:
        s = copy.deepcopy(base)
        s.get("facts", {}).pop(name, None)
        for prof in s.get("profiles", {}).values():
            prof.pop(name, None)
        yield f"required fact {name} missing", s, None
        s = copy.deepcopy(base)
        s.setdefault("facts", {}).pop(name, None)
        if name in (base.get("facts") or {}):
            s["profiles"] = {a: {name: base["facts"][name]}, b: {}}
            yield f"required fact {name} in one profile of two", s, None
            s["profiles"][b] = {name: base["facts"][name]}
            yield f"required fact {name} in every profile", s, None
    s = copy.deepcopy(base)
    s.setdefault("facts", {})["no_such_fact"] = 1
    yield "unknown fact", s, None
    s = copy.deepcopy(base)
    s["fact"] = {}
    yield "unknown top-level key", s, None
    s = copy.deepcopy(base)
    s["facts"] = []
    yield "facts not an object", s, None
    if required:
        s = copy.deepcopy(base)
        s.pop("facts", None)
        yield "no facts at all", s, None
    ev = schema["properties"]["evidence"]["properties"]
    for rid, prop in list(ev.items())[:3]:
        s = copy.deepcopy(base)
        methods = prop["anyOf"][0]["enum"]
        s["evidence"] = {rid: methods[-1]}
        yield f"evidence {rid}", s, None
        s = copy.deepcopy(base)
        s["evidence"] = {rid: {"method": methods[-1], "date": "2025-01-10",
                               "expires": "2027-01-10", "issuer": "Example Lab",
                               "accreditation": "ISO/IEC 17025", "certificate": "C-1",
                               "scope": "product"}}
        yield f"dated evidence {rid}", s, None
        for label, entry in [("no method", {"date": "2025-01-10"}),
                             ("a date of the wrong shape", {"method": methods[-1], "date": "10/01/2025"}),
                             ("a month 13", {"method": methods[-1], "expires": "2025-13-01"}),
                             ("an unknown key", {"method": methods[-1], "valid": "yes"}),
                             ("an unknown scope", {"method": methods[-1], "scope": "planet"}),
                             ("an issuer not a string", {"method": methods[-1], "issuer": 7}),
                             ("an unknown method", {"method": "no_such_method"})]:
            s = copy.deepcopy(base)
            s["evidence"] = {rid: entry}
            yield f"dated evidence {rid} with {label}", s, None
        s = copy.deepcopy(base)
        s["evidence"] = {rid: 7}
        yield f"evidence {rid} not a string", s, None
        s = copy.deepcopy(base)
        s["evidence"] = {rid: "no_such_method"}
        yield f"evidence {rid} with an unknown method", s, None
    s = copy.deepcopy(base)
    s["evidence"] = {"NO-SUCH-REQ": "self_declaration"}
    yield "evidence for an unknown requirement", s, None


def main():
    failures = checked = 0
    packs = sorted(glob.glob("examples/*/pack.ipsf"))
    with tempfile.TemporaryDirectory() as tmp:
        for pack in packs:
            schema = schema_of(pack)
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            devices = []
            for path in sorted(glob.glob(os.path.join(os.path.dirname(pack), "devices", "*"))):
                devices += [(path, s) for s in load_sheet(path)]
            cases = []
            for path, sheet in devices:
                errs = list(validator.iter_errors(sheet))
                if errs:
                    failures += 1
                    print(f"FAIL {path}: the schema rejects a shipped sheet: {errs[0].message}")
            for name, sheet, allowed in mutations(devices[0][1], schema):
                cases.append((name, sheet, allowed))
            kinds = eval_kinds(pack, [c[1] for c in cases], tmp)
            if kinds is None:
                sys.exit(f"schema: ipsfc eval refuses the example {pack}")
            for (name, sheet, allowed), kind in zip(cases, kinds):
                checked += 1
                schema_ok = validator.is_valid(sheet)
                eval_ok = kind not in SHEET_ERRORS
                if schema_ok == eval_ok:
                    continue
                if allowed == "schema-stricter" and eval_ok and not schema_ok:
                    continue
                if allowed == "schema-looser" and schema_ok and not eval_ok:
                    continue
                failures += 1
                print(f"FAIL {pack}: {name}: schema {'accepts' if schema_ok else 'rejects'}, "
                      f"eval gives {kind or 'a record'}")
        # The golden tests' own sheets, good and bad, beside their packs.
        for pack in sorted(glob.glob("tests/golden/**/pack.ipsf", recursive=True)):
            try:
                schema = schema_of(pack)
            except subprocess.CalledProcessError:
                continue  # a pack that is meant not to compile
            validator = jsonschema.Draft202012Validator(schema)
            sheets = []
            for path in sorted(glob.glob(os.path.join(os.path.dirname(pack), "*"))):
                if not path.endswith((".json", ".jsonl", ".yaml", ".yml")):
                    continue
                try:
                    sheets += [(path, s) for s in load_sheet(path)]
                except (ValueError, yaml.YAMLError, UnicodeDecodeError):
                    continue  # a syntax error is the parser's, not the schema's
            if not sheets:
                continue
            kinds = eval_kinds(pack, [s for _, s in sheets], tmp)
            if kinds is None:
                print(f"schema: {pack}: eval refuses the pack itself; its sheets are not compared")
                continue
            for (path, sheet), kind in zip(sheets, kinds):
                if kind in ("syntax", "limit"):
                    continue  # numbers past int64 or double: the parser's, not the schema's
                checked += 1
                if validator.is_valid(sheet) != (kind not in SHEET_ERRORS):
                    failures += 1
                    print(f"FAIL {path}: schema {'accepts' if validator.is_valid(sheet) else 'rejects'},"
                          f" eval gives {kind or 'a record'}")
    print(f"schema: {checked - failures if checked >= failures else 0} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
