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
total_fail=0
for elf in build/tests/tcg/*.elf; do
  name=$(basename "$elf" .elf)
  out=$("$REWIND" -M virt -bios none -nographic -kernel "$elf" 2>&1) && rc=0 || rc=$?
  oks=$(grep -c '^ok' <<<"$out" || true)
  bad=$(grep -c '^not ok' <<<"$out" || true)
  printf '  %-12s %4d checks passed, %d failed (exit %d)\n' "$name" "$oks" "$bad" "$rc"
  total_fail=$((total_fail + bad + (rc != 0)))
done

echo "== Linux 6.1 + busybox: record a session, replay it, compare =="
if python3 scripts/rr-demo.py --rewind "$REWIND"; then :; else total_fail=$((total_fail + 1)); fi
[ "$total_fail" -eq 0 ] && echo "default guest: OK" || { echo "default guest: $total_fail problems"; exit 1; }
