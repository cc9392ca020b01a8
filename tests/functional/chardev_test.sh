#!/usr/bin/env bash
# Character-device backends carry the console, and the HMP monitor works on
# them: socket (tcp and unix, server, wait=on/off, reconnects), pty, pipe,
# file, mon:stdio with C-a c / C-a x, a monitor socket, and a guest idle in
# WFI that costs no host CPU. TAP output (from chardev_test.py).
# Usage: chardev_test.sh REWIND ECHO_ELF
exec python3 "$(dirname "$0")/chardev_test.py" "$@"
