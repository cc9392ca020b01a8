#!/usr/bin/env bash
# `rewind -M virt -m 128M -nographic -bios default`, with no -dtb: Debian's
# OpenSBI (fw_dynamic) finds the generated device tree and prints its banner
# and platform summary on the serial console within a time bound; then rewind
# is stopped (it waits for a next stage that is not there). TAP output.
# Usage: opensbi_boot_test.sh REWIND
set -u
REWIND=$1
FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
BOUND=${BOUND:-30}
if [ ! -f "$FW" ]; then
  echo "1..0 # SKIP needs Debian's opensbi package ($FW)"
  exit 0
fi
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"; }

"$REWIND" -M virt -m 128M -nographic -bios default </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
# The summary ends with the delegation registers; wait for them (or the bound).
for ((i = 0; i < BOUND * 10; ++i)); do
  grep -q 'Boot HART MEDELEG' "$tmp/out" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
alive=yes; kill -0 "$pid" 2>/dev/null || alive=no
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=

expect() {  # expect DESC PATTERN: the console output has a line matching PATTERN
  if grep -q -E -- "$2" "$tmp/out"; then ok "$1"; else not_ok "$1" "$(tail -c 600 "$tmp/out"; head -c 400 "$tmp/err")"; fi
}
expect "OpenSBI banner within ${BOUND}s" '^OpenSBI v'
expect "platform from the tree's model" 'Platform Name +: riscv-virtio,qemu'
expect "console from /chosen/stdout-path" 'Platform Console Device +: uart8250'
expect "timer from the CLINT node and timebase-frequency" 'Platform Timer Device +: aclint-mtimer @ 10000000Hz'
expect "power-off and reboot from the test/syscon nodes" 'Platform Shutdown Device +: sifive_test'
expect "DTB at QEMU's address for -m 128M" 'Domain0 Next Arg1 +: 0x0000000087e00000'
expect "summary complete" 'Boot HART MEDELEG'
[ "$alive" = yes ] && ok "still running when stopped (no crash, no early exit)" || not_ok "still running when stopped" "$(cat "$tmp/err")"

echo "1..$n"
exit $((failed > 0))
