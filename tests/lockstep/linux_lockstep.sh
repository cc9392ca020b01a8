#!/usr/bin/env bash
# rewind vs QEMU 7.2 in lockstep through OpenSBI and into Linux early boot
# (the test guest of tests/guest), every instruction's pc and registers
# compared. Slow (about 25 minutes for 50 million instructions on this
# 2-core machine), so not part of `make check`: run it with
# `make check-slow` or directly.
# Usage: linux_lockstep.sh LOCKSTEP REWIND [MAX_INSNS]
set -euo pipefail
lockstep=$1 rewind=$2 max=${3:-50000000}
here=$(cd "$(dirname "$0")" && pwd)
paths=$("$here/../guest/build-guest.sh")
kernel=$(sed -n 's/^KERNEL=//p' <<<"$paths")
initrd=$(sed -n 's/^INITRD=//p' <<<"$paths")
# The RTC runs on the virtual clock from a fixed date so both see the same
# time; QEMU without H, which rewind does not have.
exec "$lockstep" --qemu qemu-system-riscv64 --rewind "$rewind" --timeout 300 \
  --qemu-arg -cpu --qemu-arg rv64,h=false --no-fpu --max "$max" -- \
  -M virt -m 128M -nographic -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin \
  -dtb "$here/virt-128M.dtb" -kernel "$kernel" -initrd "$initrd" -append console=ttyS0 \
  -rtc base=2024-01-01T00:00:00,clock=vm
