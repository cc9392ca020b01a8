#!/usr/bin/env python3
"""Replay navigation on a real Linux recording (TAP).

Records the Linux test guest booting, a shell session typed on the serial
console and a power-off. Then:
  - a straight replay (no snapshot restored: snapshots off, the monitor's
    replay_break + cont, in ascending order) reports the state hash at 20
    random instruction counts spread over the whole recording;
  - a second replay moves with replay_seek to the same 20 counts in random
    order (forwards and backwards, snapshots restored) and must report the
    same state hash at each;
  - after all that seeking it continues to the end: the replay still ends
    with the recorded final state hash, and its console output is the
    recording's byte for byte (nothing printed twice);
  - replay_break / replay_delete_break / info replay and the refusals (a
    count past the end, a breakpoint in the past, not replaying).

usage: navigation_test.py REWIND
"""
import os
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "guest"))
from guest_session import PROMPT, HmpPipe as Monitor, Session, build_guest  # noqa: E402

sys.path.insert(0, HERE)
from tap import plan, report as ok  # noqa: E402
from replay_oracle import field, straight_replay_hashes  # noqa: E402

def main():
    rewind = sys.argv[1]
    try:
        kernel, initrd = build_guest()
    except subprocess.CalledProcessError as e:
        ok(False, "build the test guest", e.stderr)
        plan()
        return 1
    tmp = tempfile.mkdtemp(prefix="rewind-navigation-test.")
    rr = os.path.join(tmp, "session.rr")
    base = [rewind, "-M", "virt", "-m", "256M", "-bios", "default", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0", "-device", "virtio-rng-device"]

    # --- record -------------------------------------------------------------------
    rng = random.Random(20261202)
    s = Session(base + ["-nographic", "-icount", f"shift=7,rr=record,rrfile={rr}"])
    booted = s.expect(PROMPT, 240)
    for line in ["uname -a", "cat /proc/interrupts | head -5", "head -c 64 /dev/hwrng | md5sum",
                 "for i in 1 2 3; do echo tick $i; done", "ls /bin | wc -l",
                 # guest CPU work, so that the recording is over 1e9 instructions long
                 "dd if=/dev/zero bs=1M count=48 2>/dev/null | md5sum"]:
        s.type(line + "\n", rng)
        s.expect(PROMPT, 60)
    s.type("poweroff -f\n", rng)
    rc, err = s.finish(120)
    recorded = s.out
    m = re.search(r"recorded (\d+) instructions.*\n.*final state hash (0x[0-9a-f]+)", err)
    if not ok(booted and rc == 0 and m, "record a Linux session (boot, typed commands, power-off)", err[-800:]):
        plan()
        return 1
    total, final_hash = int(m.group(1)), m.group(2)
    ok(total >= 1_000_000_000, f"the recording is long enough ({total} instructions)", str(total))

    lo = 10_000_000  # past the first host poll, where the first command is read
    counts = sorted(rng.sample(range(lo, total - 1), 18)) + [total - 2, lo + 1]
    counts = sorted(set(counts))
    replay = ["-display", "none", "-monitor", "stdio", "-icount", f"shift=7,rr=replay,rrfile={rr}"]

    # --- the oracle: a straight replay stopped at each count ----------------------------
    straight, diag, rc, err = straight_replay_hashes(
        base + replay + ["-serial", "file:" + os.path.join(tmp, "straight.txt")], counts)
    ok(len(straight) == len(counts) and not diag and rc == 0 and final_hash in err,
       f"a straight replay stops at {len(counts)} replay breakpoints and then ends as recorded", diag + err[-600:])

    # --- seeking around ---------------------------------------------------------------
    order = counts[:]
    rng.shuffle(order)
    order += [counts[0], counts[-1], counts[len(counts) // 2]]  # and back again
    console = os.path.join(tmp, "seek.txt")
    mon = Monitor(base + replay + ["-serial", "file:" + console], b"stop\n")
    diag, times, matched = "", [], 0
    went_back = 0
    try:
        mon.read_until_prompt()
        mon.read_until_prompt()
        prev = 0
        for c in order:
            t = time.monotonic()
            out = mon.cmd(f"replay_seek {c}")
            times.append(time.monotonic() - t)
            went_back += c < prev
            prev = c
            info = mon.cmd("info replay")
            at = re.search(r"instruction count = (\d+)", info)
            h = field(info, "State hash")
            if out.strip() or not at or int(at.group(1)) != c or h != straight.get(c):
                diag += f"seek {c}: {out.strip()} at {at.group(1) if at else '?'} hash {h} vs {straight.get(c)}\n"
            else:
                matched += 1
        status = mon.cmd("info status")
        info = mon.cmd("info replay")
        ok("paused" in status, "after replay_seek the machine is stopped, as QEMU's", status)
        snaps = re.search(r"Snapshots: (\d+)", info)
        ok(snaps and int(snaps.group(1)) >= 2, "info replay lists the automatic snapshots", info)
        # Refusals, one line each, and the machine stays where it was.
        out = mon.cmd(f"replay_seek {total + 1000}")
        ok("past the end" in out and len(out.strip().splitlines()) == 1, "replay_seek past the end is refused", out)
        here = int(re.search(r"instruction count = (\d+)", mon.cmd("info replay")).group(1))
        out = mon.cmd(f"replay_break {max(here - 1, 0)}")
        ok("ahead" in out, "a replay breakpoint in the past is refused", out)
        out = mon.cmd("replay_seek abc")
        ok("invalid" in out, "replay_seek with a bad count is refused", out)
        # A breakpoint ahead, then deleted: the replay runs to the end.
        ok(mon.cmd(f"replay_break {here + 1000}").strip() == "", "replay_break ahead is accepted")
        ok(f"Breakpoint at instruction count = {here + 1000}" in mon.cmd("info replay"),
           "info replay shows the breakpoint")
        mon.cmd("replay_delete_break")
        ok("Breakpoint" not in mon.cmd("info replay"), "replay_delete_break removes it")
        os.write(mon.w, b"cont\n")
    except (TimeoutError, EOFError) as e:
        diag += str(e)
    ok(matched == len(order) and not diag,
       f"replay_seek to {len(order)} counts ({went_back} of them backwards) gives the straight replay's state hash "
       f"at each (seek times: median {sorted(times)[len(times) // 2] if times else 0:.2f} s, "
       f"worst {max(times) if times else 0:.2f} s)", diag)
    rc, err = mon.finish()
    ok(rc == 0 and "replay complete" in err and final_hash in err,
       "after all the seeking the replay ends with the recorded final state hash", err[-800:])
    got = open(console, "rb").read()
    ok(got == recorded, "the console output is the recording's byte for byte: nothing printed twice",
       f"recorded {len(recorded)} bytes, replay printed {len(got)}; first difference at "
       f"{next((i for i in range(min(len(got), len(recorded))) if got[i] != recorded[i]), min(len(got), len(recorded)))}")

    # --- a small budget: snapshots thinned, seeks still exact -------------------------------
    mon = Monitor(base + replay + ["-serial", "null", "-rr-snapshot-interval", "20000000",
                                   "-rr-snapshot-budget", "16M"], b"stop\n")
    diag, matched = "", 0
    few = order[:8]
    try:
        mon.read_until_prompt()
        mon.read_until_prompt()
        mon.cmd(f"replay_seek {counts[-1]}")  # the whole recording once: many snapshots due
        for c in few:
            out = mon.cmd(f"replay_seek {c}")
            h = field(mon.cmd("info replay"), "State hash")
            if out.strip() or h != straight.get(c):
                diag += f"seek {c}: {out.strip()} hash {h} vs {straight.get(c)}\n"
            else:
                matched += 1
        info = mon.cmd("info replay")
        os.write(mon.w, b"quit\n")
    except (TimeoutError, EOFError) as e:
        diag += str(e)
        info = ""
    mon.finish(60)
    m = re.search(r"Snapshots: (\d+), ([\d.]+) MiB of a (\d+) MiB budget.*\((\d+) thinned\)", info)
    ok(m and int(m.group(4)) > 0 and float(m.group(2)) <= float(m.group(3)),
       "with -rr-snapshot-budget 16M older snapshots are thinned and the rest stay within the budget", info)
    ok(matched == len(few) and not diag, f"and replay_seek to {len(few)} counts still gives the straight state hashes",
       diag)

    # --- not replaying ------------------------------------------------------------------
    mon = Monitor(base + ["-display", "none", "-monitor", "stdio", "-serial", "null"], b"")
    try:
        mon.read_until_prompt()
        out = mon.cmd("replay_seek 1000")
        ok("only when replaying" in out, "replay_seek outside a replay is refused", out)
        out = mon.cmd("info replay")
        ok("not active" in out, "info replay outside record/replay", out)
        os.write(mon.w, b"quit\n")
    except (TimeoutError, EOFError) as e:
        ok(False, "the monitor answers outside a replay", str(e))
    mon.finish(30)
    plan()
    return 0


if __name__ == "__main__":
    sys.exit(main())
