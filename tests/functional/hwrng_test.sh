#!/usr/bin/env bash
# virtio-rng in the Linux test guest: with -device virtio-rng-device the
# kernel's virtio_rng driver binds the virtio-mmio slot and /dev/hwrng gives
# bytes. TAP output. Usage: hwrng_test.sh EMULATOR (rewind, or
# qemu-system-riscv64 to check the test itself)
set -u
EMU=$1
# shellcheck source=guest_lib.sh
source "$(dirname "$0")/guest_lib.sh"

# Each expectation matches command output only, never the echoed command
# line (hence "differ$((1+1))" for "differ2").
read_cmd='head -c 64 /dev/hwrng | od -An -tx1'
cmds=(
  'cat /sys/class/misc/hw_random/rng_current'
  "echo words=\$($read_cmd | wc -w)"
  "a=\$($read_cmd); b=\$($read_cmd); echo \"\$a\"; [ \"\$a\" != \"\$b\" ] && echo differ\$((1+1))"
  'time dd if=/dev/hwrng of=/dev/null bs=1k count=256'
)
args=()
for c in "${cmds[@]}"; do args+=(--cmd "$c"); done
out=$(python3 "$here/boot-guest.py" --emu "$EMU" --kernel "$kernel" --initrd "$initrd" "${args[@]}" \
        --timeout 120 -- -device virtio-rng-device,id=rng0 2>&1)
status=$?
check() {  # check DESC REGEX
  if grep -q -E "$2" <<<"$out"; then ok "$1"; else not_ok "$1" "$(tail -8 <<<"$out" | tr '\n' '|')"; fi
}
check "the guest's current hwrng is virtio_rng.0" '^virtio_rng\.0'
check "/dev/hwrng gives 64 bytes" 'words=64'
check "two reads differ" 'differ2'
check "/dev/hwrng reads 256 KiB" '256\+0 records in'
[ $status = 0 ] && ok "the guest boots, runs the commands and powers off" ||
  not_ok "the guest boots, runs the commands and powers off" "$(tail -8 <<<"$out" | tr '\n' '|')"
speed=$(grep -E '^real' <<<"$out" | head -1)
echo "# dd of 256 KiB from /dev/hwrng: ${speed:-no timing}"

# Record, replay, compare: the replayed guest must read the recorded bytes.
rrfile=$(mktemp)
trap 'rm -f "$rrfile"' EXIT
rr_run() {  # rr_run record|replay -> the guest's hex lines
  python3 "$here/boot-guest.py" --emu "$EMU" --kernel "$kernel" --initrd "$initrd" \
    --run "$read_cmd" --timeout 120 -- -device virtio-rng-device -icount shift=0,rr=$1,rrfile="$rrfile" 2>&1
}
rec=$(rr_run record)
if grep -q -E 'not implemented|not supported|invalid parameter' <<<"$rec"; then
  echo "ok $((n += 1)) - record/replay of /dev/hwrng # SKIP $EMU has no -icount rr"
else
  rep=$(rr_run replay)
  rec_bytes=$(grep -E '^ [0-9a-f]{2}( [0-9a-f]{2}){15}' <<<"$rec")
  rep_bytes=$(grep -E '^ [0-9a-f]{2}( [0-9a-f]{2}){15}' <<<"$rep")
  if [ -n "$rec_bytes" ] && [ "$rec_bytes" = "$rep_bytes" ] && grep -q 'boot-guest: PASS' <<<"$rep"; then
    ok "record/replay: the replayed guest reads the recorded /dev/hwrng bytes"
  else
    not_ok "record/replay: the replayed guest reads the recorded /dev/hwrng bytes" \
      "recorded: $(tr '\n' '|' <<<"$rec_bytes") replayed: $(tail -6 <<<"$rep" | tr '\n' '|')"
  fi
fi

echo "1..$n"
exit $((failed > 0))
