#!/usr/bin/env bash
# fw_cfg and the CFI flash banks (firmware_probe.S) on rewind and on QEMU
# 7.2 with the same command line: the probe's whole output (fw_cfg items,
# directory, DMA results including hostile descriptors, flash identifier,
# CFI query, status, erase, program, buffered program) and the flash image
# afterwards must be identical; the image must also hold exactly what the
# probe wrote (checked without QEMU). Then: a recording and its replay (the
# replay leaves its image untouched), readonly=on, a wrong image size,
# -fw_cfg items (a rewind extension: QEMU 7.2's virt refuses -fw_cfg).
# TAP output. Usage: firmware_test.sh REWIND PROBE_ELF
set -u
REWIND=$1 ELF=$2
QEMU=${QEMU:-qemu-system-riscv64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/bare_metal_tap.sh"

# The image: sector 0 0x11, sector 1 0x33, the rest 0x22 (256 KiB sectors).
python3 - "$tmp/flash.img" <<'PY'
import sys
open(sys.argv[1], "wb").write(b"\x11" * 0x40000 + b"\x33" * 0x40000 + b"\x22" * (32 * 1024 * 1024 - 0x80000))
PY
head -c 5000 /dev/urandom >"$tmp/kernel"
head -c 3000 /dev/urandom >"$tmp/initrd"
BOOT=(-kernel "$tmp/kernel" -initrd "$tmp/initrd" -append "console=ttyS0 fw_cfg-test")
run() {  # run EMULATOR OUT IMAGE [ARGS...]
  local emu=$1 out=$2 img=$3; shift 3
  timeout -s KILL 60 "$emu" -M virt -m 128M -nographic -bios "$ELF" "${BOOT[@]}" \
    -drive if=pflash,unit=1,format=raw,file="$img" "$@" </dev/null >"$out" 2>"$out.err"
}

cp "$tmp/flash.img" "$tmp/r.img"
run "$REWIND" "$tmp/r.out" "$tmp/r.img"; rc=$?
check "the probe runs to its end on rewind" '[ $rc -eq 0 ] && grep -q "^probe: done" "$tmp/r.out"' \
  "rc=$rc $(tail -3 "$tmp/r.out") $(tail -3 "$tmp/r.out.err")"

# What the probe wrote, independently of QEMU: sectors 0 and 2 erased
# (sector 2 by a bad confirm: the 0x20 write erases, as on QEMU), sector 1
# erased then programmed at 0x10 and 0x100..0x10f, the rest untouched.
python3 - "$tmp/r.img" >"$tmp/img.check" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
s1 = bytearray(b"\xff" * 0x40000)
s1[0x10:0x14] = bytes.fromhex("0df0feca")
s1[0x100:0x110] = bytes(range(1, 17))
want = b"\xff" * 0x40000 + bytes(s1) + b"\xff" * 0x40000 + b"\x22" * (len(d) - 0xc0000)
print("same" if d == want and len(d) == 32 << 20 else "differs at %#x" % next(i for i in range(len(d)) if d[i] != want[i]))
PY
check "the image holds what the guest erased and programmed, and nothing else changed" \
  'grep -qx same "$tmp/img.check"' "$(cat "$tmp/img.check")"
check "fw_cfg directory lists QEMU's three files" \
  'grep -q "^fw_cfg files 00000003$" "$tmp/r.out"' "$(grep 'fw_cfg files' "$tmp/r.out")"
check "DMA: a buffer at 0, across the end of RAM, 1 MiB past it, wrapping, and a write: five error bits" \
  '[ "$(grep -c -- "-> 00000001$" "$tmp/r.out")" = 5 ]' "$(grep '^dma' "$tmp/r.out")"

if command -v "$QEMU" >/dev/null; then
  cp "$tmp/flash.img" "$tmp/q.img"
  run "$QEMU" "$tmp/q.out" "$tmp/q.img"
  check "the probe's output is QEMU's, line for line ($(wc -l <"$tmp/q.out") lines)" \
    'grep -q "^probe: done" "$tmp/q.out" && diff -q "$tmp/q.out" "$tmp/r.out" >/dev/null' \
    "$(diff "$tmp/q.out" "$tmp/r.out" | head -20)"
  check "the flash image afterwards is QEMU's, byte for byte" 'cmp -s "$tmp/q.img" "$tmp/r.img"' \
    "$(cmp "$tmp/q.img" "$tmp/r.img" 2>&1)"
  QEMU_RO=1
else
  skip "the probe's output is QEMU's" "no $QEMU"
  skip "the flash image afterwards is QEMU's" "no $QEMU"
  QEMU_RO=0
fi

# readonly=on: the image stays as it was, the guest sees error bits.
cp "$tmp/flash.img" "$tmp/ro.img"
timeout -s KILL 60 "$REWIND" -M virt -m 128M -nographic -bios "$ELF" \
  -drive if=pflash,unit=1,format=raw,readonly=on,file="$tmp/ro.img" </dev/null >"$tmp/ro.out" 2>&1; rc=$?
check "readonly=on: the guest runs, the image is untouched" '[ $rc -eq 0 ] && cmp -s "$tmp/ro.img" "$tmp/flash.img"' \
  "rc=$rc $(tail -3 "$tmp/ro.out")"
check "readonly=on: the erase reports the erase error bit (0x20) and the program the program error bit (0x10)" \
  'grep -q "^flash1 erase: status, array, sector 0 00a000a0 33333333 11111111$" "$tmp/ro.out" &&
   grep -q "^flash1 program: status, array 00b000b0 33333333$" "$tmp/ro.out"' "$(grep '^flash1' "$tmp/ro.out")"
if [ "$QEMU_RO" = 1 ]; then
  cp "$tmp/flash.img" "$tmp/qro.img"
  timeout -s KILL 60 "$QEMU" -M virt -m 128M -nographic -bios "$ELF" \
    -drive if=pflash,unit=1,format=raw,readonly=on,file="$tmp/qro.img" </dev/null >"$tmp/qro.out" 2>&1
  check "readonly=on: the probe's output is QEMU's" 'diff -q "$tmp/qro.out" "$tmp/ro.out" >/dev/null' \
    "$(diff "$tmp/qro.out" "$tmp/ro.out" | head -10)"
fi

# Record and replay: the replay's output is the recording's, and a replay
# writes to a temporary overlay, never to its image.
cp "$tmp/flash.img" "$tmp/rec.img"; cp "$tmp/flash.img" "$tmp/rep.img"
run "$REWIND" "$tmp/rec.out" "$tmp/rec.img" -icount shift=0,rr=record,rrfile="$tmp/rr"; rc1=$?
run "$REWIND" "$tmp/rep.out" "$tmp/rep.img" -icount shift=0,rr=replay,rrfile="$tmp/rr"; rc2=$?
check "recorded and replayed: the same output as the plain run" \
  '[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s "$tmp/r.out" "$tmp/rec.out" && cmp -s "$tmp/rec.out" "$tmp/rep.out"' \
  "rc $rc1/$rc2 $(tail -3 "$tmp/rep.out.err")"
check "the recording wrote its image as the plain run did; the replay left its image untouched" \
  'cmp -s "$tmp/rec.img" "$tmp/r.img" && cmp -s "$tmp/rep.img" "$tmp/flash.img"'
cp "$tmp/r.img" "$tmp/other.img"
run "$REWIND" "$tmp/bad.out" "$tmp/other.img" -icount shift=0,rr=replay,rrfile="$tmp/rr"; rc=$?
check "a replay on another flash image is refused, naming the drive" \
  '[ $rc -ne 0 ] && grep -q "pflash1" "$tmp/bad.out.err"' "rc=$rc $(head -c 300 "$tmp/bad.out.err")"

# A wrong size is refused as QEMU refuses it.
head -c 1048576 /dev/zero >"$tmp/small.img"
"$REWIND" -M virt -nographic -bios "$ELF" -drive if=pflash,unit=0,format=raw,file="$tmp/small.img" \
  </dev/null >"$tmp/small.out" 2>&1; rc=$?
check "a 1 MiB image: one line, QEMU's message, non-zero exit" \
  '[ $rc -ne 0 ] && [ "$(wc -l <"$tmp/small.out")" = 1 ] && grep -q "device requires 33554432 bytes, block backend provides 1048576 bytes" "$tmp/small.out"' \
  "rc=$rc $(cat "$tmp/small.out")"
"$REWIND" -M virt -nographic -bios "$ELF" -drive if=pflash,unit=2,format=raw,file="$tmp/flash.img" \
  </dev/null >"$tmp/unit.out" 2>&1; rc=$?
check "unit=2 is refused with one line" '[ $rc -ne 0 ] && [ "$(wc -l <"$tmp/unit.out")" = 1 ]' "$(cat "$tmp/unit.out")"

# -fw_cfg: named items in the directory, sorted among QEMU's.
cp "$tmp/flash.img" "$tmp/f.img"
run "$REWIND" "$tmp/fw.out" "$tmp/f.img" -fw_cfg name=opt/rewind/text,string=a,,b -fw_cfg opt/rewind/file,file="$tmp/initrd"; rc=$?
hexname() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
check "-fw_cfg string= and file=: five files, both listed" \
  '[ $rc -eq 0 ] && grep -q "^fw_cfg files 00000005$" "$tmp/fw.out" &&
   grep -q "^00000bb800230000$(hexname opt/rewind/file)" "$tmp/fw.out" &&
   grep -q "^0000000300240000$(hexname opt/rewind/text)" "$tmp/fw.out"' "$(grep -A5 'fw_cfg files' "$tmp/fw.out")"
for bad in "name=opt/x" "name=opt/x,string=a,file=$tmp/kernel" "string=a" "name=opt/x,file=$tmp/none"; do
  "$REWIND" -M virt -nographic -bios "$ELF" -fw_cfg "$bad" </dev/null >"$tmp/bad.out" 2>&1; rc=$?
  check "-fw_cfg $bad is refused with one line" '[ $rc -ne 0 ] && [ "$(wc -l <"$tmp/bad.out")" = 1 ]' "$(cat "$tmp/bad.out")"
done
"$REWIND" -M virt -nographic -bios "$ELF" -fw_cfg opt/a,string=1 -fw_cfg opt/a,string=2 </dev/null >"$tmp/dup.out" 2>&1; rc=$?
check "a duplicate -fw_cfg name is refused" '[ $rc -ne 0 ] && grep -q "duplicate fw_cfg file name" "$tmp/dup.out"' "$(cat "$tmp/dup.out")"

echo "1..$n"
exit $((failed > 0))
