#!/usr/bin/env bash
# Smoke test of the desktop bundle (dist/reviewer): the headless flow and the GUI,
# run the way a reviewer's machine runs it: no Python on PATH, an empty HOME, no
# locale, no network configuration, a working directory outside the repository.
#
#   packaging/smoke_test.sh [BUNDLE_DIR]        (default: dist/reviewer)
#
# Flow: --version, init, import (packaging/fixtures/smoke.jsonl), analyze, stats,
# export --allow-pending, verify, verify of a tampered copy (must fail), then the GUI
# on the store under Xvfb: the unlock dialog (screenshot), the passphrase typed, the
# main window on the analysed store (screenshot).
# Needs: bash, coreutils, grep; for the GUI Xvfb, xdotool and ImageMagick `import`
# (Debian: xvfb xdotool imagemagick). SMOKE_SKIP_GUI=1 skips the GUI part.
# Prints the time from launch to the unlock dialog; SMOKE_COLD=1 first evicts the
# bundle's files from the page cache, for a start from disk. Exit status 0 only if all passed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
BUNDLE="$(cd "${1:-$ROOT/dist/reviewer}" && pwd)"
EXE="$BUNDLE/reviewer"
FIXTURE="$HERE/fixtures/smoke.jsonl"
SECRET_EMAIL="margaret.holloway@example.com"  # must not survive into the packet
OUT="${SMOKE_OUT:-$ROOT/build/smoke}"          # logs and the screenshot stay here

fail() { echo "SMOKE FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

[[ -x "$EXE" ]] || fail "no bundle at $EXE; run 'make package' first"
rm -rf "$OUT" && mkdir -p "$OUT"
WORK="$(mktemp -d)"
XVFB_PID=""
APP_PID=""
cleanup() {
    [[ -n "$APP_PID" ]] && kill "$APP_PID" 2>/dev/null || true
    [[ -n "$XVFB_PID" ]] && kill "$XVFB_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# A PATH with a few coreutils and no interpreter at all.
mkdir -p "$WORK/bin" "$WORK/home" "$WORK/cwd"
for tool in cat ls env; do ln -s "$(command -v "$tool")" "$WORK/bin/$tool"; done
if env -i PATH="$WORK/bin" /bin/sh -c 'command -v python3 || command -v python' >/dev/null; then
    fail "the test PATH still finds a Python"
fi

STORE="$WORK/matter.rrstore"
# Strong enough for init (reviewer.domain.passphrase), and typed into the unlock dialog.
PASSPHRASE="bundle smoke copper lantern"
PACKET="$WORK/packet"
# Everything the bundle sees: no PYTHONPATH, no LANG, a HOME with nothing in it.
clean_env=(env -i PATH="$WORK/bin" HOME="$WORK/home" REVIEWER_PASSPHRASE="$PASSPHRASE"
           REVIEWER_NAME="smoke")

run() {  # run NAME TIMEOUT ARGS...: the bundle in the clean environment, output logged
    local name="$1" limit="$2"
    shift 2
    step "reviewer $*"
    if ! (cd "$WORK/cwd" && timeout "$limit" "${clean_env[@]}" "$EXE" "$@") \
            >"$OUT/$name.out" 2>"$OUT/$name.err"; then
        cat "$OUT/$name.out" "$OUT/$name.err" >&2
        fail "reviewer $name exited non-zero (logs in $OUT)"
    fi
    cat "$OUT/$name.out"
}

run version 60 --version
run init 60 init "$STORE"
run import 120 import "$STORE" "$FIXTURE"
run analyze 600 analyze "$STORE"
run stats 60 stats "$STORE" --json
grep -Eq '"total": [1-9]' "$OUT/stats.out" || fail "analyze found no spans in the fixture"
run export 300 export "$STORE" "$PACKET" --allow-pending --prefix SMOKE
run verify 60 verify "$PACKET"

step "no original text of a redacted span in the packet"
if grep -rqF "$SECRET_EMAIL" "$PACKET"; then
    fail "$SECRET_EMAIL appears in the packet"
fi
ls -R "$PACKET" >"$OUT/packet.ls"

step "a tampered packet does not verify"
cp -r "$PACKET" "$WORK/tampered"
echo "tampered" >>"$WORK/tampered/conversations.jsonl"
status=0
(cd "$WORK/cwd" && "${clean_env[@]}" "$EXE" verify "$WORK/tampered") >/dev/null 2>&1 || status=$?
[[ $status -eq 1 ]] || fail "verify of a tampered packet exited $status, expected 1"

if [[ "${SMOKE_SKIP_GUI:-0}" == 1 ]]; then
    echo "SMOKE OK (GUI skipped)"
    exit 0
fi

step "GUI under Xvfb: the unlock dialog"
for tool in Xvfb xdotool import; do
    command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install xvfb xdotool imagemagick)"
done
# Xvfb picks a free display itself (others may run Xvfb on this machine) and writes
# its number to fd 3 when it accepts connections.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$OUT/display" >"$OUT/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 100); do
    [[ -s "$OUT/display" ]] && break
    sleep 0.1
done
[[ -s "$OUT/display" ]] || fail "Xvfb did not start (log: $OUT/xvfb.log)"
display=":$(head -n 1 "$OUT/display")"

if [[ "${SMOKE_COLD:-0}" == 1 ]]; then
    # A cold start from disk: drop the bundle's files from the page cache (only them).
    find "$BUNDLE" -type f -exec dd if={} iflag=nocache count=0 status=none \;
fi
# No passphrase in the environment: the app must ask for it.
start=$(date +%s.%N)
(cd "$WORK/cwd" && exec env -i PATH="$WORK/bin" HOME="$WORK/home" DISPLAY="$display" \
    REVIEWER_NAME=smoke "$EXE" gui "$STORE") >"$OUT/gui.out" 2>"$OUT/gui.err" &
APP_PID=$!
# Poll every 20 ms (xdotool's own --sync polls every 0.5 s, too coarse to time a start).
deadline=$((SECONDS + 120))
until DISPLAY="$display" xdotool search --onlyvisible --pid "$APP_PID" >/dev/null 2>&1; do
    if (( SECONDS > deadline )) || ! kill -0 "$APP_PID" 2>/dev/null; then
        cat "$OUT/gui.out" "$OUT/gui.err" >&2
        fail "no window of the app appeared (within 120 s, or the app exited)"
    fi
    sleep 0.02
done
end=$(date +%s.%N)
window=$(DISPLAY="$display" xdotool search --onlyvisible --pid "$APP_PID" | head -n 1)
sleep 1  # let the first frame paint before the screenshot
DISPLAY="$display" import -window root "$OUT/unlock.png"
names=$(for w in $(DISPLAY="$display" xdotool search --onlyvisible --pid "$APP_PID"); do
    DISPLAY="$display" xdotool getwindowname "$w"; done)
echo "windows: ${names//$'\n'/ | }"
kill -0 "$APP_PID" 2>/dev/null || fail "the app exited while showing its window"
grep -qi -E "unlock|passphrase|open store" <<<"$names" \
    || fail "no unlock dialog among the windows (screenshot: $OUT/unlock.png)"

step "GUI: type the passphrase, Enter, the main window on the analysed store"
DISPLAY="$display" xdotool windowfocus --sync "$window"
DISPLAY="$display" xdotool type --delay 10 "$PASSPHRASE"
DISPLAY="$display" xdotool key Return
deadline=$((SECONDS + 60))
until DISPLAY="$display" xdotool search --onlyvisible --pid "$APP_PID" --name "$(basename "$STORE")" \
        >/dev/null 2>&1; do
    (( SECONDS < deadline )) && kill -0 "$APP_PID" 2>/dev/null \
        || fail "no main window after unlocking (stderr: $OUT/gui.err)"
    sleep 0.1
done
sleep 2  # let the first page of conversations load before the screenshot
DISPLAY="$display" import -window root "$OUT/main.png"
kill "$APP_PID"
wait "$APP_PID" 2>/dev/null || true
APP_PID=""
if grep -qi -E "traceback|could not load the qt platform plugin" "$OUT/gui.err"; then
    cat "$OUT/gui.err" >&2
    fail "the GUI logged an error"
fi
awk -v a="$start" -v b="$end" 'BEGIN { printf "cold start to the unlock dialog: %.2f s\n", b - a }'
echo "screenshots: $OUT/unlock.png $OUT/main.png"
echo "SMOKE OK"
