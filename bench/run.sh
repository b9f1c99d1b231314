#!/bin/sh
# bench/run.sh -- ipsfc against the engines a user would otherwise pick, on
# the same generated input, in one run (docs/performance.md, "Evaluation").
#
#   sh bench/run.sh [N]        N sheets (default 1000000), seed 42
#
# Environment:
#   BENCH_DIR=DIR          work files (default /tmp/ipsfc-bench)
#   BENCH_ENGINES="a b"    only these engines (names as in the table)
#   BENCH_EVAL_SHEETS=K    sheets pre-parsed for the evaluation-only timings
#                          (default min(N, 100000); evalonly.c uses 2K)
#   BENCH_REPEAT=R         end-to-end runs per engine, best kept (default 3;
#                          one only for an engine whose run takes 10 s or more)
#   BENCH_NO_INSTALL=1     do not install missing peers (apt, npm)
#
# Peers that are missing are installed first: Lua 5.4 and lua-cjson with
# apt-get, the npm engines (bench/package.json, bench/package-lock.json)
# into bench/node_modules with `npm ci`; an engine that still cannot run is
# skipped and named at the end.
#
# Every engine must give the same placements (recovery, economic per sheet)
# as ipsfc on the whole input before it is timed. Then:
#   end to end: read, parse, decide, write to /dev/null; wall clock and peak
#     RSS from /usr/bin/time; best of BENCH_REPEAT runs (the machine may be
#     shared), a single run for an engine that takes 10 s or more;
#   evaluation only, where the engine allows it: the decision alone over
#     sheets parsed beforehand, in the engine's own form (a jansson tree, a
#     JS object, a Lua table; for ipsfc, facts bound into contexts through
#     the public setters), ns/sheet, next to the same rules hand-compiled to
#     C (bench/evalonly.c, bench/native_rules.c).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
n=${1:-1000000}
work=${BENCH_DIR:-/tmp/ipsfc-bench}
k=${BENCH_EVAL_SHEETS:-$((n < 100000 ? n : 100000))}
repeat=${BENCH_REPEAT:-3}
mkdir -p "$work"
skipped=""
skip() { skipped="$skipped
  $1: $2"; }

# ---- build and install -------------------------------------------------------
ipsfc=$root/build/ipsfc
lib=$root/build/libipsf.a
[ -x "$ipsfc" ] && [ -f "$lib" ] || make -C "$root" -s
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
apt_install() { # apt_install PKG...: quietly, once per run
  [ "${BENCH_NO_INSTALL:-0}" = 1 ] && return 1
  if [ -z "${apt_updated:-}" ]; then
    $sudo apt-get update -qq >/dev/null 2>&1 || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null 2>&1
}
[ -x /usr/bin/time ] || apt_install time || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
lua_ok() { lua5.4 -e 'require "cjson"' >/dev/null 2>&1; }
lua_ok || apt_install lua5.4 lua-cjson || true
if command -v npm >/dev/null 2>&1 && [ "${BENCH_NO_INSTALL:-0}" != 1 ] &&
   { [ ! -f "$here/node_modules/.package-lock.json" ] ||
     ! cmp -s "$here/package-lock.json" "$here/node_modules/.ipsfc-lock"; }; then
  if (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    cp "$here/package-lock.json" "$here/node_modules/.ipsfc-lock"
  else
    echo "bench: npm ci failed; the npm engines are skipped" >&2
  fi
fi

cc -O2 -o "$work/gen" "$here/gen.c"
cc -O2 -o "$work/peer_jansson" "$here/peer_jansson.c" -ljansson
have_simd=0
if g++ -O2 -std=c++17 -o "$work/peer_simdjson" "$here/peer_simdjson.cpp" -lsimdjson 2>/dev/null; then
  have_simd=1
fi
# evalonly: the runtime as a program links it (the build's -O2, no LTO).
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/include" \
  -o "$work/evalonly" "$here/evalonly.c" "$here/native_rules.c" "$lib" \
  $(pkg-config --libs jansson yaml-0.1 libsodium libffi) -lm -pthread
# The second pack (issue #16): examples/healthcare with its own C twin.
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/include" \
  -o "$work/evalonly_healthcare" "$here/evalonly_healthcare.c" "$here/native_healthcare.c" "$lib" \
  $(pkg-config --libs jansson yaml-0.1 libsodium libffi) -lm -pthread
"$ipsfc" compile "$root/examples/healthcare/pack.ipsf" -o "$work/healthcare.ipsb"
"$ipsfc" compile "$here/pack.ipsf" -o "$work/pack.ipsb"
in=$work/sheets-$n.jsonl
[ -s "$in" ] || "$work/gen" "$n" 42 > "$in"
echo "input: $n sheets, $(du -m "$in" | cut -f1) MB, $(nproc) cores, $(uname -m)"

# Placements, to check every engine against ipsfc.
"$ipsfc" eval "$work/pack.ipsb" "$in" --format csv --fail-on never --jobs 1 |
  tail -n +2 | cut -d, -f7,8 | tr , ' ' > "$work/expect.txt"
[ "$(wc -l < "$work/expect.txt")" -eq "$n" ] || { echo "bench: ipsfc placed $(wc -l < "$work/expect.txt") of $n sheets" >&2; exit 1; }

# ---- engines -------------------------------------------------------------------
node_ok() { # node_ok MODULE: the npm package is installed
  command -v node >/dev/null 2>&1 && [ -d "$here/node_modules/$1" ]
}
engines=""
add() { engines="$engines $1"; }
add ipsfc-jsonl; add ipsfc-csv; add ipsfc-jsonl-j2
if [ $have_simd = 1 ]; then add simdjson-cpp; else skip simdjson-cpp "libsimdjson-dev not installed"; fi
add jansson-c
if command -v node >/dev/null 2>&1; then add node; else skip node "node not installed"; fi
if lua_ok; then add lua-cjson; else skip lua-cjson "lua5.4 + lua-cjson not installed"; fi
if command -v jq >/dev/null 2>&1; then add jq; else skip jq "jq not installed"; fi
for e in cel-js:@marcbachmann/cel-js bufbuild-cel:@bufbuild/cel json-logic-js:json-logic-js \
         json-rules-engine:json-rules-engine cedar-wasm:@cedar-policy/cedar-wasm; do
  if node_ok "${e#*:}"; then add "${e%%:*}"; else skip "${e%%:*}" "npm ${e#*:} not installed"; fi
done
if [ -n "${BENCH_ENGINES:-}" ]; then
  keep=""
  for e in $engines; do
    case " $BENCH_ENGINES " in *" $e "*) keep="$keep $e" ;; esac
  done
  engines=$keep
fi

cmd_of() {
  case $1 in
  ipsfc-jsonl) echo "$ipsfc eval $work/pack.ipsb $in --format jsonl --fail-on never --jobs 1" ;;
  ipsfc-csv) echo "$ipsfc eval $work/pack.ipsb $in --format csv --fail-on never --jobs 1" ;;
  ipsfc-jsonl-j2) echo "$ipsfc eval $work/pack.ipsb $in --format jsonl --fail-on never --jobs 2" ;;
  simdjson-cpp) echo "$work/peer_simdjson $in" ;;
  jansson-c) echo "$work/peer_jansson $in" ;;
  node) echo "node $here/policy.js $in" ;;
  lua-cjson) echo "lua5.4 $here/policy.lua $in" ;;
  jq) echo "jq -r -f $here/policy.jq $in" ;;
  cel-js) echo "node $here/policy_cel.js $in" ;;
  bufbuild-cel) echo "node $here/policy_bufcel.js $in" ;;
  json-logic-js) echo "node $here/policy_jsonlogic.js $in" ;;
  json-rules-engine) echo "node $here/policy_rules_engine.js $in" ;;
  cedar-wasm) echo "node $here/policy_cedar.js $in" ;;
  esac
}
# Evaluation only, where the engine has a separate decision step.
evalonly_of() {
  case $1 in
  jansson-c | node | lua-cjson | cel-js | bufbuild-cel | json-logic-js | json-rules-engine | cedar-wasm)
    echo "$(cmd_of "$1") --eval-only $k" ;;
  esac
}

# ---- ipsfc's evaluation only, and the native C rules ----------------------------
run_ns=""
case " $engines " in *" ipsfc-"*)
  "$work/evalonly" "$work/pack.ipsb" "$in" $((2 * k)) 5 > "$work/evalonly.txt"
  set -- $(sed -n 's/^RESULT //p' "$work/evalonly.txt" | tr ' ' '\n' | sed 's/^[a-z]*=//')
  run_ns=$1 bind_ns=$2 native_ns=$3 native_sheets=$4
  ;;
esac

# ---- the table -------------------------------------------------------------------
row() { printf '| %-26s | %12s | %7s | %13s | %8s | %9s | %10s |\n' "$@"; }
# ratio A B: A/B with two significant digits at least
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf(r >= 0.1 ? "%.2fx" : r >= 0.01 ? "%.3fx" : "%.4fx", r) }'; }
echo
row engine "e2e sheets/s" seconds "eval ns/sheet" "peak RSS" "e2e ratio" "eval ratio"
echo '|----------------------------|-------------:|--------:|--------------:|---------:|----------:|-----------:|'
base=""
for e in $engines; do
  c=$(cmd_of "$e")
  case $e in
  ipsfc-*) ;;
  *) if ! $c 2>"$work/err.txt" | cmp -s - "$work/expect.txt"; then
       skip "$e" "placements differ from ipsfc's, not timed ($(head -c 200 "$work/err.txt"))"
       continue
     fi ;;
  esac
  # Best of $repeat runs while a run takes under 10 s (the machine is shared);
  # one run for the slow engines. Peak RSS: the largest of the runs.
  secs="" rss=0 i=0
  while [ $i -lt "$repeat" ]; do
    /usr/bin/time -f '%e %M' -o "$work/time" $c > /dev/null
    read -r s1 r1 < "$work/time"
    secs=$(awk -v a="$secs" -v b="$s1" 'BEGIN { print (a == "" || b < a) ? b : a }')
    [ "$r1" -gt "$rss" ] && rss=$r1
    i=$((i + 1))
    awk -v s="$s1" 'BEGIN { exit !(s >= 10) }' && break
  done
  rate=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  [ -z "$base" ] && base=$rate
  r=$(ratio "$rate" "$base")
  ens="n/m" eratio=""
  ec=$(evalonly_of "$e")
  if [ -n "$ec" ]; then
    ens=$($ec 2>/dev/null | sed -n 's/^RESULT eval=\([0-9.]*\).*/\1/p')
    [ -n "$ens" ] || ens="failed"
  elif [ "$e" = ipsfc-jsonl ] && [ -n "$run_ns" ]; then
    ens=$run_ns
  elif [ "${e#ipsfc-}" != "$e" ]; then
    ens="="
  fi
  case $ens in [0-9]*)
    [ -n "$run_ns" ] && eratio=$(ratio "$run_ns" "$ens")
    ens=$(awk -v a="$ens" 'BEGIN { printf "%.0f", a }') ;;
  esac
  row "$e" "$rate" "$secs" "$ens" "$((rss / 1024)) MB" "$r" "$eratio"
done
if [ -n "$run_ns" ]; then
  row "ipsfc API: setters + run" "" "" "$(printf %.0f "$bind_ns")" "" "" \
    "$(ratio "$run_ns" "$bind_ns")"
  row "native C (hand-compiled)" "" "" "$(printf %.1f "$native_ns")" "" "" \
    "$(ratio "$run_ns" "$native_ns")"
fi
echo
echo "e2e: end to end, wall clock, best of $repeat runs (1 if >= 10 s); eval: decision only on pre-parsed sheets"
echo "(${k} sheets per engine, ${native_sheets:-0} x 5 passes for ipsfc and native C), n/m: not measurable"
echo "separately; ratio: the engine's speed over ipsfc's (e2e: ipsfc-jsonl; eval:"
echo "ipsf_eval_run with the facts pre-bound), above 1 is faster than ipsfc."
if [ -n "$run_ns" ]; then
  awk -v a="$run_ns" -v b="$native_ns" \
    'BEGIN { printf "ipsf_eval_run vs native C: %.1f / %.1f ns = %.2fx (target: within 2x)\n", a, b, a / b }'
fi
# The second pack: every sheet checked against its C twin, then timed.
if "$work/evalonly_healthcare" "$work/healthcare.ipsb" "$k" 5 > "$work/evalonly_healthcare.txt"; then
  set -- $(sed -n 's/^RESULT //p' "$work/evalonly_healthcare.txt" | tr ' ' '\n' | sed 's/^[a-z]*=//')
  awk -v a="$1" -v b="$2" \
    'BEGIN { printf "healthcare pack: ipsf_eval_run vs native C: %.1f / %.1f ns = %.2fx (target: within 2x)\n", a, b, a / b }'
else
  echo "healthcare pack: ipsfc and native_healthcare.c disagree (see $work/evalonly_healthcare.txt)"
fi
# Parsing alone, for the C+jansson program: what JSON reading costs.
case " $engines " in *" jansson-c "*)
  /usr/bin/time -f '%e %M' -o "$work/time" "$work/peer_jansson" "$in" --parse-only > /dev/null
  read -r secs rss < "$work/time"
  echo "jansson parse only: $(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') sheets/s"
  ;;
esac
[ -z "$skipped" ] || echo "not run:$skipped"
