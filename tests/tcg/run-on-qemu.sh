#!/bin/sh
# Build the bare-metal ISA tests and run them on Debian's qemu-system-riscv64
# (reference behaviour for rewind).  Each program runs twice: plain, and with
# -icount shift=0.  Usage: run-on-qemu.sh [name...]   (default: all)
# Env: QEMU=... to pick another binary (e.g. build/rewind), KEEP=1 to keep dir.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-riscv64-linux-gnu-gcc}
qemu=${QEMU:-qemu-system-riscv64}
# QEMU 7.2's default rv64 cpu already has Zba/Zbb/Zbc/Zbs enabled; no -cpu needed.
cflags="-march=rv64gc_zba_zbb_zbc_zbs -mabi=lp64d -nostdlib -nostartfiles -static
        -Wl,--no-warn-rwx-segments -Wl,--build-id=none -I$here/include -T $here/link.ld"
names=${*:-"integer muldiv atomics compressed fp_single fp_double csr traps
            sv39 sv48 interrupts misaligned pmp bitmanip zbc sdtrig sstc"}
tmp=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "build dir: $tmp"
fail=0
for n in $names; do
    [ -f "$here/$n.S" ] || { echo "SKIP $n (no $n.S)"; continue; }
    if ! $cc $cflags "$here/crt0.S" "$here/$n.S" -o "$tmp/$n.elf"; then
        echo "FAIL $n (build)"; fail=$((fail + 1)); continue
    fi
    for mode in plain icount; do
        extra=""
        [ $mode = icount ] && extra="-icount shift=0"
        timeout 60 $qemu -M virt -bios none -nographic $extra \
            -kernel "$tmp/$n.elf" >"$tmp/$n.$mode.log" 2>&1
        rc=$?
        total=$(grep -c '^\(not \)\?ok ' "$tmp/$n.$mode.log")
        bad=$(grep -c '^not ok ' "$tmp/$n.$mode.log")
        plan=$(tail -n 1 "$tmp/$n.$mode.log" | tr -d '\r')
        if [ $rc -eq 0 ] && [ "$bad" -eq 0 ] && [ "$plan" = "1..$total" ]; then
            echo "PASS $n ($mode): $total checks"
        else
            echo "FAIL $n ($mode): rc=$rc, $bad of $total failed, last line '$plan'"
            grep -A1 '^not ok' "$tmp/$n.$mode.log" | head -20
            fail=$((fail + 1))
        fi
    done
done
[ -z "${KEEP:-}" ] && rm -rf "$tmp"
[ $fail -eq 0 ] && echo "all passed" || echo "$fail failures"
exit $([ $fail -eq 0 ] && echo 0 || echo 1)
