#!/usr/bin/env python3
"""Record/replay cost, rewind vs qemu-system-riscv64, same guest, one script.

Workload: the Linux test guest boots, runs a CPU-bound shell loop, a few
commands (uname, hwclock, /proc/uptime) and powers off; commands are sent as
soon as the prompt appears, so wall time is emulation time, not typing.
For each emulator: the workload under plain `-icount shift=7`, recorded
(`rr=record`), and replayed (`rr=replay`, nothing attached, with a timeout:
a replay that does not finish counts as hung). Prints wall times, the
record/plain and replay/record ratios, rrfile sizes, and rewind vs QEMU.

usage: bench/run-replay.py [-n RUNS] [--loop N]   env: REWIND, QEMU
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
from guest_session import PROMPT, Session  # noqa: E402


def workload(argv, loop):
    """Runs the scripted session; returns (seconds, output, ok)."""
    t0 = time.monotonic()
    s = Session(argv)
    ok = s.expect(PROMPT, 300)
    for cmd in [f"i=0; while [ $i -lt {loop} ]; do i=$((i+1)); done; echo loop-done $i", "uname -a",
                "hwclock -r", "cat /proc/uptime"]:
        if not ok:
            break
        s.type(cmd + "\n", None)
        ok = s.expect(PROMPT, 600)
    if ok:
        s.type("poweroff -f\n", None)
    rc, err = s.finish(120)
    return time.monotonic() - t0, s.out, ok and b"loop-done" in s.out, err


def replay(argv, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        return time.monotonic() - t0, p.stdout, p.returncode == 0, p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b"", False, "timeout"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1, help="runs per configuration (median)")
    ap.add_argument("--loop", type=int, default=100000, help="iterations of the shell loop")
    ap.add_argument("--replay-timeout", type=float, default=300)
    a = ap.parse_args()
    b = subprocess.run([os.path.join(ROOT, "tests/guest/build-guest.sh")], capture_output=True, text=True, check=True)
    kernel = re.search(r"^KERNEL=(.*)$", b.stdout, re.M).group(1)
    initrd = re.search(r"^INITRD=(.*)$", b.stdout, re.M).group(1)
    emus = {"QEMU": os.environ.get("QEMU", "qemu-system-riscv64"),
            "rewind": os.environ.get("REWIND", os.path.join(ROOT, "build/rewind"))}
    tmp = tempfile.mkdtemp(prefix="rewind-bench-replay.")
    results = {}
    for name, emu in emus.items():
        base = [emu, "-M", "virt", "-m", "256M", "-nographic", "-bios", "default", "-kernel", kernel,
                "-initrd", initrd, "-append", "console=ttyS0"]
        plain, rec, rep, size, hung = [], [], [], 0, 0
        for i in range(a.n):
            t, _, ok, err = workload(base + ["-icount", "shift=7"], a.loop)
            if ok:
                plain.append(t)
            rr = os.path.join(tmp, f"{name}.rr")
            t, out, ok, err = workload(base + ["-icount", f"shift=7,rr=record,rrfile={rr}"], a.loop)
            if ok:
                rec.append(t)
                size = os.path.getsize(rr)
            t, rout, rok, rerr = replay(base + ["-icount", f"shift=7,rr=replay,rrfile={rr}"], a.replay_timeout)
            if t is None or not rok or b"loop-done" not in rout:
                hung += 1
            else:
                rep.append(t)
        med = lambda v: statistics.median(v) if v else float("nan")  # noqa: E731
        results[name] = dict(plain=med(plain), rec=med(rec), rep=med(rep), size=size, hung=hung)

    print(f"workload: Linux boot + {a.loop}-iteration shell loop + uname/hwclock/uptime + poweroff, "
          f"-icount shift=7, median of {a.n}")
    print(f"{'':8} {'plain s':>9} {'record s':>9} {'replay s':>9} {'rec/plain':>9} {'rep/rec':>8} {'rrfile B':>10}  replays failed/hung")
    for name, r in results.items():
        print(f"{name:8} {r['plain']:9.2f} {r['rec']:9.2f} {r['rep']:9.2f} {r['rec'] / r['plain']:9.2f} "
              f"{r['rep'] / r['rec']:8.2f} {r['size']:10d}  {r['hung']}/{a.n}")
    q, w = results["QEMU"], results["rewind"]
    print(f"rewind vs QEMU: record time {w['rec'] / q['rec']:.2f}x, replay time "
          f"{w['rep'] / q['rep'] if q['rep'] == q['rep'] else float('nan'):.2f}x, rrfile size {w['size'] / max(q['size'], 1):.2f}x "
          "(<1 means rewind is faster / smaller)")


if __name__ == "__main__":
    main()
