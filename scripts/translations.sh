#!/usr/bin/env bash
# The message catalogs, with gettext's own tools:
#   scripts/translations.sh check    (the default; run by scripts/test.sh)
#     extracts every message from the code into target/tr/kiosk.pot, then for
#     each catalog assets/translations/<lang>/LC_MESSAGES/kiosk.po checks with
#     `msgcmp` that it has every message of the code, and with
#     `msgfmt --check --statistics` that it is well-formed and has 0 untranslated
#     and 0 fuzzy messages. Fails naming the catalog and what is wrong.
#   scripts/translations.sh update
#     the same extraction, then `msgmerge` brings each catalog up to date (new
#     messages arrive untranslated, for a translator; check then fails until done).
#
# Messages come from the .slint files (`@tr`, by Slint's own slint-tr-extractor,
# installed into target/tools on first use) and from the Rust wording modules
# (`tr.t("…")`, `tr.f("…", …)`, `tr.n("…", "…", n, …)`, by xgettext).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
langs=(zh_CN zh_TW en)
out=target/tr
mkdir -p "$out"

extractor=$(command -v slint-tr-extractor || true)
if [ -z "$extractor" ]; then
  extractor=target/tools/bin/slint-tr-extractor
  if [ ! -x "$extractor" ]; then
    echo "translations: installing slint-tr-extractor 1.18.1 (the Slint version of the UI) into target/tools" >&2
    cargo install --quiet --locked slint-tr-extractor --version =1.18.1 --root target/tools
  fi
fi
command -v xgettext >/dev/null || { echo "translations: needs gettext (scripts/setup-debian.sh)" >&2; exit 2; }

"$extractor" --no-default-translation-context --package-name kiosk -o "$out/slint.pot" \
  kiosk/app/ui/*.slint kiosk/app/ui/*/*.slint
# The Rust side's wording: every message goes through these files.
xgettext --language=C --from-code=UTF-8 --no-wrap --sort-by-file \
  --keyword= --keyword=t:1 --keyword=f:1 --keyword=n:1,2 \
  --package-name=kiosk -o "$out/rust.pot" \
  kiosk/app/src/messages.rs kiosk/app/src/receipt.rs kiosk/app/src/ui.rs 2>"$out/xgettext.log" || {
    cat "$out/xgettext.log" >&2; exit 1; }
msgcat --no-wrap --use-first -o "$out/kiosk.pot" "$out/slint.pot" "$out/rust.pot"
total=$(msggrep --no-wrap -K -e . "$out/kiosk.pot" | grep -c '^msgid ' || true)
echo "translations: $((total - 1)) messages in the code"

if [ "$mode" = update ]; then
  for l in "${langs[@]}"; do
    po=assets/translations/$l/LC_MESSAGES/kiosk.po
    msgmerge --quiet --no-wrap --no-fuzzy-matching --update --backup=none "$po" "$out/kiosk.pot"
    msgattrib --no-wrap --no-obsolete -o "$po" "$po"
  done
  echo "translations: catalogs updated; translate what is new, then run scripts/translations.sh check"
  exit 0
fi

bad=0
for l in "${langs[@]}"; do
  po=assets/translations/$l/LC_MESSAGES/kiosk.po
  if [ ! -f "$po" ]; then echo "translations: $po is missing" >&2; bad=1; continue; fi
  if ! msgcmp --use-untranslated "$po" "$out/kiosk.pot" 2>"$out/msgcmp-$l.log"; then
    echo "translations: $po lacks messages of the code:" >&2; cat "$out/msgcmp-$l.log" >&2; bad=1
  fi
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1) || {
    echo "translations: $po: $stats" >&2; bad=1; continue; }
  echo "translations: $l: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*) echo "translations: $po must have 0 untranslated and 0 fuzzy messages" >&2; bad=1;;
  esac
done
exit $bad
