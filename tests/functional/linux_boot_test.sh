#!/usr/bin/env bash
# Boots the Linux test guest (tests/guest: Linux 6.1 + busybox, built and
# cached outside the tree on first use) on rewind and drives its shell over
# the serial console. TAP output. Usage: linux_boot_test.sh REWIND
set -u
REWIND=$1
# shellcheck source=guest_lib.sh
source "$(dirname "$0")/guest_lib.sh"
ok "build the test guest"

# boot DESC EXPECT CMD [emulator args...]
boot() {
  local desc=$1 expect=$2 cmd=$3; shift 3
  local out
  if out=$(python3 "$here/boot-guest.py" --emu "$REWIND" --kernel "$kernel" --initrd "$initrd" \
             --cmd "$cmd" --expect "$expect" --timeout 120 -- "$@" 2>&1); then
    ok "$desc ($(grep -o 'prompt_s=[0-9.]*' <<<"$out"))"
  else
    not_ok "$desc" "$(tail -8 <<<"$out" | tr '\n' '|')"
  fi
}

boot "uname -a" "Linux rewind 6\.1\.[0-9]+ .* riscv64" "uname -a"
boot "/proc/cpuinfo shows our hart" "isa\s*: rv64imafdc" "cat /proc/cpuinfo"
boot "a computation" "6765" 'a=0; b=1; i=0; while [ $i -lt 20 ]; do t=$((a+b)); a=$b; b=$t; i=$((i+1)); done; echo $a'
boot "hwclock reads the goldfish RTC" "[0-9]{4}-[0-9]{2}-[0-9]{2}|[A-Z][a-z]{2} .*[0-9]{4}" "hwclock -r"
boot "the guest boots with -icount shift=7" "Linux rewind" "uname -a" -icount shift=7
boot "the guest boots with -icount shift=0,sleep=off" "Linux rewind" "uname -a" -icount shift=0,sleep=off
# A 1 MiB code buffer fills up many times during boot: each time every
# translation is dropped and compilation starts again.
boot "the guest boots with a small code buffer (-accel tcg,tb-size=1)" "6765" \
  'a=0; b=1; i=0; while [ $i -lt 20 ]; do t=$((a+b)); a=$b; b=$t; i=$((i+1)); done; echo $a' -accel tcg,tb-size=1

echo "1..$n"
exit $((failed > 0))
