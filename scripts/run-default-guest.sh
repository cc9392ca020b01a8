#!/usr/bin/env bash
# The main job on the default guest: rewind's bare-metal ISA test programs,
# then the Linux test guest: a shell session recorded with
# -icount rr=record, replayed with nothing attached, and compared (console
# output byte for byte, instruction count, final state hash).
set -euo pipefail
cd "$(dirname "$0")/.."
REWIND=${REWIND:-build/rewind}
ninja -C build >/dev/null

echo "== ISA test programs (tests/tcg) on rewind =="
# Through meson's tcg suite: each program with the machine options it is
# written for (the cpu_props programs need their -cpu property set).
total_fail=0
log=build/default-guest-isa.log
if meson test -C build --suite tcg --num-processes 2 >"$log" 2>&1; then :; else total_fail=$((total_fail + 1)); fi
grep -E '^ *[0-9]+/[0-9]+ ' "$log" | sed -E 's/^ *[0-9]+\/[0-9]+ rewind:tcg \/ /  /; s/ +[0-9.]+s / /'
grep -E '^(Ok|Fail): ' "$log" | sed 's/^/  /'

echo "== Linux 6.1 + busybox: record a session, replay it, compare =="
if python3 scripts/rr-demo.py --rewind "$REWIND"; then :; else total_fail=$((total_fail + 1)); fi
[ "$total_fail" -eq 0 ] && echo "default guest: OK" || { echo "default guest: $total_fail problems"; exit 1; }
