#!/usr/bin/env bash
# The run command of the README: installs what is missing, builds, and starts the
# kiosk on its embedded default (simulated devices, reference hall in-process,
# state in ./data). Without a display it runs in a virtual screen (Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
cargo build --release --locked -p kiosk
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display here; starting the kiosk in a virtual 1080x1920 screen (xvfb-run)." >&2
  exec xvfb-run -a -s "-screen 0 1080x1920x24" target/release/kiosk --config config/demo.toml "$@"
fi
exec target/release/kiosk --config config/demo.toml "$@"
