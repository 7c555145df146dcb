#!/usr/bin/env bash
# The test command of the README: installs what is missing, starts a private
# CUPS server on loopback for the A4 tests, runs every test of the workspace,
# then every script the README names, on the binary the tests just built, so
# none of them goes stale: the catalogs against the code (scripts/translations.sh),
# the live demo walk (scripts/xdemo.sh, which must end with the receipt printed),
# the screenshots (scripts/screens.sh, into target/ so docs/ is not touched) and
# the first-frame measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/cups-test-server.sh start >/dev/null
trap 'scripts/cups-test-server.sh stop >/dev/null' EXIT
set -a; . target/cups-test/env; set +a
cargo test --workspace --locked

echo "test: scripts/translations.sh check (every message of the code in every catalog: msgcmp, msgfmt)"
scripts/translations.sh check

echo "test: scripts/xdemo.sh (live kiosk in Xvfb, tapped through xdotool)"
scripts/xdemo.sh target/xdemo | tee target/xdemo-walk.log
grep -q '^spooled: .*receipt' target/xdemo-walk.log

echo "test: scripts/screens.sh (every screen, every mode)"
KIOSK_BIN=target/debug/kiosk scripts/screens.sh target/screens-check

echo "test: scripts/first-frame.py (start to first frame, resident memory)"
scripts/first-frame.py target/debug/kiosk 1
