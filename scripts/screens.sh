#!/usr/bin/env bash
# Regenerates docs/screens/: every screen in the normal, elderly and high-contrast
# modes, rendered headless with Slint's software renderer (no display needed).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p kiosk
rm -f docs/screens/*.png
for mode in normal elderly contrast; do
  ./target/debug/kiosk --screenshots docs/screens --mode "$mode" >/dev/null
done
ls docs/screens | wc -l | xargs echo "screens written:"
