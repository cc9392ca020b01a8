#!/usr/bin/env python3
"""Reverse-stepi on a Linux recording, against forward stepping (TAP).

Records a prefix of the Linux test guest's boot (GDB_REVERSE_INSNS
instructions, inside the boot: a guest idle at its prompt with no input
would wait for ever), then replays it under the gdb stub (raw protocol):
  - counts the _printk calls of the whole recording (continue to the end),
    reverse-continues to the start;
  - at GDB_REVERSE_POINTS of those calls spread over the recording: STEPS
    exact steps forward (s), every register saved after each, then STEPS
    reverse steps (bs), each of which must land on exactly the registers the
    forward step came from;
  - continues to the end, which still has the recorded final state hash.
The normal suite runs 3 points x 100 steps; suite 'slow' 10 x 1000 (the
issue's figure). Reports the reverse step's median and worst time.

usage: gdb_linux_reverse_test.py REWIND [POINTS STEPS]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tap import report, done  # noqa: E402
import gdb_test_lib as lib  # noqa: E402

REWIND = sys.argv[1]
POINTS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
STEPS = int(sys.argv[3]) if len(sys.argv) > 3 else 100
if not lib.GDB:
    print("1..0 # SKIP gdb-multiarch not installed")
    sys.exit(0)
r = subprocess.run([os.path.join(HERE, "../guest/build-guest.sh")], capture_output=True, text=True)
paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
if r.returncode != 0 or not paths.get("VMLINUX") or not os.path.exists(paths["VMLINUX"]):
    print("1..0 # SKIP the test guest (with vmlinux) is not available: " + r.stderr.strip()[-200:])
    sys.exit(0)
VMLINUX = paths["VMLINUX"]
TMP = tempfile.mkdtemp(prefix="rewind-gdb-reverse-")
BASE = [REWIND, "-M", "virt", "-m", "256M", "-kernel", paths["KERNEL"], "-initrd", paths["INITRD"], "-append",
        "console=ttyS0", "-display", "none", "-serial", "null", "-monitor", "none"]
INSNS = int(os.environ.get("GDB_REVERSE_INSNS", "90000000"))



def next_reply(c):
    """The next packet the stub sends, without sending one."""
    while True:
        m = re.search(rb"\$([^#]*)#..", c.buf)
        if m:
            c.buf = c.buf[m.end():]
            return m.group(1).decode()
        c.buf += c.s.recv(65536)


rr = os.path.join(TMP, "boot.rr")
rec = subprocess.run(BASE + ["-icount", f"shift=0,rr=record,rrfile={rr}", "-max-insns", str(INSNS)],
                     capture_output=True, text=True, timeout=900)
final = re.search(r"final state hash (0x[0-9a-f]+)", rec.stderr)
report(final is not None, f"recorded {INSNS} instructions of the Linux boot", rec.stderr[-500:])

printk = lib.symbol(VMLINUX, "_printk")
port = lib.free_port()
p = lib.start(BASE + ["-icount", f"shift=0,rr=replay,rrfile={rr}"], port)
c = lib.Raw(port)
c.cmd(b"QStartNoAckMode")
c.cmd(b"Z0,%x,2" % printk)
hits = 0
while "replaylog:end" not in c.cmd(b"c"):
    hits += 1
c.cmd(b"z0,%x,2" % printk)
back_to_start = c.cmd(b"bc")
report(hits >= POINTS and "replaylog:begin" in back_to_start,
       f"{hits} _printk calls in the recording; reverse-continue goes back to its start", back_to_start)

# The points: calls spread evenly over the recording.
points = sorted({max(1, (i + 1) * hits // (POINTS + 1)) for i in range(POINTS)})
c.cmd(b"Z0,%x,2" % printk)
at, bad, times, total_steps = 0, [], [], 0
for k in points:
    while at < k:
        c.cmd(b"c")
        at += 1
    c.cmd(b"z0,%x,2" % printk)
    fwd = [c.cmd(b"g")]
    for _ in range(STEPS):
        c.cmd(b"s")
        fwd.append(c.cmd(b"g"))
    for i in range(STEPS):
        t = time.monotonic()
        c.cmd(b"bs")
        times.append(time.monotonic() - t)
        got = c.cmd(b"g")
        total_steps += 1
        if got != fwd[STEPS - 1 - i]:
            bad.append((k, i))
    c.cmd(b"Z0,%x,2" % printk)
report(not bad and total_steps == len(points) * STEPS,
       f"{len(points)} points x {STEPS} reverse-stepi: each lands on the registers the forward step came from",
       f"{len(bad)} mismatches, first at (call, reverse step) {bad[:3]}")
if times:
    print(f"# reverse-stepi: median {statistics.median(times) * 1000:.1f} ms, worst {max(times) * 1000:.1f} ms "
          f"over {len(times)} steps")
c.cmd(b"z0,%x,2" % printk)
end = c.cmd(b"c")
report("replaylog:end" in end, "then continue runs to the end of the recording", end)

# Ctrl-C during a reverse-continue that finds nothing (a breakpoint on panic)
# stops it within a scan slice, not at the end of the whole scan.
panic = lib.symbol(VMLINUX, "panic")
c.cmd(b"Z0,%x,2" % panic)
body = b"bc"
c.s.sendall(b"$" + body + b"#" + ("%02x" % (sum(body) & 0xff)).encode())
time.sleep(0.1)
t = time.monotonic()
c.s.sendall(b"\x03")
reply = next_reply(c)
took = time.monotonic() - t
report(reply.startswith("T02") and took < 1.5,
       f"Ctrl-C stops a reverse-continue within {took:.2f} s, where the machine was", reply)
c.cmd(b"z0,%x,2" % panic)
end = c.cmd(b"c")
c.cmd(b"vKill;1")
c.close()
code, err = lib.finish(p, timeout=600)
fin = re.search(r"final state hash (0x[0-9a-f]+)", err)
report(code == 0 and final and fin and fin.group(1) == final.group(1),
       "and the replay still ends with the recorded final state hash", err[-800:])
shutil.rmtree(TMP, ignore_errors=True)
done()
