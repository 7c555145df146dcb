#!/usr/bin/env bash
# Clicks through one application on the live kiosk (demo config) in a private
# Xvfb screen with xdotool — real X input through winit, the real event loop,
# timers, simulated devices and the embedded hall — and saves a screenshot
# after each step to OUT (default /tmp/kiosk-xdemo). It ends with the receipt
# printed: the last lines are `spooled: …` for each job in the spool folder.
#
# Buttons are found by what is on the screen: the kiosk, started with
# --ui-probe, answers where the button with an accessible label is
# (kiosk/app/src/probe.rs), so the walk does not go stale when a layout
# changes. Run by scripts/test.sh.
#   scripts/xdemo.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/kiosk-xdemo}
bin=${KIOSK_BIN:-target/debug/kiosk}; [ -x "$bin" ] || bin=target/release/kiosk
command -v xdotool >/dev/null || { echo "xdemo: needs xdotool (scripts/setup-debian.sh)" >&2; exit 2; }
command -v Xvfb >/dev/null || { echo "xdemo: needs Xvfb (scripts/setup-debian.sh)" >&2; exit 2; }
mkdir -p "$out"; rm -f "$out"/*.png; data=$(mktemp -d)
for n in $(seq 150 199); do [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] || break; done
Xvfb :$n -screen 0 1080x1920x24 -nolisten tcp >/dev/null 2>&1 & xp=$!
kp=
trap 'kill $kp $xp 2>/dev/null; rm -rf "$data"' EXIT
export DISPLAY=:$n
for _ in $(seq 1 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done

"$bin" --data "$data" --ui-probe 127.0.0.1:0 >"$out/kiosk.log" 2>&1 & kp=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/^kiosk: ui probe on 127.0.0.1:\([0-9]*\)$/\1/p' "$out/kiosk.log")
  [ -n "$port" ] && break
  kill -0 $kp 2>/dev/null || { cat "$out/kiosk.log" >&2; echo "xdemo: the kiosk exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "xdemo: the kiosk did not open its ui probe" >&2; exit 1; }

probe() {
  local reply=
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s\n' "$1" >&3
  IFS= read -r -t 5 reply <&3 || true
  exec 3<&-
  printf '%s' "$reply"
}
fail() {
  echo "xdemo: $1 (screen: $(probe screen); buttons: $(probe buttons | tr '\t' '|'))" >&2
  import -window root "$out/failed.png" 2>/dev/null || true
  exit 1
}
# Waits (up to $2 s, default 10) for the screen named $1.
on_screen() {
  for _ in $(seq 1 $(( ${2:-10} * 10 ))); do [ "$(probe screen)" = "$1" ] && return 0; sleep 0.1; done
  fail "screen $1 did not come"
}
# Where the one enabled button labelled $1 is ("X Y W H"), waiting up to 10 s.
find_button() {
  local r=none
  for _ in $(seq 1 100); do r=$(probe "where $1"); [ "${r%% *}" != none ] && [ "${r%% *}" != ambiguous ] && break; sleep 0.1; done
  case "$r" in none|ambiguous*|"") fail "no single button \"$1\" ($r)";; esac
  printf '%s' "$r"
}
# Taps the middle of that button.
tap() {
  local r x y w h
  r=$(find_button "$1")
  read -r x y w h <<<"$r"
  xdotool mousemove $(( x + w / 2 )) $(( y + h / 2 )) click 1
  sleep 0.15
}
shot() { import -window root "$out/$1.png"; }

on_screen home 20
shot 00-home
tap "城乡居民基本养老保险参保登记"
on_screen guide
shot 01-guide
tap "开始办理"
on_screen identify
on_screen form 15                        # the simulated card arrives after 1.5 s
shot 02-form
for d in 1 3 8 0 0 1 3 8 0 0 0; do tap "联系电话 $d"; done
tap "缴费档次（元/年） 300"
tap "下一步"
on_screen materials
tap "拍照 户口簿"
find_button "重拍第 1 页" >/dev/null     # the page is there (scanned by the pipeline)
sleep 1                                  # its thumbnail is decoded off the UI thread
shot 03-materials
tap "下一步"
on_screen delivery
tap "下一步"
on_screen review
shot 04-review
tap "确认提交"
on_screen receipt 20
for _ in $(seq 1 100); do ls "$data/spool" 2>/dev/null | grep -q 'receipt.*\.escpos$' && break; sleep 0.1; done
sleep 1
shot 05-receipt
grep -h "window up" "$out/kiosk.log" || true
ls "$data/spool" 2>/dev/null | grep '\.escpos$' | sed 's/^/spooled: /'
ls "$data/spool" 2>/dev/null | grep -q 'receipt.*\.escpos$' || fail "no receipt in the spool"
