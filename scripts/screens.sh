#!/usr/bin/env bash
# Regenerates docs/screens/ (or OUT): every screen in every language (zh-CN,
# zh-TW, en), every mode (normal, elderly, high contrast) and both
# orientations, rendered headless with Slint's software renderer (no display
# needed). Portrait screens go to OUT/<lang>/, landscape ones (config
# demo-landscape.toml, 1920x1080) to OUT/landscape/<lang>/; file names are the
# screens' names (01-home.png, 01-home-elderly.png, …), the same in every language.
# Into docs/screens the pictures are reduced to 256-colour PNGs to keep the
# repository small.
#   scripts/screens.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screens}
bin=${KIOSK_BIN:-}
if [ -z "$bin" ]; then cargo build -q -p kiosk; bin=target/debug/kiosk; fi
rm -rf "$out/zh-CN" "$out/zh-TW" "$out/en" "$out/landscape"
rm -f "$out"/*.png
for orient in portrait landscape; do
  if [ "$orient" = portrait ]; then cfg=config/demo.toml; base=$out; else cfg=config/demo-landscape.toml; base=$out/landscape; fi
  for lang in zh-CN zh-TW en; do
    for mode in normal elderly contrast; do
      "$bin" --config "$cfg" --screenshots "$base/$lang" --mode "$mode" --lang "$lang" >/dev/null
    done
  done
done
n=$(find "$out" -name '*.png' | wc -l)
if [ "$out" = docs/screens ] && command -v mogrify >/dev/null; then
  find "$out" -name '*.png' -print0 | xargs -0 -n 20 mogrify +dither -colors 256 -define png:format=png8
fi
echo "screens written: $n in $out"
[ "$n" -gt 0 ]
