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
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"; }
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
run "$tmp/b" -icount shift=0,rr=record,rrfile="$tmp/rr"; rc1=$?
run "$tmp/c" -icount shift=0,rr=replay,rrfile="$tmp/rr"; rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s "$tmp/a" "$tmp/b" && cmp -s "$tmp/b" "$tmp/c"; then
  ok "recorded and replayed: the same output as the plain run"
else
  not_ok "recorded and replayed: the same output as the plain run" \
    "rc $rc1/$rc2 $(cat "$tmp/b" "$tmp/c" "$tmp/c.err" | tail -5)"
fi
echo "1..$n"
exit $((failed > 0))
