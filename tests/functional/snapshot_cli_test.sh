#!/usr/bin/env bash
# Snapshots from the command line, as a QEMU user takes them: the monitor's
# `migrate file:PATH` saves the machine, `-incoming file:PATH` on the same
# command line starts from it. Damaged or foreign snapshots are refused with
# one line and exit 1. Also -no-shutdown: a guest power-off stops the machine
# and the monitor can reset it. Uses the echo guest (chardev_echo.S).
# Usage: snapshot_cli_test.sh REWIND ECHO_ELF. TAP output.
set -u
REWIND=$1 ECHO=$2
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "# $2" | head -5; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-}"; fi; }
tmp=$(mktemp -d /tmp/rewind-snapcli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
base=("$REWIND" -M virt -bios none -kernel "$ECHO" -display none)

# Save: the guest idles in WFI waiting for input; the monitor saves it.
{ sleep 0.5; printf 'migrate file:%s\ninfo status\nquit\n' "$tmp/s"; } |
  "${base[@]}" -serial null -monitor stdio >"$tmp/mon" 2>&1
check "migrate file:PATH writes a snapshot and the VM stops (postmigrate)" \
  '[ -s "$tmp/s" ] && grep -q "VM status: paused (postmigrate)" "$tmp/mon"' "$(cat "$tmp/mon")"

# Load: the guest goes on where it was (no second "ready") and echoes.
out=$(printf 'ab!' | "${base[@]}" -serial stdio -monitor none -incoming "file:$tmp/s" 2>&1); rc=$?
check "-incoming file:PATH starts from the snapshot (the guest goes on echoing)" '[ $rc = 0 ] && [ "$out" = "AB" ]' \
  "rc=$rc out=$out"

# refused NAME EXPECT [args...]: exit 1, one line, containing EXPECT.
refused() {
  local desc=$1 expect=$2; shift 2
  local err rc
  err=$("${base[@]}" -serial null -monitor none "$@" 2>&1 </dev/null); rc=$?
  if [ $rc = 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && grep -q -- "$expect" <<<"$err"; then ok "$desc"
  else not_ok "$desc" "rc=$rc: $err"; fi
}
size=$(stat -c %s "$tmp/s")
head -c $((size / 2)) "$tmp/s" >"$tmp/cut"
refused "a truncated snapshot is refused" "truncated" -incoming "file:$tmp/cut"
cp "$tmp/s" "$tmp/flip"
printf '\x55' | dd of="$tmp/flip" bs=1 seek=$((size / 3)) conv=notrunc status=none
refused "a bit-flipped snapshot is refused" "checksum" -incoming "file:$tmp/flip"
refused "a snapshot of another machine (-m) is refused, naming the option" "snapshot refused: .*-m is" \
  -m 256M -incoming "file:$tmp/s"
refused "a missing snapshot file is refused" "cannot open snapshot" -incoming "file:$tmp/nonexistent"
refused "a directory is refused" "not a regular file" -incoming "file:$tmp"
printf 'hello' >"$tmp/junk"
refused "a file that is not a snapshot is refused" "not a rewind snapshot" -incoming "file:$tmp/junk"
refused "-incoming needs file:" "only file:PATH" -incoming "tcp:localhost:4444"
out=$(printf 'migrate file:/nonexistent-dir/s\nquit\n' | "${base[@]}" -serial null -monitor stdio 2>&1); rc=$?
check "migrate to an unwritable place prints an error and the machine goes on" \
  '[ $rc = 0 ] && grep -q "migrate: cannot create snapshot" <<<"$out"' "rc=$rc $out"

# -no-shutdown: '!' powers the guest off; it stops instead of exiting, the
# monitor says so, and system_reset boots it again.
out=$( { printf '!'; sleep 0.5; printf '\001cinfo status\n'; sleep 0.3; printf 'system_reset\n'; sleep 0.5
         printf 'quit\n'; } | "${base[@]}" -nographic -no-shutdown 2>&1); rc=$?
check "-no-shutdown: a power-off stops the guest, info status says shutdown, system_reset boots it again" \
  '[ $rc = 0 ] && grep -q "VM status: paused (shutdown)" <<<"$out" && [ "$(grep -c "echo: ready" <<<"$out")" = 2 ]' \
  "rc=$rc $(tr '\r\n' '  ' <<<"$out" | tail -c 400)"
out=$(printf '!' | "${base[@]}" -nographic 2>&1); rc=$?
check "without -no-shutdown the power-off ends the run" '[ $rc = 0 ]' "rc=$rc"

echo "1..$n"
exit $((failed > 0))
