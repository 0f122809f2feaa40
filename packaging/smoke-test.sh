#!/usr/bin/env bash
# Smoke-test the built bundle with no display (Qt offscreen): it starts, reads the example
# plans, runs every subcommand it has and writes a PDF and a screenshot where it can. What the
# bundle does not have yet is reported as skipped; anything broken fails, with its output.
#
#   bash packaging/smoke-test.sh [BUNDLE_DIR]      (default: dist/margin-planner)
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bundle=${1:-${BUNDLE_DIST:-$repo/dist}/margin-planner}
app=$bundle/margin-planner
plan=$repo/resources/examples/hybrid.tplan
out=$(mktemp -d "${TMPDIR:-/tmp}/margin-planner-smoke.XXXXXX")
trap 'rm -rf "$out"' EXIT
export QT_QPA_PLATFORM=offscreen
passed=0 failed=0 skipped=0

ok() { echo "ok      $1"; passed=$((passed + 1)); }
skip() { echo "skipped $1: $2"; skipped=$((skipped + 1)); }
fail() {
  echo "FAILED  $1: $2"
  for f in "$out/last.out" "$out/last.err"; do [ -s "$f" ] && tail -n 25 "$f" | sed 's/^/        /'; done
  failed=$((failed + 1))
}
# run NAME COMMAND...: the command must exit 0
run() {
  local name=$1
  shift
  "$@" >"$out/last.out" 2>"$out/last.err"
  local code=$?
  if [ "$code" = 0 ]; then ok "$name"; return 0; fi
  fail "$name" "exit $code from: $*"
  return 1
}
has_command() { grep -Eq "^    $1( |$)" "$out/help.out"; }

[ -x "$app" ] || { echo "smoke-test: no bundle at $bundle (bash packaging/build-bundle.sh)"; exit 1; }
[ -f "$plan" ] || { echo "smoke-test: no example plan at $plan"; exit 1; }
echo "smoke-testing $bundle ($(du -sh "$bundle" | cut -f1))"

# It starts, knows its version (metadata bundled) and lists its subcommands.
if run "--version" "$app" --version; then
  grep -q "margin-planner [0-9]" "$out/last.out" || fail "--version" "$(cat "$out/last.out")"
fi
run "--help" "$app" --help && cp "$out/last.out" "$out/help.out"
touch "$out/help.out"

# The data files are inside the bundle.
for file in tiers/tier_tables.json icons/margin-planner-16.png icons/margin-planner-256.png \
  examples/hybrid.tplan; do
  if [ -n "$(find "$bundle" -path "*/planner/resources/$file" -print -quit)" ]; then
    ok "bundled planner/resources/$file"
  else
    fail "bundled planner/resources/$file" "missing"
  fi
done

# Subcommands, on every example plan where it makes sense.
for example in "$repo"/resources/examples/*.tplan; do
  run "analyze $(basename "$example")" "$app" analyze "$example"
done
if run "analyze --json" "$app" analyze "$plan" --json; then
  grep -q '"positions"' "$out/last.out" || fail "analyze --json" "no positions in the JSON"
fi
run "schema" "$app" schema
for command in check compare; do
  if has_command "$command"; then
    run "$command" "$app" "$command" "$plan"
  else
    skip "$command" "not in this build"
  fi
done

# A PDF, headless.
if has_command export; then
  if run "export PDF" "$app" export "$plan" -o "$out/plan.pdf"; then
    if [ "$(head -c 5 "$out/plan.pdf" 2>/dev/null)" != "%PDF-" ]; then
      fail "export PDF" "$out/plan.pdf is not a PDF"
    elif command -v pdfinfo >/dev/null && ! pdfinfo "$out/plan.pdf" >"$out/last.out" 2>&1; then
      fail "export PDF" "pdfinfo cannot read it"
    fi
  fi
else
  skip "export PDF" "the export subcommand is not in this build yet"
fi

# The window, rendered offscreen to a PNG.
"$app" "$plan" --screenshot "$out/window.png" >"$out/last.out" 2>"$out/last.err"
code=$?
if [ "$code" != 0 ] && grep -q "window is not built yet" "$out/last.err"; then
  skip "window --screenshot" "the window is not in this build yet"
elif [ "$code" != 0 ]; then
  fail "window --screenshot" "exit $code"
elif [ "$(head -c 4 "$out/window.png" | tail -c 3)" != PNG ]; then
  fail "window --screenshot" "no PNG written"
else
  ok "window --screenshot"
fi

# Bad input is refused with exit code 2, as on the command line of a pip install.
echo '{"format": "margin-planner.plan", "version": 1}' >"$out/bad.tplan"
"$app" analyze "$out/bad.tplan" >"$out/last.out" 2>"$out/last.err"
code=$?
if [ "$code" = 2 ]; then ok "bad plan refused (exit 2)"; else fail "bad plan refused (exit 2)" "exit $code"; fi

echo "smoke-test: $passed ok, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
