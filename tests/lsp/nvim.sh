#!/bin/sh
# Neovim as a real client of `ipsfc lsp` (docs/editors.md): open a pack with
# a type error and a messy layout, wait for diagnostics, hover, go to
# definition, format; tests/lsp/init.lua writes what Neovim got, checked here.
#   IPSFC=build/ipsfc sh tests/lsp/nvim.sh
set -eu
IPSFC=${IPSFC:-$PWD/build/ipsfc}
command -v nvim >/dev/null || { echo "nvim is missing (make deps installs neovim)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/pack.ipsf" <<'IPSF'
pack "nvim.test" version "1.0.0" {   }
import "ssf";
facts {  exposure:   enum { none, lan, internet } = none "Where the device can be reached from";
  count: int = 0; }
let   reachable = exposure >= lan;
let wrong = count + true;
rules recovery { fatal when reachable and exposure == internet; otherwise limited; }
rules economic { otherwise limited; }
IPSF
# The expected layout: what `ipsfc fmt` makes of the same text once the
# error is gone from it is not needed; fmt formats text with type errors.
"$IPSFC" fmt "$dir/pack.ipsf" > "$dir/want.ipsf"
HOME=$dir XDG_CACHE_HOME=$dir/cache XDG_CONFIG_HOME=$dir/config XDG_DATA_HOME=$dir/data \
  XDG_STATE_HOME=$dir/state IPSFC=$IPSFC IPSF_OUT=$dir/out.json IPSF_WORD=exposure \
  timeout 60 nvim --headless -i NONE -u tests/lsp/init.lua "$dir/pack.ipsf" >/dev/null 2>&1 || true
[ -s "$dir/out.json" ] || { echo "FAIL lsp/nvim: Neovim wrote nothing"; exit 1; }
/usr/bin/python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
out = json.load(open(d + "/out.json"))
want = open(d + "/want.ipsf").read()
fails = []
def check(ok, what):
    if not ok: fails.append(what)
check("error" not in out, "no Lua error: %s" % out.get("error"))
check(out.get("got_diagnostics"), "diagnostics arrived")
msgs = [x["message"] for x in out.get("diagnostics", [])]
check(any("arithmetic needs int or number operands" in m for m in msgs) and
      any(x["lnum"] == 5 and x["severity"] == 1 for x in out.get("diagnostics", [])),
      "the type error on line 6: %r" % msgs)
check("fact exposure" in str(out.get("hover")) and "Where the device can be reached from" in str(out.get("hover")),
      "hover shows the fact: %r" % out.get("hover"))
defn = out.get("definition")
defn = defn[0] if isinstance(defn, list) and defn else defn
check(isinstance(defn, dict) and defn.get("range", {}).get("start") == {"line": 2, "character": 9},
      "definition at the fact's declaration: %r" % defn)
check(out.get("formatted") == want, "the buffer formatted as ipsfc fmt does:\n%s" % out.get("formatted"))
if fails:
    print("FAIL lsp/nvim:\n  " + "\n  ".join(fails))
    sys.exit(1)
print("ok   lsp/nvim (diagnostics, hover, definition, formatting through Neovim %s)" % "0.7+")
PY
