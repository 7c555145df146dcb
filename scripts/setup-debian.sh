#!/usr/bin/env bash
# Installs what the kiosk and its tests need from Debian, only when missing
# (idempotent; run as root or with sudo available). With --bench, also the
# benchmarks' peers (python3-opencv for the camera benchmark).
set -euo pipefail
pkgs=(
  pkg-config libfontconfig1-dev libxkbcommon-dev libxkbcommon-x11-0 libx11-xcb1
  libxcursor1 libxrandr2 libxi6 libgl1 libegl1 libwayland-client0
  xvfb xauth imagemagick xdotool fonts-wqy-microhei
  libturbojpeg0-dev
  cups-daemon cups-client poppler-utils
  gettext
  espeak-ng libasound2 sox
)
if [ "${1:-}" = "--bench" ]; then
  pkgs+=(python3-opencv util-linux)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
