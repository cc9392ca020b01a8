#!/usr/bin/env python3
"""The cost of finishing stopped blocks untranslated (accel/tcg/block_rest.cc):
two rewind builds, before and after, side by side on the same workloads,
runs alternated, CPU time (user+sys of the child: less sensitive than wall
time to the other builds sharing the machine) and its median.

Workloads: the Linux test guest's boot for INSNS instructions, (1) plain
(-icount shift=7, no recording) and (2) recorded, and (3) that recording
replayed by the same build; also the number of blocks translated
(-d in_asm lines "IN:" over the whole run) in each.

usage: bench/run-block-rest.py BASE_REWIND NEW_REWIND [-n RUNS] [--insns N]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_seconds(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       timeout=900)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"run-block-rest: {argv[0]} failed: {p.stderr.strip()[-300:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("--insns", type=int, default=150_000_000)
    args = ap.parse_args()
    b = subprocess.run([os.path.join(ROOT, "tests", "guest", "build-guest.sh")], capture_output=True, text=True)
    paths = dict(line.split("=", 1) for line in b.stdout.splitlines() if "=" in line)
    machine = ["-M", "virt", "-m", "256M", "-kernel", paths["KERNEL"], "-initrd", paths["INITRD"], "-append",
               "console=ttyS0", "-display", "none", "-serial", "null", "-monitor", "none"]
    tmp = tempfile.mkdtemp(prefix="block-rest-")
    times = {(w, k): [] for w in ("plain", "record", "replay") for k in ("base", "new")}
    for i in range(args.n):
        for kind in (("base", "new") if i % 2 == 0 else ("new", "base")):
            exe = args.base if kind == "base" else args.new
            rr = os.path.join(tmp, f"{kind}.rr")
            limit = ["-max-insns", str(args.insns)]
            times["plain", kind].append(cpu_seconds([exe] + machine + ["-icount", "shift=7"] + limit))
            times["record", kind].append(cpu_seconds([exe] + machine + ["-icount", f"shift=7,rr=record,rrfile={rr}"] +
                                                     limit))
            times["replay", kind].append(cpu_seconds([exe] + machine + ["-icount", f"shift=7,rr=replay,rrfile={rr}"]))
    print(f"Linux boot, {args.insns} instructions, CPU seconds, median of {args.n} (alternated):")
    for w in ("plain", "record", "replay"):
        mb, mn = statistics.median(times[w, "base"]), statistics.median(times[w, "new"])
        print(f"  {w:7s} before {mb:6.2f}  after {mn:6.2f}  after/before {mn / mb:.3f}   "
              f"(runs: {' '.join(f'{x:.2f}' for x in times[w, 'base'])} | {' '.join(f'{x:.2f}' for x in times[w, 'new'])})")
    for kind, exe in (("base", args.base), ("new", args.new)):
        rr = os.path.join(tmp, f"{kind}.rr")
        counts = []
        for mode in ("record", "replay"):
            log = os.path.join(tmp, f"{kind}-{mode}.log")
            extra = ["-max-insns", str(args.insns)] if mode == "record" else []
            subprocess.run([exe] + machine + ["-d", "in_asm", "-D", log, "-icount",
                                              f"shift=7,rr={mode},rrfile={rr}-log"] + extra,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
            counts.append(open(log, "rb").read().count(b"\nIN: ") if os.path.exists(log) else -1)
        print(f"  {kind}: blocks translated while recording {counts[0]}, while replaying {counts[1]}")


if __name__ == "__main__":
    main()
