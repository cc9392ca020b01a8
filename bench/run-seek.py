#!/usr/bin/env python3
"""Replay navigation benchmark: replay_seek and reverse-stepi cost on a long
Linux recording (docs/replay-navigation.md).

Records the Linux test guest booting and then hashing --mib MiB of zeros
(pure guest CPU work: the recording's length grows with it), powered off.
Then one replay, with the monitor on a pipe:
  - the first pass: replay_seek to the last instruction but one (the replay
    runs the whole recording once, taking its automatic snapshots);
  - replay_seek to 20 random counts over the whole recording (median, worst);
  - reverse-stepi at 20 random counts, as the gdb stub does it (seek to
    now-1, one step forward to see whether a trap repeats the count, seek to
    now-1 again): the same three moves through the monitor (replay_seek c-1,
    replay_seek c, replay_seek c-1), timed together (median, worst);
    once arriving at each count by a seek, once by running forwards to it
    (replay_break + cont from up to 30M instructions before), which is how
    a debugger usually gets there (a breakpoint hit);
  - the snapshots' memory against the budget (info replay);
and checks the replay still ends with the recorded final state hash.

Then, with --qemu (default when qemu-system-riscv64 is there), the same for
QEMU on its own recording of the same workload (rrsnapshot=init in an empty
qcow2 image, as QEMU's docs describe): replay_seek to --qemu-points counts and
to count-1 after each, every one timed until `info replay` shows the count;
one that errs, hangs past --qemu-timeout or lands elsewhere is a failure.

usage: bench/run-seek.py [--rewind PATH] [--mib N] [--interval N] [--budget SIZE]
                         [--rr FILE [--record-only]] [--recorder PATH]
--rr keeps the recording in FILE (with FILE.info: its length and final hash)
and reuses it when it is there; --record-only stops after recording;
--recorder records with another build (the recording format is the same).
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "guest"))
from guest_session import PROMPT, HmpPipe, Session, build_guest  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rewind", default=os.path.join(HERE, "..", "build", "rewind"))
    ap.add_argument("--mib", type=int, default=800, help="MiB the guest hashes (recording length)")
    ap.add_argument("--interval", default=None, help="-rr-snapshot-interval (default: rewind's)")
    ap.add_argument("--budget", default=None, help="-rr-snapshot-budget (default: rewind's)")
    ap.add_argument("--points", type=int, default=20)
    ap.add_argument("--qemu", default=shutil.which("qemu-system-riscv64") or "")
    ap.add_argument("--qemu-points", type=int, default=5)
    ap.add_argument("--qemu-timeout", type=float, default=120)
    ap.add_argument("--rr", default="")
    ap.add_argument("--record-only", action="store_true")
    ap.add_argument("--recorder", default="")
    a = ap.parse_args()
    kernel, initrd = build_guest()
    tmp = tempfile.mkdtemp(prefix="rewind-seek-bench.")
    rr = a.rr or os.path.join(tmp, "long.rr")
    base = [a.rewind, "-M", "virt", "-m", "256M", "-bios", "default", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0"]
    print("machine load at the start (1, 5, 15 min): " + " ".join(open("/proc/loadavg").read().split()[:3]))
    if a.rr and os.path.exists(a.rr + ".info"):
        total, final_hash = open(a.rr + ".info").read().split()
        total = int(total)
        print(f"recording: {a.rr}, {total} instructions ({total / 1e9:.2f}e9)")
    else:
        total, final_hash = record(a, base, rr)
    if a.record_only:
        return 0
    return navigate(a, base, rr, total, final_hash, kernel, initrd, tmp)


def record(a, base, rr):
    if a.recorder:
        base = [a.recorder] + base[1:]
    t = time.monotonic()
    s = Session(base + ["-nographic", "-icount", f"shift=7,rr=record,rrfile={rr}"])
    if not s.expect(PROMPT, 300):
        sys.exit("the guest did not boot")
    s.type(f"dd if=/dev/zero bs=1M count={a.mib} 2>/dev/null | md5sum\n", None)
    if not s.expect(PROMPT, 3600):
        sys.exit("the workload did not finish")
    s.type("poweroff -f\n", None)
    rc, err = s.finish(120)
    m = re.search(r"recorded (\d+) instructions.*\n.*final state hash (0x[0-9a-f]+)", err)
    if rc != 0 or not m:
        sys.exit("recording failed: " + err[-500:])
    total, final_hash = int(m.group(1)), m.group(2)
    print(f"recording: {total} instructions ({total / 1e9:.2f}e9) in {time.monotonic() - t:.1f} s, "
          f"{os.path.getsize(rr)} bytes")
    with open(rr + ".info", "w") as f:
        f.write(f"{total} {final_hash}\n")
    return total, final_hash


def navigate(a, base, rr, total, final_hash, kernel, initrd, tmp):
    extra = []
    if a.interval:
        extra += ["-rr-snapshot-interval", a.interval]
    if a.budget:
        extra += ["-rr-snapshot-budget", a.budget]
    mon = HmpPipe(base + ["-display", "none", "-serial", "null", "-monitor", "stdio",
                          "-icount", f"shift=7,rr=replay,rrfile={rr}"] + extra, b"stop\n")
    mon.read_until_prompt()
    mon.read_until_prompt()

    def seek(c):
        t0 = time.monotonic()
        out = mon.cmd(f"replay_seek {c}", 3600)
        dt = time.monotonic() - t0
        if out.strip():
            sys.exit(f"replay_seek {c}: {out.strip()}")
        return dt

    first = seek(total - 2)
    print(f"first pass (replay_seek to the end, taking snapshots): {first:.1f} s "
          f"({total / first / 1e6:.0f} MIPS)")
    rng = random.Random(12)
    seeks = [seek(rng.randrange(1, total - 2)) for _ in range(a.points)]

    def reverse_stepi(c):
        return seek(c - 1) + seek(c) + seek(c - 1)

    steps = []
    for _ in range(a.points):
        c = rng.randrange(2, total - 2)
        seek(c)
        steps.append(reverse_stepi(c))
    ran = []
    for _ in range(a.points):
        c = rng.randrange(30_000_002, total - 2)
        seek(c - rng.randrange(1, 30_000_000))
        mon.cmd(f"replay_break {c}")
        mon.cmd("cont")
        if not mon.wait_paused(3600):
            sys.exit(f"never stopped at {c}")
        ran.append(reverse_stepi(c))
    info = mon.cmd("info replay")
    print(f"replay_seek to {a.points} random counts: median {statistics.median(seeks):.3f} s, "
          f"worst {max(seeks):.3f} s")
    print(f"reverse-stepi after a seek, at {a.points} random counts: median "
          f"{statistics.median(steps):.3f} s, worst {max(steps):.3f} s")
    print(f"reverse-stepi after running forwards to a replay breakpoint, at {a.points} random counts: median "
          f"{statistics.median(ran):.3f} s, worst {max(ran):.3f} s")
    print("machine load (1, 5, 15 min): " + " ".join(open("/proc/loadavg").read().split()[:3]))
    snap = re.search(r"Snapshots: .*", info)
    print("snapshot memory: " + (snap.group(0) if snap else info))
    os.write(mon.w, b"cont\n")
    rc, err = mon.finish(3600)
    ended = "replay complete" in err and final_hash in err
    print(f"the replay then ends with the recorded final state hash: {'yes' if ended else 'NO'}")
    if a.qemu:
        qemu_seeks(a, kernel, initrd, tmp, total)
    return 0 if ended else 1


def qemu_seeks(a, kernel, initrd, tmp, rewind_total):
    qrr, disk = os.path.join(tmp, "qemu.rr"), os.path.join(tmp, "snapshots.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "1G"], check=True)
    base = [a.qemu, "-M", "virt", "-m", "256M", "-bios", "default", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0", "-drive", f"file={disk},if=none,id=rr"]
    t = time.monotonic()
    s = Session(base + ["-nographic", "-icount", f"shift=7,rr=record,rrfile={qrr},rrsnapshot=init"])
    if not s.expect(PROMPT, 600):
        print("QEMU: the guest did not boot while recording")
        return
    s.type(f"dd if=/dev/zero bs=1M count={a.mib} 2>/dev/null | md5sum\n", None)
    s.expect(PROMPT, 7200)
    s.type("poweroff -f\n", None)
    s.finish(120)
    print(f"QEMU recording: {time.monotonic() - t:.1f} s, {os.path.getsize(qrr)} bytes")
    argv = base + ["-display", "none", "-serial", "null", "-monitor", "stdio",
                   "-icount", f"shift=7,rr=replay,rrfile={qrr},rrsnapshot=init"]
    mon = None
    rng = random.Random(12)
    times, fails, notes = [], 0, []

    def seek(c):
        t0 = time.monotonic()
        out = mon.cmd(f"replay_seek {c}", a.qemu_timeout)
        while time.monotonic() - t0 < a.qemu_timeout:
            m = re.search(r"instruction count = (\d+)", mon.cmd("info replay", a.qemu_timeout))
            if m and int(m.group(1)) == c:
                return time.monotonic() - t0
            if "rror" in out or "annot" in out:
                break
            time.sleep(0.02)
        notes.append(f"seek {c}: {out.strip()[:100] or 'not there after %.0f s' % a.qemu_timeout}")
        return None

    def start():
        m = HmpPipe(argv, b"stop\n")
        m.read_until_prompt(60)
        m.read_until_prompt(60)
        return m

    # Counts in the part of the recording that QEMU's run surely has. A QEMU
    # that dies or hangs is a failure; the next point gets a new one.
    for _ in range(a.qemu_points):
        c = rng.randrange(10_000_000, int(rewind_total * 0.9))
        for target in (c, c - 1):
            try:
                if mon is None:
                    mon = start()
                dt = seek(target)
            except (TimeoutError, EOFError, OSError) as e:
                dt = None
                mon.p.kill()
                err = mon.p.communicate()[1].decode(errors="replace").strip().splitlines()
                notes.append(f"seek {target}: QEMU {type(e).__name__}: {err[-1] if err else ''}"[:200])
                mon = None
            if dt is None:
                fails += 1
            else:
                times.append(dt)
    if mon:
        mon.p.kill()
    tries = 2 * a.qemu_points
    if times:
        print(f"QEMU 7.2 replay_seek (to a count, then count-1): {len(times)} of {tries} worked, median "
              f"{statistics.median(times):.2f} s, worst {max(times):.2f} s; {fails} failed")
    else:
        print(f"QEMU 7.2 replay_seek: none of {tries} worked")
    for n in notes[:5]:
        print("  " + n)


if __name__ == "__main__":
    sys.exit(main())
