#!/usr/bin/env bash
# A hostile bare-metal guest on the PCIe host (pci_hostile.S): 200000
# accesses to configuration space, BARs (over RAM, over each other, sized),
# the windows and the virtio-pci registers, with virtio-rng-pci,
# virtio-blk-pci and a non-transitional function plugged. rewind must not
# fault, the guest must run to its end with its RAM intact and the
# functions still there, the same on every run and in a replay. TAP output.
# Usage: pci_hostile_test.sh REWIND PCI_HOSTILE_ELF
set -u
REWIND=$1 ELF=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/bare_metal_tap.sh"
truncate -s 1M "$tmp/disk.raw"
run() {  # run OUT ARGS...
  local out=$1; shift
  timeout -s KILL 120 "$REWIND" -M virt -m 128M -bios none -nographic -kernel "$ELF" \
    -device virtio-rng-pci -drive "file=$tmp/disk.raw,format=raw,if=virtio" \
    -device virtio-rng-pci-non-transitional "$@" </dev/null >"$out" 2>"$out.err"
}
run "$tmp/a"; rc=$?
if [ $rc -eq 0 ] && grep -q '^pci-hostile: done 10051af4 5a5aa5a5' "$tmp/a"; then
  ok "200000 hostile PCI accesses: no fault, the guest ends, RAM and the functions intact"
else
  not_ok "200000 hostile PCI accesses: no fault, the guest ends, RAM and the functions intact" \
    "rc=$rc $(tail -3 "$tmp/a") $(tail -3 "$tmp/a.err")"
fi
check_record_replay_like_plain
echo "1..$n"
exit $((failed > 0))
