#!/usr/bin/env bash
# A private CUPS server on loopback for the A4 printer tests (drivers/cups).
#
#   scripts/cups-test-server.sh start   # idempotent; prints the env file
#   scripts/cups-test-server.sh stop
#   scripts/cups-test-server.sh status
#
# Everything lives in target/cups-test/ (config, logs, spool, socket, output):
# cupsd runs in the background with its own config, listens on 127.0.0.1 on a
# free port and on a Unix socket, and has one queue `kiosk-a4` whose device
# is a file (FileDevice Yes) and whose only filter passes PDF through, so what
# the kiosk sends lands as-is in target/cups-test/a4-out/kiosk-a4.out (see
# below why not a raw queue).
# It writes target/cups-test/env with KIOSK_TEST_CUPS_URI and KIOSK_TEST_CUPS_OUT
# for the tests. Needs Debian's cups-daemon and cups-client (scripts/setup-debian.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/target/cups-test"
queue="kiosk-a4"
pidfile="$root/cupsd.pid"
envfile="$root/env"
sock="$root/cups.sock"
# A Unix socket path has room for about 107 bytes; a deep checkout gets one in /tmp.
if [ ${#sock} -gt 100 ]; then
  sock="/tmp/kiosk-cups-test-$(printf '%s' "$root" | cksum | cut -d' ' -f1).sock"
fi
out="$root/a4-out"

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

port_free() {
  # Nothing answers on it (bash's /dev/tcp; no other tool needed).
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

answering() {
  lpstat -h "$sock" -r >/dev/null 2>&1
}

stop() {
  if running; then
    local pid
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    echo "cups-test-server: stopped (pid $pid)"
  fi
  rm -f "$pidfile" "$envfile"
}

start() {
  for tool in cupsd lpadmin lpstat cupsenable cupsaccept; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
      echo "cups-test-server: $tool missing; run scripts/setup-debian.sh (cups-daemon, cups-client)" >&2
      exit 1
    }
  done
  export PATH="$PATH:/usr/sbin"
  if running && [ -f "$envfile" ] && answering; then
    reset_queue
    cat "$envfile"
    return 0
  fi
  stop >/dev/null
  rm -rf "$root"
  mkdir -p "$root"/{conf/ppd,conf/ssl,log,spool/tmp,cache,state/certs} "$out"
  # cupsd refuses world-writable config; its children (user lp) write the
  # spool's temp files and the output file.
  chmod 755 "$root" "$root/conf"
  chmod 1777 "$out" "$root/spool/tmp"
  chgrp lp "$root/spool" "$root/cache" 2>/dev/null || true
  chmod 770 "$root/spool" "$root/cache"

  local port=""
  for _ in $(seq 50); do
    local p=$((20000 + RANDOM % 20000))
    if port_free "$p"; then port="$p"; break; fi
  done
  [ -n "$port" ] || { echo "cups-test-server: no free port found" >&2; exit 1; }

  local user="lp" group="lp"
  id lp >/dev/null 2>&1 || { user="$(id -un)"; group="$(id -gn)"; }
  cat >"$root/conf/cups-files.conf" <<EOF
ServerRoot $root/conf
RequestRoot $root/spool
TempDir $root/spool/tmp
CacheDir $root/cache
StateDir $root/state
AccessLog $root/log/access_log
ErrorLog $root/log/error_log
PageLog $root/log/page_log
FileDevice Yes
User $user
Group $group
SystemGroup root
Printcap
EOF
  cat >"$root/conf/cupsd.conf" <<EOF
LogLevel info
Listen 127.0.0.1:$port
Listen $sock
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
WebInterface No
MaxJobs 100
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow from 127.0.0.1
  Allow from @LOCAL
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
  # In the background, detached; its own session so the caller's Ctrl-C or a
  # finished test does not end it.
  setsid cupsd -f -c "$root/conf/cupsd.conf" -s "$root/conf/cups-files.conf" \
    >"$root/log/cupsd.out" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 100); do answering && break; sleep 0.1; done
  if ! answering; then
    echo "cups-test-server: cupsd did not come up; see $root/log/" >&2
    tail -n 20 "$root/log/error_log" "$root/log/cupsd.out" >&2 2>/dev/null || true
    stop >/dev/null
    exit 1
  fi
  # Not `-m raw`: CUPS 2.4 runs no filter at all for a one-file raw job, and
  # with a file: device that means nothing is written (the job "completes",
  # the file never appears). So the queue has a PPD whose only filter passes
  # the PDF through unchanged: the output file holds exactly the bytes sent.
  # cupsd checks the filter like its own: owned by root, not group/other
  # writable, and so are the folders above it.
  mkdir -p "$root/filter"
  cat >"$root/filter/kiosk-passthrough" <<'EOF2'
#!/bin/sh
# CUPS filter: job-id user title copies options [file]; the document to stdout.
if [ -n "$6" ]; then exec cat -- "$6"; else exec cat; fi
EOF2
  chmod 755 "$root/filter" "$root/filter/kiosk-passthrough"
  cat >"$root/kiosk-a4.ppd" <<EOF2
*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "KIOSKA4.PPD"
*Manufacturer: "Kiosk"
*Product: "(Kiosk A4 test file)"
*ModelName: "Kiosk A4 test file"
*ShortNickName: "Kiosk A4 test file"
*NickName: "Kiosk A4 test file, PDF passed through"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: False
*DefaultColorSpace: Gray
*FileSystem: False
*Throughput: "1"
*cupsFilter: "application/pdf 0 $root/filter/kiosk-passthrough"
*OpenUI *PageSize/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageSize
*DefaultPageSize: A4
*PageSize A4/A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageSize
*DefaultImageableArea: A4
*ImageableArea A4: "0 0 595 842"
*DefaultPaperDimension: A4
*PaperDimension A4: "595 842"
EOF2
  # CUPS 2.4 warns that PPDs are deprecated, and still uses them.
  lpadmin -h "$sock" -p "$queue" -v "file://$out/$queue.out" -P "$root/kiosk-a4.ppd" -E \
    -o printer-error-policy=abort-job 2>"$root/log/lpadmin.err" || {
    cat "$root/log/lpadmin.err" >&2
    exit 1
  }
  reset_queue
  cat >"$envfile" <<EOF
KIOSK_TEST_CUPS_URI=ipp://127.0.0.1:$port/printers/$queue
KIOSK_TEST_CUPS_OUT=$out/$queue.out
KIOSK_TEST_CUPS_SOCKET=$sock
EOF
  cat "$envfile"
}

reset_queue() {
  # Tests pause the queue; a new run starts from enabled and accepting.
  cupsenable -h "$sock" "$queue"
  cupsaccept -h "$sock" "$queue"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status)
    if running && answering; then
      lpstat -h "$sock" -p -a
      cat "$envfile"
    else
      echo "cups-test-server: not running"; exit 1
    fi
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
