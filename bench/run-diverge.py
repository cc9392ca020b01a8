#!/usr/bin/env python3
"""Figures for docs/divergence.md: what the divergence trail costs a
recording (time: alternated runs, median; bytes: rrfile with and without),
and how long rewind-diverge takes to pin a perturbation late in a long
recording, as a multiple of one straight replay of it.

  bench/run-diverge.py BUILD_DIR [INSNS] [RUNS]

Workload: OpenSBI + Debian's S-mode U-Boot (it boots, then polls its console
for ever: any number of instructions), -icount shift=0."""
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1]
LINUX = os.environ.get("DIVERGE_LINUX")  # "KERNEL:INITRD": the Linux test guest's boot instead
INSNS = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000_000
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
REWIND = os.path.join(BUILD, "rewind")
DIVERGE = os.path.join(BUILD, "rewind-diverge")
BASE = [REWIND, "-M", "virt", "-m", "256M", "-bios", "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin",
        "-kernel", "/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf", "-display", "none", "-serial", "null",
        "-monitor", "none"]
if LINUX:
    kernel, initrd = LINUX.split(":")
    BASE = [REWIND, "-M", "virt", "-m", "256M", "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0",
            "-display", "none", "-serial", "null", "-monitor", "none"]
tmp = tempfile.mkdtemp(prefix="rewind-bench-diverge-")


def record(path, trail, insns):
    """The recorder's CPU time (user + system): on a machine shared with
    other builds, wall time mostly measures the neighbours."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(BASE + ["-icount", f"shift=0,rr=record,rrfile={path}", "-max-insns", str(insns),
                           "-rr-trail-interval", str(trail)], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


# 1. Recording overhead and size, alternated runs: no trail, the default
# trail (every 2M instructions) and a dense one (every 64K).
small = min(INSNS, int(os.environ.get("DIVERGE_SMALL", "200000000")))
configs = (0, 2_097_152, 65_536)
times = {c: [] for c in configs}
sizes = {}
for i in range(RUNS):
    for trail in configs if i % 2 == 0 else tuple(reversed(configs)):
        p = os.path.join(tmp, f"t{trail}.rr")
        times[trail].append(record(p, trail, small))
        sizes[trail] = os.path.getsize(p)
m0 = statistics.median(times[0])
for c in configs[1:]:
    m = statistics.median(times[c])
    print(f"record {small} insns, trail every {c}: {m:.3f} s vs {m0:.3f} s without (recorder CPU time, median of {RUNS}): "
          f"overhead {100 * (m / m0 - 1):+.1f}%; rrfile {sizes[c]} bytes vs {sizes[0]}: the trail is "
          f"{100 * (sizes[c] - sizes[0]) / sizes[c]:.1f}% of the file")

# 2. Time to pin on a long recording vs one straight replay (the firmware
# workload only: the Linux guest idles at its prompt after 1e8).
if LINUX:
    sys.exit(0)
rr = os.path.join(tmp, "long.rr")
record(rr, 2_097_152, INSNS)
replay = BASE + ["-icount", f"shift=0,rr=replay,rrfile={rr}"]
t = time.time()
subprocess.run(replay, check=True, capture_output=True)
straight = time.time() - t
at = INSNS * 9 // 10 + 12345
t = time.time()
r = subprocess.run([DIVERGE, rr, "--"] + replay[1:] + ["-rr-perturb", f"icount={at},reg=x2,bit=4"],
                   capture_output=True, text=True)
pin = time.time() - t
m = re.search(r"first difference after instruction (\d+)", r.stdout)
print(f"{INSNS} insns: straight replay {straight:.2f} s; perturbation at {at} pinned to "
      f"{m.group(1) if m else 'NOTHING'} in {pin:.2f} s = {pin / straight:.2f} x one straight replay")
print(r.stdout[:1500])
