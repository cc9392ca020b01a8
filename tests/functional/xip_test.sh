#!/usr/bin/env bash
# Execute in place from the CFI flash banks (docs/firmware.md), on rewind
# and on QEMU 7.2 with the same command line:
#  - xip_probe.S in a 32 MiB image on pflash unit 0, -bios none: the boot
#    ROM jumps to 0x20000000 and it runs there; it programs and erases its
#    own bank, runs the changed code, and jumps into banks in command modes.
#    Its output must be QEMU's line for line, except the lines marked
#    "again" (code that ran before and was changed: QEMU 7.2 keeps running
#    its old translation, rewind the new code, as a real board does), and
#    the image afterwards QEMU's byte for byte;
#  - the same compiled and with -accel tcg,jit=off, recorded and replayed:
#    the same output and the same final state hash;
#  - xip_smode.S on unit 1 with -bios default: OpenSBI starts it in S-mode
#    at 0x22000000 and it prints through SBI, as on QEMU.
# TAP output. Usage: xip_test.sh REWIND XIP_PROBE_ELF XIP_SMODE_ELF
set -u
REWIND=$1 PROBE=$2 SMODE=$3
QEMU=${QEMU:-qemu-system-riscv64}
OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/bare_metal_tap.sh"

# A 32 MiB bank image of an ELF's loadable segments (by load address).
flash_image() {  # ELF BANK_BASE OUT
  python3 - "$@" <<'PY'
import struct, sys
elf, base, out = sys.argv[1], int(sys.argv[2], 0), sys.argv[3]
d = open(elf, "rb").read()
img = bytearray(32 << 20)
phoff, = struct.unpack_from("<Q", d, 0x20)
phentsize, phnum = struct.unpack_from("<HH", d, 0x36)
for i in range(phnum):
    p_type, _, off, _, paddr, filesz, _ = struct.unpack_from("<IIQQQQQ", d, phoff + i * phentsize)
    if p_type == 1 and filesz:
        assert base <= paddr and paddr + filesz <= base + len(img), hex(paddr)
        img[paddr - base:paddr - base + filesz] = d[off:off + filesz]
open(out, "wb").write(img)
PY
}
flash_image "$PROBE" 0x20000000 "$tmp/probe.img" || { echo "Bail out! cannot make the flash image"; exit 1; }

run() {  # run EMULATOR OUT IMAGE [ARGS...]
  local emu=$1 out=$2 img=$3; shift 3
  cp "$tmp/probe.img" "$img"
  timeout -s KILL 60 "$emu" -M virt -m 128M -nographic -bios none \
    -drive if=pflash,unit=0,format=raw,file="$img" "$@" </dev/null >"$out" 2>"$out.err"
}

run "$REWIND" "$tmp/r.out" "$tmp/r.img"; rc=$?
check "the probe runs from flash to its end on rewind" '[ $rc -eq 0 ] && grep -q "^xip: done" "$tmp/r.out"' \
  "rc=$rc $(tail -5 "$tmp/r.out") $(tail -3 "$tmp/r.out.err")"
check "no warning on stderr" '[ ! -s "$tmp/r.out.err" ]' "$(head -3 "$tmp/r.out.err")"
# What the changed code returns (li a0, 3; the buffered li a0, 0x5a; the
# word-programmed li a0, 0x33), and a jump into the changed routine while
# the bank is in identifier mode: c.addi ra, 2 twice, then 0x0018, illegal.
check "code that ran is run again after a word program, an erase and a buffered program, an erase and word programs" \
  'grep -qx "xip: again patch after 00000003" "$tmp/r.out" && grep -qx "xip: again sector2 buffered 0000005a" "$tmp/r.out" &&
   grep -qx "xip: again sector2 words 00000033" "$tmp/r.out"' "$(grep again "$tmp/r.out")"
check "a jump into code that ran, with its bank in identifier mode, executes the identifier" \
  'grep -qx "xip: again trap 00000002 20040004 00000018 00000004 00000000" "$tmp/r.out"' "$(grep "again trap" "$tmp/r.out")"

if command -v "$QEMU" >/dev/null; then
  run "$QEMU" "$tmp/q.out" "$tmp/q.img"
  check "the output is QEMU's, line for line, but for the \"again\" lines ($(grep -vc again "$tmp/q.out") lines)" \
    'grep -q "^xip: done" "$tmp/q.out" && diff <(grep -v again "$tmp/q.out") <(grep -v again "$tmp/r.out") >/dev/null' \
    "$(diff <(grep -v again "$tmp/q.out") <(grep -v again "$tmp/r.out") | head -20)"
  check "the flash image afterwards is QEMU's, byte for byte" 'cmp -s "$tmp/q.img" "$tmp/r.img"' \
    "$(cmp "$tmp/q.img" "$tmp/r.img" 2>&1)"
else
  skip "the output is QEMU's" "no $QEMU"
  skip "the flash image afterwards is QEMU's" "no $QEMU"
fi

run "$REWIND" "$tmp/i.out" "$tmp/i.img" -accel tcg,jit=off
check "-accel tcg,jit=off: the same output and image" \
  'cmp -s "$tmp/i.out" "$tmp/r.out" && cmp -s "$tmp/i.img" "$tmp/r.img"' "$(diff "$tmp/r.out" "$tmp/i.out" | head)"
run "$REWIND" "$tmp/s.out" "$tmp/s.img" -singlestep
check "-singlestep (one instruction per block): the same output" 'cmp -s "$tmp/s.out" "$tmp/r.out"' \
  "$(diff "$tmp/r.out" "$tmp/s.out" | head)"

run "$REWIND" "$tmp/rec.out" "$tmp/rec.img" -icount shift=7,rr=record,rrfile="$tmp/x.rr"; rc=$?
rec_hash=$(sed -n 's/.*final state hash \(0x[0-9a-f]*\).*/\1/p' "$tmp/rec.out.err")
check "recorded: the same output" '[ $rc -eq 0 ] && cmp -s "$tmp/rec.out" "$tmp/r.out" && [ -n "$rec_hash" ]' \
  "rc=$rc $(diff "$tmp/r.out" "$tmp/rec.out" | head) $(tail -3 "$tmp/rec.out.err")"
cp "$tmp/probe.img" "$tmp/rep.img"
timeout -s KILL 60 "$REWIND" -M virt -m 128M -nographic -bios none -drive if=pflash,unit=0,format=raw,file="$tmp/rep.img" \
  -icount shift=7,rr=replay,rrfile="$tmp/x.rr" </dev/null >"$tmp/rep.out" 2>"$tmp/rep.out.err"; rc=$?
rep_hash=$(sed -n 's/.*final state hash \(0x[0-9a-f]*\).*/\1/p' "$tmp/rep.out.err")
check "replayed: the same output and final state hash ($rec_hash)" \
  '[ $rc -eq 0 ] && cmp -s "$tmp/rep.out" "$tmp/rec.out" && [ "$rep_hash" = "$rec_hash" ] && grep -q "replay complete" "$tmp/rep.out.err"' \
  "rc=$rc rec=$rec_hash rep=$rep_hash $(tail -3 "$tmp/rep.out.err")"
check "the replay leaves its image untouched" 'cmp -s "$tmp/rep.img" "$tmp/probe.img"'

# Unit 1, S-mode under OpenSBI.
if [ -f "$OPENSBI" ]; then
  flash_image "$SMODE" 0x22000000 "$tmp/smode.img"
  srun() {  # srun EMULATOR OUT
    timeout -s KILL 60 "$1" -M virt -m 128M -nographic -bios default \
      -drive if=pflash,unit=1,format=raw,readonly=on,file="$tmp/smode.img" </dev/null 2>"$2.err" | grep -a "^xip-s" >"$2"
  }
  srun "$REWIND" "$tmp/sr.out"
  check "unit 1: OpenSBI starts the payload in S-mode in flash, which prints through SBI and powers off" \
    'grep -q "^xip-s: done" "$tmp/sr.out"' "$(cat "$tmp/sr.out") $(tail -3 "$tmp/sr.out.err")"
  if command -v "$QEMU" >/dev/null; then
    srun "$QEMU" "$tmp/sq.out"
    check "unit 1: the payload's output is QEMU's ($(wc -l <"$tmp/sq.out") lines)" \
      'grep -q "^xip-s: done" "$tmp/sq.out" && cmp -s "$tmp/sq.out" "$tmp/sr.out"' "$(diff "$tmp/sq.out" "$tmp/sr.out")"
  else
    skip "unit 1: the payload's output is QEMU's" "no $QEMU"
  fi
else
  skip "unit 1 under OpenSBI" "no $OPENSBI"
  skip "unit 1: the payload's output is QEMU's" "no $OPENSBI"
fi

echo "1..$n"
[ $failed -eq 0 ]
