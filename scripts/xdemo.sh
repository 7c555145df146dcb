#!/usr/bin/env bash
# Clicks through one application on the live kiosk (demo config) in a private Xvfb
# screen with xdotool, saving a screenshot after each step to OUT (default
# /tmp/kiosk-xdemo). A smoke check of the real event loop, timers and winit input;
# the coordinates are those of the normal mode at 1080x1920.
#   scripts/xdemo.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/kiosk-xdemo}
bin=${KIOSK_BIN:-target/release/kiosk}; [ -x "$bin" ] || bin=target/debug/kiosk
command -v xdotool >/dev/null || { echo "xdemo: needs xdotool (apt-get install xdotool)" >&2; exit 2; }
mkdir -p "$out"; data=$(mktemp -d)
for n in $(seq 150 199); do [ -e /tmp/.X11-unix/X$n ] || break; done
Xvfb :$n -screen 0 1080x1920x24 -nolisten tcp >/dev/null 2>&1 & xp=$!
trap 'kill $kp $xp 2>/dev/null; rm -rf "$data"' EXIT
sleep 0.7
export DISPLAY=:$n
"$bin" --data "$data" >"$out/kiosk.log" 2>&1 & kp=$!
sleep 2
shot() { import -window root "$out/$1.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-1}"; }
declare -A key=([1]="214 984" [3]="866 984" [8]="540 1156" [0]="540 1242")
shot 00-home
click 270 480                      # 城乡居民基本养老保险参保登记
shot 01-guide
click 800 1854 3                   # 开始办理; the simulated card arrives after 1.5 s
shot 02-form
for d in 1 3 8 0 0 1 3 8 0 0 0; do xdotool mousemove ${key[$d]} click 1; sleep 0.25; done
click 418 1434                     # 缴费档次 300
click 800 1854 2                   # 下一步
click 264 1696 2                   # 拍照 户口簿
shot 03-materials
click 800 1854; click 800 1854     # 下一步 ×2 (delivery has one choice)
shot 04-review
click 800 1854 3                   # 确认提交
shot 05-receipt
grep -h "window up" "$out/kiosk.log" || true
ls "$data/spool" | sed 's/^/spooled: /'
