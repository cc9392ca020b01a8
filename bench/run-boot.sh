#!/usr/bin/env bash
# Boot-to-shell time of the Linux test guest (tests/guest), rewind vs
# qemu-system-riscv64, same kernel, initrd and options, with and without
# -icount shift=7. Runs alternate; medians of RUNS (default 3).
# Usage: bench/run-boot.sh [RUNS]   Env: REWIND (default build/rewind), QEMU.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
REWIND=${REWIND:-build/rewind}
QEMU=${QEMU:-qemu-system-riscv64}
paths=$(tests/guest/build-guest.sh)
kernel=$(sed -n 's/^KERNEL=//p' <<<"$paths")
initrd=$(sed -n 's/^INITRD=//p' <<<"$paths")

# prompt_time EMU [args...]: seconds from start to the shell prompt.
prompt_time() {
  local emu=$1; shift
  python3 tests/guest/boot-guest.py --emu "$emu" --kernel "$kernel" --initrd "$initrd" \
    --cmd true --timeout 120 -- "$@" 2>&1 | sed -n 's/.*prompt_s=\([0-9.]*\).*/\1/p'
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

printf '%-10s %-22s %10s %10s %8s\n' mode "" "QEMU s" "rewind s" ratio
for mode in "" "-icount shift=7"; do
  q=() r=()
  for ((i = 0; i < RUNS; i++)); do
    # shellcheck disable=SC2086
    q+=("$(prompt_time "$QEMU" $mode)")
    # shellcheck disable=SC2086
    r+=("$(prompt_time "$REWIND" $mode)")
  done
  qm=$(printf '%s\n' "${q[@]}" | median)
  rm=$(printf '%s\n' "${r[@]}" | median)
  printf '%-10s %-22s %10s %10s %8s\n' "boot" "${mode:-(no icount)}" "$qm" "$rm" \
    "$(awk -v a="$qm" -v b="$rm" 'BEGIN {printf "%.2f", a / b}')"
done
echo "(ratio = QEMU time / rewind time; >1 means rewind boots faster)"
