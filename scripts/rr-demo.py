#!/usr/bin/env python3
"""The main job: record a Linux session on rewind, replay it, show they match.

Boots the Linux test guest (tests/guest) with a virtio-rng device under
`-icount shift=7,rr=record`, types a few commands on its serial console
(uname, hwclock, /dev/hwrng, /proc/uptime), powers it off, then replays the
recording with nothing attached and compares: console output byte for byte,
instruction count, final state hash.

usage: scripts/rr-demo.py [--rewind build/rewind] [--rrfile FILE]
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
from guest_session import PROMPT, Session  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rewind", default=os.path.join(ROOT, "build", "rewind"))
    ap.add_argument("--rrfile", default=os.path.join(ROOT, "build", "linux-session.rr"))
    a = ap.parse_args()
    print("== building (or finding cached) Linux 6.1 + busybox test guest ==", flush=True)
    b = subprocess.run([os.path.join(ROOT, "tests/guest/build-guest.sh")], stdout=subprocess.PIPE, text=True, check=True)
    kernel = re.search(r"^KERNEL=(.*)$", b.stdout, re.M).group(1)
    initrd = re.search(r"^INITRD=(.*)$", b.stdout, re.M).group(1)
    machine = [a.rewind, "-M", "virt", "-m", "256M", "-nographic", "-bios", "default", "-kernel", kernel,
               "-initrd", initrd, "-append", "console=ttyS0", "-device", "virtio-rng-device"]

    print(f"== recording: {' '.join(machine[1:])} -icount shift=7,rr=record,rrfile={a.rrfile} ==", flush=True)
    s = Session(machine + ["-icount", f"shift=7,rr=record,rrfile={a.rrfile}"])
    if not s.expect(PROMPT, 300):
        sys.exit("the guest did not reach a shell prompt:\n" + s.out[-1000:].decode(errors="replace"))
    for cmd in ["uname -a", "hwclock -r", "head -c 16 /dev/hwrng | od -An -tx1", "cat /proc/uptime"]:
        time.sleep(0.3)  # a human's pace: host timing the recording must capture
        s.type(cmd + "\n", None)
        s.expect(PROMPT, 60)
    s.type("poweroff -f\n", None)
    rc, err = s.finish()
    sys.stdout.write(s.out.decode(errors="replace"))
    sys.stdout.write("\n" + err)
    if rc != 0:
        sys.exit(f"recording failed (exit {rc})")

    print(f"== replaying {a.rrfile} with nothing attached ==", flush=True)
    p = subprocess.run(machine + ["-icount", f"shift=7,rr=replay,rrfile={a.rrfile}"], stdin=subprocess.DEVNULL,
                       capture_output=True)
    rerr = p.stderr.decode(errors="replace")
    sys.stdout.write(rerr)
    rec_n = re.search(r"recorded (\d+) instructions", err)
    rep_n = re.search(r"replayed (\d+) instructions", rerr)
    rec_h = re.search(r"final state hash (0x[0-9a-f]+)", err)
    rep_h = re.search(r"final state hash (0x[0-9a-f]+)", rerr)
    same_out = p.stdout == s.out
    print(f"console output identical: {'yes' if same_out else 'NO'} ({len(s.out)} bytes)")
    print(f"instructions: recorded {rec_n and rec_n.group(1)}, replayed {rep_n and rep_n.group(1)}")
    print(f"final state hash: recorded {rec_h and rec_h.group(1)}, replayed {rep_h and rep_h.group(1)}")
    good = (p.returncode == 0 and same_out and rec_n and rep_n and rec_n.group(1) == rep_n.group(1)
            and rec_h and rep_h and rec_h.group(1) == rep_h.group(1))
    print("record/replay: MATCH" if good else "record/replay: MISMATCH")
    print(f"(inspect the recording with: build/rewind-dump {a.rrfile})")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
