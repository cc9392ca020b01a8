#!/usr/bin/env python3
"""The gdb stub on the Linux test guest, with gdb-multiarch and the kernel's
vmlinux: attach at power-on (-S), break on start_kernel, read registers and
memory, stepi, a watchpoint on jiffies; then a recorded boot prefix replayed
under gdb: exact steps forward and reverse steps back on the same pcs,
reverse-continue to the previous _printk hit, continue to the end with the
recorded final state hash. Usage: gdb_linux_test.py REWIND"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tap import report, done  # noqa: E402
import gdb_test_lib as lib  # noqa: E402

REWIND = sys.argv[1]
GDB = shutil.which("gdb-multiarch")
if not GDB:
    print("1..0 # SKIP gdb-multiarch not installed")
    sys.exit(0)
r = subprocess.run([os.path.join(HERE, "../guest/build-guest.sh")], capture_output=True, text=True)
paths = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
if r.returncode != 0 or not paths.get("VMLINUX") or not os.path.exists(paths["VMLINUX"]):
    print("1..0 # SKIP the test guest (with vmlinux) is not available: " + r.stderr.strip()[-200:])
    sys.exit(0)
VMLINUX = paths["VMLINUX"]
TMP = tempfile.mkdtemp(prefix="rewind-gdb-linux-")
BASE = [REWIND, "-M", "virt", "-m", "256M", "-kernel", paths["KERNEL"], "-initrd", paths["INITRD"], "-append",
        "console=ttyS0", "-display", "none", "-serial", "null", "-monitor", "none"]
# Inside the kernel's boot (it reaches /init at about 1e8): past it, a guest idling
# at its prompt with no timer armed would wait for input for ever.
INSNS = int(os.environ.get("GDB_LINUX_INSNS", "90000000"))
ATTACH_DELAY = float(os.environ.get("GDB_LINUX_ATTACH_DELAY", "1"))

# ---- plain: attach at power-on
port = lib.free_port()
p = lib.start(BASE + ["-icount", "shift=0"], port)
out = lib.gdb(VMLINUX, port, ["break start_kernel", "continue", "p/x $pc", "info symbol $pc", "p/x $sp",
                              "x/2i $pc", "stepi", "p/x $pc", "delete", "watch *(unsigned long *)&jiffies",
                              "continue", "p *(unsigned long *)&jiffies", "kill"], timeout=300)
code, err = lib.finish(p)
v = lib.values(out)
report(re.search(r"start_kernel in section \S*text", out) is not None and len(v) >= 3 and int(v[2], 16) > int(v[0], 16),
       "linux: break on start_kernel, registers, memory, stepi", out[-1500:])
m = re.search(r"Old value = (\d+)\s+New value = (\d+)", out)
report(m is not None and int(m.group(2)) == int(m.group(1)) + 1, "linux: a watchpoint on jiffies sees the tick",
       out[-800:])

# ---- record a boot prefix, replay it under gdb
rr = os.path.join(TMP, "boot.rr")
rec = subprocess.run(BASE + ["-icount", f"shift=0,rr=record,rrfile={rr}", "-max-insns", str(INSNS)],
                     capture_output=True, text=True, timeout=600)
final = re.search(r"final state hash (0x[0-9a-f]+)", rec.stderr)
report(final is not None, f"linux: recorded {INSNS} instructions of the boot", rec.stderr[-500:])

STEPS = int(os.environ.get("GDB_LINUX_STEPS", "8"))
port = lib.free_port()
p = lib.start(BASE + ["-icount", f"shift=0,rr=replay,rrfile={rr}"], port)
c = lib.Raw(port)
c.cmd(b"QStartNoAckMode")
start_kernel = lib.symbol(VMLINUX, "start_kernel")
c.cmd(b"Z0,%x,2" % start_kernel)
c.cmd(b"c")
c.cmd(b"z0,%x,2" % start_kernel)
fwd = [c.pc()]
for _ in range(STEPS):
    c.cmd(b"s")
    fwd.append(c.pc())
back = []
t0 = time.time()
for _ in range(STEPS):
    c.cmd(b"bs")
    back.append(c.pc())
per_step = (time.time() - t0) / STEPS
report(back == list(reversed(fwd[:-1])), f"linux replay: {STEPS} reverse steps land where the forward steps came from",
       f"forward {[hex(x) for x in fwd]} reverse {[hex(x) for x in back]}")
print(f"# reverse step {per_step:.2f} s each (restart navigation)")
# A debugger that leaves lets the machine run on (as QEMU): this replay
# runs to its end by itself and exits with the recorded final state. The
# _printk session below therefore gets its own replay, held at power-on
# until gdb attaches: a second gdb attaching to this one would find it
# wherever the run had got to by then (past the last _printk, or ended and
# gone, when gdb is slow to start), which made this test flaky.
c.close()
t0 = time.time()
code, err = lib.finish(p, timeout=600)
print(f"# left by its debugger, the replay ran to its end in {time.time() - t0:.2f} s")
fin = re.search(r"final state hash (0x[0-9a-f]+)", err)
report(code == 0 and final and fin and fin.group(1) == final.group(1),
       "linux replay: left by its debugger, it runs to the recorded final state hash", err[-800:])

# How long gdb takes to attach must not matter: wait on purpose (attaching to
# the replay above after this wait failed every time).
time.sleep(ATTACH_DELAY)
port = lib.free_port()
p = lib.start(BASE + ["-icount", f"shift=0,rr=replay,rrfile={rr}"], port)
out = lib.gdb(VMLINUX, port, ["break _printk", "continue", "p/x $a0", "continue", "p/x $a0", "continue", "p/x $a0",
                              "reverse-continue", "p/x $a0", "p/x $pc", "delete", "continue"], timeout=900)
code, err = lib.finish(p, timeout=600)
v = lib.values(out)
report(len(v) >= 5 and v[3] == v[1] and v[2] != v[1], "linux replay: reverse-continue to the previous _printk hit", v)
report("No more reverse-execution history" in out, "linux replay: continue to the end of the recording", out[-600:])
fin = re.search(r"final state hash (0x[0-9a-f]+)", err)
report(code == 0 and final and fin and fin.group(1) == final.group(1),
       "linux replay: it still ends with the recorded final state hash", err[-800:])
shutil.rmtree(TMP, ignore_errors=True)
done()
