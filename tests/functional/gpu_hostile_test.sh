#!/usr/bin/env bash
# A hostile bare-metal guest for virtio-gpu (gpu_hostile.S): 20000 control
# requests from a fixed random sequence (2D commands with random or small
# fields, backing entries in RAM, MMIO, ROM or nowhere, short buffers,
# fences, unknown types) against a 16 MiB max_hostmem. rewind must not
# fault, every request must be used, the guest's RAM must be intact, some
# requests must succeed, and the answers must be the same on every run and
# in a replay. (QEMU answers its control queue later, from its main loop, so
# this guest's synchronous check is for rewind only.) TAP output.
# Usage: gpu_hostile_test.sh REWIND GPU_HOSTILE_ELF
set -u
REWIND=$1 ELF=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/bare_metal_tap.sh"
run() {  # run OUT ARGS...
  local out=$1; shift
  timeout -s KILL 120 "$REWIND" -M virt -m 128M -bios none -nographic -kernel "$ELF" \
    -device virtio-gpu-device,max_hostmem=16M "$@" </dev/null >"$out" 2>"$out.err"
}
run "$tmp/a"; rc=$?
line=$(grep '^gpu-hostile: done' "$tmp/a")
# done <used idx = 20000> <checksum> <successes> <RAM check>
if [ $rc -eq 0 ] && [[ "$line" =~ ^gpu-hostile:\ done\ 00004e20\ [0-9a-f]{8}\ ([0-9a-f]{8})\ 5a5aa5a5 ]] &&
   [ $((16#${BASH_REMATCH[1]})) -ge 100 ]; then
  ok "20000 hostile GPU requests: no fault, each one answered, RAM intact, $((16#${BASH_REMATCH[1]})) succeeded"
else
  not_ok "20000 hostile GPU requests: no fault, each one answered, RAM intact, some succeeded" \
    "rc=$rc $(tail -3 "$tmp/a") $(tail -3 "$tmp/a.err")"
fi
check_record_replay_like_plain
echo "1..$n"
exit $((failed > 0))
