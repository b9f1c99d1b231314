#!/usr/bin/python3
"""The protocol tests of `ipsfc lsp` (docs/editors.md).

Each case drives a fresh server through tests/lsp/lspclient.py and records
what it answered; the record, with the checkout's path written $ROOT and the
stdlib cache directory $CACHE, must equal tests/lsp/golden/CASE.json.
UPDATE=1 rewrites the goldens (read the diff before committing them).

    IPSFC=build/ipsfc /usr/bin/python3 tests/lsp/run.py [CASE...]
"""
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from lspclient import LspClient  # noqa: E402

IPSFC = os.path.abspath(os.environ.get("IPSFC", os.path.join(ROOT, "build/ipsfc")))
FIX = os.path.join(HERE, "fixtures")
PACK = os.path.join(FIX, "pack.ipsf")
BROKEN = os.path.join(FIX, "broken.ipsf")
CACHE = tempfile.mkdtemp(prefix="ipsfc-lsp-test-")


def uri(path):
    return "file://" + path


def pos(text, needle, k=0, n=1):
    """The position of the k-th byte of the n-th occurrence of needle."""
    i = -1
    for _ in range(n):
        i = text.index(needle, i + 1)
    i += k
    line = text.count("\n", 0, i)
    return {"line": line, "character": i - (text.rfind("\n", 0, i) + 1)}


class Case:
    def __init__(self, name, caps=None, delay=0, annotations=False):
        self.name = name
        self.record = []
        env = dict(os.environ, XDG_CACHE_HOME=CACHE)
        self.c = LspClient(IPSFC, env=env)
        capabilities = caps or {}
        if annotations:
            capabilities = {"workspace": {"workspaceEdit": {"changeAnnotationSupport": {}}}}
        r = self.c.request("initialize", {"processId": None, "rootUri": uri(FIX),
                                          "capabilities": capabilities,
                                          "initializationOptions": {"analysisDelayMs": delay}})
        assert "capabilities" in r["result"], r
        self.c.notify("initialized", {})

    def log(self, label, msg):
        self.record.append([label, msg])

    def open(self, path, text=None, version=1):
        text = open(path, encoding="utf-8").read() if text is None else text
        self.c.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri(path), "languageId": "ipsf", "version": version, "text": text}})
        return text

    def diags(self, label, path, analysis=True):
        """The type-check publication, then (when it has no error: the server
        analyses only a text that type-checks) the analysis one."""
        first = self.c.diagnostics(uri(path))
        self.log(label + " (type check)", first)
        errors = any(d.get("severity") == 1 for d in first["diagnostics"])
        assert analysis != errors, (label, "analysis expected" if analysis else "no analysis expected")
        if analysis:
            self.log(label + " (analysis)", self.c.diagnostics(uri(path)))

    def ask(self, label, method, params):
        self.log(label, self.c.request(method, params))

    def at(self, path, text, needle, k=0, n=1, **extra):
        return dict({"textDocument": {"uri": uri(path)}, "position": pos(text, needle, k, n)}, **extra)

    def finish(self, shutdown=True):
        if shutdown:
            self.log("shutdown", self.c.request("shutdown"))
            self.c.notify("exit")
        code = self.c.close()
        self.log("exit status", code)
        return self.record


def frame(body):
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def case_lifecycle():
    # Before initialize: requests are refused, then the handshake.
    c = LspClient(IPSFC, env=dict(os.environ, XDG_CACHE_HOME=CACHE))
    rec = [["hover before initialize", c.request("textDocument/hover", {})]]
    rec.append(["initialize", c.request("initialize", {"capabilities": {}})["result"]])
    rec.append(["initialize again", c.request("initialize", {"capabilities": {}})])
    c.notify("initialized", {})
    rec.append(["unknown method", c.request("ipsf/noSuchThing", {})])
    rec.append(["unopened document", c.request("textDocument/hover", {
        "textDocument": {"uri": "file:///nowhere.ipsf"}, "position": {"line": 0, "character": 0}})])
    # Malformed JSON, a missing Content-Length, a short Content-Length (its
    # tail is garbage before the next header), a message above the limit:
    # each one ParseError, and the server goes on.
    def bad(label, data):
        """Send bad bytes, then a probe: record every answer before the probe's."""
        c.send_raw(data)
        rid = c.request("workspace/symbol", {"query": "zzz"}, wait=False)
        got = []
        while True:
            m = c.take(lambda m: True)
            if m.get("id") == rid:
                break
            got.append(m)
        rec.append([label, got])

    bad("malformed JSON", b"Content-Length: 9\r\n\r\n{\"id\": 1,")
    bad("no Content-Length", b"Content-Type: application/json\r\n\r\n")
    bad("garbage before a header", b"hello\r\n\r\n")
    body = b'{"jsonrpc":"2.0","id":77,"method":"shutdown"}'
    bad("short Content-Length: the body is cut, its tail is garbage", b"Content-Length: 20\r\n\r\n" + body)
    big = 65 * 1024 * 1024
    bad("a message above the limit is skipped", b"Content-Length: %d\r\n\r\n" % big + b" " * big)
    bad("not an object", b"Content-Length: 2\r\n\r\n[]")
    bad("no method", frame(b'{"id": 5}'))
    bad("bad params", frame(b'{"id": 6, "method": "shutdown", "params": 3}'))
    bad("bad id", frame(b'{"id": [1], "method": "shutdown"}'))
    bad("header block never ends", b"X" * 9000)
    # A request and its cancel in one write: answered RequestCancelled.
    c.send_raw(b"".join(
        b"Content-Length: %d\r\n\r\n%s" % (len(m), m) for m in [
            json.dumps({"jsonrpc": "2.0", "id": 40, "method": "workspace/executeCommand",
                        "params": {"command": "ipsfc.runTests", "arguments": [uri(PACK)]}}).encode(),
            json.dumps({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 40}}).encode()]))
    rec.append(["cancelled request", c.response(40)])
    rec.append(["still serving", c.request("workspace/symbol", {"query": "zzz"})])
    rec.append(["shutdown", c.request("shutdown")])
    rec.append(["request after shutdown", c.request("workspace/symbol", {"query": ""})])
    c.notify("exit")
    rec.append(["exit status", c.close()])
    # exit without shutdown: status 1; end of input without exit: status 1
    c = LspClient(IPSFC)
    c.request("initialize", {"capabilities": {}})
    c.notify("exit")
    rec.append(["exit without shutdown", c.close()])
    return rec


def case_diagnostics():
    t = Case("diagnostics")
    text = t.open(BROKEN)
    t.diags("broken pack: errors at once, the module's at its import", BROKEN, analysis=False)
    # An incremental change fixing the let: the type check, then the analysis.
    start = pos(text, "true")
    t.c.notify("textDocument/didChange", {"textDocument": {"uri": uri(BROKEN), "version": 2},
                                          "contentChanges": [{"range": {"start": start, "end": {
                                              "line": start["line"], "character": start["character"] + 4}},
                                              "text": "1"}]})
    t.diags("after an incremental fix (the module's error remains)", BROKEN, analysis=False)
    # Open the module and fix it in the editor: its importer is checked
    # again at once, reading the module's unsaved text.
    bad = os.path.join(FIX, "lib/bad.ipsf")
    t.open(bad)
    t.diags("the module itself", bad, analysis=False)
    t.c.notify("textDocument/didChange", {"textDocument": {"uri": uri(bad), "version": 2},
                                          "contentChanges": [{"text": "let broken = 1 + 1;\n"}]})
    t.diags("the module, fixed (unsaved)", bad)
    t.diags("its importer, checked again with the unsaved module", BROKEN)
    t.open(PACK)
    t.diags("clean pack: findings with codes and counterexamples", PACK)
    # Full sync change introducing a syntax error, then didSave.
    t.c.notify("textDocument/didChange", {"textDocument": {"uri": uri(PACK), "version": 3},
                                          "contentChanges": [{"text": "pack \"x\" version \"1\" { }\nfacts { a: int = ; }\n"}]})
    t.diags("syntax error", PACK, analysis=False)
    t.c.notify("textDocument/didChange", {"textDocument": {"uri": uri(PACK), "version": 4},
                                          "contentChanges": [{"text": open(PACK).read()}]})
    t.diags("restored", PACK)
    t.c.notify("textDocument/didSave", {"textDocument": {"uri": uri(PACK)}})
    t.log("didSave: analysis at once", t.c.diagnostics(uri(PACK)))
    # Positions are UTF-16 code units: an incremental edit after a
    # two-byte and a four-byte (surrogate pair) character on its line.
    wide = os.path.join(FIX, "wide.ipsf")
    line = 'let b = /* \u00e9\U0001F600 */ 1 + true;'
    t.open(wide, "// a module\n" + line + "\n")
    t.diags("module with wide characters", wide, analysis=False)
    before = line[:line.index("true")]
    col = len(before.encode("utf-16-le")) // 2
    t.c.notify("textDocument/didChange", {"textDocument": {"uri": uri(wide), "version": 2},
                                          "contentChanges": [{"range": {
                                              "start": {"line": 1, "character": col},
                                              "end": {"line": 1, "character": col + 4}}, "text": "2"}]})
    t.diags("the edit at UTF-16 column %d fixed it" % col, wide)
    t.ask("hover after the wide characters", "textDocument/hover",
          {"textDocument": {"uri": uri(wide)}, "position": {"line": 1, "character": 4}})
    # Any bytes: NUL, control characters, astral characters, a lone
    # surrogate's replacement; a document above the limit.
    odd = os.path.join(FIX, "odd.ipsf")
    t.open(odd, "pack \"\u0000\" version \"1\" { }\n\u0001 \U0001F600 \ufffd let x = ;\n")
    t.diags("odd bytes", odd, analysis=False)
    many = os.path.join(FIX, "many.ipsf")
    t.open(many, "@\n" * 1500)
    d = t.c.diagnostics(uri(many))["diagnostics"]
    t.log("1,500 errors: how many are published, the first and the last", [len(d), d[0], d[-1]])
    # A long line (past the checkpoints' threshold) of wide characters
    # in a comment, then errors: each column must be the UTF-16 length of
    # what precedes it.
    longline = os.path.join(FIX, "longline.ipsf")
    body = "/* " + "\u00e9\U0001F600ab" * 30000 + " */"
    text = body + "@ @ @\n@"
    t.open(longline, text)
    d = t.c.diagnostics(uri(longline))["diagnostics"]
    want = [{"line": 0, "character": len(text[:i].encode("utf-16-le")) // 2}
            for i, ch in enumerate(text.split("\n")[0]) if ch == "@"] + [{"line": 1, "character": 0}]
    t.log("positions on a %d-byte line" % len(body.encode()),
          [[x["range"]["start"] for x in d] == want, len(d)])
    huge = os.path.join(FIX, "huge.ipsf")
    t.open(huge, "//" + "x" * (16 * 1024 * 1024 + 10) + "\n")
    t.diags("a document above the limit", huge, analysis=False)
    t.c.notify("textDocument/didClose", {"textDocument": {"uri": uri(huge)}})
    t.log("didClose clears", t.c.diagnostics(uri(huge)))
    return t.finish()


def case_navigation():
    t = Case("navigation")
    text = t.open(PACK)
    t.diags("open", PACK)
    for label, needle, k, n in [
            ("fact in a rule", "harm == major", 1, 1),
            ("enum value", "harm == major", 10, 1),
            ("let", "exposed;", 1, 1),
            ("likelihood fact", "spare:", 1, 1),
            ("fn call", "doubled(users)", 1, 1),
            ("let of an imported module", "lib.threshold", 5, 1),
            ("stdlib scale", "rules recovery", 7, 1),
            ("rule level of a stdlib scale", "fatal   when", 1, 1),
            ("scale of the pack", "rules support", 7, 1),
            ("viewpoint", "viewpoint pre_operation", 12, 1),
            ("method", "confirm self_declaration", 10, 1),
            ("provision", "ref ETSI-5.1-1", 6, 1),
            ("requirement in a test", "requires LSP-01", 10, 1),
            ("given fact", "given { harm", 9, 1),
            ("import", '"lib/common.ipsf"', 3, 1),
            ("nothing (a comment)", "// The language", 4, 1)]:
        t.ask("hover: " + label, "textDocument/hover", t.at(PACK, text, needle, k, n))
        t.ask("definition: " + label, "textDocument/definition", t.at(PACK, text, needle, k, n))
    t.ask("references: users", "textDocument/references",
          t.at(PACK, text, "users:", 1, 1, context={"includeDeclaration": True}))
    t.ask("references: threshold (across the import)", "textDocument/references",
          t.at(PACK, text, "lib.threshold", 6, 1, context={"includeDeclaration": True}))
    t.ask("references: self_declaration, without the declaration", "textDocument/references",
          t.at(PACK, text, "confirm self_declaration", 10, 1, context={"includeDeclaration": False}))
    t.ask("document symbols", "textDocument/documentSymbol", {"textDocument": {"uri": uri(PACK)}})
    t.ask("workspace symbols: thr", "workspace/symbol", {"query": "thr"})
    t.ask("workspace symbols: LSP", "workspace/symbol", {"query": "LSP"})
    t.ask("stdlib source", "ipsf/stdlibSource", {"uri": "ipsf-stdlib:///no_such.ipsf"})
    r = t.c.request("ipsf/stdlibSource", {"uri": "ipsf-stdlib:///ssf.ipsf"})
    t.log("stdlib source of ssf (first line)", r["result"]["text"].split("\n")[0])
    cached = os.path.join(CACHE, "ipsfc/stdlib-0.1.0/ssf.ipsf")
    t.log("stdlib copy is read-only", oct(os.stat(cached).st_mode & 0o777))
    return t.finish()


def case_completion():
    t = Case("completion")
    text = t.open(PACK)
    t.diags("open", PACK)

    def labels(label, params):
        r = t.c.request("textDocument/completion", params)
        t.log(label, sorted(i["label"] for i in r["result"]["items"]))

    labels("enum values after ==", t.at(PACK, text, "harm == major", 8, 1))
    labels("levels at the start of a rule line", t.at(PACK, text, "  serious when exposed", 2, 1))
    labels("methods after confirm", t.at(PACK, text, "confirm self_declaration", 8, 1))
    labels("viewpoints after viewpoint", t.at(PACK, text, "viewpoint pre_operation", 10, 1))
    labels("provisions after ref (first 5)", t.at(PACK, text, "ref ETSI-5.1-1", 4, 1))
    labels("names in an expression", t.at(PACK, text, "remote and users", 0, 1))
    labels("keywords at the top level", t.at(PACK, text, "facts {", 0, 1))
    labels("items at the start of a requirement line", t.at(PACK, text, "  applies always", 2, 1))
    labels("items at the start of a test line", t.at(PACK, text, "  expect recovery", 2, 1))
    typing = os.path.join(FIX, "typing.ipsf")
    half = text + "\nlet hurt = harm in { minor, \n"
    t.open(typing, half)
    t.diags("a line being typed", typing, analysis=False)
    labels("enum values inside a set after in, while the line does not parse",
           t.at(typing, half, "{ minor, ", 9, 1))
    # the provision list is long: keep the record short
    for rec in t.record:
        if rec[0].startswith("provisions"):
            rec[1] = [len(rec[1])] + rec[1][:5]
    return t.finish()


def case_editing():
    t = Case("editing")
    text = t.open(PACK)
    t.diags("open", PACK)
    t.ask("format a canonical file: no edit", "textDocument/formatting",
          {"textDocument": {"uri": uri(PACK)}, "options": {"tabSize": 2, "insertSpaces": True}})
    messy = os.path.join(FIX, "messy.ipsf")
    t.open(messy, "pack \"m\" version \"1.0.0\" {   }\nfacts {a:int=0;}\nlet   b = a+1 ;\n")
    t.diags("messy", messy, analysis=False)
    t.ask("format a messy file", "textDocument/formatting", {"textDocument": {"uri": uri(messy)}, "options": {}})
    bad = os.path.join(FIX, "bad-syntax.ipsf")
    t.open(bad, "facts { a: int = ; }\n")
    t.diags("syntax error", bad, analysis=False)
    t.ask("format refuses a syntax error", "textDocument/formatting", {"textDocument": {"uri": uri(bad)}, "options": {}})
    t.ask("rename a let", "textDocument/rename", t.at(PACK, text, "exposed;", 1, 1, newName="reachable"))
    t.ask("rename an imported let", "textDocument/rename", t.at(PACK, text, "lib.threshold", 6, 1, newName="limit"))
    t.ask("rename a fn", "textDocument/rename", t.at(PACK, text, "doubled(", 1, 1, newName="twice"))
    t.ask("rename a requirement", "textDocument/rename", t.at(PACK, text, "LSP-01", 1, 2, newName="LSP-02"))
    t.ask("rename a fact: refused without change annotations", "textDocument/rename",
          t.at(PACK, text, "users >=", 1, 1, newName="people"))
    t.ask("rename to a taken name", "textDocument/rename", t.at(PACK, text, "exposed;", 1, 1, newName="remote"))
    t.ask("rename to an invalid name", "textDocument/rename", t.at(PACK, text, "exposed;", 1, 1, newName="9x"))
    t.ask("rename a stdlib scale", "textDocument/rename", t.at(PACK, text, "rules recovery", 7, 1, newName="r"))
    t.ask("code lens", "textDocument/codeLens", {"textDocument": {"uri": uri(PACK)}})
    t.ask("run the tests", "workspace/executeCommand", {"command": "ipsfc.runTests", "arguments": [uri(PACK)]})
    t.log("failing expect lines as diagnostics", t.c.diagnostics(uri(PACK)))
    t.ask("run the tests of a broken file", "workspace/executeCommand",
          {"command": "ipsfc.runTests", "arguments": [uri(bad)]})
    t.ask("unknown command", "workspace/executeCommand", {"command": "nope", "arguments": []})
    t.finish()
    # With change annotations, a fact rename asks for confirmation.
    a = Case("editing-annotations", annotations=True)
    a.open(PACK)
    a.diags("open", PACK)
    a.ask("rename a fact with change annotations", "textDocument/rename",
          a.at(PACK, text, "users >=", 1, 1, newName="people"))
    return t.record + a.finish()


def case_profiles():
    """Usage profiles (docs/language.md): hover on a profile's name and on a
    fact it sets, the profile among the document symbols."""
    path = os.path.join(FIX, "profiles.ipsf")
    t = Case("profiles")
    text = t.open(path)
    t.diags("open", path)
    t.ask("hover: profile name", "textDocument/hover", t.at(path, text, "profile care_facility", 9, 1))
    t.ask("hover: fact a profile sets", "textDocument/hover", t.at(path, text, "site = care_home", 1, 1))
    t.ask("definition: fact a profile constrains", "textDocument/definition",
          t.at(path, text, "occupants in", 1, 1))
    t.ask("document symbols", "textDocument/documentSymbol", {"textDocument": {"uri": uri(path)}})
    return t.finish()


CASES = {n[5:]: f for n, f in sorted(globals().items()) if n.startswith("case_")}


def normalise(obj):
    s = json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False)
    return s.replace(CACHE, "$CACHE").replace(ROOT, "$ROOT") + "\n"


def main():
    names = sys.argv[1:] or list(CASES)
    failed = 0
    for name in names:
        got = normalise(CASES[name]())
        path = os.path.join(HERE, "golden", name + ".json")
        if os.environ.get("UPDATE") == "1":
            with open(path, "w", encoding="utf-8") as f:
                f.write(got)
            print("updated", name)
            continue
        want = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        if got != want:
            failed += 1
            import difflib
            sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                       "golden/" + name + ".json", "got"))
            print("FAIL lsp/" + name)
        else:
            print("ok   lsp/" + name)
    print("lsp protocol tests: %d of %d passed" % (len(names) - failed, len(names)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
