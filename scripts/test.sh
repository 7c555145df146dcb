#!/usr/bin/env bash
# The test command of the README: installs what is missing, starts a private
# CUPS server on loopback for the A4 tests, then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/cups-test-server.sh start >/dev/null
trap 'scripts/cups-test-server.sh stop >/dev/null' EXIT
set -a; . target/cups-test/env; set +a
cargo test --workspace --locked
