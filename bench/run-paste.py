#!/usr/bin/env python3
"""Paste throughput into a guest's serial console, rewind vs qemu-system-riscv64.

  bench/run-paste.py [-n RUNS] [--bytes N] [--rewind build/rewind] [--qemu qemu-system-riscv64]

Two guests (tests/guest/paste.py): the bare-metal echo program (no FIFO, one
byte per interrupt) and the Linux test guest (a paste into `cat > FILE` at the
shell), each on stdio and on a unix socket. Runs alternate between the two
emulators; the table shows median seconds from the first pasted byte to the
last one taken (echoed, or the shell prompt back), and bytes per second.
"""
import argparse
import os
import statistics
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "guest"))
import paste  # noqa: E402
from guest_session import build_guest  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--bytes", type=int, default=20000)
    ap.add_argument("--linux-bytes", type=int, default=4000)
    ap.add_argument("--rewind", default=os.path.join(here, "..", "build", "rewind"))
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--echo", default=os.path.join(here, "..", "build", "tests", "functional", "chardev_echo.elf"))
    a = ap.parse_args()
    kernel, initrd = build_guest()
    cases = []
    for kind in ("stdio", "socket"):
        cases.append((f"bare-metal echo, {kind}", a.bytes,
                      lambda emu, k=kind: paste.paste_echo(emu, a.echo, k, a.bytes)))
        cases.append((f"Linux shell, {kind}", a.linux_bytes,
                      lambda emu, k=kind: paste.paste_linux(emu, kernel, initrd, k, a.linux_bytes)))
    print(f"{'workload':28} {'bytes':>7} {'qemu s':>8} {'rewind s':>9} {'qemu B/s':>10} {'rewind B/s':>11} {'speedup':>8}")
    for name, n, run in cases:
        times = {"qemu": [], "rewind": []}
        for _ in range(a.n):
            for emu_name, emu in (("qemu", a.qemu), ("rewind", a.rewind)):
                t = run(emu)
                times[emu_name].append(t if t is not None else float("inf"))
        q, r = statistics.median(times["qemu"]), statistics.median(times["rewind"])
        print(f"{name:28} {n:7} {q:8.3f} {r:9.3f} {n / q:10.0f} {n / r:11.0f} {q / r:8.2f}")


if __name__ == "__main__":
    main()
