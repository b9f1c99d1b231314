#!/bin/sh
# Make docs/img/lsp-neovim.png: Neovim in a tmux pane on a pack with an
# error (editors/screenshot_init.lua), captured with its colours
# (capture-pane -e) and drawn by editors/ansi2png.py (python3-pil).
#   IPSFC=build/ipsfc sh editors/screenshot.sh [OUT.png]
set -eu
IPSFC=${IPSFC:-$PWD/build/ipsfc}
out=${1:-docs/img/lsp-neovim.png}
dir=$(mktemp -d)
sock=ipsf-shot-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
sed -e 's/let exposed = remote and users > lib.threshold;/let exposed = remote and users > "many";/' \
    -e '/import "lib\/common.ipsf" as lib;/d' tests/lsp/fixtures/pack.ipsf > "$dir/pack.ipsf"
# The server in the foreground (-D), in the background of this script: tmux
# cannot daemonize where /dev/null is not a device.
: > "$dir/tmux.conf"
tmux -L "$sock" -D -f "$dir/tmux.conf" >/dev/null 2>&1 &
sleep 1
tmux -L "$sock" new-session -d -x 104 -y 34 \
  "env TERM=tmux-256color HOME=$dir XDG_CACHE_HOME=$dir/cache IPSFC=$IPSFC nvim -i NONE -u $PWD/editors/screenshot_init.lua $dir/pack.ipsf"
sleep 4
tmux -L "$sock" capture-pane -e -p > "$dir/pane.ansi"
mkdir -p "$(dirname "$out")"
/usr/bin/python3 editors/ansi2png.py "$dir/pane.ansi" "$out"
echo "wrote $out"
