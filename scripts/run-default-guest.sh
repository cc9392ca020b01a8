#!/usr/bin/env bash
# The main job on the default guest: rewind's bare-metal programs (the ISA
# test programs and the CPU benchmark kernel, whose instruction count must be
# identical across two runs: execution is a pure function of input), then
# the Linux test guest booted to a shell on the serial console. Recording and
# replaying that session is the next milestone (record/replay).
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

echo "== CPU benchmark kernel, run twice with -icount shift=0 =="
mkdir -p build/bench
bench/run-cpu.sh --build-only -b build/bench >/dev/null
for run in 1 2; do
  out=$("$REWIND" -M virt -bios none -nographic -icount shift=0 -kernel build/bench/cpu.elf)
  insns[$run]=$(awk '/^instructions:/ {print $2}' <<<"$out")
  sums[$run]=$(grep -i 'checksum' <<<"$out" | tr '\n' ' ')
  echo "  run $run: ${insns[$run]} instructions"
done
if [ "${insns[1]}" = "${insns[2]}" ] && [ "${sums[1]}" = "${sums[2]}" ]; then
  echo "  identical: same instruction count and checksums in both runs"
else
  echo "  MISMATCH between runs"; total_fail=$((total_fail + 1))
fi
echo "== Linux 6.1 + busybox (tests/guest, built and cached on first use) on rewind =="
if python3 tests/guest/boot-guest.py --emu "$REWIND" --cmd 'uname -a; cat /proc/cpuinfo | head -4' \
     --expect 'Linux rewind' --timeout 300; then
  echo "  Linux booted to a shell, ran commands and powered off"
else
  echo "  Linux boot FAILED"; total_fail=$((total_fail + 1))
fi
[ "$total_fail" -eq 0 ] && echo "default guest: OK" || { echo "default guest: $total_fail problems"; exit 1; }
