#!/usr/bin/env bash
# Whole-machine snapshots of a Linux boot, loaded into fresh machines
# (snapshot_roundtrip.cc), with the block compiler and with the interpreter.
# Usage: snapshot_test.sh SNAPSHOT_ROUNDTRIP. TAP output.
set -u
HARNESS=$1
# shellcheck source=guest_lib.sh
source "$(dirname "$0")/guest_lib.sh"
ok "build the test guest"
for jit in on off; do
  while IFS= read -r line; do
    case $line in
      "ok "*) ok "${line#ok [0-9]* - }" ;;
      "not ok "*) not_ok "${line#not ok [0-9]* - }" ;;
      "# "*) echo "$line" ;;
    esac
  done < <("$HARNESS" "$kernel" "$initrd" --points 20 --jit "$jit" 2>&1)
done
echo "1..$n"
exit $((failed > 0))
