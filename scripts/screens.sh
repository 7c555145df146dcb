#!/usr/bin/env bash
# Regenerates docs/screens/ (or OUT): every screen in the normal, elderly and
# high-contrast modes, rendered headless with Slint's software renderer (no
# display needed).
#   scripts/screens.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screens}
bin=${KIOSK_BIN:-}
if [ -z "$bin" ]; then cargo build -q -p kiosk; bin=target/debug/kiosk; fi
mkdir -p "$out"
rm -f "$out"/*.png
for mode in normal elderly contrast; do
  "$bin" --screenshots "$out" --mode "$mode" >/dev/null
done
n=$(ls "$out"/*.png | wc -l)
echo "screens written: $n in $out"
[ "$n" -gt 0 ]
